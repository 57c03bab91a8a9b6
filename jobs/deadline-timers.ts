import { Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { nextFireAt } from "../core/deadlines/deadline-policy.js";
import { fireDeadline, timerPolicy } from "../core/deadlines/fire-deadline.js";
import type { CoreContext, UnitOfWork } from "../core/ports.js";
import type { Level } from "../core/triage/rules.js";
import type { Logger } from "pino";
import type { Database } from "../prisma/storage/storage.js";
import { bullmqConnection, RECOVER_QUICKLY, RedisOutageLog } from "./redis-connection.js";

export interface TimerJob {
  deadlineId: number;
  /** The deadline's fireSeq this timer is for; a timer for an older one does nothing. */
  seq: number;
}

export interface DeadlineTimersOptions {
  redisUrl: string;
  /** Key prefix in Redis, so several deployments (or test runs) share one server. @defaultValue "hotline" */
  prefix?: string;
  /** Timers processed at once by this process's worker. @defaultValue 20 */
  concurrency?: number;
  /** Called after a timer fired, so the outbox can send what it wrote. */
  onFired?: () => void;
  /** Shared with the process's other queues, so an outage is reported once. */
  outage?: RedisOutageLog;
  log: Logger;
}

export const DEADLINES_QUEUE = "deadlines";
/** BullMQ job ids may not contain ':'. One id per deadline and firing: re-adding it is a no-op. */
export const timerJobId = (deadlineId: number, seq: number) => `deadline-${deadlineId}-${seq}`;

interface PendingRow {
  id: number;
  fireSeq: number;
  dueAt: Date;
  step: number;
  chain: string;
  remindersSent: number;
  ticket: { level: number | null; category: string };
}

/**
 * Deadlines as delayed BullMQ jobs. The database is the truth and Redis only holds the timers:
 * `reconcile` re-creates whatever timers Redis lost (overdue ones fire at once), and a timer
 * that fires twice has one effect, because the deadline's sequence number moves on when it fires.
 */
export class DeadlineTimers {
  readonly queue: Queue<TimerJob>;
  private worker: Worker<TimerJob> | undefined;
  private readonly connections: Redis[] = [];
  private readonly log: Logger;
  private readonly intervals: NodeJS.Timeout[] = [];
  private readonly outage: RedisOutageLog;
  private busy: Promise<unknown> | undefined;
  /** Passes asked for while one ran: each runs after it, once however often it was asked, a reconcile first. */
  private wanted = { reconcile: false, kick: false };

  constructor(
    private readonly deps: { db: Database; core: CoreContext; unitOfWork: UnitOfWork },
    private readonly options: DeadlineTimersOptions,
  ) {
    this.log = options.log.child({ module: "deadline-timers" });
    this.outage = options.outage ?? new RedisOutageLog(this.log);
    this.queue = new Queue<TimerJob>(DEADLINES_QUEUE, { connection: this.connect(), prefix: options.prefix ?? "hotline" });
    this.queue.on("error", this.outage.error);
  }

  private connect(): Redis {
    const connection = bullmqConnection(this.options.redisUrl, this.outage);
    this.connections.push(connection);
    return connection;
  }

  /** Starts this process's worker; several processes may each run one. */
  startWorker(): void {
    this.worker = new Worker<TimerJob>(DEADLINES_QUEUE, (job) => this.fire(job), {
      connection: this.connect(),
      prefix: this.options.prefix ?? "hotline",
      concurrency: this.options.concurrency ?? 20,
      ...RECOVER_QUICKLY,
    });
    this.worker.on("error", this.outage.error);
    this.worker.on("failed", (job, error) => this.log.error({ err: error, job: job?.id }, "deadline timer failed"));
  }

  private async fire(job: Job<TimerJob>): Promise<void> {
    const { deadlineId, seq } = job.data;
    const outcome = await this.deps.unitOfWork.run(({ core }) => fireDeadline(core, { deadlineId, expectedSeq: seq }));
    if (outcome.kind === "next") await this.queueTimers([{ deadlineId, seq: outcome.seq, at: outcome.at }]);
    if (outcome.kind !== "stale") this.options.onFired?.();
  }

  private delayUntil(at: Date): number {
    return Math.max(0, at.getTime() - this.deps.core.clock().getTime());
  }

  private async queueTimers(timers: { deadlineId: number; seq: number; at: Date }[]): Promise<void> {
    for (let i = 0; i < timers.length; i += 1000) {
      const chunk = timers.slice(i, i + 1000);
      await this.queue.addBulk(
        chunk.map((timer) => ({
          name: "fire",
          data: { deadlineId: timer.deadlineId, seq: timer.seq },
          opts: {
            jobId: timerJobId(timer.deadlineId, timer.seq),
            delay: this.delayUntil(timer.at),
            removeOnComplete: true,
            removeOnFail: 1000,
            attempts: 5,
            backoff: { type: "exponential", delay: 1_000 },
          },
        })),
      );
      // Recorded after Redis has the timers: a crash in between re-queues (a no-op), never skips.
      // One statement for the chunk; the values are integer ids and sequence numbers from the database.
      await this.deps.db.$executeRawUnsafe(
        `UPDATE "Deadline" SET "scheduledSeq" = CASE "id" ${chunk.map((t) => `WHEN ${t.deadlineId} THEN ${t.seq}`).join(" ")} END WHERE "id" IN (${chunk.map((t) => t.deadlineId).join(",")})`,
      );
    }
  }

  private timerFor(row: PendingRow) {
    const state = { dueAt: row.dueAt, step: row.step, chain: JSON.parse(row.chain) as string[], remindersSent: row.remindersSent };
    const policy = timerPolicy(this.deps.core, { ticketLevel: row.ticket.level as Level | null, ticketCategory: row.ticket.category === "major" ? "major" : "general" });
    return { deadlineId: row.id, seq: row.fireSeq, at: nextFireAt(state, policy, this.deps.core.clock()) };
  }

  private pending(where: object): Promise<PendingRow[]> {
    return this.deps.db.deadline.findMany({
      where: { status: "pending", ...where },
      select: { id: true, fireSeq: true, dueAt: true, step: true, chain: true, remindersSent: true, ticket: { select: { level: true, category: true } } },
    });
  }

  /**
   * Removes the timers of deadlines met since the last pass (acknowledged, on site, resolved). A
   * timer left behind would do nothing when it fires; removing it keeps Redis to what is owed.
   */
  async removeMet(): Promise<number> {
    const met = await this.deps.db.$queryRawUnsafe<{ id: number; fireSeq: number }[]>(
      `SELECT "id", "fireSeq" FROM "Deadline" WHERE "status" <> 'pending' AND "scheduledSeq" = "fireSeq"`,
    );
    for (const deadline of met) await this.queue.remove(timerJobId(deadline.id, deadline.fireSeq));
    if (met.length) await this.deps.db.$executeRawUnsafe(`UPDATE "Deadline" SET "scheduledSeq" = -1 WHERE "id" IN (${met.map((d) => d.id).join(",")})`);
    return met.length;
  }

  /** Queues timers for deadlines created or changed since the last pass (cheap: run it often). */
  async scheduleNew(): Promise<number> {
    const fresh = await this.deps.db.$queryRawUnsafe<{ id: number }[]>(
      `SELECT "id" FROM "Deadline" WHERE "status" = 'pending' AND "scheduledSeq" <> "fireSeq"`,
    );
    if (fresh.length === 0) return 0;
    const timers = (await this.pending({ id: { in: fresh.map((r) => r.id) } })).map((row) => this.timerFor(row));
    await this.queueTimers(timers);
    return timers.length;
  }

  /**
   * Compares every pending deadline with the timers Redis holds and re-creates the missing ones
   * (after a flush, or Redis lost for a while); overdue ones fire at once. Returns how many it queued.
   */
  async reconcile(): Promise<number> {
    const jobs = await this.queue.getJobs(["delayed", "waiting", "active", "prioritized", "waiting-children"]);
    const present = new Set(jobs.map((job) => job?.id));
    const missing = (await this.pending({})).filter((row) => !present.has(timerJobId(row.id, row.fireSeq)));
    await this.clearFinishedJobs(new Set(missing.map((row) => timerJobId(row.id, row.fireSeq))));
    await this.queueTimers(missing.map((row) => this.timerFor(row)));
    if (missing.length) this.log.info({ queued: missing.length }, "deadline timers reconciled");
    return missing.length;
  }

  /**
   * A timer that failed its last attempt stays in the failed set under its id, and BullMQ ignores
   * adding a job whose id it still holds: the deadline would never fire. Such jobs are removed
   * before their timers are queued again.
   */
  private async clearFinishedJobs(ids: Set<string>): Promise<void> {
    if (ids.size === 0) return;
    const finished = await this.queue.getJobs(["failed", "completed"]);
    await Promise.all(finished.filter((job) => job?.id && ids.has(job.id)).map((job) => job.remove()));
  }

  /**
   * Keeps Redis in step with the database while the process runs: a full reconcile at once and
   * every `reconcileEveryMs` (catching up after Redis was away), and new deadlines every
   * `scheduleEveryMs` (those the terminal chat or another process created).
   */
  startMaintenance({ reconcileEveryMs = 60_000, scheduleEveryMs = 5_000 } = {}): void {
    this.requestReconcile();
    this.outage.onBack(() => this.requestReconcile());
    this.intervals.push(
      setInterval(() => this.requestReconcile(), reconcileEveryMs).unref(),
      setInterval(() => this.kick(), scheduleEveryMs).unref(),
    );
  }

  /** Queues new deadlines and drops the timers of met ones, soon; calls during a pass coalesce. */
  kick(): void {
    this.request("kick");
  }

  /** A full reconcile, soon: after the pass running now, if one is. */
  requestReconcile(): void {
    this.request("reconcile");
  }

  /** Resolves once no pass runs and none is asked for (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.busy) await this.busy;
  }

  /**
   * One pass at a time; one asked for during a pass runs after it (several asks, once). Errors
   * (Redis away) are logged and the next pass tries again.
   */
  private request(pass: "reconcile" | "kick"): void {
    this.wanted[pass] = true;
    if (this.busy) return;
    const next = this.wanted.reconcile ? "reconcile" : "kick";
    this.wanted[next] = false;
    const run = next === "reconcile" ? () => this.reconcile() : async () => {
      await this.scheduleNew();
      await this.removeMet();
    };
    this.busy = run()
      .catch((error: unknown) => this.log.debug({ err: error }, `deadline timers: ${next} failed; retrying later`))
      .finally(() => {
        this.busy = undefined;
        if (this.wanted.reconcile) this.request("reconcile");
        else if (this.wanted.kick) this.request("kick");
      });
  }

  /** Finishes the timers in hand (or hands them back) and closes the Redis connections. */
  async close(): Promise<void> {
    this.intervals.forEach(clearInterval);
    this.wanted = { reconcile: false, kick: false };
    await this.busy;
    await this.worker?.close();
    await this.queue.close();
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
