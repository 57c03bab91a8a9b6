import { spawn } from "node:child_process";
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adapterDeps } from "../../bot/adapter-deps.js";
import type { App } from "../../bot/app.js";
import { DeliveryQueue } from "../../jobs/delivery-queue.js";
import { TelegramAdapter } from "../../bot/telegram/telegram-adapter.js";
import { DEADLINES_QUEUE, DeadlineTimers, timerJobId } from "../../jobs/deadline-timers.js";
import { RECOVER_QUICKLY } from "../../jobs/redis-connection.js";
import { FakeBotApi } from "../fakes/telegram-bot-api.js";
import { writeOrganisationFile, withoutConfirmation } from "../support/organisation.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";
import { freshDatabaseFile, say, startTestApp } from "../support/test-app.js";

const silent = pino({ level: "silent" });
const ZHOU = 100000001; // the after-sales lead, on Telegram in this organisation
const ZHAO = 100000077; // the senior manager
const QIAN = 100000078; // the assistant to the VP
/** A level-1 fault: casualties settle the level at the first severity question. */
const LEVEL1_FAULT = ["/new", "1", "1", "2", "unknown", "unknown", "刹车失灵导致追尾，有人受伤", "是", "张先生", "13812345678", "unknown", "无", "是", "完成", "1"];
/** Real time, seconds long: acknowledge in 1.5 s, reminded 0.75 s before, each escalation step 1.5 s. */
const ACK_MINUTES = 0.025;

let db: ReturnType<typeof freshDatabaseFile>;
let fake: FakeBotApi;
let prefix: string;
let cleanups: (() => unknown)[];
const realClock = { get now() { return new Date(); } };

beforeEach(async () => {
  cleanups = [];
  db = freshDatabaseFile();
  cleanups.push(db.cleanup);
  prefix = uniquePrefix();
  cleanups.push(() => deleteKeys(prefix));
  fake = await FakeBotApi.start();
  cleanups.push(() => fake.close());
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Running {
  app: App;
  timers: DeadlineTimers;
  dispatcher: DeliveryQueue;
}

/** The app with Telegram delivery and the deadline timers, on the fake Bot API and a real Redis. */
async function start(options: { worker?: boolean; ackMinutes?: number; level1?: unknown[] } = {}): Promise<Running> {
  const ack = options.ackMinutes ?? ACK_MINUTES;
  const orgFile = writeOrganisationFile(db.file.replace(/hotline\.db$/, ""), (org) => {
    withoutConfirmation(org);
    const member = (id: string) => org.members.find((m: { id: string }) => m.id === id);
    member("zhou.min").preferredPlatform = "telegram";
    member("zhao.ming").identities.telegram = String(ZHAO);
    member("zhao.ming").preferredPlatform = "telegram";
    member("qian.hao").identities.telegram = String(QIAN);
    member("qian.hao").preferredPlatform = "telegram";
    org.escalation.plans.level1 = options.level1 ?? [{ department: "after_sales", duty: "confirm" }];
    org.deadlines = { acknowledgeMinutes: { general: ack, level1: ack, level2: ack, level3: ack }, reminderMinutesBefore: [ack / 2] };
  });
  const app = await startTestApp(db.file, realClock, { ORG_CONFIG: orgFile });
  const adapter = new TelegramAdapter(adapterDeps(app), { token: fake.token, apiRoot: fake.apiRoot, botInfo: fake.botInfo, log: silent });
  const dispatcher = new DeliveryQueue(app.outbox, { telegram: adapter.send }, { files: app.outboundFiles, redisUrl: TEST_REDIS_URL, prefix, log: silent });
  dispatcher.start(200);
  const timers = new DeadlineTimers(app, { redisUrl: TEST_REDIS_URL, prefix, onFired: () => dispatcher.kick(), log: silent });
  if (options.worker !== false) timers.startWorker();
  cleanups.push(async () => {
    await timers.close();
    await dispatcher.stop();
    await app.close();
  });
  return { app, timers, dispatcher };
}

async function reportLevel1(app: App): Promise<string> {
  for (const line of LEVEL1_FAULT) await say(app, "wang.fang", line);
  return (await app.db.ticket.findFirstOrThrow()).number;
}

const textsTo = (chatId: number) => fake.sentTo(chatId).map((m) => m.text);

describe("deadline timers on BullMQ", () => {
  it("reminds the lead before the deadline, through the platform", async () => {
    const { app, timers } = await start();
    const number = await reportLevel1(app);
    expect(await timers.scheduleNew()).toBe(1);
    await fake.waitFor(() => textsTo(ZHOU).some((t) => t.includes("⏰")), 5_000);
    expect(textsTo(ZHOU).find((t) => t.includes("⏰"))).toContain(`${number} 的“请确认工单及其级别”将于`);
    const events = await app.db.ticketEvent.findMany({ where: { type: "reminded" } });
    expect(events).toHaveLength(1);
  });

  it("cancels the reminders when the ping is acknowledged", async () => {
    const { app, timers } = await start();
    const number = await reportLevel1(app);
    await timers.scheduleNew();
    const deadline = await app.db.deadline.findFirstOrThrow({ where: { kind: "acknowledge" } });
    expect(await timers.queue.getJob(timerJobId(deadline.id, 0))).toBeDefined();
    await say(app, "zhou.min", `/ack ${number}`);
    expect(await timers.removeMet()).toBe(1);
    expect(await timers.queue.getJob(timerJobId(deadline.id, 0))).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // past the reminder and the deadline
    expect(textsTo(ZHOU).some((t) => t.includes("⏰"))).toBe(false);
    expect(await app.db.ticketEvent.count({ where: { type: { in: ["reminded", "escalated"] } } })).toBe(0);
    expect((await app.db.deadline.findFirstOrThrow({ where: { kind: "acknowledge" } })).status).toBe("met");
  });

  it("removes the timers of deadlines a new level cancels, and queues those it adds", async () => {
    const level1 = [{ department: "after_sales", duty: "confirm" }, { department: "quality_assurance", duty: "technical_support" }];
    const { app, timers } = await start({ worker: false, ackMinutes: 60, level1 });
    const number = await reportLevel1(app);
    // After-sales' confirmation, QA's acknowledgement and QA's technical support (§4 立即委派).
    expect(await timers.scheduleNew()).toBe(3);
    const support = await app.db.deadline.findFirstOrThrow({ where: { kind: "acknowledge" }, orderBy: { id: "desc" } });
    const sending = await app.db.deadline.findFirstOrThrow({ where: { kind: "support" } });
    expect(await timers.queue.getJob(timerJobId(support.id, 0))).toBeDefined();

    await say(app, "zhou.min", `/grade ${number} 2 无人员伤亡`);
    expect((await app.db.deadline.findUniqueOrThrow({ where: { id: support.id } })).status).toBe("cancelled");
    expect((await app.db.deadline.findUniqueOrThrow({ where: { id: sending.id } })).status).toBe("cancelled");
    expect(await timers.removeMet()).toBe(3); // after-sales' (met by grading), QA's acknowledgement and its support (cancelled)
    expect(await timers.queue.getJob(timerJobId(support.id, 0))).toBeUndefined();
    expect(await timers.queue.getJob(timerJobId(sending.id, 0))).toBeUndefined();
    // Level 2 asks QA for measures: its acknowledgement and the measures deadline get timers.
    expect(await timers.scheduleNew()).toBe(2);
  });

  it("walks an unacknowledged level-1 ping up the whole chain, then records it missed", async () => {
    const { app, timers } = await start();
    const number = await reportLevel1(app);
    await timers.scheduleNew();
    await fake.waitFor(() => textsTo(QIAN).some((t) => t.includes("✘")), 10_000);
    expect(textsTo(ZHAO).find((t) => t.includes("⚠"))).toContain(`${number} 的“请确认工单及其级别”已超时未完成（原负责：周敏）`);
    expect(textsTo(QIAN).find((t) => t.includes("⚠"))).toContain("原负责：赵明");
    expect(textsTo(ZHOU).some((t) => t.includes("已升级至 赵明"))).toBe(true);
    const events = await app.db.ticketEvent.findMany({ where: { type: { in: ["reminded", "escalated", "deadline_missed"] } }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.type)).toEqual(["reminded", "escalated", "reminded", "escalated", "reminded", "deadline_missed"]);
    expect(events.filter((e) => e.type === "escalated").map((e) => JSON.parse(e.data).to)).toEqual(["zhao.ming", "qian.hao"]);
    expect((await app.db.deadline.findFirstOrThrow({ where: { kind: "acknowledge" } })).status).toBe("missed");
  });

  it("lets the manager an escalation reached acknowledge it, which stops the chain", async () => {
    const { app, timers } = await start();
    const number = await reportLevel1(app);
    await timers.scheduleNew();
    await fake.waitFor(() => textsTo(ZHAO).some((t) => t.includes("⚠")), 5_000);
    expect((await say(app, "zhao.ming", `/ack ${number}`)).text).toBe(`已响应 ${number}。`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(textsTo(QIAN)).toEqual([]);
    expect((await app.db.deadline.findFirstOrThrow({ where: { kind: "acknowledge" } })).status).toBe("met");
  });

  it("re-creates lost timers after Redis is flushed, and each reminder still goes out once", async () => {
    // Slower deadlines (reminded after 3 s), so a busy machine cannot push the reminder past its deadline.
    const first = await start({ worker: false, ackMinutes: 0.1 });
    await reportLevel1(first.app);
    await first.timers.scheduleNew();
    expect(await deleteKeys(prefix)).toBeGreaterThan(0); // Redis loses everything
    const { timers } = await start({ ackMinutes: 0.1 });
    expect(await timers.reconcile()).toBe(1);
    expect(await timers.reconcile()).toBe(0); // the timer is there now
    await fake.waitFor(() => textsTo(ZHOU).some((t) => t.includes("⏰")), 8_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(textsTo(ZHOU).filter((t) => t.includes("⏰"))).toHaveLength(1);
  });

  it("has one effect when two workers get the same firing", async () => {
    const a = await start();
    const b = await start();
    await reportLevel1(a.app);
    await a.timers.scheduleNew();
    const deadline = await a.app.db.deadline.findFirstOrThrow({ where: { kind: "acknowledge" } });
    // A stray duplicate timer for the same firing, as a retry or a second scheduler could leave.
    await b.timers.queue.add("fire", { deadlineId: deadline.id, seq: 0 }, { jobId: `${timerJobId(deadline.id, 0)}-dup`, delay: 750 });
    await fake.waitFor(() => textsTo(ZHOU).some((t) => t.includes("⏰")), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(textsTo(ZHOU).filter((t) => t.includes("⏰"))).toHaveLength(1);
    expect(await a.app.db.ticketEvent.count({ where: { type: "reminded" } })).toBe(1);
  });

  it("runs a timer that a killed process had in hand within seconds of the restart", async () => {
    const { app } = await start({ worker: false });
    await reportLevel1(app);
    const waiting = new DeadlineTimers(app, { redisUrl: TEST_REDIS_URL, prefix, log: silent });
    cleanups.push(() => waiting.close());
    await waiting.scheduleNew();

    // Another process of the bot takes the timer when it is due, and dies while firing it.
    const dying = spawn(process.execPath, ["--input-type=module", "-e", HANGING_WORKER], {
      env: { ...process.env, REDIS_URL: TEST_REDIS_URL, PREFIX: prefix, QUEUE: DEADLINES_QUEUE, SETTINGS: JSON.stringify(RECOVER_QUICKLY) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    cleanups.push(() => dying.kill("SIGKILL"));
    await new Promise<void>((resolve) => dying.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("took") && resolve()));
    dying.kill("SIGKILL");
    const killedAt = Date.now();

    waiting.startWorker(); // the restarted process
    const fired = () => app.db.ticketEvent.findFirst({ where: { type: { in: ["reminded", "escalated"] } } });
    while (!(await fired()) && Date.now() - killedAt < 30_000) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Date.now() - killedAt).toBeLessThan(10_000); // about 8 s; BullMQ's defaults take 30 to 60 s
    // By then the deadline itself has passed: the firing escalates it, once.
    await fake.waitFor(() => textsTo(ZHAO).some((t) => t.includes("⚠")), 5_000);
    expect(textsTo(ZHAO).filter((t) => t.includes("⚠"))).toHaveLength(1);
  }, 45_000);

  it("runs a reconcile asked for while another pass runs, after it", async () => {
    const { app, timers } = await start({ worker: false });
    await reportLevel1(app);
    await timers.scheduleNew();
    const deadline = await app.db.deadline.findFirstOrThrow({ where: { kind: "acknowledge" } });
    await deleteKeys(prefix); // Redis loses the timer; the database says it is queued
    timers.kick();
    timers.requestReconcile(); // asked while the kick's pass runs
    await timers.settled();
    expect(await timers.queue.getJob(timerJobId(deadline.id, 0))).toBeDefined();
  });

  it("queues again a timer whose job was left in the failed set under its id", async () => {
    const { app, timers } = await start({ worker: false });
    await reportLevel1(app);
    const deadline = await app.db.deadline.findFirstOrThrow({ where: { kind: "acknowledge" } });
    await timers.queue.add("fire", { deadlineId: deadline.id, seq: 0 }, { jobId: timerJobId(deadline.id, 0), attempts: 1 });
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const failing = new Worker(DEADLINES_QUEUE, async () => { throw new Error("the database was away"); }, { connection, prefix });
    await new Promise<void>((resolve) => failing.on("failed", () => resolve()));
    await failing.close();
    connection.disconnect();
    expect(await (await timers.queue.getJob(timerJobId(deadline.id, 0)))?.getState()).toBe("failed");

    expect(await timers.reconcile()).toBe(1);
    timers.startWorker();
    await fake.waitFor(() => textsTo(ZHOU).some((t) => t.includes("⏰")), 5_000);
  });
});

/** A worker like the bot's, in a process of its own, that takes a timer and never finishes it. */
const HANGING_WORKER = `
import { createRequire } from "node:module";
const require = createRequire(${JSON.stringify(new URL("../../package.json", import.meta.url).pathname)});
const { Worker } = require("bullmq");
const { Redis } = require("ioredis");
const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
new Worker(process.env.QUEUE, () => { console.log("took"); return new Promise(() => {}); }, { connection, prefix: process.env.PREFIX, ...JSON.parse(process.env.SETTINGS) });
`;
