import type { Card } from "../../core/messages/card.js";
import type { Notification } from "../../core/escalation/notification.js";

const TONE_MARK: Record<NonNullable<Card["tone"]>, string> = {
  info: "",
  question: "? ",
  success: "✔ ",
  warning: "⚠ ",
  error: "✘ ",
};

/** A card as terminal text: choices become numbered options the user answers by number. */
export function renderCard(card: Card): string {
  const out: string[] = [];
  if (card.title) out.push(`${TONE_MARK[card.tone ?? "info"]}${card.title}`);
  card.lines.forEach((line, i) => out.push(i === 0 && !card.title ? `${TONE_MARK[card.tone ?? "info"]}${line}` : line));
  const width = Math.max(0, ...(card.fields ?? []).map((f) => f.label.length));
  for (const field of card.fields ?? []) out.push(`  ${field.label.padEnd(width)}  ${field.value}`);
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
      : recipient.platform
        ? `${recipient.platform} direct message to ${recipient.name} (${recipient.address})`
        : `${recipient.name}: no chat identity, recorded as failed`;
  const body = renderCard(notification.card).split("\n").map((line) => `   │ ${line}`);
  return [`  → ${where}`, ...body].join("\n");
}
