import type { DialogSession, DialogStore } from "../../core/ports.js";
import { sqliteOf, type Database } from "../database.js";
import type { Statements } from "../sqlite-connection.js";

/**
 * Dialog state, read and written on every message of a report: on the connection directly, since
 * a statement through Prisma costs about a hundred times as much on this hot path (npm run bench).
 */
export class SqliteDialogStore implements DialogStore {
  constructor(private readonly tx: Database) {}

  /** Dialogs are read and written inside a unit of work only: `tx` is its client. */
  private get sqlite(): Statements {
    return sqliteOf(this.tx);
  }

  async find(memberId: string, conversation: string): Promise<DialogSession | undefined> {
    const row = this.sqlite.get<{ dialog: string; step: string; state: string }>(
      `SELECT "dialog", "step", "state" FROM "DialogSession" WHERE "memberId" = ? AND "conversation" = ?`,
      memberId,
      conversation,
    );
    if (!row) return undefined;
    // Rows written before commands had sessions are all reports.
    const dialog = row.dialog === "command" ? "command" : "report";
    return { memberId, conversation, dialog, step: row.step, state: JSON.parse(row.state) as unknown };
  }

  async save(session: DialogSession): Promise<void> {
    this.sqlite.run(
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
    this.sqlite.run(`DELETE FROM "DialogSession" WHERE "memberId" = ? AND "conversation" = ?`, memberId, conversation);
  }
}
