import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InboundQueue } from "../../jobs/inbound-queue.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";

const silent = pino({ level: "silent" });
let prefix: string;
let cleanups: (() => unknown)[];

beforeEach(() => {
  cleanups = [];
  prefix = uniquePrefix();
  cleanups.push(() => deleteKeys(prefix));
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the inbound queue", () => {
  it("takes requests as fast as Redis does and handles them one at a time, in arrival order", async () => {
    const handled: number[] = [];
    let running = 0;
    let overlapped = false;
    const queue = new InboundQueue<{ n: number }>(
      "inbound-test",
      async ({ n }) => {
        overlapped ||= running++ > 0;
        await new Promise((resolve) => setTimeout(resolve, 2));
        handled.push(n);
        running--;
      },
      { redisUrl: TEST_REDIS_URL, prefix, log: silent },
    );
    cleanups.push(() => queue.close());
    queue.start();
    for (let n = 0; n < 50; n++) await queue.add({ n });
    await until(() => handled.length === 50);
    expect(handled).toEqual(Array.from({ length: 50 }, (_, n) => n));
    expect(overlapped).toBe(false);
  });

  it("keeps a request that arrives while no worker runs, for the worker that starts later", async () => {
    const handled: string[] = [];
    const first = new InboundQueue<{ id: string }>("inbound-test", async ({ id }) => void handled.push(id), { redisUrl: TEST_REDIS_URL, prefix, log: silent });
    await first.add({ id: "while-down" });
    await first.close();
    expect(handled).toEqual([]);
    const second = new InboundQueue<{ id: string }>("inbound-test", async ({ id }) => void handled.push(id), { redisUrl: TEST_REDIS_URL, prefix, log: silent });
    cleanups.push(() => second.close());
    second.start();
    await until(() => handled.length === 1);
    expect(handled).toEqual(["while-down"]);
  });

  it("handles a request in process when Redis does not take it in time", async () => {
    const handled: string[] = [];
    const queue = new InboundQueue<{ id: string }>("inbound-test", async ({ id }) => void handled.push(id), {
      redisUrl: "redis://127.0.0.1:1", // nothing listens here
      prefix,
      enqueueTimeoutMs: 200,
      log: silent,
    });
    cleanups.push(() => queue.close());
    const started = Date.now();
    await queue.add({ id: "redis-down" });
    expect(Date.now() - started).toBeLessThan(1_000);
    await until(() => handled.length === 1);
    expect(handled).toEqual(["redis-down"]);
  });
});
