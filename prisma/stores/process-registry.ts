import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Storage } from "../storage/storage.js";

/** How often a process says it is alive. */
export const HEARTBEAT_EVERY_MS = 1_000;
/**
 * A process silent this long is taken for gone, and what it was sending is sent by another. Five
 * heartbeats: an event loop held up for a second or two does not make a live process look dead.
 */
export const GONE_AFTER_MS = 5_000;

/**
 * This process among the bot's running processes. Claims it makes (an outgoing message being sent)
 * carry its id; another process, or this one after a restart, takes them over once its heartbeat
 * stops. Times are the machine's, not the business clock: this is about processes, not tickets.
 */
export class ProcessRegistry {
  /** Unique per process start: a restarted process is a new instance, and its old claims are orphans. */
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly storage: Storage) {}

  async register(role: string): Promise<void> {
    const now = new Date();
    await this.storage.promptly((sql) =>
      sql.run(`INSERT INTO "ProcessInstance" ("id", "role", "startedAt", "heartbeatAt") VALUES (?, ?, ?, ?)`, this.id, role, now, now),
    );
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_EVERY_MS).unref();
  }

  private async beat(): Promise<void> {
    // A beat that fails (the database busy for a moment) is made up by the next one.
    await this.storage.promptly((sql) => sql.run(`UPDATE "ProcessInstance" SET "heartbeatAt" = ? WHERE "id" = ?`, new Date(), this.id)).catch(() => {});
  }

  /** Leaves the registry; what this process still claimed is taken over at once. */
  async unregister(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.storage.promptly(async (sql) => {
      await sql.run(`DELETE FROM "ProcessInstance" WHERE "id" = ?`, this.id);
      // Old instances nobody will come back for: long silent.
      await sql.run(`DELETE FROM "ProcessInstance" WHERE "heartbeatAt" < ?`, new Date(Date.now() - 24 * 3_600_000));
    });
  }
}

/**
 * SQL for "claimed by a process that is gone": no claimer, or one whose heartbeat stopped. Takes
 * two parameters: this process's id (never gone to itself) and the heartbeat cut-off.
 */
export const CLAIMER_GONE = `("claimedBy" IS NULL OR ("claimedBy" <> ? AND "claimedBy" NOT IN (SELECT "id" FROM "ProcessInstance" WHERE "heartbeatAt" > ?)))`;

export const goneCutoff = () => new Date(Date.now() - GONE_AFTER_MS);
