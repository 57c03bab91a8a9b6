import { Redis } from "ioredis";

export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

let counter = 0;
/** A key prefix of its own for each test, so tests never see each other's queues. */
export const uniquePrefix = () => `hotline-test-${process.pid}-${Date.now()}-${counter++}`;

/** Deletes every key under a prefix: a "flush" of one test's Redis state, and its cleanup. */
export async function deleteKeys(prefix: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let deleted = 0;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== "0");
    return deleted;
  } finally {
    redis.disconnect();
  }
}
