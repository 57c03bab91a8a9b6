import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { DeliveryQueue, laneOf, PermanentDeliveryError, type Sender } from "../../jobs/delivery-queue.js";
import { formsOnly } from "../support/forms-only.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";
import { LEVEL2_FAULT } from "../support/report-script.js";
import { FIRST_TICKET, freshDatabaseFile, say, startTestApp } from "../support/test-app.js";

const silent = pino({ level: "silent" });
let app: App;
let prefix: string;
let cleanups: (() => unknown)[];

beforeEach(async () => {
  cleanups = [];
  const db = freshDatabaseFile();
  cleanups.push(db.cleanup);
  prefix = uniquePrefix();
  cleanups.push(() => deleteKeys(prefix));
  app = await startTestApp(db.file);
  cleanups.push(() => app.close());
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function outbox(count = 1): Promise<number[]> {
  const recipient = JSON.stringify({ kind: "member", memberId: "wang.fang", name: "王芳", platform: "telegram", address: "200000001" });
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push((await app.db.delivery.create({ data: { platform: "telegram", recipient, payload: JSON.stringify({ lines: [`m${i}`] }) } })).id);
  return ids;
}

function run(send: Sender, options: { maxAttempts?: number } = {}): DeliveryQueue {
  const queue = new DeliveryQueue(app.outbox, { telegram: send }, { files: app.outboundFiles, redisUrl: TEST_REDIS_URL, prefix, backoffMs: 50, log: silent, ...options });
  queue.start(100);
  cleanups.push(() => queue.stop());
  return queue;
}

async function until(check: () => Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("the delivery queue", () => {
  it("retries a transient failure with backoff and delivers once", async () => {
    const [id] = await outbox();
    const sent: string[] = [];
    let failures = 2;
    run(async ({ card }) => {
      if (failures-- > 0) throw new Error("socket hang up");
      sent.push(card.lines[0]!);
    });
    await until(async () => (await app.db.delivery.findUniqueOrThrow({ where: { id } })).status === "sent");
    expect(sent).toEqual(["m0"]);
    expect(await app.db.delivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "sent", attempts: 3, lastError: null });
  });

  it("keeps a delivery as failed, with its error, after the last attempt or a permanent refusal", async () => {
    const [flaky, refused] = await outbox(2);
    let calls = 0;
    run(
      async ({ card }) => {
        calls++;
        if (card.lines[0] === "m1") throw new PermanentDeliveryError("403 Forbidden: bot was blocked by the user");
        throw new Error("502 Bad Gateway");
      },
      { maxAttempts: 3 },
    );
    await until(async () => (await app.db.delivery.count({ where: { status: "failed" } })) === 2);
    expect(await app.db.delivery.findUniqueOrThrow({ where: { id: flaky! } })).toMatchObject({ attempts: 3, lastError: "502 Bad Gateway" });
    expect(await app.db.delivery.findUniqueOrThrow({ where: { id: refused! } })).toMatchObject({ attempts: 1, lastError: "403 Forbidden: bot was blocked by the user" });
    expect(calls).toBe(4);
  });

  it("sends each message once when two processes run the queue", async () => {
    const ids = await outbox(20);
    const sent: string[] = [];
    const send: Sender = async ({ card }) => void sent.push(card.lines[0]!);
    run(send);
    run(send);
    await until(async () => (await app.db.delivery.count({ where: { status: "sent" } })) === ids.length);
    expect(sent.sort()).toEqual(ids.map((_, i) => `m${i}`).sort());
  });

  it("queues again what Redis lost, without sending twice", async () => {
    await outbox(3);
    const sent: string[] = [];
    const queue = new DeliveryQueue(app.outbox, { telegram: async ({ card }) => void sent.push(card.lines[0]!) }, { files: app.outboundFiles, redisUrl: TEST_REDIS_URL, prefix, log: silent });
    cleanups.push(() => queue.stop());
    queue.kick();
    await new Promise((r) => setTimeout(r, 300));
    await deleteKeys(prefix); // Redis loses the jobs before any worker ran
    queue.start(100);
    await until(async () => (await app.db.delivery.count({ where: { status: "sent" } })) === 3);
    expect(sent.sort()).toEqual(["m0", "m1", "m2"]);
  });
});

describe("WeCom's two limits", () => {
  it("keeps group-robot messages to 20 a minute without holding app messages back", async () => {
    const member = JSON.stringify({ kind: "member", memberId: "wang.fang", name: "王芳", platform: "wecom", address: "wangfang" });
    const robot = JSON.stringify({ kind: "channel", channelId: "robot:quality_assurance", name: "质量保证部", platform: "wecom", address: "robot:quality_assurance" });
    for (let i = 0; i < 25; i++) {
      await app.db.delivery.create({ data: { platform: "wecom", recipient: member, payload: JSON.stringify({ lines: [`app ${i}`] }) } });
      await app.db.delivery.create({ data: { platform: "wecom", recipient: robot, payload: JSON.stringify({ lines: [`robot ${i}`] }) } });
    }
    const sent: string[] = [];
    const queue = new DeliveryQueue(app.outbox, { wecom: async ({ card }) => void sent.push(card.lines[0]!) }, { files: app.outboundFiles, redisUrl: TEST_REDIS_URL, prefix, log: silent });
    queue.start(100);
    cleanups.push(() => queue.stop());
    await until(async () => sent.filter((line) => line.startsWith("app")).length === 25 && sent.filter((line) => line.startsWith("robot")).length === 20, 10_000);
    // The robots' lane is spent for the minute: the last five wait in line, none is dropped.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sent.filter((line) => line.startsWith("robot"))).toHaveLength(20);
    expect(await app.db.delivery.count({ where: { status: "pending", recipient: robot } })).toBe(5);
    expect(laneOf("wecom", { recipient: robot, kind: "message" })).toBe("wecom-robots");
    expect(laneOf("wecom", { recipient: member, kind: "message" })).toBe("wecom");
    expect(laneOf("slack", { recipient: robot, kind: "message" })).toBe("slack");
    expect(laneOf("slack", { recipient: member, kind: "form" })).toBe("slack-files");
  });

  it("sends Slack's messages past a queue of forms: files have a lane of their own", async () => {
    const channel = JSON.stringify({ kind: "channel", channelId: "escalations", name: "售后升级", platform: "slack", address: "C0ESCALATE" });
    for (const line of [...LEVEL2_FAULT, "1"]) await say(app, "wang.fang", line);
    const ticket = (await app.core.tickets.findByNumber(FIRST_TICKET))!;
    for (let i = 0; i < 8; i++) await app.db.delivery.create({ data: { platform: "slack", kind: "form", recipient: channel, payload: JSON.stringify({ lines: [`form ${i}`] }), ticketId: ticket.id } });
    for (let i = 0; i < 3; i++) await app.db.delivery.create({ data: { platform: "slack", recipient: channel, payload: JSON.stringify({ lines: [`message ${i}`] }) } });
    const sent: string[] = [];
    const form = { bytes: Buffer.from("%PDF-1.7"), name: "form.pdf", contentType: "application/pdf" };
    const queue = new DeliveryQueue(app.outbox, { slack: async ({ card }) => void sent.push(card.lines[0]!) }, { files: formsOnly(async () => form), redisUrl: TEST_REDIS_URL, prefix, log: silent });
    queue.start(100);
    cleanups.push(() => queue.stop());
    await until(async () => sent.filter((line) => line.startsWith("message")).length === 3, 5_000);
    // One form a second at most: most are still waiting when every message is out.
    expect(sent.filter((line) => line.startsWith("form")).length).toBeLessThan(8);
  });
});
