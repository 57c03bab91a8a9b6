import type { Platform } from "../../core/directory/organisation.js";
import type { ReplyRecipient } from "../../core/escalation/notification.js";
import type { Card } from "../../core/messages/card.js";
import type { ClaimedReply, InboundLog, InboundRef } from "../../core/ports.js";
import { sqliteOf, type Database } from "../database.js";
import { CLAIMER_GONE, goneCutoff } from "./process-registry.js";

/**
 * Inbound event ids and the replies to them, written on every message in the same transaction as
 * the event's effects: on the connection directly, inside the transaction the unit of work opened.
 */
export class SqliteInboundLog implements InboundLog {
  /**
   * @param tx the client of the unit of work
   * @param processId this process, which claims the replies it is about to send
   */
  constructor(
    private readonly tx: Database,
    private readonly processId: string,
  ) {}

  async markHandled(platform: Platform, eventId: string): Promise<boolean> {
    // INSERT OR IGNORE: a redelivery changes nothing and tells us so, without aborting the transaction.
    return sqliteOf(this.tx).run(`INSERT OR IGNORE INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (?, ?, ?)`, platform, eventId, new Date()) === 1;
  }

  async keepReplies(event: InboundRef, recipient: ReplyRecipient, cards: Card[]): Promise<ClaimedReply[]> {
    const sql = sqliteOf(this.tx);
    const now = new Date();
    return cards.map((card) => ({
      deliveryId: sql.insert(
        `INSERT INTO "Delivery" ("platform", "recipient", "payload", "status", "replyTo", "claimedBy", "createdAt") VALUES (?, ?, ?, 'sending', ?, ?, ?)`,
        event.platform, JSON.stringify(recipient), JSON.stringify(card), replyKey(event), this.processId, now,
      ),
      recipient,
      card,
      mayHaveArrived: false,
    }));
  }

  async claimUnsentReplies(event: InboundRef): Promise<ClaimedReply[]> {
    // SET reads the row as it was: a reply another process was sending when it died may have arrived.
    const rows = sqliteOf(this.tx).all<{ id: number; recipient: string; payload: string; mayHaveArrived: number }>(
      `UPDATE "Delivery" SET "mayHaveArrived" = ("mayHaveArrived" OR "status" = 'sending'), "status" = 'sending', "claimedBy" = ?
       WHERE "replyTo" = ? AND ("status" = 'pending' OR ("status" = 'sending' AND ${CLAIMER_GONE}))
       RETURNING "id", "recipient", "payload", "mayHaveArrived"`,
      this.processId, replyKey(event), this.processId, goneCutoff(),
    );
    return rows
      .sort((a, b) => a.id - b.id)
      .map((row) => ({ deliveryId: row.id, recipient: JSON.parse(row.recipient) as ReplyRecipient, card: JSON.parse(row.payload) as Card, mayHaveArrived: row.mayHaveArrived === 1 }));
  }
}

const replyKey = (event: InboundRef) => `${event.platform}:${event.eventId}`;
