import { pickerHints, type Card } from "../../core/messages/card.js";
import type { Platform } from "../../core/directory/organisation.js";
import type { Notification } from "../../core/escalation/notification.js";

const TONE_MARK: Record<NonNullable<Card["tone"]>, string> = {
  info: "",
  question: "? ",
  success: "✔ ",
  warning: "⚠ ",
  error: "✘ ",
};

/** Columns a string takes in a terminal: CJK characters are two wide. */
function displayWidth(text: string): number {
  return [...text].reduce((width, char) => width + (char.codePointAt(0)! >= 0x2e80 ? 2 : 1), 0);
}

const padToWidth = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)));

/** A card as terminal text: choices become numbered options the user answers by number. */
export function renderCard(card: Card): string {
  const out: string[] = [];
  if (card.title) out.push(`${TONE_MARK[card.tone ?? "info"]}${card.title}`);
  card.lines.forEach((line, i) => out.push(i === 0 && !card.title ? `${TONE_MARK[card.tone ?? "info"]}${line}` : line));
  const width = Math.max(0, ...(card.fields ?? []).map((f) => displayWidth(f.label)));
  for (const field of card.fields ?? []) out.push(`  ${padToWidth(field.label, width)}  ${field.value}`);
  out.push(...pickerHints(card).map((hint) => `  ${hint}`));
  if (card.mentions?.length) out.push(card.mentions.map((m) => `@${m.name}`).join(" "));
  // Typed answers show their shortcuts unnumbered, so "1" stays the number one.
  card.choices?.forEach((choice, i) => out.push(card.typedAnswer ? `  [${choice.label}]` : `  ${i + 1}) ${choice.label}`));
  return out.join("\n");
}

/** Where a notification would go and what it says, indented under a header line. */
export function renderNotification(notification: Notification): string {
  const { recipient } = notification;
  const where =
    recipient.kind === "channel"
      ? `${recipient.platform} channel ${recipient.name} (${recipient.address})`
      : recipient.kind === "team"
        ? `${recipient.platform} complaint team ${recipient.ticketNumber} (opened from ${recipient.address})`
        : recipient.platform
        ? `${recipient.platform} direct message to ${recipient.name} (${recipient.address})`
        : `${recipient.name}: no chat identity, recorded as failed`;
  const body = renderCard(notification.card).split("\n").map((line) => `   │ ${line}`);
  return [`  → ${where}`, ...body].join("\n");
}

/**
 * A message the bot wrote to the outbox for the terminal's own member, as it goes to them on their
 * chat platform. Its buttons are shown with the command they run, to type here.
 */
export function renderDelivered(delivery: { id: number; platform: Platform | null; card: Card }): string {
  const { id, platform, card } = delivery;
  const where = platform ? `→ to you on ${platform}` : "→ to you (no chat account bound: kept as a failed delivery)";
  const buttons = (card.choices ?? []).map((choice) => (choice.id.startsWith("/") ? `  [${choice.label}] ${choice.id}` : `  [${choice.label}]`));
  const body = [...renderCard({ ...card, choices: undefined }).split("\n"), ...buttons].map((line) => `   │ ${line}`);
  return [`${where} (delivery #${id}):`, ...body].join("\n");
}
