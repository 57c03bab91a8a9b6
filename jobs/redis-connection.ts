import { Redis } from "ioredis";
import type { Logger } from "pino";

/**
 * While Redis is away, ioredis, queues and workers report every reconnect attempt. One line when
 * it goes (the start-up check already said how to start Redis) and one when it is back is enough.
 */
export class RedisOutageLog {
  private down = false;
  private readonly whenBack: (() => void)[] = [];

  constructor(private readonly log: Logger) {}

  /** Runs `listener` each time Redis is back after an outage. */
  onBack(listener: () => void): void {
    this.whenBack.push(listener);
  }

  readonly error = (error: Error): void => {
    if (this.down) return;
    this.down = true;
    this.log.warn(`Redis unavailable (${error.message}); timers and reports wait and catch up when it is back`);
  };

  readonly ready = (): void => {
    if (!this.down) return;
    this.down = false;
    this.log.info("Redis is back; reconciling timers");
    this.whenBack.forEach((listener) => listener());
  };
}

/** A connection for BullMQ: it must keep retrying (workers block on Redis) rather than fail commands. */
export function bullmqConnection(url: string, outage: RedisOutageLog): Redis {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  connection.on("error", outage.error);
  connection.on("ready", outage.ready);
  return connection;
}

/**
 * Worker settings that bring back the jobs a dead process had in hand within seconds, not after
 * BullMQ's default of about a minute (a 30 s lock, checked every 30 s): the lock lasts 5 s and is
 * renewed every 2.5 s while a job runs; a job whose lock ran out is back in line at the next check,
 * 2.5 s apart. Every job's effect is claimed in the database, so a job taken from a process that
 * merely stalled that long and run twice has one effect. One that keeps stalling (it kills its
 * process) fails after five; the deadlines' reconcile queues its timer again.
 */
export const RECOVER_QUICKLY = { lockDuration: 5_000, stalledInterval: 2_500, maxStalledCount: 5 } as const;
