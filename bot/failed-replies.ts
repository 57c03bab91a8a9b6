import type { Member } from "../core/directory/member.js";
import type { Platform } from "../core/directory/organisation.js";
import type { Recipient } from "../core/escalation/notification.js";
import type { Card } from "../core/messages/card.js";
import type { Database } from "../prisma/database.js";

/**
 * A direct reply that finally failed is kept as a failed delivery, next to the outbox's failures,
 * so `npx hotline deliveries --failed` shows it and `retry` can send it again. Never silently lost.
 */
export async function recordFailedReply(
  db: Database,
  reply: { platform: Platform; address: string; member?: Member | undefined; card: Card; error: string },
): Promise<void> {
  const { platform, address, member, card, error } = reply;
  const recipient: Recipient = { kind: "member", memberId: member?.id ?? "", name: member?.name.zh ?? address, platform, address };
  await db.delivery.create({ data: { platform, recipient: JSON.stringify(recipient), payload: JSON.stringify(card), status: "failed", attempts: 1, lastError: error } });
}
