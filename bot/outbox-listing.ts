import { maskEmail, maskPhone } from "../core/tickets/ticket.js";

/**
 * The outbox as people look at it (the deliveries command, the console's deliveries page): who a
 * message goes to and what it says, with a customer's contact masked.
 */

/** The recipient and the card are stored as JSON text; shown as the objects they are. */
export function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface StoredRecipient {
  kind?: string;
  platform?: string | null;
  name?: string;
  address?: string | null;
}

/**
 * A customer's mobile or e-mail as lists show it (138****5678, z***@example.com): enough to tell
 * which customer, without spreading their contact; staff have it on the ticket.
 */
export function shownRecipient(recipient: StoredRecipient): StoredRecipient {
  if (recipient.kind !== "customer" || typeof recipient.address !== "string") return recipient;
  return { ...recipient, address: recipient.platform === "email" ? maskEmail(recipient.address) : maskPhone(recipient.address) };
}

/** Who a row goes to; a refresh has no recipient of its own: it edits what was posted. */
export function recipientText(row: { kind: string; recipient: string }): string {
  if (row.kind === "refresh") return "(edit of the ticket's posted messages)";
  const recipient = shownRecipient(parsedJson(row.recipient) as StoredRecipient);
  return `${recipient.name ?? "?"} (${recipient.address ?? "no address"})`;
}

/** A message's first line (its card's title, or first line of text), to tell messages apart in a list. */
export function firstLineOf(row: { kind: string; payload: string }): string {
  if (row.kind === "refresh") return "";
  const card = parsedJson(row.payload) as { title?: string; lines?: string[] } | string;
  const first = typeof card === "string" ? card : (card.title ?? card.lines?.[0] ?? "");
  return first.split("\n")[0]!.trim();
}
