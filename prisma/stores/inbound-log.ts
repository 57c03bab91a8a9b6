import type { Platform } from "../../core/directory/organisation.js";
import type { InboundLog } from "../../core/ports.js";
import type { SqliteConnection } from "../sqlite-connection.js";

/**
 * Inbound event ids, written on every message in the same transaction as the event's effects: on
 * the connection directly, inside the transaction the unit of work opened.
 */
export class SqliteInboundLog implements InboundLog {
  constructor(private readonly sqlite: SqliteConnection) {}

  async markHandled(platform: Platform, eventId: string): Promise<boolean> {
    // INSERT OR IGNORE: a redelivery changes nothing and tells us so, without aborting the transaction.
    return this.sqlite.run(`INSERT OR IGNORE INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (?, ?, ?)`, platform, eventId, new Date()) === 1;
  }
}
