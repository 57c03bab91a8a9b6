import { Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Platform } from "../core/directory/organisation.js";
import type { LiveView, Recipient } from "../core/escalation/notification.js";
import type { Card } from "../core/messages/card.js";
import type { Database } from "../prisma/database.js";
import { bullmqConnection, RedisOutageLog } from "./redis-connection.js";

/** One outbox message as a platform's sender gets it. */
export interface OutboundMessage {
  recipient: Recipient;
  card: Card;
  ticketId: number | null;
  /** Set when the card is a live view of the ticket, to be edited as it changes. */
  view: LiveView | null;
  /** The outbox row: a platform that can tag its posts finds an earlier attempt's post by it. */
  deliveryId?: number;
  /** A previous attempt was in flight when the process died: it may have reached the platform. */
  mayHaveArrived?: boolean;
}

/** Sends one message on one platform; throws when it could not. */
export type Sender = (message: OutboundMessage) => Promise<void>;

/** Edits the messages a platform posted as live views of a ticket, to show it as it is now. */
export type Refresher = (ticketId: number) => Promise<void>;

/** A refusal that retrying will not change (chat not found, bot blocked): the delivery fails at once. */
export class PermanentDeliveryError extends Error {
  override readonly name = "PermanentDeliveryError";
}

/** Messages per platform and time window, under each platform's own limits. */
export const PLATFORM_LIMITS: Record<Platform, { max: number; durationMs: number }> = {
  telegram: { max: 25, durationMs: 1_000 }, // Telegram: about 30 messages a second in all
  // Slack: about one message a second per channel, short bursts allowed; three a second across
  // channels stays under the workspace limits, and a 429 still waits its Retry-After.
  slack: { max: 3, durationMs: 1_000 },
  wecom: { max: 20, durationMs: 60_000 }, // WeCom group robots: 20 a minute
};

export interface DeliveryQueueOptions {
  redisUrl: string;
  /** @defaultValue "hotline" */
  prefix?: string;
  /** Attempts before a delivery is kept as failed. @defaultValue 6 */
  maxAttempts?: number;
  /** First retry delay, doubled at each attempt. @defaultValue 1000 */
  backoffMs?: number;
  outage?: RedisOutageLog;
  /** Platforms that keep posted tickets current. */
  refreshers?: Partial<Record<Platform, Refresher>>;
  log: Logger;
}

interface DeliveryJob {
  deliveryId: number;
}

/**
 * The one way out: every message core wrote to the outbox is a job on its platform's queue,
 * rate-limited for that platform, retried with exponential backoff, and kept as failed with its
 * error after the last attempt. The database row is the truth: a job claims it before sending, so
 * a job that runs twice (a retry, a second worker, a re-queue after Redis was lost) sends once.
 */
export class DeliveryQueue {
  private readonly queues = new Map<Platform, Queue<DeliveryJob>>();
  private readonly workers: Worker<DeliveryJob>[] = [];
  private readonly connections: Redis[] = [];
  private readonly outage: RedisOutageLog;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<unknown> | undefined;
  private again = false;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(
    private readonly db: Database,
    private readonly senders: Partial<Record<Platform, Sender>>,
    private readonly options: DeliveryQueueOptions,
  ) {
    this.outage = options.outage ?? new RedisOutageLog(options.log);
    this.maxAttempts = options.maxAttempts ?? 6;
    this.backoffMs = options.backoffMs ?? 1_000;
    for (const platform of this.platforms()) {
      const queue = new Queue<DeliveryJob>(`deliveries-${platform}`, { connection: this.connect(), prefix: options.prefix ?? "hotline" });
      queue.on("error", this.outage.error);
      this.queues.set(platform, queue);
    }
  }

  private connect(): Redis {
    const connection = bullmqConnection(this.options.redisUrl, this.outage);
    this.connections.push(connection);
    return connection;
  }

  private platforms(): Platform[] {
    return Object.keys(this.senders) as Platform[];
  }

  /** Deliveries claimed by a process that died are sent again: a duplicate beats a lost message. */
  async recoverInterrupted(): Promise<void> {
    await this.db.delivery.updateMany({ where: { status: "sending", platform: { in: this.platforms() } }, data: { status: "pending" } });
  }

  /** Starts a rate-limited worker per platform and queues the outbox every `intervalMs`. */
  start(intervalMs = 2_000): void {
    for (const platform of this.platforms()) {
      const limit = PLATFORM_LIMITS[platform];
      const worker = new Worker<DeliveryJob>(`deliveries-${platform}`, (job) => this.deliver(platform, job), {
        connection: this.connect(),
        prefix: this.options.prefix ?? "hotline",
        concurrency: 5,
        limiter: { max: limit.max, duration: limit.durationMs },
      });
      worker.on("error", this.outage.error);
      this.workers.push(worker);
    }
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Queues the outbox's pending deliveries soon; calls during a pass coalesce into one more. */
  kick(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = this.enqueuePending()
      .catch((error: unknown) => this.options.log.debug({ err: error }, "outbox: could not queue; retrying later"))
      .finally(() => {
        this.busy = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One job per delivery and attempt: queuing it again is a no-op while it waits. */
  private async enqueuePending(): Promise<number> {
    const pending = await this.db.delivery.findMany({
      where: { status: "pending", platform: { in: this.platforms() } },
      select: { id: true, platform: true, attempts: true },
      orderBy: { id: "asc" },
      take: 1_000,
    });
    for (const row of pending) await this.queueAttempt(row.platform as Platform, row.id, row.attempts, 0);
    return pending.length;
  }

  private queueAttempt(platform: Platform, deliveryId: number, attempts: number, delay: number) {
    return this.queues.get(platform)!.add("deliver", { deliveryId }, { jobId: `delivery-${deliveryId}-${attempts}`, delay, removeOnComplete: true, removeOnFail: true });
  }

  private async deliver(platform: Platform, job: Job<DeliveryJob>): Promise<void> {
    const { deliveryId } = job.data;
    const claimed = await this.db.delivery.updateMany({ where: { id: deliveryId, status: "pending" }, data: { status: "sending" } });
    if (claimed.count === 0) return;
    const row = await this.db.delivery.findUniqueOrThrow({ where: { id: deliveryId } });
    const attempts = row.attempts + 1;
    try {
      await this.dispatch(platform, row);
      await this.db.delivery.update({ where: { id: deliveryId }, data: { status: "sent", attempts, sentAt: new Date(), lastError: null } });
    } catch (error) {
      const final = error instanceof PermanentDeliveryError || attempts >= this.maxAttempts;
      const message = error instanceof Error ? error.message : String(error);
      await this.db.delivery.update({ where: { id: deliveryId }, data: { status: final ? "failed" : "pending", attempts, lastError: message } });
      this.options.log.warn({ delivery: deliveryId, attempts, final }, `delivery failed: ${message}`);
      if (!final) await this.queueAttempt(platform, deliveryId, attempts, this.backoffMs * 2 ** (attempts - 1));
    }
  }

  private async dispatch(platform: Platform, row: { kind: string; recipient: string; payload: string; ticketId: number | null; view: string | null }): Promise<void> {
    if (row.kind === "refresh") {
      const refresh = this.options.refreshers?.[platform];
      if (!refresh || row.ticketId === null) throw new PermanentDeliveryError(`${platform} cannot refresh posted tickets`);
      return refresh(row.ticketId);
    }
    const message = { recipient: JSON.parse(row.recipient) as Recipient, card: JSON.parse(row.payload) as Card };
    await this.senders[platform]!({ ...message, ticketId: row.ticketId, view: row.view as LiveView | null });
  }

  /** Waits until nothing for these platforms is waiting to be sent (tests and shutdown). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const waiting = await this.db.delivery.count({ where: { status: { in: ["pending", "sending"] }, platform: { in: this.platforms() } } });
      if (waiting === 0 && !this.busy) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.again = false;
    await this.busy;
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
