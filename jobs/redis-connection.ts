import { Redis } from "ioredis";
import type { Logger } from "pino";

/**
 * While Redis is away, ioredis, queues and workers report every reconnect attempt. One line when
 * it goes (the start-up check already said how to start Redis) and one when it is back is enough.
 */
export class RedisOutageLog {
  private down = false;

  constructor(private readonly log: Logger) {}

  readonly error = (error: Error): void => {
    if (this.down) return;
    this.down = true;
    this.log.warn(`Redis unavailable (${error.message}); timers and reports wait and catch up when it is back`);
  };

  readonly ready = (): void => {
    if (!this.down) return;
    this.down = false;
    this.log.info("Redis is back; reconciling timers");
  };
}

/** A connection for BullMQ: it must keep retrying (workers block on Redis) rather than fail commands. */
export function bullmqConnection(url: string, outage: RedisOutageLog): Redis {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  connection.on("error", outage.error);
  connection.on("ready", outage.ready);
  return connection;
}
