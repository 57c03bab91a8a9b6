import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino, type Logger } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adapterDeps } from "../../../bot/adapter-deps.js";
import type { App } from "../../../bot/app.js";
import { DeliveryQueue } from "../../../jobs/delivery-queue.js";
import { createHttpServer, type RouteHandler } from "../../../bot/http/server.js";
import { TelegramAdapter } from "../../../bot/telegram/telegram-adapter.js";
import { COMMANDS } from "../../../core/conversation/commands.js";
import { issueInvite } from "../../../core/directory/invites.js";
import { BotApiError, FakeBotApi, type SentMessage } from "../../fakes/telegram-bot-api.js";
import { writeOrganisationFile, withoutConfirmation } from "../../support/organisation.js";
import { eventually } from "../../support/eventually.js";
import { pdfText } from "../../support/pdf-text.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../../support/redis.js";
import { freshDatabaseFile, startTestApp, type TestClock } from "../../support/test-app.js";

const silent = pino({ level: "silent" });
const WANG = { id: 200000001, first_name: "王芳" }; // bound in the organisation file, Shenyang staff
const MA = { id: 200000002, first_name: "马骏" };
const ZHOU = { id: 100000001, first_name: "周敏" }; // the after-sales lead
const STRANGER = { id: 999, first_name: "Mallory" };
const SECRET = "webhook-secret_42";
const ESCALATION_GROUP = -100200300;

let fake: FakeBotApi;
let db: ReturnType<typeof freshDatabaseFile>;
let clock: TestClock;
let orgFile: string;
let cleanups: (() => unknown)[];
let prefix: string;

/** The default organisation, with the after-sales lead taking pings on Telegram and a Telegram escalation group. */
function writeOrganisation(dir: string): string {
  return writeOrganisationFile(dir, (org) => {
    withoutConfirmation(org);
    org.members.find((m: { id: string }) => m.id === "zhou.min").preferredPlatform = "telegram";
    org.members.find((m: { id: string }) => m.id === "chen.jie").identities.telegram = "100000042";
    org.channels.push({
      id: "tg-escalations",
      name: { zh: "售后升级群", en: "After-sales escalations" },
      platform: "telegram",
      externalId: String(ESCALATION_GROUP),
      purpose: "escalation",
      levels: ["level1", "level2"],
    });
  });
}

beforeEach(async () => {
  cleanups = [];
  prefix = uniquePrefix();
  cleanups.push(() => deleteKeys(prefix));
  db = freshDatabaseFile();
  cleanups.push(db.cleanup);
  orgFile = writeOrganisation(db.file.replace(/hotline\.db$/, ""));
  clock = { now: new Date("2026-11-26T02:00:00Z") };
  fake = await FakeBotApi.start();
  cleanups.push(() => fake.close());
});

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Running {
  app: App;
  adapter: TelegramAdapter;
  dispatcher: DeliveryQueue;
  stop(): Promise<void>;
}

/** A logger that keeps every line it writes, to check what the adapter logs. */
function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: pino({ level: "debug" }, { write: (line: string) => void lines.push(line) }), lines };
}

/** The real app and adapter on the fake Bot API: polling by default, webhook with a secret. */
async function startBot(options: { webhook?: boolean; log?: Logger; webhookHandlingLimitMs?: number } = {}): Promise<Running> {
  const app = await startTestApp(db.file, clock, { ORG_CONFIG: orgFile });
  let dispatcher: DeliveryQueue | undefined;
  const adapter = new TelegramAdapter(adapterDeps(app), {
    token: fake.token,
    apiRoot: fake.apiRoot,
    botInfo: fake.botInfo,
    webhookSecret: options.webhook ? SECRET : undefined,
    onNotifications: () => dispatcher?.kick(),
    log: options.log ?? silent,
    ...(options.webhookHandlingLimitMs ? { webhookHandlingLimitMs: options.webhookHandlingLimitMs } : {}),
  });
  dispatcher = new DeliveryQueue(app.outbox, { telegram: adapter.send }, { files: app.outboundFiles, redisUrl: TEST_REDIS_URL, prefix, log: silent });
  dispatcher.start(200);
  await adapter.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await adapter.stop();
    await dispatcher.idle(2_000);
    await dispatcher.stop();
    await app.close();
  };
  cleanups.push(stop);
  return { app, adapter, dispatcher, stop };
}

const sent = (chatId: number) => fake.sentTo(chatId).filter((m) => !m.deleted);

/** Pushes an update and waits for the bot's next message(s) in that chat. */
async function exchange(chatId: number, update: Parameters<FakeBotApi["pushUpdate"]>[0]): Promise<SentMessage> {
  const before = sent(chatId).length;
  fake.pushUpdate(update);
  await fake.waitFor(() => sent(chatId).length > before, 5_000);
  return sent(chatId).at(-1)!;
}

const say = (user: typeof WANG, text: string, chat?: { id: number; type: "group" | "supergroup"; title?: string }) =>
  exchange(chat?.id ?? user.id, fake.textMessage({ from: user, text, ...(chat ? { chat } : {}) }));

const press = (user: typeof WANG, message: SentMessage, data: string) =>
  exchange(message.chatId, fake.callbackQuery({ from: user, message, data }));

/** A level-2 fault: buttons where the dialog offers them, typed answers elsewhere. */
async function reportLevel2(user: typeof WANG): Promise<SentMessage> {
  let question = await say(user, "/new");
  question = await press(user, question, "fault");
  question = await press(user, question, "service_center");
  question = await press(user, question, "zhonghua");
  question = await say(user, "LSGPC52U6AF102554");
  question = await say(user, "12000");
  question = await say(user, "行驶中制动失灵，撞上护栏");
  for (const answer of ["no", "none", "no", "no", "yes"]) question = await press(user, question, answer);
  question = await say(user, "张先生");
  question = await say(user, "13812345678");
  for (const answer of ["unknown", "none", "yes"]) question = await press(user, question, answer); // sale date, e-mail, tell the customer
  question = await press(user, question, "done");
  return press(user, question, "confirm");
}

describe("the Telegram adapter, through grammY against a fake Bot API", () => {
  it("walks a whole report from /start <invite> to the ticket-created message, in polling mode", async () => {
    const { app } = await startBot();
    const newcomer = { id: 300, first_name: "新人" };
    const { code } = await issueInvite(app.core, { memberId: "ma.jun", platform: "telegram" });
    expect((await say(newcomer, `/start ${code}`)).text).toContain("欢迎，马骏！");

    const created = await reportLevel2(newcomer);
    expect(created.text).toContain("已登记工单 HL-20261126-0001");
    expect(created.text).toContain("重大质量信息 2 级");
    expect(created.text).toContain("造成重大质量事故，未导致人员伤亡");

    const firstQuestion = sent(300).find((m) => m.versions[0]?.includes("请选择上报类型"))!;
    expect(firstQuestion.text).toContain("→ 质量故障");
    expect(firstQuestion.replyMarkup).toBeUndefined();
    expect(fake.callsOf("answerCallbackQuery")).toHaveLength(13); // every button press answered
    const ticket = await app.core.tickets.findByNumber("HL-20261126-0001");
    expect(ticket).toMatchObject({ reporterId: "ma.jun", originPlatform: "telegram", level: 2 });
    expect(fake.myCommands(undefined, "en")?.map((c) => c.command)).toContain("new");
    expect(fake.myCommands(undefined, "zh")?.find((c) => c.command === "new")?.description).toBe("上报质量故障或顾客投诉");
  });

  it("re-asks a bad answer with the reason and keeps the report where it was", async () => {
    await startBot();
    let question = await say(WANG, "/new");
    for (const choice of ["fault", "service_center", "zhonghua"]) question = await press(WANG, question, choice);
    const retry = await say(WANG, "LSGPC52U6AF102555");
    expect(retry.text).toContain("校验位");
    expect(retry.text).toContain("请输入车辆识别代号");
    expect((await say(WANG, "LSGPC52U6AF102554")).text).toContain("行驶里程");
  });

  it("refuses a stranger with one sentence and stores nothing", async () => {
    const { app } = await startBot();
    const reply = await say(STRANGER, "/new");
    expect(reply.text).toContain("请向管理员索取邀请码（系统管理员 / Administrator）");
    expect(await app.db.inboundEvent.count()).toBe(0);
    expect(await app.db.delivery.count()).toBe(0);
    expect(await app.db.dialogSession.count()).toBe(0);
    expect(await app.db.identity.count({ where: { externalId: "999" } })).toBe(0);
  });

  it("resumes a report after a restart in the middle of the dialog", async () => {
    const first = await startBot();
    let question = await say(WANG, "/new");
    question = await press(WANG, question, "complaint");
    await first.stop();
    await startBot();
    const next = await press(WANG, question, "hotline"); // the old question's button still answers "source"
    expect(next.text).toContain("车辆品牌");
  });

  it("retries a 429 after its retry_after and still delivers the reply", async () => {
    await startBot();
    fake.failNext("sendMessage", { status: 429, retryAfter: 1 });
    const reply = await say(WANG, "/help");
    expect(reply.text).toContain("/new");
    const attempts = fake.callsOf("sendMessage");
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1_000);
  });

  it("keeps apart two people reporting at the same time in one group", async () => {
    const { app } = await startBot();
    const group = { id: -1001, type: "supergroup" as const, title: "沈阳服务中心" };
    const wangQuestion = await say(WANG, "/new", group);
    const maQuestion = await say(MA, "/new", group);
    const before = sent(group.id).length;
    fake.pushUpdate(fake.callbackQuery({ from: WANG, message: wangQuestion, data: "complaint" }));
    fake.pushUpdate(fake.callbackQuery({ from: MA, message: maQuestion, data: "fault" }));
    await fake.waitFor(() => sent(group.id).length >= before + 2, 5_000); // both answered
    const sessions = await app.db.dialogSession.findMany({ orderBy: { memberId: "asc" } });
    expect(sessions.map((s) => [s.memberId, s.conversation, JSON.parse(s.state).draft.kind])).toEqual([
      ["ma.jun", "telegram:-1001", "fault"],
      ["wang.fang", "telegram:-1001", "complaint"],
    ]);
    // Chatter in the group that is not addressed to the bot is not an answer.
    fake.pushUpdate(fake.textMessage({ from: WANG, chat: group, text: "大家好" }));
    await say(WANG, "/mine", group);
    expect(JSON.parse((await app.db.dialogSession.findFirstOrThrow({ where: { memberId: "wang.fang" } })).state).draft.source).toBeUndefined();
  });

  it("keeps a photo on the ticket as its Telegram file id", async () => {
    const { app } = await startBot();
    let question = await say(WANG, "/new");
    for (const choice of ["fault", "service_center", "haise"]) question = await press(WANG, question, choice);
    for (const text of ["unknown", "unknown", "空调异响，怠速时明显"]) question = await say(WANG, text);
    for (const answer of ["no", "none", "no", "no", "no", "none", "none"]) question = await press(WANG, question, answer);
    question = await press(WANG, question, "none"); // no claim
    question = await press(WANG, question, "no"); // no breakdown
    question = await press(WANG, question, "no"); // neither performance nor safety (§4)
    question = await press(WANG, question, "no"); // no batch
    await say(WANG, "李女士");
    await say(WANG, "024-12345678");
    await say(WANG, "2024-03-05"); // the sale date
    await say(WANG, "无"); // no e-mail
    await say(WANG, "是"); // the customer may be told the result
    const photo = fake.photoMessage({ from: WANG, caption: "仪表盘" });
    const received = await exchange(WANG.id, photo);
    expect(received.text).toContain("已收到 1 个附件");
    question = await press(WANG, received, "done");
    await press(WANG, question, "confirm");
    const ticket = (await app.core.tickets.findByNumber("HL-20261126-0001"))!;
    const fileId = (photo.message!.photo!.at(-1)!).file_id;
    expect(ticket.attachments).toEqual([{ platform: "telegram", fileId, kind: "photo" }]);
  });

  it("attaches a photo captioned /attach <no> to the ticket at once", async () => {
    const { app } = await startBot();
    await reportLevel2(WANG);
    const photo = fake.photoMessage({ from: WANG, caption: "/attach HL-20261126-0001" });
    const reply = await exchange(WANG.id, photo);
    expect(reply.text).toBe("已为 HL-20261126-0001 添加 1 个附件。");
    const fileId = photo.message!.photo!.at(-1)!.file_id;
    expect((await app.core.tickets.findByNumber("HL-20261126-0001"))!.attachments).toEqual([{ platform: "telegram", fileId, kind: "photo" }]);

    // In a group, the caption addresses the bot as a command does.
    const group = { id: -1003, type: "supergroup" as const, title: "沈阳服务中心" };
    const inGroup = fake.photoMessage({ from: WANG, chat: group, caption: "/attach@test_bot HL-20261126-0001" });
    expect((await exchange(group.id, inGroup)).text).toBe("已为 HL-20261126-0001 添加 1 个附件。");
    expect((await app.core.tickets.findByNumber("HL-20261126-0001"))!.attachments).toHaveLength(2);
    expect(await app.db.dialogSession.count()).toBe(0);
  });

  it("asks /attach <no> for files, adds a photo and a document, and ends on the Done button", async () => {
    const { app } = await startBot();
    await reportLevel2(WANG);
    const asked = await say(WANG, "/attach HL-20261126-0001");
    expect(asked.text).toContain("请发送 HL-20261126-0001 的照片或文件");
    const photo = fake.photoMessage({ from: WANG });
    const added = await exchange(WANG.id, photo);
    expect(added.text).toBe("已为 HL-20261126-0001 添加 1 个附件。\n继续发送，或点“完成”。");
    const document = fake.documentMessage({ from: WANG, fileName: "检测报告.pdf" });
    const again = await exchange(WANG.id, document);
    const done = await press(WANG, again, "done");
    expect(done.text).toBe("HL-20261126-0001 的附件已添加完毕（共 2 个）。");
    const ticket = (await app.core.tickets.findByNumber("HL-20261126-0001"))!;
    expect(ticket.attachments).toEqual([
      { platform: "telegram", fileId: photo.message!.photo!.at(-1)!.file_id, kind: "photo" },
      { platform: "telegram", fileId: document.message!.document!.file_id, kind: "document", name: "检测报告.pdf" },
    ]);
    expect(await app.db.dialogSession.count()).toBe(0);
  });

  it("asks for a note when a /note <no> button is pressed, and the next text is the note", async () => {
    const { app } = await startBot();
    await reportLevel2(WANG);
    const status = await say(WANG, "/status HL-20261126-0001");
    const asked = await press(WANG, status, "/note HL-20261126-0001");
    expect(asked.text).toBe("请输入 HL-20261126-0001 的备注内容（/cancel 取消）");
    expect((await say(WANG, "顾客已到店")).text).toBe("已为 HL-20261126-0001 添加备注。");
    const note = await app.db.ticketEvent.findFirstOrThrow({ where: { type: "note" } });
    expect(JSON.parse(note.data)).toEqual({ text: "顾客已到店" });
  });

  it("publishes every command of the core's table in both languages, the team commands and /report among them", async () => {
    await startBot();
    for (const language of ["zh", "en"]) {
      const names = fake.myCommands(undefined, language)?.map((c) => c.command);
      expect(names).toEqual(COMMANDS.map((row) => row.name));
      expect(names).toEqual(expect.arrayContaining(["team", "appoint", "confirm", "onsite", "agreement", "report", "attach"]));
    }
    expect(fake.myCommands(undefined, "en")?.find((c) => c.command === "onsite")?.description).toBe("Record the team on site: /onsite <HL-…>");
  });

  it("fetches a kept file's bytes with getFile when they are needed", async () => {
    const { adapter } = await startBot();
    const photo = fake.photoMessage({ from: WANG, bytes: "JPEG-BYTES" });
    const fileId = photo.message!.photo!.at(-1)!.file_id;
    expect((await adapter.downloadFile(fileId)).toString()).toBe("JPEG-BYTES");
    expect(fake.callsOf("getFile").at(-1)!.params.file_id).toBe(fileId);
  });

  it("delivers a ping with buttons to a lead, whose Acknowledge is recorded and reported to the reporter", async () => {
    const { app, dispatcher } = await startBot();
    await reportLevel2(WANG);
    await fake.waitFor(() => sent(ZHOU.id).length > 0, 5_000);
    const ping = sent(ZHOU.id)[0]!;
    expect(ping.text).toContain("新工单 HL-20261126-0001：重大质量信息 2 级");
    expect(ping.text).toContain("售后服务部: 请确认工单及其级别");
    // This organisation asks for no confirmation first: the duty is answered by acknowledging it.
    expect(ping.text).toContain("前响应：/ack HL-20261126-0001");
    expect(ping.text).toContain("138****5678");
    const buttons = (ping.replyMarkup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat().map((b) => b.callback_data);
    expect(buttons).toEqual(["/ack HL-20261126-0001", "/take HL-20261126-0001", "/resolve HL-20261126-0001"]);

    // The ticket's form follows the ping before the lead answers (its own test is below).
    await fake.waitFor(() => sent(ZHOU.id).some((m) => m.kind === "document"), 10_000);
    const confirmation = await press(ZHOU, ping, "/ack HL-20261126-0001");
    expect(confirmation.text).toBe("已响应 HL-20261126-0001。");
    const ticket = (await app.core.tickets.findByNumber("HL-20261126-0001"))!;
    expect(ticket.status).toBe("confirmed");
    expect(ticket.pings.find((p) => p.memberId === "zhou.min")?.acknowledgedBy).toBe("zhou.min");

    await fake.waitFor(() => sent(WANG.id).some((m) => m.text.includes("已由 周敏（售后服务部）响应")), 5_000);
    await dispatcher.idle();
    const telegramDeliveries = await app.db.delivery.findMany({ where: { platform: "telegram", replyTo: null } });
    // The lead and the group, each with the form after the post; the reporter.
    expect(telegramDeliveries.map((d) => [d.kind, d.status])).toEqual([["message", "sent"], ["form", "sent"], ["message", "sent"], ["form", "sent"], ["message", "sent"]]);
    expect(await app.db.delivery.count({ where: { platform: "telegram", replyTo: { not: null }, status: { not: "sent" } } })).toBe(0); // every reply went out
    expect(await app.db.delivery.count({ where: { platform: "slack", status: "pending" } })).toBeGreaterThan(0);
  });

  it("posts a major ticket in a Telegram escalation group with real mentions of the pinged leads", async () => {
    await startBot();
    await reportLevel2(WANG);
    await fake.waitFor(() => sent(ESCALATION_GROUP).length > 0, 5_000);
    const post = sent(ESCALATION_GROUP)[0]!;
    expect(post.rawText).toContain('<a href="tg://user?id=100000001">周敏</a>');
    expect(post.rawText).toContain('<a href="tg://user?id=100000042">陈杰</a>');
    expect(post.rawText).toContain("@赵明"); // no Telegram account: named, not linked
    expect(post.text).toContain("质量保证部 陈杰: 请提出处理措施");
  });

  it("sends the major ticket's form after its post: a PDF made as the ticket stands, the form's name as caption", async () => {
    const { app, adapter } = await startBot();
    await reportLevel2(WANG);
    await fake.waitFor(() => sent(ESCALATION_GROUP).some((m) => m.kind === "document"), 10_000);
    const [post, form] = sent(ESCALATION_GROUP);
    expect(post!.kind).toBe("text");
    expect(form!.kind).toBe("document");
    expect(form!.text).toBe("重大售后质量信息报告单：HL-20261126-0001");
    const document = form!.message.document!;
    expect(document.file_name).toBe("HL-20261126-0001-重大售后质量信息报告单.pdf");
    const bytes = await adapter.downloadFile(document.file_id);
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const text = pdfText(bytes);
    expect(text).toContain("HL-20261126-0001");
    expect(text).toContain("138****5678"); // the copy filed to the leaders: the customer's phone masked
    // One file for every recipient of this change: the archive holds one version.
    const kept = await app.documents.list();
    expect(kept.map((d) => [d.kind, d.version, d.madeFor])).toEqual([["major_quality_report", 1, null]]);
  });

  it("delivers an outbox message once after a 429, waiting its retry_after", async () => {
    const { app, dispatcher } = await startBot();
    fake.failNext("sendMessage", { status: 429, retryAfter: 1 });
    await app.db.delivery.create({
      data: {
        platform: "telegram",
        recipient: JSON.stringify({ kind: "member", memberId: "wang.fang", name: "王芳", platform: "telegram", address: String(WANG.id) }),
        payload: JSON.stringify({ lines: ["提醒"] }),
      },
    });
    dispatcher.kick();
    await fake.waitFor(() => sent(WANG.id).length === 1, 5_000);
    await dispatcher.idle();
    const attempts = fake.callsOf("sendMessage");
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(sent(WANG.id).map((m) => m.text)).toEqual(["提醒"]);
    expect(await app.db.delivery.findFirstOrThrow()).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("keeps a delivery the platform refuses as failed, with the error", async () => {
    const { app, dispatcher } = await startBot();
    fake.failNext("sendMessage", { status: 403, description: "Forbidden: bot was blocked by the user" }, 5);
    await app.db.delivery.create({
      data: {
        platform: "telegram",
        recipient: JSON.stringify({ kind: "member", memberId: "wang.fang", name: "王芳", platform: "telegram", address: String(WANG.id) }),
        payload: JSON.stringify({ lines: ["hello"] }),
        status: "pending",
      },
    });
    dispatcher.kick();
    await fake.waitFor(() => fake.callsOf("sendMessage").length >= 1, 5_000);
    await dispatcher.idle();
    const [delivery] = await app.db.delivery.findMany();
    expect(delivery).toMatchObject({ status: "failed", attempts: 1 });
    expect(delivery!.lastError).toContain("bot was blocked by the user");
  });

  it("answers a button pressed on an inline message and replies in the presser's private chat", async () => {
    await startBot();
    const before = sent(WANG.id).length;
    const update = fake.pushUpdate({
      callback_query: { id: "7700000000000000001", from: { ...WANG, is_bot: false }, inline_message_id: "AgAAAI5xAQB", chat_instance: "-42", data: "/help" },
    });
    await fake.waitFor(() => sent(WANG.id).length > before, 5_000);
    expect(sent(WANG.id).at(-1)!.text).toContain("/new");
    expect(fake.callsOf("answerCallbackQuery").map((c) => c.params.callback_query_id)).toEqual([update.callback_query!.id]);
  });

  it("ignores in a group a command addressed to another bot, and hears its own in any case", async () => {
    await startBot();
    const group = { id: -1002, type: "supergroup" as const, title: "沈阳服务中心" };
    fake.pushUpdate(fake.textMessage({ from: WANG, chat: group, text: "/help@other_bot" }));
    fake.pushUpdate(fake.textMessage({ from: WANG, chat: group, text: "/new@OtherBot" }));
    const own = await say(WANG, "/help@TEST_BOT", group);
    expect(own.text).toContain("/new");
    expect(sent(group.id)).toHaveLength(1); // updates of a chat are handled in order: the two before got nothing
    expect((await say(WANG, "/help", group)).text).toContain("/new");
    expect((await say(WANG, "/help@test_bot", group)).text).toContain("/new");
    expect(sent(group.id)).toHaveLength(3);
  });

  it("logs a failed reply by chat, method and Telegram's error, never the message", async () => {
    const { log, lines } = capturingLogger();
    const { app } = await startBot({ log });
    fake.failNext("sendMessage", { status: 400, description: "Bad Request: chat not found" });
    fake.pushUpdate(fake.textMessage({ from: WANG, text: "/help" }));
    await fake.waitFor(() => fake.callsOf("sendMessage").length === 1, 5_000);
    await fake.waitFor(() => lines.some((line) => line.includes("reply refused")), 5_000);
    const refusedText = String(fake.callsOf("sendMessage")[0]!.params.text);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const failure = logged.find((entry) => entry.msg === "reply refused; kept as failed")!;
    expect(failure).toMatchObject({ platform: "telegram", final: true, error: "sendMessage: 400 Bad Request: chat not found" });
    expect(typeof failure.event).toBe("string");
    expect(typeof failure.delivery).toBe("number");
    expect(lines.join("\n")).not.toContain(refusedText.slice(0, 40));
    expect(lines.join("\n")).not.toContain("payload");
    expect(await app.db.delivery.count({ where: { status: "failed" } })).toBe(1);
  });
});

describe("the Telegram webhook", () => {
  async function listen(routes: Record<string, RouteHandler>, app: App): Promise<string> {
    const server: Server = createHttpServer({ db: app.db, redisUrl: "redis://127.0.0.1:6379" }, routes);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram/webhook`;
  }

  it("answers 401 to a missing or wrong secret token and handles a right one", async () => {
    const { app, adapter } = await startBot({ webhook: true });
    const url = await listen(adapter.webhookRoute(), app);
    const update = { update_id: 5001, ...fake.textMessage({ from: WANG, text: "/help" }) };
    expect(await FakeBotApi.deliverWebhook(url, update)).toBe(401);
    expect(await FakeBotApi.deliverWebhook(url, update, "wrong")).toBe(401);
    expect(sent(WANG.id)).toHaveLength(0);
    expect(await FakeBotApi.deliverWebhook(url, update, SECRET)).toBe(200);
    expect(sent(WANG.id).at(-1)!.text).toContain("/new");
  });

  it("gives a redelivered update one effect", async () => {
    const { app, adapter } = await startBot({ webhook: true });
    const url = await listen(adapter.webhookRoute(), app);
    await FakeBotApi.deliverWebhook(url, { update_id: 6001, ...fake.textMessage({ from: WANG, text: "/new" }) }, SECRET);
    const choose = { update_id: 6002, ...fake.textMessage({ from: WANG, text: "2" }) };
    expect(await FakeBotApi.deliverWebhook(url, choose, SECRET)).toBe(200);
    expect(await FakeBotApi.deliverWebhook(url, choose, SECRET)).toBe(200);
    expect(sent(WANG.id)).toHaveLength(2); // the first question, then the second: no second answer
    const state = JSON.parse((await app.db.dialogSession.findFirstOrThrow()).state);
    expect(state.draft).toEqual({ kind: "complaint", triage: {}, attachments: [] });
    expect(await app.db.inboundEvent.count()).toBe(2);
  });

  /** POSTs raw bytes as Telegram would (JSON content type, the secret header); the status and the body. */
  async function post(url: string, body: string | Uint8Array, secretToken: string | undefined = SECRET): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secretToken !== undefined) headers["x-telegram-bot-api-secret-token"] = secretToken;
    const response = await fetch(url, { method: "POST", headers, body });
    return { status: response.status, body: await response.text() };
  }

  /** POSTs a body in chunks without a Content-Length (chunked transfer), as a proxy may. */
  function postChunked(url: string, chunks: Buffer[], secretToken = SECRET): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secretToken } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  const text = (update_id: number, user: typeof WANG, body: string) => JSON.stringify({ update_id, ...fake.textMessage({ from: user, text: body }) });

  it("answers 400 to a body that is not JSON text, so Telegram does not send it again", async () => {
    const { app, adapter } = await startBot({ webhook: true });
    const url = await listen(adapter.webhookRoute(), app);
    const valid = Buffer.from(text(7001, WANG, "/help"));
    const bodies: (string | Buffer)[] = [
      "{not json",
      "",
      valid.subarray(0, valid.length - 3), // truncated
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid]), // a UTF-8 byte order mark
      Buffer.concat([valid.subarray(0, 20), Buffer.from([0xff, 0xfe, 0xc3]), valid.subarray(20)]), // not UTF-8
    ];
    for (const body of bodies) expect((await post(url, body)).status, JSON.stringify(String(body))).toBe(400);
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
    expect((await post(url, valid)).status).toBe(200); // the route still works
    expect(sent(WANG.id)).toHaveLength(1);
  });

  it("answers 400 to JSON that is not an update: no integer update_id", async () => {
    const { app, adapter } = await startBot({ webhook: true });
    const url = await listen(adapter.webhookRoute(), app);
    for (const body of ["null", "[]", '"update"', "42", "{}", '{"update_id":"7002"}', '{"update_id":7002.5}', '{"update_id":null}']) {
      expect((await post(url, body)).status, body).toBe(400);
    }
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
  });

  it("answers 413 to a body over 1 MiB, declared or streamed, and still handles one just under", async () => {
    const { app, adapter } = await startBot({ webhook: true });
    const url = await listen(adapter.webhookRoute(), app);
    const padded = (size: number) => {
      const update = { update_id: 7003, ...fake.textMessage({ from: WANG, text: "/help" }) };
      const base = JSON.stringify({ ...update, padding: "" });
      return Buffer.from(JSON.stringify({ ...update, padding: "x".repeat(size - Buffer.byteLength(base)) }));
    };
    const tooLarge = padded(1024 * 1024 + 1);
    expect((await post(url, tooLarge)).status).toBe(413);
    const pieces = Array.from({ length: Math.ceil(tooLarge.length / 65_536) }, (_, i) => tooLarge.subarray(i * 65_536, (i + 1) * 65_536));
    expect(await postChunked(url, pieces)).toBe(413);
    expect(await postChunked(url, [tooLarge, tooLarge, tooLarge])).toBe(413);
    expect((await post(url, tooLarge, "wrong")).status).toBe(401); // the secret is checked first
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
    expect((await post(url, padded(1024 * 1024))).status).toBe(200);
    expect(sent(WANG.id)).toHaveLength(1);
  });

  it("answers 200 to an update whose fields have the wrong types, handles nothing of it and logs its update_id", async () => {
    const { log, lines } = capturingLogger();
    const { app, adapter } = await startBot({ webhook: true, log });
    const url = await listen(adapter.webhookRoute(), app);
    const message = fake.textMessage({ from: WANG, text: "/help" }).message!;
    const question = await FakeBotApi.deliverWebhook(url, { update_id: 7100, ...fake.textMessage({ from: WANG, text: "/new" }) }, SECRET).then(() => sent(WANG.id).at(-1)!);
    const press = fake.callbackQuery({ from: WANG, message: question, data: "fault" }).callback_query!;
    const { from: _from, ...pressWithoutFrom } = press;
    const { chat: _chat, ...messageWithoutChat } = message;
    const hostile: Record<string, unknown>[] = [
      { message: { ...message, text: 42 } },
      { message: messageWithoutChat },
      { message: { ...message, chat: { ...message.chat, id: "200000001" } } },
      { message: { ...message, from: "王芳" } },
      { message: "hello" },
      { message: null },
      { message: { ...message, photo: [{ file_id: 7 }] } },
      { message: { ...message, document: "file" } },
      { message: { ...message, reply_to_message: 5 } },
      { message: { ...message, text: "x".repeat(5000) } }, // Telegram never sends text over 4,096 characters
      { callback_query: pressWithoutFrom },
      { callback_query: { ...press, data: 5 } },
      { callback_query: { ...press, message: { ...press.message, reply_markup: { inline_keyboard: "fault" } } } },
      { callback_query: { ...press, from: { id: "200000001" } } },
    ];
    let updateId = 7101;
    for (const fields of hostile) {
      const body = JSON.stringify({ update_id: updateId++, ...fields });
      expect((await post(url, body)).status, body.slice(0, 200)).toBe(200);
    }
    expect(sent(WANG.id)).toHaveLength(1); // only the first question
    expect(fake.callsOf("answerCallbackQuery")).toHaveLength(0);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (let id = 7101; id < updateId; id += 1) expect(logged.some((entry) => entry.update === id), `update ${id} logged`).toBe(true);
    expect(lines.join("\n")).not.toContain("xxxxxxxxxx");
    expect((await post(url, text(updateId, WANG, "/help"))).status).toBe(200);
    expect(sent(WANG.id)).toHaveLength(2);
  });

  it("answers 200 when handling an update fails, logging its update_id and never its text", async () => {
    const { log, lines } = capturingLogger();
    const { app, adapter } = await startBot({ webhook: true, log });
    const url = await listen(adapter.webhookRoute(), app);
    await app.db.$executeRawUnsafe("DROP TABLE InboundEvent");
    expect((await post(url, text(7201, WANG, "客户张先生 13812345678 投诉"))).status).toBe(200);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.find((entry) => entry.event === "7201" && entry.level === 50)).toBeDefined();
    expect(lines.join("\n")).not.toContain("13812345678");
  });

  it("answers a stuck update after the handling limit, and the handling still finishes", async () => {
    const { app, adapter } = await startBot({ webhook: true, webhookHandlingLimitMs: 300 });
    const url = await listen(adapter.webhookRoute(), app);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.stub("sendMessage", async () => {
      await held;
      throw new BotApiError(400, "Bad Request: chat not found");
    });
    const started = Date.now();
    expect((await post(url, text(7301, WANG, "/help"))).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(fake.callsOf("sendMessage")).toHaveLength(1); // still waiting for its answer
    expect(await app.db.delivery.count({ where: { status: "sending" } })).toBe(1); // the reply, kept before it is sent
    release();
    // The handling goes on after the answer: the reply that failed is kept.
    await eventually(async () => (await app.db.delivery.count({ where: { status: "failed" } })) === 1, () => fake.describeCalls());
  });

  it("leaves no route when no secret is configured", async () => {
    const { adapter } = await startBot();
    expect(adapter.webhookRoute()).toEqual({});
  });
});
