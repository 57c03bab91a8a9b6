import { COMMANDS } from "../../core/conversation/commands.js";

/*
 * Slack keeps "/" for its own slash commands, so people write Hotline's commands as words:
 * `/hotline ack HL-…`, `@Hotline status HL-…`, or `ack HL-…` in a direct message. These turn
 * such words into the core's commands; the words are the core's command table's.
 */

/** Words after `/hotline` or a mention are always a command; nothing at all asks for help. */
export function commandFromWords(text: string): string {
  const words = text.trim().replace(/^\//, "");
  if (!words) return "/help";
  return `/${words}`;
}

/** Command words by whether a ticket number follows them. Aliases are not words here: `start <code>` is an invite. */
const TAKES_TICKET = new Map(COMMANDS.map((row) => [row.name, row.ticket]));
/** An invite: `start <code>` binds this Slack account (Slack keeps `/start` for itself). */
const INVITE = /^start\s+[A-Za-z0-9]{6,32}$/i;
const TICKET_NUMBER = /^HL-?\d/i;

/**
 * Reads as a command: a command that takes no ticket, alone or with one word (`report week`), or
 * one that takes a ticket followed by a ticket number. So a description that happens to start
 * with "take" stays a description.
 */
function readsAsCommand(text: string): boolean {
  const [name = "", ...rest] = text.split(/\s+/);
  const takesTicket = TAKES_TICKET.get(name.toLowerCase());
  if (takesTicket === undefined) return false;
  return takesTicket ? TICKET_NUMBER.test(rest[0] ?? "") : rest.length <= 1;
}

/** In a direct message, text is the answer to the dialog unless it reads as a command. */
export function commandInDirectMessage(text: string): string {
  const trimmed = text.trim().replace(/^\//, "");
  if (INVITE.test(trimmed)) return `/start ${trimmed.split(/\s+/)[1]}`;
  if (readsAsCommand(trimmed)) return `/${trimmed}`;
  return text;
}
