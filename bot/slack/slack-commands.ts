/*
 * Slack keeps "/" for its own slash commands, so people write Hotline's commands as words:
 * `/hotline ack HL-…`, `@Hotline status HL-…`, or `ack HL-…` in a direct message. These turn
 * such words into the core's commands.
 */

const COMMANDS = new Set([
  "new", "status", "mine", "ack", "take", "note", "ask", "resolve", "close", "report", "cancel",
  "help", "lang", "team", "appoint", "confirm", "onsite", "agreement", "timeline",
]);

/** Words after `/hotline` or a mention are always a command; nothing at all asks for help. */
export function commandFromWords(text: string): string {
  const words = text.trim().replace(/^\//, "");
  if (!words) return "/help";
  return `/${words}`;
}

/** Commands that take no ticket, and those that do (a ticket number follows the name). */
const BARE = /^(new|mine|cancel|help|lang|report)(\s+\S+)?$/i;
/** An invite: `start <code>` binds this Slack account (Slack keeps `/start` for itself). */
const INVITE = /^start\s+[A-Za-z0-9]{6,32}$/i;
const ON_TICKET = /^(status|ack|take|note|ask|resolve|close|team|appoint|confirm|onsite|agreement|timeline)\s+HL-?\d/i;

/**
 * In a direct message, text is the answer to the report dialog unless it reads as a command:
 * a bare command word, or a command followed by a ticket number, so that a description that
 * happens to start with "take" stays a description.
 */
export function commandInDirectMessage(text: string): string {
  const trimmed = text.trim().replace(/^\//, "");
  if (INVITE.test(trimmed)) return `/start ${trimmed.split(/\s+/)[1]}`;
  const name = trimmed.split(/\s+/)[0]?.toLowerCase() ?? "";
  if (COMMANDS.has(name) && (BARE.test(trimmed) || ON_TICKET.test(trimmed))) return `/${trimmed}`;
  return text;
}
