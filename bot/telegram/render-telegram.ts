import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { pickerHints, type Card } from "../../core/messages/card.js";

/** Telegram refuses messages over 4,096 characters; stay a little under to leave room for markup. */
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

/** Escapes text for parse_mode HTML: a reporter cannot inject formatting, links or mentions. */
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

/** A line of HTML and the length Telegram counts for it: the text once entities are parsed. */
interface Line {
  html: string;
  length: number;
}

const plain = (text: string): Line => ({ html: escapeHtml(text), length: text.length });
const bold = (text: string): Line => ({ html: `<b>${escapeHtml(text)}</b>`, length: text.length });

/** A single line longer than a message is cut into pieces before escaping, so no entity is split. */
function hardWrap(line: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < line.length; i += CHUNK_BUDGET) pieces.push(line.slice(i, i + CHUNK_BUDGET));
  return pieces.length ? pieces : [""];
}

function mentionLine(card: Card, options: RenderOptions): Line {
  const parts = (card.mentions ?? []).map((m) => {
    const id = options.telegramIdOf(m.memberId);
    // tg://user links notify the user; the name inside is escaped like any text.
    return id ? { html: `<a href="tg://user?id=${encodeURIComponent(id)}">${escapeHtml(m.name)}</a>`, length: m.name.length } : plain(`@${m.name}`);
  });
  return { html: parts.map((p) => p.html).join(" "), length: parts.reduce((n, p) => n + p.length + 1, 0) };
}

/** The card's lines, each a unit that is never split across messages. */
function linesOf(card: Card, options: RenderOptions): Line[] {
  const lines: Line[] = [];
  if (card.title) lines.push(...hardWrap(card.title).map(bold));
  lines.push(...card.lines.flatMap((line) => hardWrap(line).map(plain)));
  for (const field of card.fields ?? []) {
    const [first, ...rest] = hardWrap(`${field.label}: ${field.value}`);
    const label = bold(field.label);
    const tail = plain(first!.slice(field.label.length));
    lines.push({ html: label.html + tail.html, length: label.length + tail.length }, ...rest.map(plain));
  }
  lines.push(...pickerHints(card).map(plain));
  if (card.mentions?.length) lines.push(mentionLine(card, options));
  return lines;
}

/**
 * A card as Telegram messages in parse_mode HTML: split on line boundaries under 4,096
 * characters, the keyboard on the last one.
 */
export function renderForTelegram(card: Card, options: RenderOptions): TelegramMessage[] {
  const chunks: Line[] = [];
  for (const line of linesOf(card, options)) {
    const last = chunks.at(-1);
    if (last && last.length + 1 + line.length <= CHUNK_BUDGET) {
      chunks[chunks.length - 1] = { html: `${last.html}\n${line.html}`, length: last.length + 1 + line.length };
    } else {
      chunks.push(line);
    }
  }
  if (chunks.length === 0) chunks.push(plain(" "));
  const keyboard = keyboardOf(card);
  return chunks.map((chunk, i) => ({
    text: chunk.html || " ",
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    ...(keyboard && i === chunks.length - 1 ? { reply_markup: keyboard } : {}),
  }));
}
