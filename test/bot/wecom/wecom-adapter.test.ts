import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { pino, type Logger } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adapterDeps } from "../../../bot/adapter-deps.js";
import type { App } from "../../../bot/app.js";
import { createHttpServer } from "../../../bot/http/server.js";
import { SlackAdapter } from "../../../bot/slack/slack-adapter.js";
import { WECOM_CALLBACK_PATH, WecomAdapter } from "../../../bot/wecom/wecom-adapter.js";
import { WecomApiError } from "../../../bot/wecom/wecom-client.js";
import { WecomCrypto } from "../../../bot/wecom/wecom-crypto.js";
import { DeliveryQueue, PermanentDeliveryError, type OutboundFile, type OutboundFiles, type OutboundMessage, type Sender } from "../../../jobs/delivery-queue.js";
import { formsOnly } from "../../support/forms-only.js";
import { FakeSlackApi } from "../../fakes/slack-web-api.js";
import { encryptedCallback, eventXml, FakeWecomApi, textMessageXml, urlVerificationQuery } from "../../fakes/wecom-api.js";
import { writeOrganisationFile, withoutConfirmation } from "../../support/organisation.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../../support/redis.js";
import { LEVEL1_COMPLAINT, LEVEL1_FAULT } from "../../support/report-script.js";
import { eventually as waitUntil } from "../../support/eventually.js";
import { freshDatabaseFile, say, startTestApp, type TestClock } from "../../support/test-app.js";

const silent = pino({ level: "silent" });
const CORP_ID = "ww1436e0e65a779aee";
const AGENT_ID = 1000002;
const TOKEN = "hotlineToken42";
const AES_KEY = Buffer.alloc(32, 7).toString("base64").slice(0, 43);
const AFTER_SALES_ROBOT = "robot-key-after-sales";
const QA_ROBOT = "robot-key-qa";
const NUMBER = "HL-20261126-0001";

let wecom: FakeWecomApi;
let db: ReturnType<typeof freshDatabaseFile>;
let clock: TestClock;
let prefix: string;
let cleanups: (() => unknown)[];
const crypto = new WecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, corpId: CORP_ID });

beforeEach(async () => {
  cleanups = [];
  prefix = uniquePrefix();
  cleanups.push(() => deleteKeys(prefix));
  db = freshDatabaseFile();
  cleanups.push(db.cleanup);
  clock = { now: new Date("2026-11-26T02:00:00Z") };
  wecom = await FakeWecomApi.start({ corpId: CORP_ID, corpSecret: "s3cret", agentId: AGENT_ID, robotKeys: [AFTER_SALES_ROBOT, QA_ROBOT] });
  cleanups.push(() => wecom.close());
  // The QA robot's key comes from the environment, as a deployment keeps it.
  process.env.HOTLINE_TEST_QA_ROBOT = QA_ROBOT;
  cleanups.push(() => delete process.env.HOTLINE_TEST_QA_ROBOT);
});

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Running {
  app: App;
  url: string;
  deliveries: DeliveryQueue;
  /** The adapter's sender, as the delivery queue calls it. */
  send: Sender;
  adapter: WecomAdapter;
  slack?: FakeSlackApi;
}

/**
 * The real app with the WeCom adapter on the fake API: department robots for after-sales and QA,
 * complaint teams in WeCom, and (optionally) Slack carrying the escalation channel as well.
 */
async function startBot(options: { withSlack?: boolean; bodyTimeoutMs?: number; log?: Logger; files?: OutboundFiles } = {}): Promise<Running> {
  const orgFile = writeOrganisationFile(db.file.replace(/hotline\.db$/, ""), (org) => {
    withoutConfirmation(org);
    const department = (id: string) => org.departments.find((d: { id: string }) => d.id === id);
    department("after_sales").wecomRobotKey = AFTER_SALES_ROBOT;
    department("quality_assurance").wecomRobotKey = "env:HOTLINE_TEST_QA_ROBOT";
    const gao = org.members.find((m: { id: string }) => m.id === "gao.feng");
    gao.identities.wecom = "gaofeng";
    gao.preferredPlatform = "wecom";
    org.channels.push({ id: "wecom-teams", name: { zh: "投诉处理小组", en: "Complaint teams" }, platform: "wecom", externalId: "appchat", purpose: "team" });
  });
  const app = await startTestApp(db.file, clock, { ORG_CONFIG: orgFile });
  let deliveries: DeliveryQueue | undefined;
  const adapter = new WecomAdapter(adapterDeps(app), {
    corpId: CORP_ID,
    agentId: AGENT_ID,
    secret: "s3cret",
    token: TOKEN,
    encodingAesKey: AES_KEY,
    apiBase: wecom.baseUrl,
    onNotifications: () => deliveries?.kick(),
    environment: process.env,
    ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
    log: options.log ?? silent,
  });
  const senders: Partial<Record<"wecom" | "slack", Sender>> = { wecom: adapter.send };
  const refreshers: { slack?: (ticketId: number) => Promise<void> } = {};
  let slack: FakeSlackApi | undefined;
  if (options.withSlack) {
    slack = await FakeSlackApi.start({ token: "xoxb-test" });
    const slackAdapter = new SlackAdapter(adapterDeps(app), { token: slack.token, signingSecret: "8f742231b10e8888abcd990000aaa85a", apiUrl: slack.apiUrl, log: silent });
    senders.slack = slackAdapter.send;
    refreshers.slack = slackAdapter.refresh;
    cleanups.push(() => slackAdapter.stop(), () => slack!.close());
  }
  deliveries = new DeliveryQueue(app.outbox, senders, { redisUrl: TEST_REDIS_URL, prefix, refreshers, backoffMs: 100, log: silent, files: options.files ?? app.outboundFiles });
  deliveries.start(100);
  await adapter.start();
  const server = createHttpServer({ db: app.db, redisUrl: TEST_REDIS_URL }, adapter.routes()).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  cleanups.push(async () => {
    server.close();
    await adapter.stop();
    await deliveries!.idle(3_000);
    await deliveries!.stop();
    await app.close();
  });
  return { app, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${WECOM_CALLBACK_PATH}`, deliveries, send: adapter.send, adapter, ...(slack ? { slack } : {}) };
}

const eventually = <T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs?: number) =>
  waitUntil(probe, () => wecom.describeCalls(), timeoutMs);

let msgId = 7_000_000_000_000_000;

/** POSTs an encrypted text message from a WeCom user, as WeCom does. */
async function post(bot: Running, fromUser: string, content: string, options: { msgId?: string; crypto?: WecomCrypto; signature?: string } = {}) {
  const xml = textMessageXml({ toUser: CORP_ID, fromUser, content, agentId: AGENT_ID, msgId: options.msgId ?? String(msgId++) });
  const { query, body } = encryptedCallback(options.crypto ?? crypto, xml);
  const params = new URLSearchParams({ ...query, ...(options.signature ? { msg_signature: options.signature } : {}) });
  const response = await fetch(`${bot.url}?${params}`, { method: "POST", body });
  return { status: response.status, body: await response.text() };
}

const repliesTo = (userid: string) => wecom.appMessages(userid).map((m) => m.content);

/** Sends a message and waits for the app's next reply to that user. */
async function converse(bot: Running, userid: string, content: string): Promise<string> {
  const before = repliesTo(userid).length;
  expect((await post(bot, userid, content)).status).toBe(200);
  return eventually(() => repliesTo(userid).length > before && repliesTo(userid).at(-1));
}

describe("the WeCom adapter, against a fake WeCom API", () => {
  it("answers the URL verification with the bare decrypted echostr, and refuses a forged one", async () => {
    const bot = await startBot();
    const query = urlVerificationQuery(crypto, "4892035018532571234");
    const ok = await fetch(`${bot.url}?${new URLSearchParams(query)}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("4892035018532571234");
    const forged = await fetch(`${bot.url}?${new URLSearchParams({ ...query, msg_signature: "0".repeat(40) })}`);
    expect(forged.status).toBe(401);
    expect(await forged.text()).toBe("");
  });

  it("runs a whole report from an encrypted text message, with numbered options and replies by message/send", async () => {
    const bot = await startBot();
    const first = await converse(bot, "wangfang", "/new");
    expect(first).toContain("请选择上报类型");
    expect(first).toContain("1. 质量故障");
    let reply = first;
    for (const answer of [...LEVEL1_FAULT.slice(1), "1"]) reply = await converse(bot, "wangfang", answer);
    expect(reply).toContain(`已登记工单 ${NUMBER}`);
    expect(reply).toContain("重大质量信息 1 级");
    const ticket = await bot.app.core.tickets.findByNumber(NUMBER);
    expect(ticket).toMatchObject({ reporterId: "wang.fang", originPlatform: "wecom", level: 1 });
    expect(wecom.callsOf("gettoken")).toHaveLength(1); // the token is cached across all those replies
  });

  it("asks /attach <no> for files and adds the images that follow, until 完成", async () => {
    const bot = await startBot();
    for (const line of [...LEVEL1_FAULT, "1"]) await say(bot.app, "wang.fang", line);
    expect(await converse(bot, "wangfang", `/attach ${NUMBER}`)).toContain(`请发送 ${NUMBER} 的照片或文件`);
    const image =
      "<xml>" +
      `<ToUserName><![CDATA[${CORP_ID}]]></ToUserName><FromUserName><![CDATA[wangfang]]></FromUserName>` +
      `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[image]]></MsgType>` +
      `<PicUrl><![CDATA[https://wework.qpic.cn/x]]></PicUrl><MediaId><![CDATA[MEDIA_1]]></MediaId>` +
      `<MsgId>${msgId++}</MsgId><AgentID>${AGENT_ID}</AgentID></xml>`;
    const before = repliesTo("wangfang").length;
    const { query, body } = encryptedCallback(crypto, image);
    expect((await fetch(`${bot.url}?${new URLSearchParams(query)}`, { method: "POST", body })).status).toBe(200);
    const added = await eventually(() => repliesTo("wangfang").length > before && repliesTo("wangfang").at(-1));
    expect(added).toContain(`已为 ${NUMBER} 添加 1 个附件。`);
    expect(added).toContain("1. 完成");
    expect(await converse(bot, "wangfang", "完成")).toContain(`${NUMBER} 的附件已添加完毕（共 1 个）。`);
    expect((await bot.app.core.tickets.findByNumber(NUMBER))!.attachments).toEqual([{ platform: "wecom", fileId: "MEDIA_1", kind: "photo" }]);
  });

  it("gives a redelivered MsgId one effect", async () => {
    const bot = await startBot();
    for (let i = 0; i < 3; i++) expect((await post(bot, "wangfang", "/new", { msgId: "1234567890123456" })).status).toBe(200);
    await eventually(() => repliesTo("wangfang").length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(repliesTo("wangfang")).toHaveLength(1);
    expect(await bot.app.db.inboundEvent.count({ where: { platform: "wecom" } })).toBe(1);
  });

  it("answers a redelivered MsgId from someone not in the directory once", async () => {
    const bot = await startBot();
    for (let i = 0; i < 3; i++) expect((await post(bot, "stranger02", "/new", { msgId: "2234567890123456" })).status).toBe(200);
    await eventually(() => repliesTo("stranger02").length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(repliesTo("stranger02")).toHaveLength(1);
  });

  it("refuses a bad signature, another corp's message and a malformed body with 4xx and no effect", async () => {
    const bot = await startBot();
    expect((await post(bot, "wangfang", "/new", { signature: "f".repeat(40) })).status).toBe(401);
    const otherCorp = new WecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, corpId: "wwSomeOtherCorp" });
    expect((await post(bot, "wangfang", "/new", { crypto: otherCorp })).status).toBe(403);
    const malformed = await fetch(`${bot.url}?msg_signature=x&timestamp=1&nonce=2`, { method: "POST", body: "<xml><Nothing/></xml>" });
    expect(malformed.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(wecom.appMessages()).toHaveLength(0);
    expect(await bot.app.db.inboundEvent.count()).toBe(0);
    expect(await bot.app.db.dialogSession.count()).toBe(0);
  });

  it("tells a WeCom user who is not in the directory whom to ask, and records nothing", async () => {
    const bot = await startBot();
    const reply = await converse(bot, "stranger01", "/new");
    expect(reply).toContain("系统管理员 / Administrator");
    expect(await bot.app.db.inboundEvent.count()).toBe(0);
    expect(await bot.app.db.delivery.count()).toBe(0);
    expect(await bot.app.db.dialogSession.count()).toBe(0);
  });

  it("escalates a level-1 ticket into the department groups by robot, mentioning each lead by userid", async () => {
    const bot = await startBot();
    for (const line of [...LEVEL1_FAULT, "1"]) await say(bot.app, "wang.fang", line);
    bot.deliveries.kick();
    const afterSales = await eventually(() => wecom.robotMessages(AFTER_SALES_ROBOT)[0]);
    const qa = await eventually(() => wecom.robotMessages(QA_ROBOT)[0]);
    expect(afterSales.msgtype).toBe("markdown");
    expect(afterSales.content).toContain("<@zhoumin>");
    expect(qa.content).toContain("<@chenjie>");
    expect(qa.content).not.toContain("<@zhoumin>");
    expect(qa.content).toContain("重大质量信息 1 级");
    expect(qa.content).toContain("138****5678");
    // The group message says how to acknowledge.
    expect(qa.content).toContain(`响应：/ack ${NUMBER}`);
  });

  it("keeps a literal robot key out of the outbox: the delivery names the department, and the key is looked up when sending", async () => {
    const bot = await startBot();
    for (const line of [...LEVEL1_FAULT, "1"]) await say(bot.app, "wang.fang", line);
    const robotRows = (await bot.app.db.delivery.findMany({ where: { platform: "wecom" } })).filter((row) => row.recipient.includes("robot:"));
    expect(robotRows.map((row) => JSON.parse(row.recipient).address).sort()).toEqual(["robot:after_sales", "robot:quality_assurance"]);
    bot.deliveries.kick();
    const afterSales = await eventually(() => wecom.robotMessages(AFTER_SALES_ROBOT)[0]);
    expect(afterSales.content).toContain("<@zhoumin>");
    await eventually(() => wecom.robotMessages(QA_ROBOT)[0]);
    await bot.deliveries.idle();
    // Sent, the rows (what `hotline deliveries` prints) still hold neither key nor its variable's value.
    const rows = await bot.app.db.delivery.findMany();
    expect(rows.filter((row) => row.recipient.includes("robot:")).map((row) => row.status)).toEqual(["sent", "sent"]);
    expect(JSON.stringify(rows)).not.toContain(AFTER_SALES_ROBOT);
    expect(JSON.stringify(rows)).not.toContain(QA_ROBOT);
  });

  it("fails a robot message for good when the department no longer has a robot, naming the department and no key", async () => {
    const bot = await startBot();
    for (const line of [...LEVEL1_FAULT, "1"]) await say(bot.app, "wang.fang", line);
    const [row] = (await bot.app.db.delivery.findMany({ where: { platform: "wecom" } })).filter((r) => r.recipient.includes("robot:after_sales"));
    const recipient = { ...JSON.parse(row!.recipient), channelId: "robot:legal_counsel", address: "robot:legal_counsel" };
    const failure = await bot.send({ deliveryId: row!.id, mayHaveArrived: false, recipient, card: JSON.parse(row!.payload), ticketId: row!.ticketId, view: null }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PermanentDeliveryError);
    expect((failure as Error).message).toBe("department legal_counsel has no WeCom group robot");
    expect(wecom.callsOf("webhook/send")).toHaveLength(0);
  });

  it("acknowledges from WeCom: the ticket, its Slack message and the reporter all follow (one ticket, many channels)", async () => {
    const bot = await startBot({ withSlack: true });
    for (const line of [...LEVEL1_FAULT, "1"]) await say(bot.app, "wang.fang", line);
    bot.deliveries.kick();
    const posted = await eventually(() => bot.slack!.messagesIn("C0000ESCAL")[0]);
    clock.now = new Date("2026-11-26T02:05:00Z");
    expect(await converse(bot, "zhoumin", `/ack ${NUMBER}`)).toContain(`已响应 ${NUMBER}`);
    const ticket = await bot.app.core.tickets.findByNumber(NUMBER);
    expect(ticket!.pings.find((p) => p.memberId === "zhou.min")?.acknowledgedAt).toEqual(new Date("2026-11-26T02:05:00Z"));
    await eventually(() => JSON.stringify(bot.slack!.message("C0000ESCAL", posted.ts)?.blocks).includes("周敏 已于 2026-11-26 10:05 响应"));
    // The reporter hears back where they reported (here the test conversation, on Telegram, which
    // this test does not run: the message waits in the outbox for the Telegram adapter).
    const toReporter = await bot.app.db.delivery.findFirst({ where: { platform: "telegram" }, orderBy: { id: "desc" } });
    expect(JSON.parse(toReporter!.payload).lines[0]).toContain("已由 周敏（售后服务部）响应");
  });

  it("opens the complaint team's group chat with the team, and adds an appointee when appointed", async () => {
    const bot = await startBot();
    for (const line of [...LEVEL1_COMPLAINT, "1"]) await say(bot.app, "wang.fang", line);
    bot.deliveries.kick();
    await converse(bot, "zhoumin", `/ack ${NUMBER}`);
    const chat = await eventually(() => wecom.chats()[0]);
    expect(chat).toMatchObject({ chatid: "HL202611260001", owner: "zhoumin", name: `重大投诉处理小组 ${NUMBER}` });
    // Seats with WeCom ids: the leader (after-sales) and QA's lead; the other leads are on Slack only.
    expect(chat.userlist.sort()).toEqual(["chenjie", "zhoumin"]);
    const roster = await eventually(() => chat.messages.find((m) => m.content.startsWith("重大投诉处理小组")));
    expect(roster.content).toContain("质量保证部：待 陈杰 委派");
    expect(roster.content).toContain(`质量保证部：委派成员: /appoint ${NUMBER} quality_assurance <member>`);

    expect(await converse(bot, "chenjie", `/appoint ${NUMBER} gao.feng`)).toContain("已委派 高峰");
    // The appointee gets the request as text and as a card with a Confirm button.
    const card = await eventually(() => wecom.appMessages("gaofeng").find((m) => m.msgtype === "template_card"));
    const button = (card.body.template_card as { button_list: { text: string; key: string }[] }).button_list[0]!;
    expect(button).toMatchObject({ text: "确认加入", key: `/confirm ${NUMBER}` });
    expect(wecom.appMessages("gaofeng").find((m) => m.msgtype === "text")?.content).toContain(`/confirm ${NUMBER}`);
    await eventually(() => chat.userlist.includes("gaofeng"));
    // Pressing it calls back with a template_card_event: the same as sending /confirm.
    const before = repliesTo("gaofeng").length;
    const press = encryptedCallback(crypto, eventXml({ toUser: CORP_ID, fromUser: "gaofeng", event: "template_card_event", eventKey: button.key, taskId: "t1", cardType: "button_interaction", agentId: AGENT_ID }));
    expect((await fetch(`${bot.url}?${new URLSearchParams(press.query)}`, { method: "POST", body: press.body })).status).toBe(200);
    expect(await eventually(() => repliesTo("gaofeng").length > before && repliesTo("gaofeng").at(-1))).toContain(`你已加入 ${NUMBER} 的处理小组`);
    expect(await converse(bot, "gaofeng", `/onsite ${NUMBER}`)).toContain("已记录");
    await eventually(() => chat.messages.some((m) => m.content.includes("处理小组已于")));
    expect((await bot.app.core.tickets.findByNumber(NUMBER))!.status).toBe("team_on_site");
  });

  it("refreshes an expired access token once and sends the message", async () => {
    const bot = await startBot();
    await converse(bot, "wangfang", "/mine"); // one message: /help is several on WeCom (2,048 bytes a text)
    wecom.expireTokens();
    const reply = await converse(bot, "wangfang", "/mine");
    expect(reply).toContain("与你相关");
    const sends = wecom.callsOf("message/send");
    expect(sends.map((c) => c.response?.errcode)).toEqual([0, 42001, 0]);
    expect(wecom.callsOf("gettoken")).toHaveLength(2);
  });

  it("retries a robot message WeCom rate-limited (45009) and delivers it once", async () => {
    const bot = await startBot();
    wecom.failNext("webhook/send", { errcode: 45009 });
    for (const line of [...LEVEL1_FAULT, "1"]) await say(bot.app, "wang.fang", line);
    bot.deliveries.kick();
    await eventually(() => wecom.robotMessages(AFTER_SALES_ROBOT).length + wecom.robotMessages(QA_ROBOT).length === 2, 8_000);
    await bot.deliveries.idle();
    const robotCalls = wecom.callsOf("webhook/send").map((c) => c.response?.errcode);
    expect(robotCalls.filter((code) => code === 45009)).toHaveLength(1);
    expect(robotCalls.filter((code) => code === 0)).toHaveLength(2);
    expect(await bot.app.db.delivery.count({ where: { platform: "wecom", status: "failed" } })).toBe(0);
  });
});

interface RawAnswer {
  status: number;
  connection: string | undefined;
  ms: number;
}

/**
 * A POST to the callback written by hand: `chunks` are sent as they are (a declared length or
 * chunked), then the request is ended, left hanging, or its connection cut.
 */
function rawPost(url: string, options: { chunks: Buffer[]; contentLength?: number; then: "end" | "hang" | "cut" }): Promise<RawAnswer | "cut"> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: options.contentLength === undefined ? {} : { "content-length": options.contentLength } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, ms: Date.now() - started }));
    });
    req.on("error", (error) => (options.then === "cut" ? resolve("cut") : reject(error)));
    for (const chunk of options.chunks) req.write(chunk);
    if (options.then === "end") req.end();
    if (options.then === "cut") setTimeout(() => req.destroy(), 50);
  });
}

describe("the WeCom callback's body", () => {
  const signedQuery = () => new URLSearchParams(encryptedCallback(crypto, textMessageXml({ toUser: CORP_ID, fromUser: "wangfang", content: "/help", agentId: AGENT_ID })).query);

  it("answers 413 to a body over 1 MB, declared or streamed, read to its end so the sender gets the answer, and serves the next request", async () => {
    const bot = await startBot();
    const url = `${bot.url}?${signedQuery()}`;
    const megabyteAndMore = [Buffer.alloc(600_000, "A"), Buffer.alloc(600_000, "A")];
    expect(await rawPost(url, { chunks: megabyteAndMore, contentLength: 1_200_000, then: "end" })).toMatchObject({ status: 413 });
    expect(await rawPost(url, { chunks: megabyteAndMore, then: "end" })).toMatchObject({ status: 413 });
    expect((await post(bot, "wangfang", "/help")).status).toBe(200);
  });

  it("answers 408 and closes the connection when the body does not arrive in time (a slow sender holds no handler)", async () => {
    const bot = await startBot({ bodyTimeoutMs: 300 });
    const answer = await rawPost(`${bot.url}?${signedQuery()}`, { chunks: [Buffer.from("<xml><Encrypt>")], contentLength: 1_000, then: "hang" });
    expect(answer).toMatchObject({ status: 408, connection: "close" });
    expect((answer as RawAnswer).ms).toBeLessThan(3_000);
    expect((await post(bot, "wangfang", "/help")).status).toBe(200);
  });

  it("logs a body cut off mid-way as a refused callback, not a failure", async () => {
    const lines: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => lines.push(line) });
    const bot = await startBot({ log });
    expect(await rawPost(`${bot.url}?${signedQuery()}`, { chunks: [Buffer.from("<xml><Encrypt>")], contentLength: 1_000, then: "cut" })).toBe("cut");
    const refused = await eventually(() => lines.map((line) => JSON.parse(line) as { check?: string; level: number }).find((entry) => entry.check !== undefined));
    expect(refused).toMatchObject({ level: 40, check: "body cut off: the connection closed" });
  });

  it("refuses a message whose FromUserName is no userid, so a reply cannot go to two members at once", async () => {
    const bot = await startBot();
    expect((await post(bot, "zhoumin|chenjie", "/help")).status).toBe(400);
    expect((await post(bot, "@all", "/help")).status).toBe(400);
    expect((await post(bot, "u".repeat(65), "/help")).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(wecom.appMessages()).toHaveLength(0);
    expect((await post(bot, "li.na-2@x_Y", "/help")).status).toBe(200);
  });
});

describe("a sent image's or file's bytes, fetched from WeCom when the console shows them", () => {
  it("downloads the media a ticket keeps with media/get, with the access token", async () => {
    const bot = await startBot();
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]);
    const mediaId = wecom.addMedia({ bytes, contentType: "image/jpeg", filename: "仪表盘.jpg" });
    expect(await bot.adapter.downloadFile(mediaId)).toEqual(bytes);
    expect(wecom.callsOf("media/get").map((c) => [c.query.media_id, c.status])).toEqual([[mediaId, 200]]);
  });

  it("gives the download up when its signal aborts (the console's reader went away)", async () => {
    const bot = await startBot();
    const mediaId = wecom.addMedia({ bytes: "%PDF-1.7", contentType: "application/pdf", filename: "报告.pdf" });
    await expect(bot.adapter.downloadFile(mediaId, AbortSignal.abort())).rejects.toMatchObject({ name: "AbortError" });
  });

  it("fails with WeCom's errcode and errmsg for a media id WeCom does not know (or no longer keeps)", async () => {
    const bot = await startBot();
    const failure = bot.adapter.downloadFile("media-older-than-three-days");
    await expect(failure).rejects.toThrow("media/get: WeCom errcode 40007 (invalid media_id)");
    await expect(failure).rejects.toBeInstanceOf(WecomApiError);
  });

  it("refreshes an expired access token once and downloads", async () => {
    const bot = await startBot();
    const first = wecom.addMedia({ bytes: "first", contentType: "image/png", filename: "a.png" });
    const second = wecom.addMedia({ bytes: "%PDF-1.7", contentType: "application/pdf", filename: "报告.pdf" });
    await bot.adapter.downloadFile(first);
    wecom.expireTokens();
    expect((await bot.adapter.downloadFile(second)).toString()).toBe("%PDF-1.7");
    expect(wecom.callsOf("media/get").map((c) => c.response?.errcode)).toEqual([undefined, 42001, undefined]); // a served file has no JSON
    expect(wecom.callsOf("gettoken")).toHaveLength(2);
  });
});

describe("a ticket's form sent on WeCom", () => {
  const FORM_NAME = `${NUMBER}-重大售后质量信息报告单.pdf`;
  /** Bytes no text encoding would keep: a NUL, 0xFF, a lone UTF-8 continuation byte, and a CRLF as a multipart boundary line has. */
  const FORM_BYTES = Buffer.concat([Buffer.from("%PDF-1.7\r\n--"), Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a]), Buffer.from("%%EOF\n")]);
  const form: OutboundFile = { bytes: new Uint8Array(FORM_BYTES), name: FORM_NAME, contentType: "application/pdf" };
  const caption = { lines: [`${NUMBER} 的重大售后质量信息报告单`], mentions: [{ memberId: "zhou.min", name: "周敏" }] };
  const gao = { kind: "member" as const, memberId: "gao.feng", name: "高峰", platform: "wecom" as const, address: "gaofeng" };
  const afterSalesGroup = { kind: "channel" as const, channelId: "robot:after_sales", name: "售后服务部", platform: "wecom" as const, address: "robot:after_sales" };
  const message = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({ recipient: gao, card: caption, ticketId: null, view: null, deliveryId: 800, mayHaveArrived: false, file: form, ...overrides });
  const uploaded = (mediaId: unknown) => wecom.uploadedMedia(String(mediaId));

  it("uploads the file as temporary media, then sends a member the caption as text and the file by its media id", async () => {
    const bot = await startBot();
    await bot.send(message());
    const [text, file] = wecom.appMessages("gaofeng");
    expect(text).toMatchObject({ msgtype: "text" });
    expect(text!.content).toContain(`${NUMBER} 的重大售后质量信息报告单`);
    expect(file).toMatchObject({ msgtype: "file", content: FORM_NAME, touser: ["gaofeng"], agentid: AGENT_ID });
    const media = uploaded((file!.body.file as { media_id: string }).media_id);
    expect(media).toMatchObject({ filename: FORM_NAME, contentType: "application/pdf", type: "file", source: "app" });
    expect(media!.bytes).toEqual(FORM_BYTES);
    expect(wecom.callsOf("media/upload").map((c) => c.query.type)).toEqual(["file"]);
  });

  it("sends a department's group the caption and the file by its robot, with the robot's own upload", async () => {
    const bot = await startBot();
    await bot.send(message({ recipient: afterSalesGroup }));
    const [markdown, file] = wecom.robotMessages(AFTER_SALES_ROBOT);
    expect(markdown).toMatchObject({ msgtype: "markdown" });
    expect(markdown!.content).toContain("<@zhoumin>");
    expect(file).toMatchObject({ msgtype: "file", content: FORM_NAME });
    const media = uploaded((file!.body.file as { media_id: string }).media_id);
    expect(media).toMatchObject({ filename: FORM_NAME, source: { robot: AFTER_SALES_ROBOT } });
    expect(media!.bytes).toEqual(FORM_BYTES);
    expect(wecom.callsOf("media/upload")).toHaveLength(0);
  });

  it("sends an app group chat the caption and the file", async () => {
    await wecom.close();
    wecom = await FakeWecomApi.start({ corpId: CORP_ID, corpSecret: "s3cret", agentId: AGENT_ID, robotKeys: [AFTER_SALES_ROBOT, QA_ROBOT], chats: [{ chatid: "escalations", userlist: ["zhoumin", "gaofeng"] }] });
    const bot = await startBot();
    await bot.send(message({ recipient: { kind: "channel", channelId: "wecom-escalations", name: "升级群", platform: "wecom", address: "escalations" } }));
    const chat = wecom.chats().find((c) => c.chatid === "escalations")!;
    expect(chat.messages.map((m) => m.msgtype)).toEqual(["text", "file"]);
    expect(uploaded((chat.messages[1]!.body.file as { media_id: string }).media_id)!.bytes).toEqual(FORM_BYTES);
  });

  it("gets a new access token when WeCom says it expired, and uploads and sends once", async () => {
    const bot = await startBot();
    await converse(bot, "wangfang", "/mine"); // a token in the cache
    wecom.expireTokens();
    await bot.send(message());
    expect(wecom.callsOf("media/upload").map((c) => c.response?.errcode)).toEqual([42001, 0]);
    expect(wecom.appMessages("gaofeng").filter((m) => m.msgtype === "file")).toHaveLength(1);
    expect(wecom.callsOf("gettoken")).toHaveLength(2);
  });

  it("fails for good, sending nothing, when WeCom refuses the file (its size) or the robot's key", async () => {
    const bot = await startBot();
    wecom.failNext("media/upload", { errcode: 40006 });
    await expect(bot.send(message())).rejects.toBeInstanceOf(PermanentDeliveryError);
    wecom.failNext("webhook/upload_media", { errcode: 93000 });
    await expect(bot.send(message({ recipient: afterSalesGroup }))).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(wecom.appMessages("gaofeng")).toEqual([]);
    expect(wecom.robotMessages(AFTER_SALES_ROBOT)).toEqual([]);
  });

  it("delivers a form from the outbox through the delivery queue, and keeps one WeCom refuses as failed after one attempt", async () => {
    const bot = await startBot({ files: formsOnly(async () => form) });
    for (const line of [...LEVEL1_FAULT, "1"]) await say(bot.app, "wang.fang", line);
    const ticket = (await bot.app.core.tickets.findByNumber(NUMBER))!;
    await bot.deliveries.idle();
    const sent = await bot.app.db.delivery.create({ data: { platform: "wecom", kind: "form", recipient: JSON.stringify(gao), payload: JSON.stringify(caption), ticketId: ticket.id } });
    bot.deliveries.kick();
    await eventually(async () => (await bot.app.db.delivery.findUnique({ where: { id: sent.id } }))?.status === "sent");
    expect(wecom.appMessages("gaofeng").filter((m) => m.msgtype === "file").map((m) => m.content)).toEqual([FORM_NAME]);

    wecom.failNext("media/upload", { errcode: 40006 });
    const refused = await bot.app.db.delivery.create({ data: { platform: "wecom", kind: "form", recipient: JSON.stringify(gao), payload: JSON.stringify(caption), ticketId: ticket.id } });
    bot.deliveries.kick();
    const failed = await eventually(async () => {
      const row = await bot.app.db.delivery.findUnique({ where: { id: refused.id } });
      return row?.status === "failed" && row;
    });
    expect(failed).toMatchObject({ attempts: 1 });
    expect(failed.lastError).toContain("40006");
  });
});
