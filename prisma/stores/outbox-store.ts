import type { Platform } from "../../core/directory/organisation.js";
import type { Notification, OutboundChannel, Recipient, ReplyRecipient } from "../../core/escalation/notification.js";
import type { Card } from "../../core/messages/card.js";
import type { ClaimedReply } from "../../core/ports.js";
import { receiptChannelOf } from "../../core/tickets/receipts.js";
import type { Database, Sql, Storage } from "../storage/storage.js";
import { CLAIMER_GONE, goneCutoff } from "./process-registry.js";
import { asDate } from "../storage/storage.js";

/*
 * The outbox (the Delivery table) is read and written here only. Messages are written in the
 * transaction of the change that causes them (OutboxWrites), then claimed, sent, settled and
 * retried by the delivery path (OutboxStore).
 */

/** An outgoing message as the delivery path reads it; recipient and payload are JSON. */
export interface OutboxRow {
  id: number;
  platform: OutboundChannel;
  /** message: send the card; refresh: edit the messages that show the ticket; form, document: send a file, the card its caption. */
  kind: string;
  recipient: string;
  payload: string;
  ticketId: number | null;
  view: string | null;
  attempts: number;
  mayHaveArrived: boolean;
  /** JSON: the approved template and its parameters, for providers that send only those (SMS). */
  template: string | null;
  /** `receipt`: once sent, the ticket's receipt deadline is met. */
  purpose: string | null;
  /** When the change that wrote it was made. */
  createdAt: Date;
  /** The archived document a `document` message sends. */
  documentId: number | null;
}

const ROW = `"id", "platform", "kind", "recipient", "payload", "ticketId", "view", "attempts", "mayHaveArrived", "template", "purpose", "createdAt", "documentId"`;

/** The outbox's kind for a notification: a file (the ticket's form, an archived document) or a message. */
const kindOf = (n: Notification): string => (n.file?.kind === "ticket_form" ? "form" : n.file?.kind ?? "message");

/** A receipt among the messages just sent or failed: its ticket, and whom it went to. */
interface ReceiptRow {
  ticketId: number;
  recipient: string;
  reporterId: string;
}

/** A delivery as `hotline deliveries` lists it. */
export type DeliveryListing = Awaited<ReturnType<Database["delivery"]["findMany"]>>[number] & { ticketNumber: string | null };

/**
 * The outbox as the delivery path works it: messages are claimed before they are sent (by this
 * process, so a crash leaves a claim others can see is orphaned), marked sent the moment the
 * platform accepted them, and retried or failed with their error.
 */
export class OutboxStore {
  /** Messages the platforms accepted in this turn of the event loop, marked sent together just after it. */
  private sentNow: { ids: number[]; written: Promise<void> } | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly processId: string,
  ) {}

  /** Messages waiting to be sent on these channels, oldest first. */
  async pending(platforms: OutboundChannel[], limit = 1_000): Promise<{ id: number; platform: OutboundChannel; attempts: number; recipient: string; kind: string }[]> {
    if (platforms.length === 0) return [];
    // A file follows its post, in order: it waits out of line until what was written before it to
    // the same recipient about the same ticket (or about none: a daily report and its other
    // documents) is sent or failed for good.
    return this.storage.promptly((sql) =>
      sql.all<{ id: number; platform: OutboundChannel; attempts: number; recipient: string; kind: string }>(
        `SELECT d."id", d."platform", d."attempts", d."recipient", d."kind" FROM "Delivery" d
         WHERE d."status" = 'pending' AND d."platform" IN (${platforms.map(() => "?").join(", ")})
           AND NOT (d."kind" IN ('form', 'document') AND EXISTS (
             SELECT 1 FROM "Delivery" m
             WHERE m."ticketId" IS NOT DISTINCT FROM d."ticketId" AND m."recipient" = d."recipient" AND m."kind" <> 'refresh' AND m."id" < d."id" AND m."status" IN ('pending', 'sending')))
         ORDER BY d."id" LIMIT ?`,
        ...platforms, limit,
      ),
    );
  }

  /** Takes a pending message for sending by this process; undefined when it is not pending (any more). */
  async claim(id: number): Promise<OutboxRow | undefined> {
    const row = await this.storage.promptly((sql) =>
      sql.get<Omit<OutboxRow, "mayHaveArrived" | "createdAt"> & { mayHaveArrived: number | boolean; createdAt: Date | string | number }>(
        `UPDATE "Delivery" SET "status" = 'sending', "claimedBy" = ? WHERE "id" = ? AND "status" = 'pending' RETURNING ${ROW}`,
        this.processId, id,
      ),
    );
    return row && { ...row, mayHaveArrived: Boolean(row.mayHaveArrived), createdAt: asDate(row.createdAt) };
  }

  /**
   * The platform accepted it: recorded at once, ahead of the work waiting for the database. The
   * messages accepted in the same turn of the event loop (replies to many chats at once) share one
   * statement, written as soon as that turn ends. A receipt among them meets its ticket's receipt
   * deadline and goes on the timeline in the same transaction (§4: the result goes back to the customer).
   */
  markSent(id: number): Promise<void> {
    if (this.sentNow) {
      this.sentNow.ids.push(id);
      return this.sentNow.written;
    }
    const ids = [id];
    const written = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.sentNow = undefined;
        this.recordSent(ids, new Date()).then(() => resolve(), reject);
      });
    });
    this.sentNow = { ids, written };
    return written;
  }

  /**
   * Marks the messages sent: all but receipts in one statement, promptly; the receipts among them
   * (rare) meet their tickets' deadlines in one transaction with being marked.
   */
  private async recordSent(ids: number[], at: Date): Promise<void> {
    const receipts = await this.storage.promptly(async (sql) => {
      const marked = await markDeliveriesSent(sql, ids, at, { receipts: false });
      if (marked.length === ids.length) return [];
      const markedIds = new Set(marked.map((row) => row.id));
      const rest = ids.filter((id) => !markedIds.has(id));
      const receipts = await sql.all<ReceiptRow & { id: number }>(
        `SELECT d."id", d."ticketId", d."recipient", t."reporterId" FROM "Delivery" d JOIN "Ticket" t ON t."id" = d."ticketId"
         WHERE d."id" IN (${rest.map(() => "?").join(", ")}) AND d."purpose" = 'receipt' AND d."status" <> 'sent'`,
        ...rest,
      );
      const receiptIds = new Set(receipts.map((r) => r.id));
      const others = rest.filter((id) => !receiptIds.has(id)); // a receipt marked before: marked again, as any message
      if (others.length > 0) await markDeliveriesSent(sql, others, at);
      return receipts;
    });
    if (receipts.length > 0) await this.storage.transaction((tx) => recordReceiptsSent(tx.sql, receipts, at));
  }

  /**
   * An attempt failed: back in line for the next one, or failed for good, with the error. A receipt
   * that failed for good goes on the ticket's timeline, so the people handling it know the
   * customer has not been told. Returns the attempts made.
   */
  async markAttemptFailed(id: number, failure: { error: string; final: boolean }): Promise<number> {
    // A failure for good may go on a timeline with it: one transaction (rare); a retry is one statement.
    const settle = (sql: Sql) => recordAttemptFailed(sql, id, failure, new Date());
    return failure.final ? this.storage.transaction((tx) => settle(tx.sql)) : this.storage.promptly(settle);
  }

  /**
   * The provider asked us to wait (a rate limit): back in line with the reason, the attempt not
   * counted, since nothing was wrong with the message.
   */
  async release(id: number, reason: string): Promise<void> {
    await this.storage.promptly((sql) =>
      sql.run(`UPDATE "Delivery" SET "status" = 'pending', "lastError" = ?, "claimedBy" = NULL WHERE "id" = ? AND "status" = 'sending'`, reason, id),
    );
  }

  /**
   * Messages whose sending process is gone go back in line, marked as possibly delivered (the
   * platform may have accepted them just before); the interrupted attempt counts as one.
   */
  async recoverOrphaned(platforms: OutboundChannel[]): Promise<number> {
    if (platforms.length === 0) return 0;
    return this.storage.promptly((sql) =>
      sql.run(
        `UPDATE "Delivery" SET "status" = 'pending', "mayHaveArrived" = TRUE, "attempts" = "attempts" + 1, "claimedBy" = NULL
         WHERE "status" = 'sending' AND "platform" IN (${platforms.map(() => "?").join(", ")}) AND ${CLAIMER_GONE}`,
        ...platforms, this.processId, goneCutoff(),
      ),
    );
  }

  /** Messages on these channels not yet sent or failed. */
  countWaiting(platforms: OutboundChannel[]): Promise<number> {
    return this.storage.prisma.delivery.count({ where: { status: { in: ["pending", "sending"] }, platform: { in: platforms } } });
  }

  /** A failed message back in line, its attempts counted afresh; false when it is not a failed one. */
  async retry(id: number): Promise<boolean> {
    const retried = await this.storage.prisma.delivery.updateMany({ where: { id, status: "failed" }, data: { status: "pending", attempts: 0 } });
    return retried.count > 0;
  }

  /** The newest deliveries (or the newest failed ones), with their tickets' numbers, for people to look at. */
  async list(options: { failed: boolean; limit?: number }): Promise<DeliveryListing[]> {
    const { prisma } = this.storage;
    const rows = await prisma.delivery.findMany({ where: options.failed ? { status: "failed" } : {}, orderBy: { id: "desc" }, take: options.limit ?? 100 });
    const ticketIds = [...new Set(rows.flatMap((row) => (row.ticketId === null ? [] : [row.ticketId])))];
    const tickets = await prisma.ticket.findMany({ where: { id: { in: ticketIds } }, select: { id: true, number: true } });
    const numbers = new Map(tickets.map((ticket) => [ticket.id, ticket.number]));
    return rows.map((row) => ({ ...row, ticketNumber: row.ticketId === null ? null : (numbers.get(row.ticketId) ?? null) }));
  }

  /** The id the outbox has reached: messages written later have higher ids (though, on PostgreSQL, they may commit out of order). */
  async lastId(): Promise<number> {
    const last = await this.storage.prisma.delivery.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
    return last?.id ?? 0;
  }

  /** Messages (not view refreshes) with ids above `afterId`, oldest first. */
  messagesAfter(afterId: number): Promise<{ id: number; platform: string; recipient: string; payload: string }[]> {
    return this.storage.prisma.delivery.findMany({
      where: { id: { gt: afterId }, kind: "message" },
      orderBy: { id: "asc" },
      select: { id: true, platform: true, recipient: true, payload: true },
    });
  }
}

/**
 * Statements for a message the platform refused: back in line, or failed for good; a receipt
 * failed for good goes on its ticket's timeline. Returns the attempts made.
 */
async function recordAttemptFailed(sql: Sql, id: number, failure: { error: string; final: boolean }, at: Date): Promise<number> {
  const row = await sql.get<{ attempts: number; ticketId: number | null; recipient: string; purpose: string | null }>(
    `UPDATE "Delivery" SET "status" = ?, "attempts" = "attempts" + 1, "lastError" = ?, "claimedBy" = NULL WHERE "id" = ? RETURNING "attempts", "ticketId", "recipient", "purpose"`,
    failure.final ? "failed" : "pending", failure.error, id,
  );
  if (row && failure.final && row.purpose === "receipt" && row.ticketId !== null) {
    const ticket = await sql.get<{ reporterId: string }>(`SELECT "reporterId" FROM "Ticket" WHERE "id" = ?`, row.ticketId);
    await addReceiptEvent(sql, "receipt_failed", { ticketId: row.ticketId, recipient: row.recipient, reporterId: ticket?.reporterId ?? "" }, at, failure.error);
  }
  return row?.attempts ?? 0;
}

/**
 * Marks deliveries sent in one statement (a row may be marked again after a crash: harmless);
 * `receipts: false` leaves the receipts among them alone. Resolves to the rows it marked.
 */
function markDeliveriesSent(sql: Sql, ids: number[], at: Date, options: { receipts: boolean } = { receipts: true }): Promise<{ id: number }[]> {
  return sql.all<{ id: number }>(
    `UPDATE "Delivery" SET "status" = 'sent', "attempts" = "attempts" + 1, "sentAt" = ?, "lastError" = NULL, "claimedBy" = NULL
     WHERE "id" IN (${ids.map(() => "?").join(", ")})${options.receipts ? "" : ` AND COALESCE("purpose", '') <> 'receipt'`} RETURNING "id"`,
    at, ...ids,
  );
}

/** Receipts sent: each meets its ticket's receipt deadline and goes on its timeline, with the delivery marked. */
async function recordReceiptsSent(sql: Sql, receipts: (ReceiptRow & { id: number })[], at: Date): Promise<void> {
  await markDeliveriesSent(sql, receipts.map((r) => r.id), at);
  for (const receipt of receipts) {
    // The first receipt sent meets the deadline; one by the other channel adds only its line.
    await sql.run(`UPDATE "Deadline" SET "status" = 'met', "metAt" = ? WHERE "ticketId" = ? AND "kind" = 'receipt' AND "status" = 'pending'`, at, receipt.ticketId);
    await addReceiptEvent(sql, "receipt_sent", receipt, at);
    await new OutboxWrites(sql).refreshViews(receipt.ticketId, at);
  }
}

async function addReceiptEvent(sql: Sql, type: "receipt_sent" | "receipt_failed", receipt: ReceiptRow, at: Date, error?: string): Promise<void> {
  const channel = receiptChannelOf(JSON.parse(receipt.recipient) as Recipient, receipt.reporterId);
  const data = error === undefined ? { channel } : { channel, error };
  await sql.run(`INSERT INTO "TicketEvent" ("ticketId", "type", "actorId", "data", "at") VALUES (?, ?, NULL, ?, ?)`, receipt.ticketId, type, JSON.stringify(data), at);
}

/** What is written to the outbox with the change that causes it, inside that change's transaction. */
export class OutboxWrites {
  constructor(private readonly sql: Sql) {}

  /** Messages wait as pending deliveries; one with no address is recorded as failed, never dropped. */
  add(notifications: Notification[], ticketId: number | null, createdAt: Date): Promise<void> {
    const rows = notifications.map((n) => {
      const unreachable = n.recipient.address === null;
      return [
        n.recipient.platform ?? "none",
        JSON.stringify(n.recipient),
        JSON.stringify(n.card),
        ticketId,
        n.view ?? null,
        unreachable ? "failed" : "pending",
        unreachable ? `no chat identity for ${n.recipient.name}` : null,
        createdAt,
        n.purpose ?? null,
        n.template ? JSON.stringify(n.template) : null,
        kindOf(n),
        n.file?.kind === "document" ? n.file.documentId : null,
      ];
    });
    return this.sql.insertRows("Delivery", ["platform", "recipient", "payload", "ticketId", "view", "status", "lastError", "createdAt", "purpose", "template", "kind", "documentId"], rows);
  }

  /**
   * After a change, the messages that show the ticket are edited to match: one pending refresh per
   * platform that posted any (a refresh reads the ticket when it runs, so one waiting is enough).
   */
  async refreshViews(ticketId: number, at: Date): Promise<void> {
    // Two statements, not INSERT … SELECT: PostgreSQL cannot type a parameter in a SELECT's list
    // (the time), and SQLite has no cast that keeps it text. The insert is skipped when nothing posted.
    const platforms = await this.sql.all<{ platform: string }>(
      `SELECT DISTINCT p."platform" FROM "PostedMessage" p
       WHERE p."ticketId" = ?
         AND NOT EXISTS (
           SELECT 1 FROM "Delivery" d
           WHERE d."ticketId" = p."ticketId" AND d."platform" = p."platform" AND d."kind" = 'refresh' AND d."status" = 'pending'
         )`,
      ticketId,
    );
    await this.sql.insertRows(
      "Delivery",
      ["platform", "kind", "recipient", "payload", "ticketId", "status", "createdAt"],
      platforms.map(({ platform }) => [platform, "refresh", "{}", "{}", ticketId, "pending", at]),
    );
  }

  /**
   * Replies to an inbound event, kept as claimed by this process before it sends them: if it dies
   * before they are sent, whoever handles the event again sends them (see claimUnsentReplies).
   */
  async keepReplies(replyTo: { platform: Platform; key: string }, recipient: ReplyRecipient, cards: Card[], processId: string, at: Date): Promise<ClaimedReply[]> {
    const kept: ClaimedReply[] = [];
    for (const card of cards) {
      const deliveryId = await this.sql.insert(
        `INSERT INTO "Delivery" ("platform", "recipient", "payload", "status", "replyTo", "claimedBy", "createdAt") VALUES (?, ?, ?, 'sending', ?, ?, ?)`,
        replyTo.platform, JSON.stringify(recipient), JSON.stringify(card), replyTo.key, processId, at,
      );
      kept.push({ deliveryId, recipient, card, mayHaveArrived: false });
    }
    return kept;
  }

  /** An event's replies not yet sent (pending, or claimed by a process that is gone), claimed by this one. */
  async claimUnsentReplies(replyTo: string, processId: string): Promise<ClaimedReply[]> {
    // SET reads the row as it was: a reply another process was sending when it died may have arrived.
    const rows = await this.sql.all<{ id: number; recipient: string; payload: string; mayHaveArrived: number | boolean }>(
      `UPDATE "Delivery" SET "mayHaveArrived" = ("mayHaveArrived" OR "status" = 'sending'), "status" = 'sending', "claimedBy" = ?
       WHERE "replyTo" = ? AND ("status" = 'pending' OR ("status" = 'sending' AND ${CLAIMER_GONE}))
       RETURNING "id", "recipient", "payload", "mayHaveArrived"`,
      processId, replyTo, processId, goneCutoff(),
    );
    return rows
      .sort((a, b) => a.id - b.id)
      .map((row) => ({ deliveryId: row.id, recipient: JSON.parse(row.recipient) as ReplyRecipient, card: JSON.parse(row.payload) as Card, mayHaveArrived: Boolean(row.mayHaveArrived) }));
  }
}
