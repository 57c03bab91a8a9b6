import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { bullmqConnection, RECOVER_QUICKLY, RedisOutageLog } from "./redis-connection.js";

export interface InboundQueueOptions {
  redisUrl: string;
  /** @defaultValue "hotline" */
  prefix?: string;
  outage?: RedisOutageLog;
  /** How long to wait for Redis before handling a request in process instead. @defaultValue 1000 */
  enqueueTimeoutMs?: number;
  log: Logger;
}

/**
 * Requests a platform wants answered at once (Slack waits 3 seconds): each is put in Redis before
 * the answer goes, so a crash after answering loses nothing, and one worker takes them in arrival
 * order, so a person's messages keep their order. While Redis is away a request is handled in
 * process; should its job still reach Redis later, the inbound log makes the second run a no-op.
 */
export class InboundQueue<T> {
  // BullMQ's job-name typing cannot see through a type parameter; the data is T all the same.
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private readonly connections: Redis[] = [];
  private readonly outage: RedisOutageLog;

  constructor(
    private readonly name: string,
    private readonly handle: (job: T) => Promise<void>,
    private readonly options: InboundQueueOptions,
  ) {
    this.outage = options.outage ?? new RedisOutageLog(options.log);
  }

  /** Opened on first use: a process that never takes requests (a worker) holds no connection for it. */
  private opened(): Queue {
    if (!this.queue) {
      this.queue = new Queue(this.name, { connection: this.connect(), prefix: this.options.prefix ?? "hotline" });
      this.queue.on("error", this.outage.error);
    }
    return this.queue;
  }

  private connect(): Redis {
    const connection = bullmqConnection(this.options.redisUrl, this.outage);
    this.connections.push(connection);
    return connection;
  }

  /** Resolves once the request is safe in Redis, or has been started in process. */
  async add(job: T): Promise<void> {
    const queued = this.opened().add("handle", job, { attempts: 3, backoff: { type: "exponential", delay: 500 }, removeOnComplete: true, removeOnFail: 1_000 });
    const timeout = new Promise<"timeout">((resolve) => setTimeout(resolve, this.options.enqueueTimeoutMs ?? 1_000, "timeout").unref());
    const outcome = await Promise.race([queued.then(() => "queued" as const), timeout]).catch(() => "failed" as const);
    if (outcome === "queued") return;
    this.options.log.warn({ queue: this.name }, "Redis did not take the request in time; handling it in process");
    void this.handle(job).catch((error: unknown) => this.options.log.error({ err: error, queue: this.name }, "request failed"));
  }

  start(): void {
    this.worker = new Worker(this.name, (job) => this.handle(job.data as T), { connection: this.connect(), prefix: this.options.prefix ?? "hotline", concurrency: 1, ...RECOVER_QUICKLY });
    this.worker.on("error", this.outage.error);
    this.worker.on("failed", (job, error) => this.options.log.error({ err: error, queue: this.name, attempts: job?.attemptsMade }, "request failed"));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
