import type { OutboundChannel, Recipient } from "../../core/escalation/notification.js";
import { receiptChannelOf } from "../../core/tickets/receipts.js";
import { runPromptly, type Database } from "../database.js";
import type { Statements } from "../sqlite-connection.js";
import { CLAIMER_GONE, goneCutoff } from "./process-registry.js";
import { refreshLiveViews } from "./ticket-store.js";

/** An outgoing message as the delivery path reads it; recipient and payload are JSON. */
export interface OutboxRow {
  id: number;
  platform: OutboundChannel;
  /** message: send the card; refresh: edit the messages that show the ticket. */
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
}

const ROW = `"id", "platform", "kind", "recipient", "payload", "ticketId", "view", "attempts", "mayHaveArrived", "template", "purpose"`;

/** A receipt among the messages just sent or failed: its ticket, and whom it went to. */
interface ReceiptRow {
  ticketId: number;
  recipient: string;
  reporterId: string;
}

/**
 * The outbox as the delivery path works it: messages are claimed before they are sent (by this
 * process, so a crash leaves a claim others can see is orphaned), marked sent the moment the
 * platform accepted them, and retried or failed with their error. What is written to it with
 * the changes that cause it is written by the stores of those changes.
 */
export class OutboxStore {
  /** Messages the platforms accepted in this turn of the event loop, marked sent together just after it. */
  private sentNow: { ids: number[]; written: Promise<void> } | undefined;

  constructor(
    private readonly db: Database,
    private readonly processId: string,
  ) {}

  /** Messages waiting to be sent on these channels, oldest first. */
  async pending(platforms: OutboundChannel[], limit = 1_000): Promise<{ id: number; platform: OutboundChannel; attempts: number; recipient: string }[]> {
    const rows = await this.db.delivery.findMany({
      where: { status: "pending", platform: { in: platforms } },
      select: { id: true, platform: true, attempts: true, recipient: true },
      orderBy: { id: "asc" },
      take: limit,
    });
    return rows.map((row) => ({ ...row, platform: row.platform as OutboundChannel }));
  }

  /** Takes a pending message for sending by this process; undefined when it is not pending (any more). */
  async claim(id: number): Promise<OutboxRow | undefined> {
    const row = await runPromptly(this.db, (sql) =>
      sql.get<Omit<OutboxRow, "mayHaveArrived"> & { mayHaveArrived: number }>(
        `UPDATE "Delivery" SET "status" = 'sending', "claimedBy" = ? WHERE "id" = ? AND "status" = 'pending' RETURNING ${ROW}`,
        this.processId, id,
      ),
    );
    return row && { ...row, mayHaveArrived: row.mayHaveArrived === 1 };
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
        runPromptly(this.db, (sql) => recordSent(sql, ids, new Date())).then(() => resolve(), reject);
      });
    });
    this.sentNow = { ids, written };
    return written;
  }

  /**
   * An attempt failed: back in line for the next one, or failed for good, with the error. A receipt
   * that failed for good goes on the ticket's timeline, so the people handling it know the
   * customer has not been told. Returns the attempts made.
   */
  async markAttemptFailed(id: number, failure: { error: string; final: boolean }): Promise<number> {
    return runPromptly(this.db, (sql) =>
      inOneTransaction(sql, () => {
        const row = sql.get<{ attempts: number; ticketId: number | null; recipient: string; purpose: string | null }>(
          `UPDATE "Delivery" SET "status" = ?, "attempts" = "attempts" + 1, "lastError" = ?, "claimedBy" = NULL WHERE "id" = ? RETURNING "attempts", "ticketId", "recipient", "purpose"`,
          failure.final ? "failed" : "pending", failure.error, id,
        );
        if (row && failure.final && row.purpose === "receipt" && row.ticketId !== null) {
          const ticket = sql.get<{ reporterId: string }>(`SELECT "reporterId" FROM "Ticket" WHERE "id" = ?`, row.ticketId);
          addReceiptEvent(sql, "receipt_failed", { ticketId: row.ticketId, recipient: row.recipient, reporterId: ticket?.reporterId ?? "" }, new Date(), failure.error);
        }
        return row?.attempts ?? 0;
      }),
    );
  }

  /**
   * The provider asked us to wait (a rate limit): back in line with the reason, the attempt not
   * counted, since nothing was wrong with the message.
   */
  async release(id: number, reason: string): Promise<void> {
    await runPromptly(this.db, (sql) =>
      sql.run(`UPDATE "Delivery" SET "status" = 'pending', "lastError" = ?, "claimedBy" = NULL WHERE "id" = ? AND "status" = 'sending'`, reason, id),
    );
  }

  /**
   * Messages whose sending process is gone go back in line, marked as possibly delivered (the
   * platform may have accepted them just before); the interrupted attempt counts as one.
   */
  async recoverOrphaned(platforms: OutboundChannel[]): Promise<number> {
    if (platforms.length === 0) return 0;
    return runPromptly(this.db, (sql) =>
      sql.run(
        `UPDATE "Delivery" SET "status" = 'pending', "mayHaveArrived" = 1, "attempts" = "attempts" + 1, "claimedBy" = NULL
         WHERE "status" = 'sending' AND "platform" IN (${platforms.map(() => "?").join(", ")}) AND ${CLAIMER_GONE}`,
        ...platforms, this.processId, goneCutoff(),
      ),
    );
  }

  /** Messages on these channels not yet sent or failed. */
  countWaiting(platforms: OutboundChannel[]): Promise<number> {
    return this.db.delivery.count({ where: { status: { in: ["pending", "sending"] }, platform: { in: platforms } } });
  }

  /** A failed message back in line, its attempts counted afresh; false when it is not a failed one. */
  async retry(id: number): Promise<boolean> {
    const retried = await this.db.delivery.updateMany({ where: { id, status: "failed" }, data: { status: "pending", attempts: 0 } });
    return retried.count > 0;
  }
}

/** Marks the messages sent; the receipts among them meet their tickets' receipt deadlines. */
function recordSent(sql: Statements, ids: number[], at: Date): void {
  const list = ids.map(() => "?").join(", ");
  const receipts = sql.all<ReceiptRow>(
    `SELECT d."ticketId", d."recipient", t."reporterId" FROM "Delivery" d JOIN "Ticket" t ON t."id" = d."ticketId"
     WHERE d."id" IN (${list}) AND d."purpose" = 'receipt' AND d."status" <> 'sent'`,
    ...ids,
  );
  inOneTransaction(sql, () => {
    sql.run(
      `UPDATE "Delivery" SET "status" = 'sent', "attempts" = "attempts" + 1, "sentAt" = ?, "lastError" = NULL, "claimedBy" = NULL WHERE "id" IN (${list})`,
      at, ...ids,
    );
    for (const receipt of receipts) {
      // The first receipt sent meets the deadline; one by the other channel adds only its line.
      sql.run(`UPDATE "Deadline" SET "status" = 'met', "metAt" = ? WHERE "ticketId" = ? AND "kind" = 'receipt' AND "status" = 'pending'`, at, receipt.ticketId);
      addReceiptEvent(sql, "receipt_sent", receipt, at);
      refreshLiveViews(sql, receipt.ticketId, at);
    }
  });
}

function addReceiptEvent(sql: Statements, type: "receipt_sent" | "receipt_failed", receipt: ReceiptRow, at: Date, error?: string): void {
  const channel = receiptChannelOf(JSON.parse(receipt.recipient) as Recipient, receipt.reporterId);
  const data = error === undefined ? { channel } : { channel, error };
  sql.run(`INSERT INTO "TicketEvent" ("ticketId", "type", "actorId", "data", "at") VALUES (?, ?, NULL, ?, ?)`, receipt.ticketId, type, JSON.stringify(data), at);
}

/**
 * Statements that must land together, outside any unit of work (runPromptly holds the connection
 * alone): a savepoint opens a transaction of its own and its release commits it.
 */
function inOneTransaction<T>(sql: Statements, work: () => T): T {
  sql.run("SAVEPOINT outbox");
  try {
    const result = work();
    sql.run("RELEASE outbox");
    return result;
  } catch (error) {
    sql.run("ROLLBACK TO outbox");
    sql.run("RELEASE outbox");
    throw error;
  }
}
