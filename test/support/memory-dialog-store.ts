import type { DialogSession, DialogStore } from "../../core/ports.js";

/**
 * Dialogs in memory, for flow tests that want speed and no database. It keeps what the database
 * keeps: one session per member per conversation, its state as JSON (so a found session is a copy,
 * as a row read back is), and passes the dialog store's contract suite
 * (test/prisma/stores/dialogs.contract.test.ts). It has no units of work: two messages of one chat
 * handled at once are the database's to serialise.
 */
export class MemoryDialogStore implements DialogStore {
  private readonly rows = new Map<string, string>();

  async find(memberId: string, conversation: string): Promise<DialogSession | undefined> {
    const row = this.rows.get(key(memberId, conversation));
    return row === undefined ? undefined : (JSON.parse(row) as DialogSession);
  }

  async save(session: DialogSession): Promise<void> {
    const { memberId, conversation, dialog, step, state } = session;
    this.rows.set(key(memberId, conversation), JSON.stringify({ memberId, conversation, dialog, step, state }));
  }

  async remove(memberId: string, conversation: string): Promise<void> {
    this.rows.delete(key(memberId, conversation));
  }

  /** Every session kept, in the order first saved. */
  all(): DialogSession[] {
    return [...this.rows.values()].map((row) => JSON.parse(row) as DialogSession);
  }
}

const key = (memberId: string, conversation: string) => JSON.stringify([memberId, conversation]);
