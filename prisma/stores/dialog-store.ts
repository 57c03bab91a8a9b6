import type { DialogSession, DialogStore } from "../../core/ports.js";
import type { Storage, Transaction } from "../storage/storage.js";

/**
 * Dialog state, read and written on every message of a report, inside the message's transaction:
 * plain statements, since a statement through Prisma's query builder costs about a hundred times
 * as much on this hot path (npm run bench).
 */
export class SqlDialogStore implements DialogStore {
  constructor(private readonly tx: Transaction) {}

  /**
   * Holds the dialog until the transaction ends: two messages of one chat handled at once (by two
   * processes) take their steps one after the other, the second seeing the first's. The read is
   * issued with the lock, not after it: it still runs once the lock is held, and goes out with it.
   */
  async find(memberId: string, conversation: string): Promise<DialogSession | undefined> {
    const [, row] = await Promise.all([
      this.tx.lock(`dialog:${memberId}:${conversation}`),
      this.tx.sql.get<{ dialog: string; step: string; state: string }>(
        `SELECT "dialog", "step", "state" FROM "DialogSession" WHERE "memberId" = ? AND "conversation" = ?`,
        memberId,
        conversation,
      ),
    ]);
    if (!row) return undefined;
    // Rows written before commands had sessions are all reports.
    const dialog = row.dialog === "command" ? "command" : "report";
    return { memberId, conversation, dialog, step: row.step, state: JSON.parse(row.state) as unknown };
  }

  async save(session: DialogSession): Promise<void> {
    await this.tx.sql.run(
      `INSERT INTO "DialogSession" ("memberId", "conversation", "dialog", "step", "state", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("memberId", "conversation") DO UPDATE SET
         "dialog" = excluded."dialog", "step" = excluded."step", "state" = excluded."state", "updatedAt" = excluded."updatedAt"`,
      session.memberId,
      session.conversation,
      session.dialog,
      session.step,
      JSON.stringify(session.state),
      new Date(),
    );
  }

  async remove(memberId: string, conversation: string): Promise<void> {
    await this.tx.sql.run(`DELETE FROM "DialogSession" WHERE "memberId" = ? AND "conversation" = ?`, memberId, conversation);
  }
}

/** Dialogs outside a unit of work (the CLI, tests): each call a transaction of its own. */
export function dialogStoreOutsideUnits(storage: Storage): DialogStore {
  const inTransaction = <T>(use: (store: SqlDialogStore) => Promise<T>) => storage.transaction((tx) => use(new SqlDialogStore(tx)));
  return {
    find: (memberId, conversation) => inTransaction((store) => store.find(memberId, conversation)),
    save: (session) => inTransaction((store) => store.save(session)),
    remove: (memberId, conversation) => inTransaction((store) => store.remove(memberId, conversation)),
  };
}
