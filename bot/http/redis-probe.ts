import { Redis } from "ioredis";

export interface ProbeResult {
  ok: boolean;
  error?: string;
}

/** One PING with a short timeout and no retries: health checks must answer fast. */
export async function probeRedis(url: string, timeoutMs = 1_000): Promise<ProbeResult> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The first error says why (ECONNREFUSED…); the rejected connect only says "Connection is closed".
  let cause: string | undefined;
  redis.on("error", (error: Error) => (cause ??= error.message));
  try {
    await redis.connect();
    await redis.ping();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: cause ?? ((error as Error).message || String(error)) };
  } finally {
    redis.disconnect();
  }
}

/** The one line an operator needs when Redis is missing. */
export function redisUnreachableHint(url: string, error: string | undefined): string {
  return `Redis is not reachable at ${url} (${error ?? "no answer"}): start one with "redis-server --daemonize yes --hz 100" or set REDIS_URL. Tickets are still recorded; reminders wait until Redis is back.`;
}
