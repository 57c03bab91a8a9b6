import type { Platform } from "../../core/directory/organisation.js";
import { runPromptly, type Database } from "../database.js";
import { CLAIMER_GONE, goneCutoff } from "./process-registry.js";

/** An outgoing message as the delivery path reads it; recipient and payload are JSON. */
export interface OutboxRow {
  id: number;
  platform: Platform;
  /** message: send the card; refresh: edit the messages that show the ticket. */
  kind: string;
  recipient: string;
  payload: string;
  ticketId: number | null;
  view: string | null;
  attempts: number;
  mayHaveArrived: boolean;
}

const ROW = `"id", "platform", "kind", "recipient", "payload", "ticketId", "view", "attempts", "mayHaveArrived"`;

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

  /** Messages waiting to be sent on these platforms, oldest first. */
  async pending(platforms: Platform[], limit = 1_000): Promise<{ id: number; platform: Platform; attempts: number; recipient: string }[]> {
    const rows = await this.db.delivery.findMany({
      where: { status: "pending", platform: { in: platforms } },
      select: { id: true, platform: true, attempts: true, recipient: true },
      orderBy: { id: "asc" },
      take: limit,
    });
    return rows.map((row) => ({ ...row, platform: row.platform as Platform }));
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
   * statement, written as soon as that turn ends.
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
        runPromptly(this.db, (sql) =>
          sql.run(
            `UPDATE "Delivery" SET "status" = 'sent', "attempts" = "attempts" + 1, "sentAt" = ?, "lastError" = NULL, "claimedBy" = NULL WHERE "id" IN (${ids.map(() => "?").join(", ")})`,
            new Date(), ...ids,
          ),
        ).then(() => resolve(), reject);
      });
    });
    this.sentNow = { ids, written };
    return written;
  }

  /** An attempt failed: back in line for the next one, or failed for good, with the error. Returns the attempts made. */
  async markAttemptFailed(id: number, failure: { error: string; final: boolean }): Promise<number> {
    const row = await runPromptly(this.db, (sql) =>
      sql.get<{ attempts: number }>(
        `UPDATE "Delivery" SET "status" = ?, "attempts" = "attempts" + 1, "lastError" = ?, "claimedBy" = NULL WHERE "id" = ? RETURNING "attempts"`,
        failure.final ? "failed" : "pending", failure.error, id,
      ),
    );
    return row?.attempts ?? 0;
  }

  /**
   * Messages whose sending process is gone go back in line, marked as possibly delivered (the
   * platform may have accepted them just before); the interrupted attempt counts as one.
   */
  async recoverOrphaned(platforms: Platform[]): Promise<number> {
    if (platforms.length === 0) return 0;
    return runPromptly(this.db, (sql) =>
      sql.run(
        `UPDATE "Delivery" SET "status" = 'pending', "mayHaveArrived" = 1, "attempts" = "attempts" + 1, "claimedBy" = NULL
         WHERE "status" = 'sending' AND "platform" IN (${platforms.map(() => "?").join(", ")}) AND ${CLAIMER_GONE}`,
        ...platforms, this.processId, goneCutoff(),
      ),
    );
  }

  /** Messages on these platforms not yet sent or failed. */
  countWaiting(platforms: Platform[]): Promise<number> {
    return this.db.delivery.count({ where: { status: { in: ["pending", "sending"] }, platform: { in: platforms } } });
  }

  /** A failed message back in line, its attempts counted afresh; false when it is not a failed one. */
  async retry(id: number): Promise<boolean> {
    const retried = await this.db.delivery.updateMany({ where: { id, status: "failed" }, data: { status: "pending", attempts: 0 } });
    return retried.count > 0;
  }
}
