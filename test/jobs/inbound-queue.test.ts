import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { InboundQueue } from "../../jobs/inbound-queue.js";
import { GONE_AFTER_MS } from "../../prisma/stores/process-registry.js";
import { freshDatabaseFile, startTestApp } from "../support/test-app.js";

const silent = pino({ level: "silent" });
let db: ReturnType<typeof freshDatabaseFile>;
let cleanups: (() => unknown)[];

beforeEach(() => {
  cleanups = [];
  db = freshDatabaseFile();
  cleanups.push(db.cleanup);
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startProcess(): Promise<App> {
  const app = await startTestApp(db.file);
  cleanups.push(() => app.close());
  return app;
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Job {
  sender: string;
  n: number;
}

function queueOn(app: App, handle: (job: Job) => Promise<void>, options: { sweepEveryMs?: number } = {}) {
  const queue = new InboundQueue<Job>("inbound-test", handle, { store: app.inboundRequests, orderKeyOf: (job) => job.sender, log: silent, ...options });
  cleanups.push(() => queue.close());
  return queue;
}

describe("the inbound queue", () => {
  it("handles each sender's requests one at a time, in arrival order, and different senders side by side", async () => {
    const app = await startProcess();
    const handled: string[] = [];
    const running = new Map<string, number>();
    let overlappedWithinSender = false;
    let overlappedAcrossSenders = false;
    const queue = queueOn(app, async ({ sender, n }) => {
      overlappedWithinSender ||= (running.get(sender) ?? 0) > 0;
      running.set(sender, (running.get(sender) ?? 0) + 1);
      overlappedAcrossSenders ||= [...running.values()].filter((count) => count > 0).length > 1;
      await new Promise((resolve) => setTimeout(resolve, 3));
      handled.push(`${sender}${n}`);
      running.set(sender, running.get(sender)! - 1);
    });
    for (let n = 0; n < 20; n++) await Promise.all([queue.add({ sender: "a", n }), queue.add({ sender: "b", n })]);
    await until(() => handled.length === 40);
    expect(handled.filter((h) => h.startsWith("a"))).toEqual(Array.from({ length: 20 }, (_, n) => `a${n}`));
    expect(handled.filter((h) => h.startsWith("b"))).toEqual(Array.from({ length: 20 }, (_, n) => `b${n}`));
    expect(overlappedWithinSender).toBe(false);
    expect(overlappedAcrossSenders).toBe(true);
    expect(await app.db.inboundRequest.count()).toBe(0); // handled requests are not kept
  });

  it("keeps a request on disk before it is answered, and another process takes it over when the first dies", async () => {
    const first = await startProcess();
    const queue = queueOn(first, () => new Promise(() => {})); // takes it and never finishes: the process dies
    await queue.add({ sender: "a", n: 1 });
    expect(await first.db.inboundRequest.findFirstOrThrow()).toMatchObject({ status: "handling", claimedBy: first.processes.id });
    await first.db.processInstance.update({ where: { id: first.processes.id }, data: { heartbeatAt: new Date(Date.now() - GONE_AFTER_MS - 1_000) } });

    const second = await startProcess();
    const handled: number[] = [];
    queueOn(second, async ({ n }) => void handled.push(n), { sweepEveryMs: 100 }).start();
    await until(() => handled.length === 1);
    expect(handled).toEqual([1]);
  });

  it("tries a failing request again, then keeps it as failed with the error", async () => {
    const app = await startProcess();
    let calls = 0;
    const queue = queueOn(app, async () => {
      calls++;
      throw new Error("the database was locked");
    }, { sweepEveryMs: 50 });
    queue.start();
    await queue.add({ sender: "a", n: 1 });
    const deadline = Date.now() + 5_000;
    while ((await app.db.inboundRequest.count({ where: { status: "failed" } })) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await app.db.inboundRequest.findFirstOrThrow()).toMatchObject({ status: "failed", attempts: 3, lastError: "the database was locked" });
    expect(calls).toBe(3);
  });
});
