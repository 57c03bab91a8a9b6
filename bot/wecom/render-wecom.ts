import { Buffer } from "node:buffer";
import { pickerHints, type Card } from "../../core/messages/card.js";
import type { ButtonCard } from "./wecom-client.js";

/** WeCom counts bytes (UTF-8), not characters: a Chinese character is three. */
export const TEXT_MAX_BYTES = 2048;
export const MARKDOWN_MAX_BYTES = 4096;

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

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

/** Cuts one line into pieces under `max` bytes without splitting a character. */
function cutLine(line: string, max: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  for (const char of line) {
    if (bytes(piece + char) > max) {
      pieces.push(piece);
      piece = "";
    }
    piece += char;
  }
  return [...pieces, piece];
}

/** Packs lines into messages under `max` bytes, breaking only between lines where it can. */
export function splitByBytes(lines: string[], max: number): string[] {
  const messages: string[] = [];
  for (const line of lines.flatMap((l) => cutLine(l, max))) {
    const last = messages.at(-1);
    if (last !== undefined && bytes(`${last}\n${line}`) <= max) messages[messages.length - 1] = `${last}\n${line}`;
    else messages.push(line);
  }
  return messages.length ? messages : [" "];
}

/** A card as app text messages (each under 2,048 bytes); text messages have no markup to escape. */
export function renderText(card: Card): string[] {
  const mentions = card.mentions?.length ? [card.mentions.map((m) => `@${m.name}`).join(" ")] : [];
  return splitByBytes([...(card.title ? [card.title] : []), ...bodyLines(card, (text) => text), ...mentions], TEXT_MAX_BYTES);
}

/**
 * In markdown `<@userid>` is a mention: user text has its angle brackets made full-width, so a
 * reporter cannot mention or format anything.
 */
const quoteMarkdown = (text: string) => text.replace(/</g, "＜").replace(/>/g, "＞");

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
  return splitByBytes([...title, ...bodyLines(card, quoteMarkdown), ...(mentions.length ? [mentions.join(" ")] : [])], MARKDOWN_MAX_BYTES);
}

/** WeCom shows at most six buttons on a card and cuts titles; the text message carries the rest. */
const CARD_BUTTONS_MAX = 6;
const CARD_TITLE_MAX = 26;
const CARD_DESC_MAX = 40;

/**
 * The card's commands (Acknowledge, Take it, Confirm…) as a button card sent after its text: a
 * press runs the same command as sending it. Undefined when the card has no commands.
 */
export function renderButtonCard(card: Card, taskId: string): ButtonCard | undefined {
  const commands = (card.choices ?? []).filter((c) => c.id.startsWith("/")).slice(0, CARD_BUTTONS_MAX);
  if (commands.length === 0) return undefined;
  const clip = (text: string, max: number) => ([...text].length > max ? `${[...text].slice(0, max - 1).join("")}…` : text);
  const title = card.title ?? card.lines[0] ?? "";
  const desc = card.title ? card.lines[0] : card.lines[1];
  return {
    card_type: "button_interaction",
    main_title: { title: clip(title, CARD_TITLE_MAX), ...(desc ? { desc: clip(desc, CARD_DESC_MAX) } : {}) },
    task_id: taskId,
    button_list: commands.map((c, i) => ({ text: clip(c.label, 10), style: i === 0 ? 1 : 2, key: c.id })),
  };
}
