import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { pickerHints, type Card } from "../../core/messages/card.js";

/**
 * Telegram refuses a message over 4,096 characters, counted in UTF-16 code units of the text once
 * its markup is parsed (https://core.telegram.org/bots/api#sendmessage); stay a little under.
 */
export const MAX_MESSAGE_LENGTH = 4096;
const CHUNK_BUDGET = 3900;
/** Telegram refuses callback data over 64 bytes (BUTTON_DATA_INVALID): buttons carry ids, not text. */
export const MAX_CALLBACK_DATA_BYTES = 64;
/** At most 8 buttons fit a row; two short ones side by side keep a keyboard compact. */
const SHORT_LABEL = 14;

export interface TelegramMessage {
  text: string;
  parse_mode: "HTML";
  reply_markup?: InlineKeyboardMarkup;
  link_preview_options: { is_disabled: true };
}

export interface RenderOptions {
  /** The Telegram user id of a member, for a real mention; undefined renders the name only. */
  telegramIdOf: (memberId: string) => string | undefined;
}

/** Escapes text for parse_mode HTML: a reporter cannot inject formatting or links (textToHtml also keeps out mentions). */
export function escapeHtml(text: string): string {
  if (!/[&<>]/.test(text)) return text;
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function keyboardOf(card: Card): InlineKeyboardMarkup | undefined {
  if (!card.choices?.length) return undefined;
  const buttons: InlineKeyboardButton[] = card.choices.map((choice) => {
    if (Buffer.byteLength(choice.id, "utf8") > MAX_CALLBACK_DATA_BYTES) {
      throw new Error(`choice id "${choice.id}" exceeds Telegram's ${MAX_CALLBACK_DATA_BYTES}-byte callback data`);
    }
    return { text: choice.label, callback_data: choice.id };
  });
  const rows: InlineKeyboardButton[][] = [];
  for (const button of buttons) {
    const last = rows.at(-1);
    const fitsBeside = last?.length === 1 && [...last[0]!.text].length <= SHORT_LABEL && [...button.text].length <= SHORT_LABEL;
    if (fitsBeside) last.push(button);
    else rows.push([button]);
  }
  return { inline_keyboard: rows };
}

/** How a run of text shows: as typed, bold, or as a link that mentions a Telegram user. */
type Style = "plain" | "bold" | { mentionOf: string };

/** A run of text in one style. Markup is made only when a message is assembled, so a cut never splits it. */
interface Span {
  text: string;
  style: Style;
}

/** A line of the card: spans that follow each other, never split across messages unless too long. */
type Line = Span[];

/** Telegram counts a message's length in UTF-16 code units of its text once the markup is parsed. */
const visibleLength = (line: Line) => line.reduce((n, span) => n + span.text.length, 0);

/**
 * `@name` where Telegram would make it a mention (https://core.telegram.org/bots/api#messageentity,
 * "mention"): Telegram finds those in any text a bot sends, and a mention notifies that user.
 * Telegram finds none inside a code entity, so reporters' text cannot ping people; a mention by
 * the bot is a tg://user link. Broader than Telegram's own rule: every `@` not after an ASCII
 * letter or digit, with any number of username characters.
 */
const MENTION_LIKE = /(?<![A-Za-z0-9_])@[A-Za-z0-9_]+/g;

/** Text as parse_mode HTML: escaped, and `@name` in a code entity so it cannot become a mention. */
export function textToHtml(text: string, wrap: (html: string) => string = (html) => html): string {
  if (!text.includes("@")) return text === "" ? "" : wrap(escapeHtml(text));
  let html = "";
  let at = 0;
  for (const match of text.matchAll(MENTION_LIKE)) {
    if (match.index > at) html += wrap(escapeHtml(text.slice(at, match.index)));
    html += `<code>${match[0]}</code>`; // a code entity may not be inside a bold one: the bold is closed around it
    at = match.index + match[0].length;
  }
  if (at < text.length) html += wrap(escapeHtml(text.slice(at)));
  return html;
}

function spanToHtml({ text, style }: Span): string {
  if (style === "plain") return textToHtml(text);
  if (style === "bold") return textToHtml(text, (html) => `<b>${html}</b>`);
  // tg://user links notify the user; Telegram finds no mention inside a link, so the name is only escaped.
  return `<a href="tg://user?id=${encodeURIComponent(style.mentionOf)}">${escapeHtml(text)}</a>`;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

const characters = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Where to cut `text` to keep at most `room` code units: after the last whole character as a
 * reader sees it (an emoji with its modifiers and joiners, a letter with its accents). Only a
 * character longer than a whole message is cut inside, and then between code points, since
 * Telegram refuses half a surrogate pair. 0 means: start the next message with it.
 */
function cutIndex(text: string, room: number, wholeMessage: boolean): number {
  if (room >= text.length) return text.length;
  const cut = characters.segment(text).containing(room)!.index; // the start of the first character that does not fit
  if (cut > 0 || !wholeMessage) return cut;
  return isHighSurrogate(text.charCodeAt(room - 1)) ? room - 1 : room;
}

/** A line longer than a message is cut into pieces that fit one, inside its spans' text, so no markup is split. */
function hardWrap(line: Line): Line[] {
  const pieces: Line[] = [[]];
  let room = CHUNK_BUDGET;
  for (const span of line) {
    let rest = span.text;
    while (rest.length > room) {
      const cut = cutIndex(rest, room, room === CHUNK_BUDGET);
      if (cut > 0) pieces.at(-1)!.push({ ...span, text: rest.slice(0, cut) });
      rest = rest.slice(cut);
      pieces.push([]);
      room = CHUNK_BUDGET;
    }
    if (rest !== "") pieces.at(-1)!.push({ ...span, text: rest });
    room -= rest.length;
  }
  return pieces;
}

const plain = (text: string): Line => [{ text, style: "plain" }];

function mentionLine(card: Card, options: RenderOptions): Line {
  return (card.mentions ?? []).flatMap((m, i): Span[] => {
    const id = options.telegramIdOf(m.memberId);
    const mention: Span = id ? { text: m.name, style: { mentionOf: id } } : { text: `@${m.name}`, style: "plain" };
    return i === 0 ? [mention] : [{ text: " ", style: "plain" }, mention];
  });
}

/** The card's lines, each a unit that is never split across messages unless it is longer than one. */
function linesOf(card: Card, options: RenderOptions): Line[] {
  const lines: Line[] = [];
  if (card.title) lines.push([{ text: card.title, style: "bold" }]);
  lines.push(...card.lines.map(plain));
  for (const field of card.fields ?? []) lines.push([{ text: field.label, style: "bold" }, { text: `: ${field.value}`, style: "plain" }]);
  lines.push(...pickerHints(card).map(plain));
  if (card.mentions?.length) lines.push(mentionLine(card, options));
  return lines.flatMap(hardWrap);
}

/** Telegram trims a message and refuses one with no text left ("message text is empty"). */
const isBlank = (chunk: Line) => chunk.every((span) => span.text.trim() === "");

/** What a card with no visible text says, so its buttons still have a message to sit on. */
const NOTHING_TO_SAY = "…";

/**
 * A card as Telegram messages in parse_mode HTML: split on line boundaries under 4,096 UTF-16
 * code units of visible text (a line longer than that between code points), the keyboard on the last one.
 */
export function renderForTelegram(card: Card, options: RenderOptions): TelegramMessage[] {
  const chunks: Line[] = [];
  for (const line of linesOf(card, options)) {
    const last = chunks.at(-1);
    if (last && visibleLength(last) + 1 + visibleLength(line) <= CHUNK_BUDGET) {
      last.push({ text: "\n", style: "plain" }, ...line);
    } else {
      chunks.push([...line]);
    }
  }
  const shown = chunks.filter((chunk) => !isBlank(chunk));
  if (shown.length === 0) shown.push(plain(NOTHING_TO_SAY));
  const keyboard = keyboardOf(card);
  return shown.map((chunk, i) => ({
    text: chunk.map(spanToHtml).join(""),
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    ...(keyboard && i === shown.length - 1 ? { reply_markup: keyboard } : {}),
  }));
}
