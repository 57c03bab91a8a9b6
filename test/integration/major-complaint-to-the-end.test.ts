import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { MailSender } from "../../bot/mail/mail-sender.js";
import { AliyunSmsProvider } from "../../bot/sms/aliyun-sms-provider.js";
import { createSmsSender } from "../../bot/sms/sms-sender.js";
import type { AttachmentRef } from "../../core/tickets/ticket.js";
import { DeliveryQueue } from "../../jobs/delivery-queue.js";
import { FakeAliyunSms } from "../fakes/aliyun-sms-server.js";
import { TestSmtpServer } from "../fakes/smtp-test-server.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";
import { freshDatabaseFile, say, startTestApp, type TestClock } from "../support/test-app.js";

/*
 * A level-2 major complaint from the service center to the customer's receipt (manual §4, §5), as
 * the people involved walk it, with the customer's SMS and e-mail sent through the delivery queue
 * to a provider that checks Aliyun's signature and to a real SMTP server.
 */

const silent = pino({ level: "silent" });
const KEY = { accessKeyId: "LTAI5tWalkKey0001", accessKeySecret: "Walk-Secret-Key-456" };
const TEMPLATE = "SMS_200000001";
const NUMBER = "HL-20261126-0001";
const RESULT = "更换制动总泵并赔付维修期间交通费";

/** A customer complaint: a major accident without casualties (level 2), the customer's e-mail given. */
const COMPLAINT = [
  "/new", "2", "1", "2", "LSGPC52U6AF102554", "32000", "顾客投诉：行驶中制动失灵撞上护栏，要求赔偿",
  "否", "没有", "否", "否", "是", // casualties, media, manufacturing loss, loss above value, major accident
  "李女士", "13812345678", "2025-06-01", "li.nvshi@example.com", "是", "完成", "1",
];

let app: App;
let db: ReturnType<typeof freshDatabaseFile>;
let clock: TestClock;
let sms: FakeAliyunSms;
let smtp: TestSmtpServer;
let mail: MailSender;
let queue: DeliveryQueue;
const prefix = uniquePrefix();

beforeAll(async () => {
  db = freshDatabaseFile();
  clock = { now: new Date("2026-11-26T02:00:00Z") }; // 10:00 in Shanghai
  app = await startTestApp(db.file, clock);
  sms = await FakeAliyunSms.start({ ...KEY, signName: "华晨汽车", templates: { [TEMPLATE]: ["number", "result"] } });
  smtp = await TestSmtpServer.start();
  const provider = new AliyunSmsProvider({ ...KEY, signName: "华晨汽车", endpoint: sms.endpoint });
  mail = new MailSender({ smtpUrl: smtp.url, from: "华晨汽车售后 <hotline@example.com>", timeoutMs: 5_000, log: silent });
  const senders = { sms: createSmsSender({ provider, templateCodes: { receipt: TEMPLATE }, log: silent }), email: mail.send };
  queue = new DeliveryQueue(app.outbox, senders, { files: app.outboundFiles, redisUrl: TEST_REDIS_URL, prefix, backoffMs: 50, log: silent });
  queue.start(100);
});

afterAll(async () => {
  await queue.stop();
  await mail.close();
  await Promise.all([sms.close(), smtp.close()]);
  await app.close();
  await deleteKeys(prefix);
  db.cleanup();
});

const later = (minutes: number) => (clock.now = new Date(clock.now.getTime() + minutes * 60_000));
const ticket = async () => (await app.core.tickets.findByNumber(NUMBER))!;
const pending = async (kind: string) => (await ticket()).deadlines.filter((d) => d.kind === kind && d.status === "pending");
const signedCopy: AttachmentRef = { platform: "telegram", fileId: "AgACAgIAAx0signed", kind: "photo", name: "协议签字页.jpg" };

/** The chat messages carrying the receipt, by recipient. */
async function chatReceipts(): Promise<string[]> {
  const rows = await app.db.delivery.findMany({ where: { kind: "message", platform: { notIn: ["sms", "email"] } }, orderBy: { id: "asc" } });
  return rows
    .filter((r) => (JSON.parse(r.payload).lines as string[]).some((line) => line.startsWith("回执：")))
    .map((r) => {
      const recipient = JSON.parse(r.recipient) as { memberId?: string; channelId?: string };
      return recipient.memberId ?? recipient.channelId ?? "?";
    });
}

describe("a level-2 major complaint, walked to the end", () => {
  it("is reported by the service center and held for after-sales, who confirms it and leads the team", async () => {
    for (const line of COMPLAINT) await say(app, "wang.fang", line);
    expect(await ticket()).toMatchObject({ kind: "complaint", category: "major", level: 2, releasedAt: null, customerEmail: "li.nvshi@example.com", saleDate: "2025-06-01" });
    later(10);
    expect((await say(app, "zhou.min", `/confirm ${NUMBER}`)).text).toContain(`已确认 ${NUMBER}：重大质量信息 2 级`);
    const confirmed = await ticket();
    expect(confirmed.team.map((s) => [s.departmentId, s.memberId])).toEqual([
      ["after_sales", "zhou.min"],
      ["quality_assurance", null],
      ["legal_counsel", null],
      ["sales_finance", null],
    ]);
    expect(await pending("measures")).toHaveLength(1);
  });

  it("gets QA's measures before their deadline, which goes to after-sales to coordinate", async () => {
    later(30);
    const [measures] = await pending("measures");
    expect(clock.now.getTime()).toBeLessThan(measures!.dueAt.getTime());
    expect((await say(app, "chen.jie", `/measures ${NUMBER} 召回同批次制动总泵检测，更换故障件`)).text).toContain(NUMBER);
    const after = await ticket();
    expect(after.deadlines.find((d) => d.id === measures!.id)?.status).toBe("met");
    expect(after.records.map((r) => [r.kind, r.text, r.by])).toEqual([["measures", "召回同批次制动总泵检测，更换故障件", "chen.jie"]]);
  });

  it("adds public relations to the team, then every seat is appointed and confirmed", async () => {
    expect((await say(app, "zhou.min", `/team ${NUMBER} add public_relations`)).text).toContain("华晨公关部");
    expect((await ticket()).team.map((s) => s.departmentId)).toContain("public_relations");
    // An acknowledgement does not fill a seat (§5: 小组成员应得到授权).
    await say(app, "sun.li", `/ack ${NUMBER}`);
    expect((await ticket()).pings.find((p) => p.duty === "appoint_team_member" && p.departmentId === "public_relations")?.acknowledgedAt).toBeNull();

    await say(app, "chen.jie", `/appoint ${NUMBER} gao.feng`);
    await say(app, "gao.feng", `/confirm ${NUMBER}`);
    await say(app, "zhang.wei", `/appoint ${NUMBER} zhang.wei`);
    await say(app, "li.na", `/appoint ${NUMBER} li.na`);
    await say(app, "sun.li", `/appoint ${NUMBER} sun.li`);
    const team = (await ticket()).team;
    expect(team.every((s) => s.memberId !== null && s.confirmedAt !== null)).toBe(true);
    expect(team).toHaveLength(5);
    expect((await ticket()).pings.filter((p) => p.duty === "appoint_team_member" && p.cancelledAt === null).every((p) => p.acknowledgedAt !== null)).toBe(true);
  });

  it("refuses the agreement before the team is on site, then records the site visit and the responsibility split", async () => {
    expect((await say(app, "zhou.min", `/agreement ${NUMBER} 更换制动总泵 5000`)).text).toContain("处理小组尚未到达现场");
    later(120);
    await say(app, "gao.feng", `/onsite ${NUMBER}`);
    expect((await ticket()).status).toBe("team_on_site");
    expect(await pending("on_site")).toEqual([]);
    await say(app, "gao.feng", `/responsibility ${NUMBER} 制动总泵制造缺陷，责任在厂方；顾客无责任`);
    expect((await ticket()).records.map((r) => r.kind)).toEqual(["measures", "responsibility"]);
  });

  it("records the agreement's terms and amount with its signed copy, and sales finance handles the amount", async () => {
    later(60);
    const agreed = await say(app, "zhou.min", `/agreement ${NUMBER} 免费更换制动总泵，赔付交通费 5200元`);
    expect(agreed.text).toContain("¥5,200.00");
    await say(app, "zhou.min", { attachments: [signedCopy] });
    await say(app, "zhou.min", { choice: "done" });
    const signed = await ticket();
    expect(signed.status).toBe("agreement_signed");
    const agreement = signed.records.find((r) => r.kind === "agreement")!;
    expect(agreement).toMatchObject({ text: "免费更换制动总泵，赔付交通费", amountFen: 520_000, override: null, by: "zhou.min" });
    expect(agreement.attachments).toEqual([{ platform: "telegram", fileId: signedCopy.fileId, kind: "photo", name: "协议签字页.jpg" }]);
    expect(signed.pings.some((p) => p.duty === "handle_finance" && p.memberId === "li.na")).toBe(true);
    expect(await pending("finance")).toHaveLength(1);

    later(240);
    await say(app, "li.na", `/finance ${NUMBER} 交通费 5200 元已转账至顾客账户`);
    expect(await pending("finance")).toEqual([]);
  });

  it("is resolved with its result: the center, the reporter and the customer (SMS and e-mail) get the receipt once each", async () => {
    const resolved = await say(app, "zhou.min", `/resolve ${NUMBER} ${RESULT}`);
    expect(resolved.text).toContain("回执发送：上报人、服务中心、短信通知顾客、电子邮件通知顾客");
    await queue.idle(15_000);

    expect(sms.accepted.map((m) => [m.phone, m.templateCode, m.params])).toEqual([["8613812345678", TEMPLATE, { number: NUMBER, result: RESULT }]]);
    expect(smtp.received.map((m) => [m.envelopeTo, m.to, m.subject])).toEqual([
      [["li.nvshi@example.com"], '"李女士" <li.nvshi@example.com>', `华晨汽车售后服务事业部：您的服务单 ${NUMBER} 已处理完毕`],
    ]);
    expect(smtp.received[0]!.text).toContain(`处理结果：${RESULT}`);
    // The reporter is of the Shenyang center; its other staff member is the center's copy.
    expect((await chatReceipts()).sort()).toEqual(["ma.jun", "wang.fang"]);
    const final = await ticket();
    expect(final).toMatchObject({ status: "resolved", result: RESULT, resolvedBy: "zhou.min" });
    const events = await app.db.ticketEvent.findMany({ where: { ticketId: final.id, type: "receipt_sent" } });
    expect(events.map((e) => JSON.parse(e.data).channel).sort()).toEqual(["email", "sms"]);
    expect((await app.db.delivery.findMany({ where: { status: { not: "sent" }, platform: { in: ["sms", "email"] } } }))).toEqual([]);
  });
});
