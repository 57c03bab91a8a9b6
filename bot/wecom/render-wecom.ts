import { Buffer } from "node:buffer";
import { pickerHints, type Card } from "../../core/messages/card.js";
import type { ButtonCard } from "./wecom-client.js";

/** WeCom counts bytes (UTF-8), not characters: a Chinese character is three. */
export const TEXT_MAX_BYTES = 2048;
export const MARKDOWN_MAX_BYTES = 4096;

const bytes = (text: string) => Buffer.byteLength(text, "utf8");
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Text as it can be sent: a lone surrogate (from a platform whose JSON allows one) becomes U+FFFD,
 * as a UTF-8 encoder would write it, instead of an escape WeCom cannot decode.
 */
const wellFormed = (text: string) => text.replace(/\p{Cs}/gu, "\uFFFD");

/**
 * Choices as WeCom shows them: a dialog's options numbered (the member answers with the number or
 * the words), a typed answer's shortcuts in brackets, and a command (Acknowledge…) as the command to send.
 */
function choiceLines(card: Card): string[] {
  const choices = card.choices ?? [];
  const commands = choices.filter((c) => c.id.startsWith("/"));
  const options = choices.filter((c) => !c.id.startsWith("/"));
  const optionLines = card.typedAnswer ? (options.length ? [options.map((c) => `[${c.label}]`).join(" ")] : []) : options.map((c, i) => `${i + 1}. ${c.label}`);
  return [...optionLines, ...commands.map((c) => `${c.label}：${c.id}`)];
}

function bodyLines(card: Card, quote: (text: string) => string): string[] {
  return [
    ...card.lines.map(quote),
    ...(card.fields ?? []).map((f) => `${f.label}：${quote(f.value)}`),
    ...pickerHints(card),
    ...choiceLines(card),
  ];
}

/**
 * Cuts one line into pieces of at most `max` bytes (at least 4, one code point) whose
 * concatenation is the line. Cuts fall between graphemes (an emoji sequence, a letter and its
 * marks stay whole), or between code points of a grapheme longer than `max` on its own.
 */
export function cutLine(line: string, max: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  let size = 0;
  for (const { segment } of graphemes.segment(line)) {
    for (const unit of bytes(segment) > max ? segment.match(/[\s\S]/gu)! : [segment]) {
      const unitBytes = bytes(unit);
      if (size + unitBytes > max && piece) {
        pieces.push(piece);
        piece = "";
        size = 0;
      }
      piece += unit;
      size += unitBytes;
    }
  }
  return [...pieces, piece];
}

/**
 * Packs lines into messages of at most `max` bytes: lines joined by "\n", a line longer than a
 * message cut by `cutLine` with nothing between its pieces. No message is empty (WeCom refuses
 * empty content with 44004): empty lines that would stand alone are dropped, and no lines at all
 * give one " ".
 */
export function splitByBytes(lines: string[], max: number): string[] {
  const messages: string[] = [];
  for (const line of lines.flatMap((l) => cutLine(l, max))) {
    const last = messages.at(-1);
    if (last !== undefined && bytes(last) + 1 + bytes(line) <= max) messages[messages.length - 1] = `${last}\n${line}`;
    else messages.push(line);
  }
  const sendable = messages.filter((message) => message !== "");
  return sendable.length ? sendable : [" "];
}

/**
 * In app text messages WeCom renders `<a href="…">` as a link: the `<` of an `a` tag in user text
 * is made full-width, so a reporter cannot plant one; other angle brackets (`<member>`) stay.
 */
const quoteText = (text: string) => wellFormed(text).replace(/<(?=\/?a\b)/gi, "＜");

/** A card as app text messages (each at most 2,048 bytes), with no link from user text. */
export function renderText(card: Card): string[] {
  const mentions = card.mentions?.length ? [card.mentions.map((m) => `@${quoteText(m.name)}`).join(" ")] : [];
  return splitByBytes([...(card.title ? [quoteText(card.title)] : []), ...bodyLines(card, quoteText), ...mentions].map(wellFormed), TEXT_MAX_BYTES);
}

/**
 * In group-robot markdown `<@userid>` is a mention, `[text](url)` a link, and `<font>` a colour:
 * user text has its angle and square brackets made full-width, so a reporter cannot mention
 * anyone, link anywhere, colour or quote. Emphasis (`**`) is left as typed: masked phone numbers
 * (`138****5678`) are written with asterisks.
 */
const quoteMarkdown = (text: string) => wellFormed(text).replace(/[<>[\]]/g, (bracket) => FULL_WIDTH[bracket]!);
const FULL_WIDTH: Record<string, string> = { "<": "＜", ">": "＞", "[": "［", "]": "］" };

/**
 * A card as group-robot markdown (each under 4,096 bytes): the title in bold, and each mention as
 * `<@userid>`, which notifies the member in the group.
 */
export function renderRobotMarkdown(card: Card, wecomIdOf: (memberId: string) => string | undefined): string[] {
  const mentions = (card.mentions ?? []).map((m) => {
    const id = wecomIdOf(m.memberId);
    return id ? `<@${id}>` : `@${quoteMarkdown(m.name)}`;
  });
  const title = card.title ? [`**${quoteMarkdown(card.title)}**`] : [];
  const lines = [...title, ...bodyLines(card, quoteMarkdown), ...(mentions.length ? [mentions.join(" ")] : [])];
  return splitByBytes(lines.map(wellFormed), MARKDOWN_MAX_BYTES);
}

/** WeCom shows at most six buttons on a card and cuts titles; the text message carries the rest. */
const CARD_BUTTONS_MAX = 6;
const CARD_TITLE_MAX = 26;
const CARD_DESC_MAX = 40;

/** `text` in at most `max` graphemes, the last an ellipsis when it was longer. */
export function clip(text: string, max: number): string {
  const whole = [...graphemes.segment(wellFormed(text))].map((g) => g.segment);
  return whole.length > max ? `${whole.slice(0, max - 1).join("")}…` : whole.join("");
}

/**
 * The card's commands (Acknowledge, Take it, Confirm…) as a button card sent after its text: a
 * press runs the same command as sending it. Undefined when the card has no commands.
 */
export function renderButtonCard(card: Card, taskId: string): ButtonCard | undefined {
  const commands = (card.choices ?? []).filter((c) => c.id.startsWith("/")).slice(0, CARD_BUTTONS_MAX);
  if (commands.length === 0) return undefined;
  const title = card.title ?? card.lines[0] ?? "";
  const desc = card.title ? card.lines[0] : card.lines[1];
  return {
    card_type: "button_interaction",
    main_title: { title: clip(title, CARD_TITLE_MAX), ...(desc ? { desc: clip(desc, CARD_DESC_MAX) } : {}) },
    task_id: taskId,
    button_list: commands.map((c, i) => ({ text: clip(c.label, 10), style: i === 0 ? 1 : 2, key: c.id })),
  };
}
