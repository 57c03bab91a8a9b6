import type { Platform } from "../../core/directory/organisation.js";
import type { InboundLog } from "../../core/ports.js";
import type { DbClient } from "../database.js";

/** Inbound event ids, written in the same transaction as the event's effects. */
export class PrismaInboundLog implements InboundLog {
  constructor(private readonly db: DbClient) {}

  async markHandled(platform: Platform, eventId: string): Promise<boolean> {
    // INSERT OR IGNORE: a redelivery changes nothing and tells us so, without aborting the transaction.
    const inserted = await this.db.$executeRaw`INSERT OR IGNORE INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (${platform}, ${eventId}, ${new Date()})`;
    return inserted === 1;
  }
}
