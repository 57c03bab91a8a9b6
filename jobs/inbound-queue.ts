import type { Logger } from "pino";
import { errorMessage } from "../core/errors.js";
import type { InboundRequestRow } from "../prisma/stores/inbound-request-store.js";

/** Where the queue keeps each request until it is handled: the database, so a crash loses none. */
export interface InboundRequests {
  /** Keeps a request, claimed by this process; resolves once it is on disk. */
  add(queue: string, orderKey: string, payload: string): Promise<number>;
  done(id: number): Promise<void>;
  failed(id: number, failure: { error: string; final: boolean }): Promise<void>;
  /** Requests to retry, and those a process that is gone left, claimed now. */
  claimWaiting(queue: string): Promise<InboundRequestRow[]>;
}

export interface InboundQueueOptions<T> {
  store: InboundRequests;
  /** Requests with the same key are handled one after another, in arrival order. */
  orderKeyOf: (job: T) => string;
  /** How often requests to retry, or left by a process that is gone, are looked for. @defaultValue 2000 */
  sweepEveryMs?: number;
  /** Attempts before a request that keeps failing is kept as failed. @defaultValue 3 */
  maxAttempts?: number;
  log: Logger;
}

/**
 * Requests a platform wants answered at once (Slack waits 3 seconds, WeCom 5): each is written to
 * the database before the answer goes, so neither a crash after answering nor a flushed Redis
 * loses it, then handled at once in this process, one after another per sender so their messages
 * keep their order. A request whose process died is taken over by another (or this one after a
 * restart) within seconds; one handled twice has one effect, since the inbound log knows it.
 */
export class InboundQueue<T> {
  private readonly chains = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly handle: (job: T) => Promise<void>,
    private readonly options: InboundQueueOptions<T>,
  ) {}

  /** Resolves once the request is on disk; its handling starts at once. */
  async add(job: T): Promise<void> {
    const orderKey = this.options.orderKeyOf(job);
    const id = await this.options.store.add(this.name, orderKey, JSON.stringify(job));
    this.enqueue({ id, orderKey, attempts: 0 }, job);
  }

  /** Looks, every `sweepEveryMs`, for requests to retry and those a stopped process left. */
  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.options.sweepEveryMs ?? 2_000).unref();
    void this.sweep();
  }

  private sweep(): Promise<void> {
    this.sweeping ??= this.options.store
      .claimWaiting(this.name)
      .then((rows) => {
        if (rows.length) this.options.log.info({ queue: this.name, requests: rows.length }, "taking over requests left unhandled");
        for (const row of rows) this.enqueue(row, JSON.parse(row.payload) as T);
      })
      .catch((error: unknown) => this.options.log.warn({ err: error, queue: this.name }, "could not look for requests left unhandled; trying again"))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private enqueue(row: Omit<InboundRequestRow, "payload">, job: T): void {
    const previous = this.chains.get(row.orderKey) ?? Promise.resolve();
    const next = previous.then(() => this.run(row, job));
    this.chains.set(row.orderKey, next);
    void next.finally(() => {
      if (this.chains.get(row.orderKey) === next) this.chains.delete(row.orderKey);
    });
  }

  private async run(row: Omit<InboundRequestRow, "payload">, job: T): Promise<void> {
    try {
      await this.handle(job);
    } catch (error) {
      const final = row.attempts + 1 >= (this.options.maxAttempts ?? 3);
      this.options.log.error({ err: error, queue: this.name, request: row.id, final }, final ? "request failed; kept as failed" : "request failed; trying again");
      await this.options.store.failed(row.id, { error: errorMessage(error), final }).catch(() => {});
      return;
    }
    // Should this fail, the request is handled once more later: the inbound log makes that a no-op.
    await this.options.store.done(row.id).catch((error: unknown) => this.options.log.warn({ err: error, request: row.id }, "could not mark a request handled"));
  }

  /** Stops looking for work and waits (up to `timeoutMs`) for the requests in hand. */
  async close(timeoutMs = 5_000): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
    const inHand = Promise.all(this.chains.values());
    await Promise.race([inHand, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
}
