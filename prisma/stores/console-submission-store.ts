import type { Card } from "../../core/messages/card.js";
import type { Storage } from "../storage/storage.js";

/** What a console form did the first time it was sent. */
export interface ConsoleSubmission {
  memberId: string;
  /** The ticket it filed, when it filed one (a call taken on the intake page). */
  ticketNumber: string | null;
  replies: Card[];
}

/**
 * The console's forms that change something, each sent once: a form's one-time key is claimed in
 * the unit of work that does what the form asks, so the key and its effects commit together (or
 * neither does, and the form can be sent again). A second send of the key finds the first outcome.
 */
export class ConsoleSubmissionStore {
  /** @param storage inside a unit of work, its transaction */
  constructor(private readonly storage: Storage) {}

  /**
   * Claims a key for a member; false when it was claimed before. Two sends at once: on PostgreSQL
   * the second waits for the first's commit, on SQLite units take turns; either way it reads false.
   */
  async claim(key: string, memberId: string, at: Date): Promise<boolean> {
    // DO NOTHING: a second send changes nothing and says so, without aborting the transaction.
    const added = await this.storage.promptly((sql) =>
      sql.run(`INSERT INTO "ConsoleSubmission" ("key", "memberId", "replies", "createdAt") VALUES (?, ?, '[]', ?) ON CONFLICT DO NOTHING`, key, memberId, at),
    );
    return added === 1;
  }

  /** Records what the claimed key's form did. */
  async settle(key: string, outcome: { ticketNumber: string | null; replies: Card[] }): Promise<void> {
    await this.storage.promptly((sql) => sql.run(`UPDATE "ConsoleSubmission" SET "ticketNumber" = ?, "replies" = ? WHERE "key" = ?`, outcome.ticketNumber, JSON.stringify(outcome.replies), key));
  }

  /** The outcome of a member's form; another member's key is as unknown as one never sent. */
  async find(key: string, memberId: string): Promise<ConsoleSubmission | undefined> {
    const row = await this.storage.prisma.consoleSubmission.findFirst({ where: { key, memberId }, select: { memberId: true, ticketNumber: true, replies: true } });
    return row ? { ...row, replies: JSON.parse(row.replies) as Card[] } : undefined;
  }
}
