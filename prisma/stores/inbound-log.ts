import type { Platform } from "../../core/directory/organisation.js";
import type { ReplyRecipient } from "../../core/escalation/notification.js";
import type { Card } from "../../core/messages/card.js";
import type { ClaimedReply, InboundLog, InboundRef } from "../../core/ports.js";
import type { Transaction } from "../storage/storage.js";
import { OutboxWrites } from "./outbox-store.js";

/**
 * Inbound event ids and the replies to them, written on every message in the same transaction as
 * the event's effects (the replies in the outbox, claimed for sending at once).
 */
export class SqlInboundLog implements InboundLog {
  /**
   * @param tx the client of the unit of work
   * @param processId this process, which claims the replies it is about to send
   */
  constructor(
    private readonly tx: Transaction,
    private readonly processId: string,
  ) {}

  async markHandled(platform: Platform, eventId: string): Promise<boolean> {
    // DO NOTHING: a redelivery changes nothing and tells us so, without aborting the transaction.
    const added = await this.tx.sql.run(`INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, platform, eventId, new Date());
    return added === 1;
  }

  keepReplies(event: InboundRef, recipient: ReplyRecipient, cards: Card[]): Promise<ClaimedReply[]> {
    return new OutboxWrites(this.tx.sql).keepReplies({ platform: event.platform, key: replyKey(event) }, recipient, cards, this.processId, new Date());
  }

  claimUnsentReplies(event: InboundRef): Promise<ClaimedReply[]> {
    return new OutboxWrites(this.tx.sql).claimUnsentReplies(replyKey(event), this.processId);
  }
}

const replyKey = (event: InboundRef) => `${event.platform}:${event.eventId}`;
