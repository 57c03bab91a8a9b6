import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adapterDeps } from "../../bot/adapter-deps.js";
import type { App } from "../../bot/app.js";
import { TelegramAdapter } from "../../bot/telegram/telegram-adapter.js";
import { handleInbound } from "../../core/conversation/handle-inbound.js";
import { DeliveryQueue, type Sender } from "../../jobs/delivery-queue.js";
import { runPromptly } from "../../prisma/sqlite/sqlite-database.js";
import { GONE_AFTER_MS } from "../../prisma/stores/process-registry.js";
import { FakeBotApi } from "../fakes/telegram-bot-api.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";
import { freshDatabaseFile, startTestApp } from "../support/test-app.js";

const silent = pino({ level: "silent" });
const WANG = { id: 200000001, first_name: "王芳" }; // bound in the organisation file

let db: ReturnType<typeof freshDatabaseFile>;
let prefix: string;
let cleanups: (() => unknown)[];

beforeEach(() => {
  cleanups = [];
  db = freshDatabaseFile();
  prefix = uniquePrefix();
  cleanups.push(db.cleanup, () => deleteKeys(prefix));
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A bot process on the shared database file. */
async function startProcess(): Promise<App> {
  const app = await startTestApp(db.file);
  let closed = false;
  const close = app.close;
  app.close = async () => {
    if (closed) return;
    closed = true;
    await close();
  };
  cleanups.push(() => app.close());
  return app;
}

/** A process that died after its commit: the heartbeat stops, its row stays behind. */
async function dies(app: App): Promise<void> {
  await app.db.processInstance.update({ where: { id: app.processes.id }, data: { heartbeatAt: new Date(Date.now() - GONE_AFTER_MS - 1_000) } });
  (app.processes as unknown as { timer: NodeJS.Timeout }).timer.close();
}

function queue(app: App, send: Sender): DeliveryQueue {
  const deliveries = new DeliveryQueue(app.outbox, { telegram: send }, { files: app.outboundFiles, redisUrl: TEST_REDIS_URL, prefix, log: silent });
  deliveries.start(100);
  cleanups.push(() => deliveries.stop());
  return deliveries;
}

describe("a process killed between a commit and the messages it owes", () => {
  it("answers a redelivered Telegram update with the reply its sender never got, once", async () => {
    const fake = await FakeBotApi.start();
    cleanups.push(() => fake.close());
    const update = fake.textMessage({ from: WANG, text: "/new" });

    // The first process handles the update, commits, and dies before its reply goes out.
    const first = await startProcess();
    const outcome = await handleInbound(first.unitOfWork, { platform: "telegram", eventId: "5001", senderId: String(WANG.id), conversation: `telegram:${WANG.id}`, replyAddress: String(WANG.id), seenByOthers: false, text: "/new" }, "zh-CN");
    expect(outcome.kind).toBe("handled");
    await dies(first);

    // Telegram sends the update again to the restarted process.
    const second = await startProcess();
    const adapter = new TelegramAdapter(adapterDeps(second), { token: fake.token, apiRoot: fake.apiRoot, botInfo: fake.botInfo, log: silent });
    await adapter.start();
    cleanups.push(() => adapter.stop());
    fake.pushUpdate({ ...update, update_id: 5001 });
    await fake.waitFor(() => fake.sentTo(WANG.id).length > 0, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.sentTo(WANG.id).map((m) => m.text)).toHaveLength(1);
    expect(fake.sentTo(WANG.id)[0]!.text).toContain("请选择上报类型");
    expect(await second.db.delivery.findFirstOrThrow({ where: { replyTo: "telegram:5001" } })).toMatchObject({ status: "sent", mayHaveArrived: true });
    expect(await second.db.dialogSession.count()).toBe(1); // the update had its effect once
  });

  it("sends from the outbox what a dead process was sending, telling the sender it may have arrived", async () => {
    const first = await startProcess();
    await handleInbound(first.unitOfWork, { platform: "telegram", eventId: "6001", senderId: String(WANG.id), conversation: `telegram:${WANG.id}`, replyAddress: String(WANG.id), seenByOthers: false, text: "/new" }, "zh-CN");
    await dies(first);

    const second = await startProcess();
    const received: { text: string; mayHaveArrived: boolean }[] = [];
    const deliveries = queue(second, async ({ card, mayHaveArrived }) => void received.push({ text: card.lines[0]!, mayHaveArrived }));
    const deadline = Date.now() + 5_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await deliveries.idle();
    expect(received).toEqual([{ text: expect.stringContaining("请选择上报类型"), mayHaveArrived: true }]);
  });

  it("leaves a live process's claims alone", async () => {
    const sender = await startProcess();
    await handleInbound(sender.unitOfWork, { platform: "telegram", eventId: "7001", senderId: String(WANG.id), conversation: `telegram:${WANG.id}`, replyAddress: String(WANG.id), seenByOthers: false, text: "/new" }, "zh-CN");
    const other = await startProcess();
    const received: string[] = [];
    queue(other, async ({ card }) => void received.push(card.lines[0]!));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(received).toEqual([]);
    expect(await other.db.delivery.findFirstOrThrow({ where: { replyTo: "telegram:7001" } })).toMatchObject({ status: "sending", claimedBy: sender.processes.id });

    // It stops cleanly: what it still held is taken over at once.
    await sender.close();
    const deadline = Date.now() + 5_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toHaveLength(1);
  });
});

describe("marking a message sent", () => {
  it("goes ahead of the units of work waiting for the database", async () => {
    const app = await startProcess();
    const order: string[] = [];
    let release!: () => void;
    let started!: () => void;
    const holds = new Promise<void>((resolve) => (started = resolve));
    const holding = app.unitOfWork.run(() => new Promise<void>((resolve) => ((release = resolve), started())));
    await holds;
    const waiting = Array.from({ length: 5 }, (_, i) => app.unitOfWork.run(async () => void order.push(`unit ${i}`)));
    const prompt = runPromptly(app.db, () => void order.push("marked sent"));
    release();
    await Promise.all([holding, ...waiting, prompt]);
    expect(order[0]).toBe("marked sent");
  });
});
