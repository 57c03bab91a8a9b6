import { DelayedError, Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Platform } from "../core/directory/organisation.js";
import { errorMessage } from "../core/errors.js";
import type { DeliveryPurpose, LiveView, MessageTemplate, OutboundChannel, Recipient } from "../core/escalation/notification.js";
import type { Card } from "../core/messages/card.js";
import type { OutboxRow, OutboxStore } from "../prisma/stores/outbox-store.js";
import { bullmqConnection, RECOVER_QUICKLY, RedisOutageLog } from "./redis-connection.js";

/** One outbox message as a platform's sender gets it. */
export interface OutboundMessage {
  /** Its row in the outbox; null for a message kept nowhere (an answer to a stranger). */
  deliveryId: number | null;
  /**
   * A process that died was sending it: the platform may have it already. A sender that can look
   * (a Slack channel's history) checks before sending again.
   */
  mayHaveArrived: boolean;
  recipient: Recipient;
  card: Card;
  ticketId: number | null;
  /** Set when the card is a live view of the ticket, to be edited as it changes. */
  view: LiveView | null;
  /** The approved template the message is also written as, for providers that send only those (SMS); chat messages have none. */
  template?: MessageTemplate | undefined;
  purpose?: DeliveryPurpose | undefined;
  /** A file to send, the card its caption (a ticket's form, a day's record); a sender that takes no files refuses it for good. */
  file?: OutboundFile | undefined;
}

export interface OutboundFile {
  bytes: Uint8Array;
  /** As the recipient sees it: `HL-20261126-0001-重大售后质量信息报告单.pdf`. */
  name: string;
  contentType: string;
}

/** Where the files of the outbox's file messages come from. */
export interface OutboundFiles {
  /** The ticket's form, as it stood at `since` or later (a `form` message). */
  ticketForm(ticketId: number, since: Date): Promise<OutboundFile>;
  /** A document as the archive keeps it (a `document` message); undefined when there is no such document. */
  archived(documentId: number): Promise<OutboundFile | undefined>;
}

/** Sends one message on one channel; throws when it could not. */
export type Sender = (message: OutboundMessage) => Promise<void>;

/** Edits the messages a platform posted as live views of a ticket, to show it as it is now. */
export type Refresher = (ticketId: number) => Promise<void>;

/** A refusal that retrying will not change (chat not found, bot blocked): the delivery fails at once. */
export class PermanentDeliveryError extends Error {
  override readonly name = "PermanentDeliveryError";
}

/**
 * The provider asked us to slow down (a flow control, an HTTP 429): the message is tried again
 * after `retryAfterMs` without the attempt counting, since nothing is wrong with it. `lane`: the
 * whole account is limited, so the channel's queue pauses; `recipient`: only this address is (an
 * SMS provider's per-number limit), so this message waits, longer each time, and the rest go on.
 */
export class RateLimitedDeliveryError extends Error {
  override readonly name = "RateLimitedDeliveryError";
  constructor(
    message: string,
    readonly retryAfterMs: number,
    readonly scope: "lane" | "recipient",
  ) {
    super(message);
  }
}

/** A message rate-limited for its recipient waits at most this long before it is tried again. */
const RECIPIENT_WAIT_MAX_MS = 60 * 60_000;

/**
 * A queue with its own rate limit: one per channel, and WeCom's group robots apart from its app
 * messages, since WeCom limits them differently (a robot: 20 a minute).
 */
export type Lane = OutboundChannel | "wecom-robots" | "slack-files";

/** Messages per lane and time window, under each platform's own limits. */
export const LANE_LIMITS: Record<Lane, { max: number; durationMs: number }> = {
  telegram: { max: 25, durationMs: 1_000 }, // Telegram: about 30 messages a second in all
  // Slack: about one message a second per channel, short bursts allowed; three a second across
  // channels stays under the workspace limits, and a 429 still waits its Retry-After.
  slack: { max: 3, durationMs: 1_000 },
  // Slack limits each method apart: sharing a file (files.getUploadURLExternal, then
  // files.completeUploadExternal, both Tier 4: about 100 a minute) does not count against
  // chat.postMessage, so a ticket's forms have a lane of their own and never hold up a ping.
  "slack-files": { max: 3, durationMs: 2_000 },
  // WeCom app messages (message/send, appchat/send): the corp-wide API limit is far above five a
  // second, and a member may get 30 a minute from an app; a 45009 (rate limited) is retried later.
  wecom: { max: 5, durationMs: 1_000 },
  "wecom-robots": { max: 20, durationMs: 60_000 }, // WeCom group robots: 20 a minute
  // Aliyun SMS: SendSms takes 5,000 calls a second per account (so no lane limit is tight there);
  // what binds is the flow control per number (a notification template: 50 a day to one number;
  // verification codes 1 a minute, 5 an hour), which no lane limit can express: those come back
  // as isv.BUSINESS_LIMIT_CONTROL and wait for their number alone. Ten a second keeps a backlog
  // (after an outage) from arriving as one burst and from tripping Throttling.User.
  sms: { max: 10, durationMs: 1_000 },
  // SMTP relays limit senders per second or minute (a hosted relay typically a few to 14 a
  // second, a company relay often less) and answer 421/451 past it, which is retried. Two a
  // second stays under the common ones; receipts are a few a day.
  email: { max: 2, durationMs: 1_000 },
};

/** The outbox's kinds of message that send a file. */
const FILE_KINDS = new Set(["form", "document"]);

/** The lane a message waits in: a WeCom group robot's (`robot:<department>`) apart from the app's. */
export function laneOf(channel: OutboundChannel, row: { recipient: string; kind: string }): Lane {
  if (channel === "slack" && FILE_KINDS.has(row.kind)) return "slack-files";
  return channel === "wecom" && row.recipient.includes(`"channelId":"robot:`) ? "wecom-robots" : channel;
}

/** The channel whose sender a lane's messages go through. */
const channelOfLane = (lane: Lane): OutboundChannel => (lane === "wecom-robots" ? "wecom" : lane === "slack-files" ? "slack" : lane);

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
  /** The files that `form` and `document` messages send. */
  files: OutboundFiles;
  log: Logger;
}

interface DeliveryJob {
  deliveryId: number;
  /** Times this job was put off for its recipient's rate limit: each wait doubles. */
  putOff?: number;
}

/**
 * The one way out: every message core wrote to the outbox is a job on its platform's queue,
 * rate-limited for that platform, retried with exponential backoff, and kept as failed with its
 * error after the last attempt. The database row is the truth: a job claims it before sending, so
 * a job that runs twice (a retry, a second worker, a re-queue after Redis was lost) sends once, and
 * marks it sent the moment the platform took it. A message whose sending process died goes back in
 * line, marked as possibly delivered, once that process is seen to be gone.
 */
export class DeliveryQueue {
  private readonly queues = new Map<Lane, Queue<DeliveryJob>>();
  private readonly workers: Worker<DeliveryJob>[] = [];
  private readonly connections: Redis[] = [];
  private readonly outage: RedisOutageLog;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<unknown> | undefined;
  private again = false;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly senders: Partial<Record<OutboundChannel, Sender>>,
    private readonly options: DeliveryQueueOptions,
  ) {
    this.outage = options.outage ?? new RedisOutageLog(options.log);
    this.maxAttempts = options.maxAttempts ?? 6;
    this.backoffMs = options.backoffMs ?? 1_000;
    for (const lane of this.lanes()) {
      const queue = new Queue<DeliveryJob>(`deliveries-${lane}`, { connection: this.connect(), prefix: options.prefix ?? "hotline" });
      queue.on("error", this.outage.error);
      this.queues.set(lane, queue);
    }
  }

  private connect(): Redis {
    const connection = bullmqConnection(this.options.redisUrl, this.outage);
    this.connections.push(connection);
    return connection;
  }

  private channels(): OutboundChannel[] {
    return Object.keys(this.senders) as OutboundChannel[];
  }

  private lanes(): Lane[] {
    return this.channels().flatMap((channel): Lane[] => (channel === "wecom" ? ["wecom", "wecom-robots"] : channel === "slack" ? ["slack", "slack-files"] : [channel]));
  }

  /** Starts a rate-limited worker per lane and queues the outbox every `intervalMs`. */
  start(intervalMs = 2_000): void {
    for (const lane of this.lanes()) {
      const limit = LANE_LIMITS[lane];
      const channel = channelOfLane(lane);
      const worker = new Worker<DeliveryJob>(`deliveries-${lane}`, (job, token) => this.deliver(channel, job, token), {
        connection: this.connect(),
        prefix: this.options.prefix ?? "hotline",
        concurrency: 5,
        limiter: { max: limit.max, duration: limit.durationMs },
        ...RECOVER_QUICKLY,
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

  /**
   * Puts back in line what dead processes were sending, then queues one job per pending message
   * and attempt: queuing it again is a no-op while it waits.
   */
  private async enqueuePending(): Promise<number> {
    const recovered = await this.outbox.recoverOrphaned(this.channels());
    if (recovered) this.options.log.info({ recovered }, "outbox: messages a stopped process was sending are back in line");
    const pending = await this.outbox.pending(this.channels());
    for (const row of pending) await this.queueAttempt(laneOf(row.platform, row), row.id, row.attempts, 0);
    return pending.length;
  }

  private queueAttempt(lane: Lane, deliveryId: number, attempts: number, delay: number) {
    return this.queues.get(lane)!.add("deliver", { deliveryId }, { jobId: `delivery-${deliveryId}-${attempts}`, delay, removeOnComplete: true, removeOnFail: true });
  }

  private async deliver(channel: OutboundChannel, job: Job<DeliveryJob>, token: string | undefined): Promise<void> {
    const { deliveryId } = job.data;
    const row = await this.outbox.claim(deliveryId);
    if (!row) return;
    const attempts = row.attempts + 1;
    try {
      await this.dispatch(channel, row);
    } catch (error) {
      if (error instanceof RateLimitedDeliveryError) return this.putOff(laneOf(channel, row), job, token, error);
      const final = error instanceof PermanentDeliveryError || attempts >= this.maxAttempts;
      const message = errorMessage(error);
      await this.outbox.markAttemptFailed(deliveryId, { error: message, final });
      this.options.log.warn({ delivery: deliveryId, attempts, final }, `delivery failed: ${message}`);
      if (!final) await this.queueAttempt(laneOf(channel, row), deliveryId, attempts, this.backoffMs * 2 ** (attempts - 1));
      return;
    }
    await this.outbox.markSent(deliveryId);
  }

  /**
   * BullMQ's manual rate limiting (docs: guide/rate-limiting): the message goes back in line with
   * its reason and the same attempt count. An account-wide limit pauses the lane (`Queue.rateLimit`
   * and `Worker.RateLimitError`, so no worker sleeps inside a job); a recipient's puts this job off
   * alone (`moveToDelayed` and `DelayedError`), twice as long each time, up to an hour.
   */
  private async putOff(lane: Lane, job: Job<DeliveryJob>, token: string | undefined, limited: RateLimitedDeliveryError): Promise<never> {
    const { deliveryId, putOff = 0 } = job.data;
    const waitMs = limited.scope === "lane" ? limited.retryAfterMs : Math.min(limited.retryAfterMs * 2 ** putOff, RECIPIENT_WAIT_MAX_MS);
    const reason = `${limited.message}; rate limited, trying again in ${Math.ceil(waitMs / 1000)} s`;
    await this.outbox.release(deliveryId, reason);
    this.options.log.info({ delivery: deliveryId, lane, waitMs, scope: limited.scope }, "delivery rate limited");
    if (limited.scope === "lane") {
      await this.queues.get(lane)!.rateLimit(waitMs);
      throw Worker.RateLimitError();
    }
    await job.updateData({ deliveryId, putOff: putOff + 1 });
    await job.moveToDelayed(Date.now() + waitMs, token);
    throw new DelayedError();
  }

  private async dispatch(channel: OutboundChannel, row: OutboxRow): Promise<void> {
    if (row.kind === "refresh") {
      const refresh = isPlatform(channel) ? this.options.refreshers?.[channel] : undefined;
      if (!refresh || row.ticketId === null) throw new PermanentDeliveryError(`${channel} cannot refresh posted tickets`);
      return refresh(row.ticketId);
    }
    const file = FILE_KINDS.has(row.kind) ? await this.fileOf(row) : undefined;
    await this.senders[channel]!({
      file,
      deliveryId: row.id,
      mayHaveArrived: row.mayHaveArrived,
      recipient: JSON.parse(row.recipient) as Recipient,
      card: JSON.parse(row.payload) as Card,
      ticketId: row.ticketId,
      view: row.view as LiveView | null,
      template: row.template === null ? undefined : (JSON.parse(row.template) as MessageTemplate),
      purpose: (row.purpose as DeliveryPurpose | null) ?? undefined,
    });
  }

  private async fileOf(row: OutboxRow): Promise<OutboundFile> {
    if (row.kind === "form") {
      if (row.ticketId === null) throw new PermanentDeliveryError("a form message names no ticket");
      return this.options.files.ticketForm(row.ticketId, row.createdAt);
    }
    const kept = row.documentId === null ? undefined : await this.options.files.archived(row.documentId);
    if (!kept) throw new PermanentDeliveryError(`document ${row.documentId} is not in the archive`);
    return kept;
  }

  /** Waits until nothing for these channels is waiting to be sent (tests and shutdown). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const waiting = await this.outbox.countWaiting(this.channels());
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

const isPlatform = (channel: OutboundChannel): channel is Platform => channel !== "sms" && channel !== "email";
