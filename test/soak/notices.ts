/**
 * Which kind of outbox message a Telegram message is, by its first line, from the catalog's own
 * templates: new-ticket notices, reminders, escalations, misses, the reporter hearing back, team
 * messages and daily reports. Anything else in a private chat is a direct reply.
 */
import { CATALOG, type MessageKey } from "../../core/messages/catalog.js";

const NOTICE_KEYS = (Object.keys(CATALOG) as MessageKey[]).filter(
  (key) =>
    key.startsWith("notify.") ||
    key.startsWith("team.") ||
    ["deadline.reminder", "deadline.escalated_to_you", "deadline.escalated_from_you", "deadline.missed", "report.major.title", "report.hotline.title"].includes(key),
);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A template's first line as a pattern: `{placeholders}` match anything. */
function patternOf(template: string): RegExp {
  const first = template.split("\n")[0]!;
  return new RegExp(`^${escape(first).replace(/\\\{\w+\\\}/g, ".*")}`);
}

const PATTERNS: { key: MessageKey; pattern: RegExp }[] = NOTICE_KEYS.flatMap((key) => [
  { key, pattern: patternOf(CATALOG[key].zh) },
  { key, pattern: patternOf(CATALOG[key].en) },
]);

/** The catalog key of the notice a message's first line is, or undefined for a direct reply. */
export function noticeKind(text: string): MessageKey | undefined {
  const first = text.split("\n")[0]!.trim();
  return PATTERNS.find(({ pattern }) => pattern.test(first))?.key;
}

/** The first line of a message, which is how an outbox row and a message the fake got are matched. */
export const firstLine = (text: string) => text.split("\n")[0]!.trim();
