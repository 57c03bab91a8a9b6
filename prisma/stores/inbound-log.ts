import type { Platform } from "../../core/directory/organisation.js";
import type { InboundLog } from "../../core/ports.js";
import { sqliteOf, type Database } from "../database.js";

/**
 * Inbound event ids, written on every message in the same transaction as the event's effects: on
 * the connection directly, inside the transaction the unit of work opened.
 */
export class SqliteInboundLog implements InboundLog {
  /** @param tx the client of the unit of work */
  constructor(private readonly tx: Database) {}

  async markHandled(platform: Platform, eventId: string): Promise<boolean> {
    // INSERT OR IGNORE: a redelivery changes nothing and tells us so, without aborting the transaction.
    return sqliteOf(this.tx).run(`INSERT OR IGNORE INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (?, ?, ?)`, platform, eventId, new Date()) === 1;
  }
}
