import type { Platform } from "../../core/directory/organisation.js";
import type { Recipient } from "../../core/escalation/notification.js";
import type { Card } from "../../core/messages/card.js";
import type { Database } from "../../prisma/database.js";
import type { Logger } from "../logger.js";

/** Sends one message on one platform; throws when it could not. */
export type Sender = (message: { recipient: Recipient; card: Card }) => Promise<void>;

/** A refusal that retrying will not change (chat not found, bot blocked): the delivery fails at once. */
export class PermanentDeliveryError extends Error {
  override readonly name = "PermanentDeliveryError";
}

export interface DispatcherOptions {
  /** Deliveries sent per pass. @defaultValue 50 */
  batchSize?: number;
  /** Attempts before a delivery is kept as failed. @defaultValue 5 */
  maxAttempts?: number;
}

/**
 * Sends the outbox: the pending deliveries core wrote with the changes that caused them. Each is
 * claimed before sending (so two processes never both send it), then marked sent, or kept with
 * its error: failed for good after the last attempt, never dropped.
 */
export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private readonly batchSize: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly db: Database,
    private readonly senders: Partial<Record<Platform, Sender>>,
    private readonly log: Logger,
    options: DispatcherOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 50;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** Deliveries claimed by a process that died are sent again: a duplicate beats a lost message. */
  async recoverInterrupted(): Promise<void> {
    await this.db.delivery.updateMany({ where: { status: "sending", platform: { in: this.platforms() } }, data: { status: "pending" } });
  }

  start(intervalMs = 2_000): void {
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Drains soon; calls while a pass runs coalesce into one more pass. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error: unknown) => {
        this.log.error({ err: error }, "outbox pass failed");
        return 0;
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.again = false;
    await this.running;
  }

  /** Waits until nothing is being sent (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private platforms(): string[] {
    return Object.keys(this.senders);
  }

  /** One pass: sends up to a batch of pending deliveries, oldest first. Returns how many were sent. */
  async drain(): Promise<number> {
    const pending = await this.db.delivery.findMany({
      where: { status: "pending", platform: { in: this.platforms() } },
      orderBy: { id: "asc" },
      take: this.batchSize,
    });
    let sent = 0;
    for (const delivery of pending) {
      const claimed = await this.db.delivery.updateMany({ where: { id: delivery.id, status: "pending" }, data: { status: "sending" } });
      if (claimed.count === 0) continue;
      sent += (await this.sendOne(delivery)) ? 1 : 0;
    }
    return sent;
  }

  private async sendOne(delivery: { id: number; platform: string; recipient: string; payload: string; attempts: number }): Promise<boolean> {
    const send = this.senders[delivery.platform as Platform]!;
    const attempts = delivery.attempts + 1;
    try {
      await send({ recipient: JSON.parse(delivery.recipient) as Recipient, card: JSON.parse(delivery.payload) as Card });
      await this.db.delivery.update({ where: { id: delivery.id }, data: { status: "sent", attempts, sentAt: new Date(), lastError: null } });
      return true;
    } catch (error) {
      const final = error instanceof PermanentDeliveryError || attempts >= this.maxAttempts;
      const message = error instanceof Error ? error.message : String(error);
      await this.db.delivery.update({ where: { id: delivery.id }, data: { status: final ? "failed" : "pending", attempts, lastError: message } });
      this.log.warn({ delivery: delivery.id, attempts, final }, `delivery failed: ${message}`);
      return false;
    }
  }
}
