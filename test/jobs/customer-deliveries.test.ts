import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { loadConfig } from "../../bot/config/env.js";
import { createCustomerSenders } from "../../bot/customer-senders.js";
import { MailSender } from "../../bot/mail/mail-sender.js";
import { AliyunSmsProvider } from "../../bot/sms/aliyun-sms-provider.js";
import { createSmsSender } from "../../bot/sms/sms-sender.js";
import { DeliveryQueue, type Sender } from "../../jobs/delivery-queue.js";
import { FakeAliyunSms } from "../fakes/aliyun-sms-server.js";
import { TestSmtpServer } from "../fakes/smtp-test-server.js";
import { receiptNotification, ticketOwingReceipt, writeOutbox } from "../support/customer-receipts.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";
import { runCli } from "../support/run-cli.js";
import { freshDatabaseFile, startTestApp } from "../support/test-app.js";

const silent = pino({ level: "silent" });
const KEY = { accessKeyId: "LTAI5tTestKey0001", accessKeySecret: "Very-Secret-Key-123" };
const RECEIPT_TEMPLATE = "SMS_154950909";
let app: App;
let dbFile: string;
let prefix: string;
let sms: FakeAliyunSms;
let smtp: TestSmtpServer;
let cleanups: (() => unknown)[];

beforeEach(async () => {
  cleanups = [];
  const db = freshDatabaseFile();
  dbFile = db.file;
  cleanups.push(db.cleanup);
  prefix = uniquePrefix();
  cleanups.push(() => deleteKeys(prefix));
  app = await startTestApp(db.file);
  cleanups.push(() => app.close());
  sms = await FakeAliyunSms.start({ ...KEY, signName: "中华汽车", templates: { [RECEIPT_TEMPLATE]: ["number", "result"] } });
  cleanups.push(() => sms.close());
  smtp = await TestSmtpServer.start();
  cleanups.push(() => smtp.close());
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function realSenders(flowControlWaitMs = 100): { sms: Sender; email: Sender } {
  const provider = new AliyunSmsProvider({ ...KEY, signName: "中华汽车", endpoint: sms.endpoint, flowControlWaitMs, throttlingWaitMs: 100 });
  const mail = new MailSender({ smtpUrl: smtp.url, from: "中华汽车售后 <hotline@example.com>", timeoutMs: 5_000, log: silent });
  cleanups.push(() => mail.close());
  return { sms: createSmsSender({ provider, templateCodes: { receipt: RECEIPT_TEMPLATE }, log: silent }), email: mail.send };
}

function run(senders: Partial<Record<"sms" | "email", Sender>>, options: { maxAttempts?: number } = {}): DeliveryQueue {
  const queue = new DeliveryQueue(app.outbox, senders, { files: app.outboundFiles, redisUrl: TEST_REDIS_URL, prefix, backoffMs: 50, log: silent, ...options });
  queue.start(100);
  cleanups.push(() => queue.stop());
  return queue;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

const delivery = (id: number) => app.db.delivery.findUniqueOrThrow({ where: { id } });
const statusOf = async (id: number) => (await delivery(id)).status;
const receiptEvents = async (ticketId: number) =>
  (await app.db.ticketEvent.findMany({ where: { ticketId, type: { in: ["receipt_sent", "receipt_failed"] } }, orderBy: { id: "asc" } })).map((e) => ({ type: e.type, data: JSON.parse(e.data) as unknown }));

describe("receipts to customers through the delivery queue", () => {
  it("sends an SMS and an e-mail receipt once each; the first sent meets the receipt deadline and both are on the timeline", async () => {
    const ticket = await ticketOwingReceipt(app);
    const [bySms, byEmail] = await writeOutbox(app, ticket.id, [
      receiptNotification("sms", ticket.number, "+8613812345678"),
      receiptNotification("email", ticket.number, "zhang.san@example.com"),
    ]);
    run(realSenders());
    await until(async () => (await statusOf(bySms!)) === "sent" && (await statusOf(byEmail!)) === "sent");

    expect(sms.accepted).toMatchObject([{ phone: "8613812345678", templateCode: RECEIPT_TEMPLATE, params: { number: ticket.number, result: "已更换空调压缩机" } }]);
    expect(smtp.received).toMatchObject([{ envelopeTo: ["zhang.san@example.com"], subject: `回执 ${ticket.number}` }]);
    const deadline = await app.db.deadline.findUniqueOrThrow({ where: { id: ticket.deadlineId } });
    expect(deadline.status).toBe("met");
    expect(deadline.metAt).not.toBeNull();
    expect((await receiptEvents(ticket.id)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { type: "receipt_sent", data: { channel: "email" } },
      { type: "receipt_sent", data: { channel: "sms" } },
    ]);
    await new Promise((r) => setTimeout(r, 400)); // more passes of the queue send nothing again
    expect(sms.accepted).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
    expect(await delivery(bySms!)).toMatchObject({ attempts: 1, lastError: null });
  });

  it("retries an SMS the number's flow control held back, later, without spending its attempts, and it arrives", async () => {
    const ticket = await ticketOwingReceipt(app);
    const [id] = await writeOutbox(app, ticket.id, [receiptNotification("sms", ticket.number, "+8613812345678")]);
    sms.limitNext(3);
    run(realSenders(60), { maxAttempts: 2 });
    await until(async () => (await delivery(id!)).lastError?.includes("rate limited") ?? false);
    expect(await delivery(id!)).toMatchObject({ status: "pending", attempts: 0 });
    expect((await delivery(id!)).lastError).toMatch(/^Aliyun SMS: isv\.BUSINESS_LIMIT_CONTROL \(触发分钟级流控Permits:1\); rate limited, trying again in \d+ s$/);
    await until(async () => (await statusOf(id!)) === "sent");
    expect(sms.answered.map((a) => a.code)).toEqual(["isv.BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_CONTROL", "OK"]);
    expect(sms.accepted).toHaveLength(1);
    expect(await delivery(id!)).toMatchObject({ attempts: 1, lastError: null });
    expect((await app.db.deadline.findUniqueOrThrow({ where: { id: ticket.deadlineId } })).status).toBe("met");
  });

  it("holds back only the limited number's message, while another number's goes out", async () => {
    const first = await ticketOwingReceipt(app);
    const second = await ticketOwingReceipt(app);
    const [held] = await writeOutbox(app, first.id, [receiptNotification("sms", first.number, "+8613800000001")]);
    sms.limitNext(1);
    run(realSenders(1_500));
    await until(async () => (await delivery(held!)).lastError?.includes("rate limited") ?? false);
    const [other] = await writeOutbox(app, second.id, [receiptNotification("sms", second.number, "+8613800000002")]);
    await until(async () => (await statusOf(other!)) === "sent", 1_200);
    expect(await statusOf(held!)).toBe("pending");
    await until(async () => (await statusOf(held!)) === "sent");
    expect(sms.accepted.map((m) => m.phone)).toEqual(["8613800000002", "8613800000001"]);
  });

  it("pauses the SMS lane while the account is throttled, then sends", async () => {
    const ticket = await ticketOwingReceipt(app);
    const [id] = await writeOutbox(app, ticket.id, [receiptNotification("sms", ticket.number, "+8613812345678")]);
    sms.failNext(2, 429, { "retry-after": "1" });
    run(realSenders(), { maxAttempts: 1 });
    await until(async () => (await statusOf(id!)) === "sent", 10_000);
    expect(sms.answered.map((a) => a.status)).toEqual([429, 429, 200]);
    expect(await delivery(id!)).toMatchObject({ attempts: 1 });
  });

  it("keeps a refused SMS failed with Aliyun's code and message, on the timeline and in `hotline deliveries`", async () => {
    const ticket = await ticketOwingReceipt(app);
    const [id] = await writeOutbox(app, ticket.id, [receiptNotification("sms", ticket.number, "+8613812345678")]);
    sms.refuseNumber("8613812345678");
    run(realSenders());
    await until(async () => (await statusOf(id!)) === "failed");
    expect(await delivery(id!)).toMatchObject({ attempts: 1, lastError: "Aliyun SMS: isv.MOBILE_NUMBER_ILLEGAL (非法手机号)" });
    expect(await receiptEvents(ticket.id)).toEqual([{ type: "receipt_failed", data: { channel: "sms", error: "Aliyun SMS: isv.MOBILE_NUMBER_ILLEGAL (非法手机号)" } }]);
    expect((await app.db.deadline.findUniqueOrThrow({ where: { id: ticket.deadlineId } })).status).toBe("pending");

    const listed = await runCli(["deliveries", "--failed"], { env: { DATABASE_URL: `file:${dbFile}` } });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`#${id}  failed  sms      张先生 (138****5678)  ${ticket.number}  attempts 1`);
    expect(listed.stdout).toContain("isv.MOBILE_NUMBER_ILLEGAL (非法手机号)");
    expect(listed.stdout).not.toContain("13812345678");
  });

  it("fails an e-mail the relay refuses with 550, and sends it on `hotline deliveries retry` once the relay takes it", async () => {
    const ticket = await ticketOwingReceipt(app);
    const [id] = await writeOutbox(app, ticket.id, [receiptNotification("email", ticket.number, "zhang.san@example.com")]);
    smtp.refuseRecipient("zhang.san@example.com");
    run(realSenders());
    await until(async () => (await statusOf(id!)) === "failed");
    expect((await delivery(id!)).lastError).toMatch(/^SMTP 550: 550 5\.1\.1/);
    const env = { DATABASE_URL: `file:${dbFile}` };
    expect((await runCli(["deliveries", "--failed"], { env })).stdout).toContain(`#${id}  failed  email    张先生 (z***@example.com)`);

    smtp.acceptRecipient("zhang.san@example.com");
    expect((await runCli(["deliveries", "retry", String(id)], { env })).stdout).toContain(`Delivery ${id} will be sent again.`);
    await until(async () => (await statusOf(id!)) === "sent");
    expect(smtp.received).toHaveLength(1);
    expect((await app.db.deadline.findUniqueOrThrow({ where: { id: ticket.deadlineId } })).status).toBe("met");
    expect((await receiptEvents(ticket.id)).map((e) => e.type)).toEqual(["receipt_failed", "receipt_sent"]);
  });

  it("retries an e-mail the relay deferred with 451 and 421, and it arrives once", async () => {
    const ticket = await ticketOwingReceipt(app);
    const [id] = await writeOutbox(app, ticket.id, [receiptNotification("email", ticket.number, "zhang.san@example.com")]);
    smtp.deferNext(1, 451);
    run(realSenders());
    await until(async () => (await statusOf(id!)) === "sent");
    expect(smtp.refusals).toEqual([451]);
    expect(await delivery(id!)).toMatchObject({ attempts: 2, lastError: null });
    smtp.deferNext(1, 421);
    const [again] = await writeOutbox(app, ticket.id, [receiptNotification("email", ticket.number, "zhang.san@example.com")]);
    await until(async () => (await statusOf(again!)) === "sent");
    expect(smtp.refusals).toEqual([451, 421]);
    expect(smtp.received).toHaveLength(2);
  });

  it("fails a receipt at once on a channel nobody configured, saying what to set", async () => {
    const ticket = await ticketOwingReceipt(app);
    const [bySms, byEmail] = await writeOutbox(app, ticket.id, [
      receiptNotification("sms", ticket.number, "+8613812345678"),
      receiptNotification("email", ticket.number, "zhang.san@example.com"),
    ]);
    const unconfigured = await createCustomerSenders(loadConfig({ LOG_LEVEL: "silent" }), silent);
    run(unconfigured.senders);
    await until(async () => (await statusOf(bySms!)) === "failed" && (await statusOf(byEmail!)) === "failed");
    expect((await delivery(bySms!)).lastError).toMatch(/^SMS is not configured: set SMS_PROVIDER=aliyun/);
    expect((await delivery(byEmail!)).lastError).toMatch(/^e-mail is not configured: set SMTP_URL and MAIL_FROM/);
    expect((await receiptEvents(ticket.id)).map((e) => e.type)).toEqual(["receipt_failed", "receipt_failed"]);
    expect((await app.db.deadline.findUniqueOrThrow({ where: { id: ticket.deadlineId } })).status).toBe("pending");
  });
});
