import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adapterDeps } from "../../../bot/adapter-deps.js";
import type { App } from "../../../bot/app.js";
import { createHttpServer } from "../../../bot/http/server.js";
import { SLACK_EVENTS_PATH, SlackAdapter } from "../../../bot/slack/slack-adapter.js";
import { TelegramAdapter } from "../../../bot/telegram/telegram-adapter.js";
import { issueInvite } from "../../../core/directory/invites.js";
import { DeliveryQueue, PermanentDeliveryError, type OutboundFile, type OutboundFiles } from "../../../jobs/delivery-queue.js";
import { formsOnly } from "../../support/forms-only.js";
import { FakeBotApi } from "../../fakes/telegram-bot-api.js";
import {
  appMentionEvent,
  blockActions,
  blockSuggestion,
  eventCallback,
  FakeSlackApi,
  globalShortcut,
  messageEvent,
  messageShortcut,
  rawRequest,
  sendToSlackApp,
  slashCommand,
  urlVerification,
  viewSubmission,
  type FakeSlackMessage,
  type SlackRequest,
} from "../../fakes/slack-web-api.js";
import { FakeSocketMode } from "../../fakes/slack-socket-mode.js";
import { writeOrganisationFile, withoutConfirmation } from "../../support/organisation.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../../support/redis.js";
import { LEVEL1_COMPLAINT, LEVEL1_FAULT } from "../../support/report-script.js";
import { eventually as waitUntil } from "../../support/eventually.js";
import { freshDatabaseFile, say, startTestApp, type TestClock } from "../../support/test-app.js";

const silent = pino({ level: "silent" });
const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5".replace(/[yz]/g, "0");
const ESCALATIONS = "C0000ESCAL";
const ZHOU = "U0000000AS1"; // after-sales lead
const CHEN = "U0000000QA1"; // QA lead
const GAO = "U0000000QA2"; // QA member
const HE = "U0000000LG1"; // logistics lead: never pinged on these tickets
const LEGAL = "U0000000LC1"; // legal counsel's lead
const WANG_TELEGRAM = 200000001; // the reporter, on Telegram
const NUMBER = "HL-20261126-0001";

let slack: FakeSlackApi;
let socket: FakeSocketMode;
let telegram: FakeBotApi;
let db: ReturnType<typeof freshDatabaseFile>;
let clock: TestClock;
let cleanups: (() => unknown)[];

beforeEach(async () => {
  cleanups = [];
  const prefix = uniquePrefix();
  cleanups.push(() => deleteKeys(prefix));
  db = freshDatabaseFile();
  cleanups.push(db.cleanup);
  clock = { now: new Date("2026-11-26T02:00:00Z") };
  telegram = await FakeBotApi.start();
  cleanups.push(() => telegram.close());
  prefixOf = prefix;
});

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let prefixOf: string;

interface Running {
  app: App;
  url: string;
  deliveries: DeliveryQueue;
  adapter: SlackAdapter;
}

/** The real app with the Slack adapter on a fake Web API, Telegram for reporters, and the delivery queue. */
async function startBot(
  options: { allowChannelCreation?: boolean; qaUserGroup?: string; socketMode?: boolean; listenBeforeStart?: boolean; files?: OutboundFiles } = {},
): Promise<Running> {
  slack = await FakeSlackApi.start({ token: "xoxb-test-token", allowChannelCreation: options.allowChannelCreation ?? true });
  cleanups.push(() => slack.close());
  if (options.socketMode) {
    socket = await FakeSocketMode.start(slack, "xapp-1-A0000APP-test");
    cleanups.push(() => socket.close());
  }
  const orgFile = writeOrganisationFile(db.file.replace(/hotline\.db$/, ""), (org) => {
    withoutConfirmation(org);
    if (options.qaUserGroup) org.departments.find((d: { id: string }) => d.id === "quality_assurance").slackUserGroup = options.qaUserGroup;
  });
  const app = await startTestApp(db.file, clock, { ORG_CONFIG: orgFile });
  let deliveries: DeliveryQueue | undefined;
  const kick = () => deliveries?.kick();
  const adapter = new SlackAdapter(adapterDeps(app), {
    token: slack.token,
    ...(options.socketMode ? { appToken: "xapp-1-A0000APP-test" } : { signingSecret: SIGNING_SECRET }),
    apiUrl: slack.apiUrl,
    retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 },
    onNotifications: kick,
    log: silent,
  });
  const tg = new TelegramAdapter(adapterDeps(app), { token: telegram.token, apiRoot: telegram.apiRoot, botInfo: telegram.botInfo, log: silent });
  deliveries = new DeliveryQueue(
    app.outbox,
    { slack: adapter.send, telegram: tg.send },
    { redisUrl: TEST_REDIS_URL, prefix: prefixOf, refreshers: { slack: adapter.refresh }, backoffMs: 50, log: silent, files: options.files ?? app.outboundFiles },
  );
  deliveries.start(100);
  // bot/main.ts listens first, then starts the adapters: requests can come in between.
  if (!options.listenBeforeStart) await adapter.start();
  const server = createHttpServer({ db: app.db, redisUrl: TEST_REDIS_URL }, adapter.routes()).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  cleanups.push(async () => {
    server.close();
    await adapter.stop();
    await deliveries!.idle(3_000);
    await deliveries!.stop();
    await app.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  return { app, url, deliveries, adapter };
}

const eventually = <T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs?: number) =>
  waitUntil(probe, () => slack.describeCalls(), timeoutMs);

const send = (bot: Running, request: SlackRequest, options: Parameters<typeof sendToSlackApp>[3] = {}) => sendToSlackApp(bot.url, SIGNING_SECRET, request, options);

/** Reports through the core as the Shenyang staff member on Telegram would, and waits for Slack's channel post. */
async function reportOnTelegram(bot: Running, script: string[]): Promise<FakeSlackMessage> {
  for (const line of [...script, "1"]) await say(bot.app, "wang.fang", line);
  bot.deliveries.kick();
  return eventually(() => postsIn(ESCALATIONS)[0]);
}

const blockText = (message: { blocks?: unknown[] | undefined }) => JSON.stringify(message.blocks ?? []);
const buttonsOf = (message: { blocks?: unknown[] | undefined }) =>
  (message.blocks as { type: string; elements?: { action_id: string; value: string; text: { text: string } }[] }[]).flatMap((b) => (b.type === "actions" ? b.elements! : []));
const timeline = async (app: App) => (await app.db.ticketEvent.findMany({ where: { ticket: { number: NUMBER } }, orderBy: { id: "asc" } })).map((e) => e.type);

function press(bot: Running, message: FakeSlackMessage, userId: string, label: string) {
  const button = buttonsOf(message).find((b) => b.text.text === label);
  if (!button) throw new Error(`no button "${label}" in ${blockText(message)}`);
  return send(bot, blockActions({ userId, actionId: button.action_id, value: button.value, channelId: message.channel, message: { ts: message.ts, text: message.text, blocks: message.blocks } }));
}

/** What the bot posted in a channel: its messages, not the files it shared there (a ticket's form after its post). */
const postsIn = (channel: string) => slack.messagesIn(channel).filter((message) => !message.files?.length);

describe("the Slack adapter, through Bolt against a fake Web API", () => {
  it("posts a level-1 ticket once, mentioning the after-sales and QA leads and the leaders the rules name, with the phone masked", async () => {
    const bot = await startBot();
    const posted = await reportOnTelegram(bot, LEVEL1_FAULT);
    await bot.deliveries.idle();
    expect(postsIn(ESCALATIONS)).toHaveLength(1);
    const blocks = blockText(posted);
    for (const user of [ZHOU, CHEN, "U0000000SM1", "U0000000VP1", "U0000000SL1"]) expect(blocks).toContain(`<@${user}>`);
    expect(blocks).toContain("重大质量信息 1 级");
    expect(blocks).toContain("导致人员伤亡");
    expect(blocks).toContain("139****5678".replace("139", "138"));
    expect(blocks).not.toContain("13812345678");
    expect(buttonsOf(posted).map((b) => b.text.text)).toEqual(["响应", "接手", "已解决", "添加备注"]);
    // The pinged leads who prefer Slack also get a direct message with the same buttons.
    const direct = slack.callsOf("chat.postMessage").filter((c) => c.params.channel === ZHOU);
    expect(direct).toHaveLength(1);
  });

  it("mentions a department's user group instead of its lead when the organisation file names one", async () => {
    const bot = await startBot({ qaUserGroup: "S0000QA" });
    const blocks = blockText(await reportOnTelegram(bot, LEVEL1_FAULT));
    expect(blocks).toContain("<!subteam^S0000QA>");
    expect(blocks).not.toContain(`<@${CHEN}>`);
    expect(blocks).toContain(`<@${ZHOU}>`);
  });

  it("names a lead whose user group in the organisation file is not a Slack id, rather than pass it on as markup", async () => {
    const bot = await startBot({ qaUserGroup: "S0000QA> <!channel" });
    const posted = await reportOnTelegram(bot, LEVEL1_FAULT);
    expect(blockText(posted)).not.toContain("<!channel>");
    expect(blockText(posted)).not.toContain("<!subteam^");
    expect(blockText(posted)).toContain(`<@${CHEN}>`);
  });

  it("acknowledges from the button: the timeline records it, the message updates in place, the Telegram reporter hears back", async () => {
    const bot = await startBot();
    const posted = await reportOnTelegram(bot, LEVEL1_FAULT);
    clock.now = new Date("2026-11-26T02:07:00Z");
    const answer = await press(bot, posted, ZHOU, "响应");
    expect(answer.status).toBe(200);

    await eventually(async () => (await timeline(bot.app)).includes("acknowledged"));
    const updated = await eventually(() => slack.message(ESCALATIONS, posted.ts)!.versions.length > 1 && slack.message(ESCALATIONS, posted.ts));
    expect(blockText(updated)).toContain("周敏 已于 2026-11-26 10:07 响应");
    expect(blockText(updated)).toContain("已确认");
    const notice = await eventually(() => telegram.callsOf("sendMessage").find((c) => String(c.params.chat_id) === String(WANG_TELEGRAM)));
    expect(String(notice.params.text)).toContain(`你上报的 ${NUMBER} 已由 周敏（售后服务部）响应`);
    expect(slack.ephemerals.find((e) => e.user === ZHOU)?.text).toContain(`已响应 ${NUMBER}`);

    // A double click: the second press finds nothing left to acknowledge and changes nothing.
    const before = await timeline(bot.app);
    await press(bot, posted, ZHOU, "响应");
    await eventually(() => slack.ephemerals.filter((e) => e.user === ZHOU).length === 2);
    expect(slack.ephemerals.filter((e) => e.user === ZHOU)[1]!.text).toContain("没有等待你响应的通知");
    expect(await timeline(bot.app)).toEqual(before);
  });

  it("refuses a click from someone the ticket does not concern, and from an unmapped user, with an explanation only they see", async () => {
    const bot = await startBot();
    const posted = await reportOnTelegram(bot, LEVEL1_FAULT);
    await press(bot, posted, HE, "响应");
    const refusal = await eventually(() => slack.ephemerals.find((e) => e.user === HE));
    expect(refusal.text).toContain("你无权对");
    await press(bot, posted, "U0STRANGER", "接手");
    const stranger = await eventually(() => slack.ephemerals.find((e) => e.user === "U0STRANGER"));
    expect(stranger.text).toContain("系统管理员 / Administrator");
    expect(await timeline(bot.app)).not.toContain("acknowledged");
    expect(await timeline(bot.app)).not.toContain("taken");
  });

  it("answers 401 to a bad signature and a timestamp more than five minutes off either way, with no effect", async () => {
    const bot = await startBot();
    await reportOnTelegram(bot, LEVEL1_FAULT);
    const command = () => slashCommand({ command: "/hotline", text: `ack ${NUMBER}`, userId: ZHOU, responseUrl: slack.responseUrl() });
    expect((await send(bot, command(), { signature: "v0=" + "0".repeat(64) })).status).toBe(401);
    expect((await send(bot, command(), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect((await send(bot, command(), { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 })).status).toBe(401);
    expect((await send(bot, command(), { timestamp: 9_999_999_999 })).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await timeline(bot.app)).not.toContain("acknowledged");
    expect(slack.responses).toHaveLength(0);
  });

  it("answers 503 to a request that comes before the adapter has started, so Slack sends it again, and handles the retry", async () => {
    const bot = await startBot({ listenBeforeStart: true });
    const dm = "D0LIU";
    const liu = "U0000000CS1"; // the hotline (customer service) lead may report
    const request = eventCallback({ eventId: "Ev0EARLY1", event: messageEvent({ user: liu, channel: dm, channelType: "im", text: "new" }) });
    expect((await send(bot, request)).status).toBe(503);
    await bot.adapter.start();
    expect((await send(bot, request, { retryNum: 1, retryReason: "http_error" })).status).toBe(200);
    const question = await eventually(() => postsIn(dm)[0]);
    expect(buttonsOf(question).map((b) => b.text.text)).toEqual(["质量故障", "顾客投诉"]);
  });

  it("gives a retried event one effect", async () => {
    const bot = await startBot();
    await reportOnTelegram(bot, LEVEL1_FAULT);
    const note = eventCallback({ eventId: "Ev0NOTE1", event: messageEvent({ user: ZHOU, channel: "D0ZHOU", channelType: "im", text: `note ${NUMBER} 已联系服务站` }) });
    expect((await send(bot, note)).status).toBe(200);
    expect((await send(bot, note, { retryNum: 1, retryReason: "http_timeout" })).status).toBe(200);
    expect((await send(bot, note, { retryNum: 2 })).status).toBe(200);
    await eventually(() => postsIn("D0ZHOU").length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await timeline(bot.app)).filter((type) => type === "note")).toHaveLength(1);
    expect(postsIn("D0ZHOU").map((m) => m.text)).toEqual([expect.stringContaining(`已为 ${NUMBER} 添加备注`)]);
  });

  it("keeps the files of a direct message: with `attach <no>` they are attached at once, and after `attach <no>` one message at a time", async () => {
    const bot = await startBot();
    await reportOnTelegram(bot, LEVEL1_FAULT);
    const files = [
      { id: "F0PHOTO1", name: "dashboard.jpg", mimetype: "image/jpeg" },
      { id: "F0REPORT", name: "inspection.pdf", mimetype: "application/pdf" },
    ];
    const shared = { ...messageEvent({ user: ZHOU, channel: "D0ZHOU", channelType: "im", text: `attach ${NUMBER}` }), subtype: "file_share", files };
    await send(bot, eventCallback({ eventId: "Ev0FILES1", event: shared }));
    await eventually(() => postsIn("D0ZHOU").length >= 1);
    expect(postsIn("D0ZHOU")[0]!.text).toContain(`已为 ${NUMBER} 添加 2 个附件。`);

    await send(bot, eventCallback({ eventId: "Ev0FILES2", event: messageEvent({ user: ZHOU, channel: "D0ZHOU", channelType: "im", text: `attach ${NUMBER}` }) }));
    await eventually(() => postsIn("D0ZHOU").length >= 2);
    const alone = { ...messageEvent({ user: ZHOU, channel: "D0ZHOU", channelType: "im", text: "" }), subtype: "file_share", files: [{ id: "F0PHOTO2", mimetype: "image/png" }] };
    await send(bot, eventCallback({ eventId: "Ev0FILES3", event: alone }));
    await eventually(() => postsIn("D0ZHOU").length >= 3);
    expect(postsIn("D0ZHOU")[2]!.text).toContain(`已为 ${NUMBER} 添加 1 个附件。`);

    const ticket = (await bot.app.core.tickets.findByNumber(NUMBER))!;
    expect(ticket.attachments).toEqual([
      { platform: "slack", fileId: "F0PHOTO1", kind: "photo", name: "dashboard.jpg" },
      { platform: "slack", fileId: "F0REPORT", kind: "document", name: "inspection.pdf" },
      { platform: "slack", fileId: "F0PHOTO2", kind: "photo" },
    ]);
  });

  it("adds a note through the modal opened by the Add-note button", async () => {
    const bot = await startBot();
    const posted = await reportOnTelegram(bot, LEVEL1_FAULT);
    await press(bot, posted, CHEN, "添加备注");
    const opened = await eventually(() => slack.views[0]);
    expect(opened.view.callback_id).toBe("form");
    await send(bot, viewSubmission({ userId: CHEN, view: opened.view, values: { form: { text: "技术支持人员已出发" } } }));
    await eventually(async () => (await timeline(bot.app)).includes("note"));
    const event = await bot.app.db.ticketEvent.findFirst({ where: { type: "note" } });
    expect(JSON.parse(event!.data)).toEqual({ text: "技术支持人员已出发" });
    expect(event!.actorId).toBe("chen.jie");
  });

  it("answers the /hotline slash command and app mentions with the same words", async () => {
    const bot = await startBot();
    await reportOnTelegram(bot, LEVEL1_FAULT);
    await send(bot, slashCommand({ command: "/hotline", text: `status ${NUMBER}`, userId: CHEN, responseUrl: slack.responseUrl() }));
    const status = await slack.waitForResponse();
    expect(status.body.response_type).toBe("ephemeral");
    expect(JSON.stringify(status.body.blocks)).toContain("138****5678");

    await send(bot, slashCommand({ command: "/hotline", text: "", userId: CHEN, responseUrl: slack.responseUrl() }));
    await eventually(() => slack.responses.length === 2);
    expect(String(slack.responses[1]!.body.text)).toContain("/status");

    await send(bot, slashCommand({ command: "/hotline", text: "mine", userId: CHEN, responseUrl: slack.responseUrl() }));
    await eventually(() => slack.responses.length === 3);
    expect(String(slack.responses[2]!.body.text)).toContain(NUMBER);

    await send(bot, eventCallback({ event: appMentionEvent({ user: ZHOU, channel: ESCALATIONS, text: `<@U0000BOT> ack ${NUMBER}` }) }));
    await eventually(async () => (await timeline(bot.app)).includes("acknowledged"));
    expect((await eventually(() => slack.ephemerals.find((e) => e.user === ZHOU))).text).toContain(`已响应 ${NUMBER}`);
  });

  it("runs the report dialog in a direct message, with choices as buttons", async () => {
    const bot = await startBot();
    const dm = "D0LIU";
    const liu = "U0000000CS1"; // the hotline (customer service) lead may report
    let seq = 0;
    const dmSay = async (text: string) => {
      const count = postsIn(dm).length;
      await send(bot, eventCallback({ eventId: `Ev0DM${++seq}`, event: messageEvent({ user: liu, channel: dm, channelType: "im", text }) }));
      return eventually(() => postsIn(dm).length > count && postsIn(dm).at(-1));
    };
    const dmPress = async (message: FakeSlackMessage, label: string) => {
      const count = postsIn(dm).length;
      await press(bot, message, liu, label);
      return eventually(() => postsIn(dm).length > count && postsIn(dm).at(-1));
    };
    let question = await dmSay("new");
    expect(buttonsOf(question).map((b) => b.text.text)).toEqual(["质量故障", "顾客投诉"]);
    question = await dmPress(question, "质量故障");
    // The answered question shows the choice and loses its buttons.
    expect(postsIn(dm)[0]!.text).toContain("→ 质量故障");
    expect(postsIn(dm)[0]!.blocks ?? []).toEqual([]);
    question = await dmPress(question, "服务热线");
    question = await dmPress(question, "中华");
    question = await dmSay("LSGPC52U6AF102554");
    question = await dmSay("12000");
    question = await dmSay("Take the car: 行驶中起火，驾驶员受伤");
    question = await dmSay("是");
    question = await dmSay("张先生");
    question = await dmSay("13812345678");
    question = await dmPress(question, "不清楚"); // the sale date
    question = await dmSay("zhang@example.com");
    question = await dmPress(question, "是"); // the customer may be told the result
    question = await dmSay("完成");
    const created = await dmPress(question, "确认提交");
    expect(created.text).toContain(`已登记工单 ${NUMBER}`);
    const ticket = await bot.app.core.tickets.findByNumber(NUMBER);
    expect(ticket).toMatchObject({ reporterId: "liu.fang", originPlatform: "slack", level: 1, description: "Take the car: 行驶中起火，驾驶员受伤" });
  });

  it("binds a new Slack account from an invite sent as `start <code>` in a direct message", async () => {
    const bot = await startBot();
    const { code } = await issueInvite(bot.app.core, { memberId: "ma.jun", platform: "slack" });
    await send(bot, eventCallback({ event: messageEvent({ user: "U0NEWCOMER", channel: "D0NEW", channelType: "im", text: `start ${code}` }) }));
    expect((await eventually(() => postsIn("D0NEW")[0])).text).toContain("欢迎，马骏！");
    expect((await bot.app.core.directory.findMemberByIdentity("slack", "U0NEWCOMER"))?.id).toBe("ma.jun");
  });

  it("retries a 429 after its Retry-After and delivers once", async () => {
    const bot = await startBot();
    slack.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    for (const line of [...LEVEL1_FAULT, "1"]) await say(bot.app, "wang.fang", line);
    bot.deliveries.kick();
    await eventually(() => postsIn(ESCALATIONS)[0], 8_000);
    await bot.deliveries.idle();
    const posts = slack.callsOf("chat.postMessage");
    const limited = posts.filter((c) => c.status === 429);
    expect(limited).toHaveLength(1);
    const retried = posts.filter((c) => c.params.channel === limited[0]!.params.channel);
    expect(retried.map((c) => c.status)).toEqual([429, 200]);
    expect(retried[1]!.at - retried[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(postsIn(ESCALATIONS)).toHaveLength(1);
    const failed = await bot.app.db.delivery.count({ where: { status: "failed" } });
    expect(failed).toBe(0);
  });
});

describe("a major complaint's team on Slack", () => {
  async function formTeam(bot: Running) {
    const posted = await reportOnTelegram(bot, LEVEL1_COMPLAINT);
    await press(bot, posted, ZHOU, "响应");
    await eventually(async () => (await timeline(bot.app)).includes("team_formed"));
    bot.deliveries.kick();
  }

  it("opens a channel for the ticket, invites the team, and fills the roster by picker and confirmation", async () => {
    const bot = await startBot();
    await formTeam(bot);
    const channel = await eventually(() => slack.channels().find((c) => c.name === "hl-20261126-0001"));
    await eventually(() => channel.members.includes(CHEN) && channel.members.includes(ZHOU));
    const roster = await eventually(() => postsIn(channel.id).find((m) => m.text.startsWith("重大投诉处理小组")));
    expect(roster.text).toContain("须于 2026-11-26 23:59 前到达现场");
    const pickers = (roster.blocks as { block_id?: string; accessory?: { type: string } }[]).filter((b) => b.accessory?.type === "users_select");
    expect(pickers.map((b) => b.block_id)).toEqual([`/appoint ${NUMBER} quality_assurance`, `/appoint ${NUMBER} legal_counsel`, `/appoint ${NUMBER} sales_finance`, `/appoint ${NUMBER} public_relations`]);

    // Another department's lead (legal counsel's) may not fill QA's seat; QA's lead picks a QA member.
    await send(bot, blockActions({ userId: LEGAL, actionId: "pick", blockId: pickers[0]!.block_id!, selectedUser: GAO, channelId: channel.id, message: { ts: roster.ts } }));
    expect((await eventually(() => slack.ephemerals.find((e) => e.user === LEGAL))).text).toContain("只有该部门负责人");
    await send(bot, blockActions({ userId: CHEN, actionId: "pick", blockId: pickers[0]!.block_id!, selectedUser: GAO, channelId: channel.id, message: { ts: roster.ts } }));
    const askToConfirm = await eventually(() => postsIn(GAO).find((m) => m.text.includes("/confirm")) ?? slack.callsOf("chat.postMessage").find((c) => c.params.channel === GAO));
    expect(askToConfirm).toBeTruthy();
    const dmToGao = await eventually(() => slack.calls.find((c) => c.method === "chat.postMessage" && c.params.channel === GAO));
    const confirmButton = (dmToGao.params.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === "actions")!.elements![0]!;
    expect(confirmButton.value).toBe(`/confirm ${NUMBER}`);
    await send(bot, blockActions({ userId: GAO, actionId: confirmButton.action_id, value: confirmButton.value, channelId: "D0GAO" }));
    await eventually(async () => (await timeline(bot.app)).includes("team_confirmed"));
    // The roster is edited in place; the appointee is invited into the channel.
    await eventually(() => blockText(slack.message(channel.id, roster.ts)!).includes("质量保证部：高峰 ✔"));
    await eventually(() => channel.members.includes(GAO));

    // On site and the agreement, from the roster's buttons.
    clock.now = new Date("2026-11-26T06:00:00Z");
    await press(bot, slack.message(channel.id, roster.ts)!, GAO, "已到达现场");
    await eventually(async () => (await timeline(bot.app)).includes("team_on_site"));
    // Three seats are still empty: the agreement waits, and after-sales reads what is missing and how to sign anyway.
    await press(bot, slack.message(channel.id, roster.ts)!, ZHOU, "协议已签订");
    const refused = await eventually(() => slack.ephemerals.find((e) => e.user === ZHOU && e.text.includes("还不能记录协议")));
    expect(refused.text).toContain("待委派成员：法律顾问、销售财务处、华晨公关部");
    const dm = (text: string) => send(bot, eventCallback({ event: messageEvent({ user: ZHOU, channel: "D0ZHOU", channelType: "im", text }) }));
    await dm(`agreement ${NUMBER} override 顾客要求当场签字`);
    await eventually(() => postsIn("D0ZHOU").some((m) => m.text.includes("已记下理由")));
    await dm("更换同型新车 5.2万");
    await eventually(async () => (await timeline(bot.app)).includes("agreement_signed"));
    const ticket = await bot.app.core.tickets.findByNumber(NUMBER);
    expect(ticket!.status).toBe("agreement_signed");
    expect(ticket!.deadlines.find((d) => d.kind === "on_site")?.status).toBe("met");
    await eventually(() => postsIn(channel.id).some((m) => m.text.includes("处理小组已于 14:00 到达现场") || m.text.includes("到达现场")));
  });

  it("works in a thread of the escalation channel where the workspace does not allow the bot to create channels", async () => {
    const bot = await startBot({ allowChannelCreation: false });
    await formTeam(bot);
    await eventually(() => slack.callsOf("conversations.create").length > 0);
    const thread = await eventually(() => postsIn(ESCALATIONS).find((m) => m.text.startsWith("重大投诉处理小组")));
    await eventually(() => postsIn(ESCALATIONS).some((m) => m.threadTs === thread.ts && m.text.includes("已组建")));
    expect(slack.channels().filter((c) => c.name.startsWith("hl-"))).toEqual([]);
  });
});

describe("the Slack adapter over Socket Mode", () => {
  /** What Slack puts in an envelope: the request's body, without HTTP or a signature. */
  const payloadOf = (request: SlackRequest): unknown => request.body;

  it("acknowledges envelopes at once and handles them like HTTP requests: buttons, commands, retried events", async () => {
    const bot = await startBot({ socketMode: true });
    await socket.ready();
    const posted = await reportOnTelegram(bot, LEVEL1_FAULT);

    const button = buttonsOf(posted).find((b) => b.text.text === "响应")!;
    const press = blockActions({ userId: ZHOU, actionId: button.action_id, value: button.value, channelId: ESCALATIONS, message: { ts: posted.ts, text: posted.text, blocks: posted.blocks } });
    const ack = await socket.send("interactive", payloadOf(press));
    expect(ack.ms).toBeLessThan(1_000);
    await eventually(async () => (await timeline(bot.app)).includes("acknowledged"));
    await eventually(() => blockText(slack.message(ESCALATIONS, posted.ts)!).includes("周敏 已于"));

    await socket.send("slash_commands", payloadOf(slashCommand({ command: "/hotline", text: `status ${NUMBER}`, userId: CHEN, responseUrl: slack.responseUrl() })));
    expect(JSON.stringify((await slack.waitForResponse()).body.blocks)).toContain(NUMBER);

    const note = payloadOf(eventCallback({ eventId: "Ev0SOCKET1", event: messageEvent({ user: ZHOU, channel: "D0ZHOU", channelType: "im", text: `note ${NUMBER} 经由 Socket Mode` }) }));
    await socket.send("events_api", note);
    await socket.send("events_api", note, { retryAttempt: 1 });
    await eventually(() => postsIn("D0ZHOU").length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await timeline(bot.app)).filter((type) => type === "note")).toHaveLength(1);
    expect(slack.callsOf("apps.connections.open")).toHaveLength(1);
  });
});

describe("the Slack adapter against hostile input", () => {
  /** What a staff member might type to ping everyone or plant a link; none of it may reach Slack as markup. */
  const HOSTILE = "<!channel> <!here> <@U0EVIL01> <!subteam^S0EVIL01> <https://evil.example/ack|响应>";
  /** The raw `<…>` sequences in a mrkdwn text: mentions, links and specials, as Slack parses them. */
  const controlSequences = (text: string) => text.match(/<[^<>]*>/g) ?? [];
  /** The directory's members (U0000000…) are the only ones the renderer mentions. */
  const isDirectoryMention = (token: string) => /^<@U0000000[A-Z0-9]{3}>$/.test(token);
  const foreignMarkup = () => slack.mrkdwnSent().flatMap(({ via, text }) => controlSequences(text).filter((token) => !isDirectoryMention(token)).map((token) => `${via}: ${token}`));

  it("escapes what staff typed wherever Slack reads mrkdwn: posts and their fallback text, edits, direct messages, command answers", async () => {
    const bot = await startBot();
    const script = [...LEVEL1_FAULT];
    script[script.indexOf("行驶中起火，驾驶员受伤")] = `行驶中起火 ${HOSTILE}`;
    script[script.indexOf("张先生")] = `张先生 <!everyone>`;
    const posted = await reportOnTelegram(bot, script);
    await bot.deliveries.idle();
    expect(posted.text).toContain("&lt;!channel&gt;");
    // The pinged leads are still mentioned, by the renderer.
    expect(blockText(posted)).toContain(`<@${ZHOU}>`);

    await press(bot, posted, ZHOU, "响应");
    await eventually(() => slack.message(ESCALATIONS, posted.ts)!.versions.length > 1);
    await send(bot, eventCallback({ event: messageEvent({ user: CHEN, channel: "D0CHEN", channelType: "im", text: `note ${NUMBER} ${HOSTILE}` }) }));
    await eventually(() => postsIn("D0CHEN").length >= 1);
    await send(bot, slashCommand({ command: "/hotline", text: `status ${NUMBER}`, userId: CHEN, responseUrl: slack.responseUrl() }));
    await slack.waitForResponse();
    await send(bot, slashCommand({ command: "/hotline", text: HOSTILE, userId: CHEN, responseUrl: slack.responseUrl() }));
    await eventually(() => slack.responses.length === 2);
    await send(bot, eventCallback({ event: appMentionEvent({ user: ZHOU, channel: ESCALATIONS, text: `<@U0000BOT> status ${NUMBER}` }) }));
    await eventually(() => slack.ephemerals.some((e) => e.user === ZHOU && e.text.includes(NUMBER)));
    await bot.deliveries.idle();

    expect(slack.callsOf("chat.update").length).toBeGreaterThan(0);
    expect(foreignMarkup()).toEqual([]);
  });

  it("marks an answered question with its text escaped, whatever text the pressed message carries", async () => {
    const bot = await startBot();
    const liu = "U0000000CS1";
    await send(bot, eventCallback({ event: messageEvent({ user: liu, channel: "D0LIU", channelType: "im", text: "new" }) }));
    const question = await eventually(() => postsIn("D0LIU")[0]);
    const button = buttonsOf(question)[0]!;
    const forged = { ts: question.ts, text: `${HOSTILE} ${question.text}`, blocks: question.blocks };
    await send(bot, blockActions({ userId: liu, actionId: button.action_id, value: button.value, channelId: "D0LIU", message: forged }));
    const marked = await eventually(() => slack.callsOf("chat.update")[0]);
    expect(String(marked.params.text)).toContain("&lt;!channel&gt;");
    expect(foreignMarkup()).toEqual([]);
  });

  it("answers 400 to a correctly signed body that is not a JSON object, and keeps running", async () => {
    const bot = await startBot();
    const json = "application/json";
    const form = "application/x-www-form-urlencoded";
    const bodies: [string, string][] = [
      [json, "null"], [json, "5"], [json, "[]"], [json, '"text"'], [json, "true"], [json, "{not json"], [json, ""],
      [form, "payload=null"], [form, "payload=5"], [form, "payload=%5B%5D"], [form, "payload=%22x%22"], [form, "payload=%7Bbad"],
    ];
    for (const [contentType, rawBody] of bodies) {
      const answer = await send(bot, rawRequest(contentType, rawBody), { timeoutMs: 2_000 });
      expect({ rawBody, status: answer.status }).toEqual({ rawBody, status: 400 });
    }
    // Bolt's limit for a body, kept in front of it.
    const tooLarge = await send(bot, rawRequest(json, JSON.stringify({ type: "event_callback", padding: "x".repeat(5 * 1024 * 1024) })), { timeoutMs: 5_000 });
    expect(tooLarge.status).toBe(413);
    const challenge = await send(bot, urlVerification("still-here"));
    expect(challenge.json).toEqual({ challenge: "still-here" });
  });

  it("answers 400, not 500, to a signed object Bolt cannot take apart", async () => {
    const bot = await startBot();
    const odd = [
      { type: "event_callback", event: null },
      { type: "event_callback", event: 5 },
      { type: "event_callback", event: { type: "message", channel: "D0X", item: "x" } },
      { type: "block_actions", actions: 7, user: { id: ZHOU } },
      { type: "block_actions", actions: [], response_urls: [null], user: { id: ZHOU } },
      { type: "view_submission", user: { id: ZHOU } },
    ];
    for (const body of odd) {
      const answer = await send(bot, rawRequest("application/json", JSON.stringify(body)), { timeoutMs: 2_000 });
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
    }
  });

  it("acknowledges at once a verified request no listener takes", async () => {
    const bot = await startBot();
    const unhandled: SlackRequest[] = [
      blockActions({ userId: ZHOU, actionId: "another-apps-button", value: "x" }),
      viewSubmission({ userId: ZHOU, callbackId: "another-apps-modal", values: {} }),
      globalShortcut({ userId: ZHOU, callbackId: "report_shortcut" }),
      messageShortcut({ userId: ZHOU, callbackId: "escalate_message", message: { text: "hi" } }),
      slashCommand({ command: "/weather", text: "today", userId: ZHOU }),
      blockSuggestion({ userId: ZHOU, actionId: "vehicle_search", value: "LSG" }),
      rawRequest("application/json", JSON.stringify({ type: "something_new" })),
    ];
    // Bolt's own timer answers such a request with 404 after 3 seconds; a 200 is the adapter's acknowledgement.
    for (const request of unhandled) {
      const answer = await send(bot, request);
      expect({ kind: request.kind, status: answer.status }).toEqual({ kind: request.kind, status: 200 });
    }
  });

  it("answers a stranger's retried direct message once", async () => {
    const bot = await startBot();
    const hello = eventCallback({ eventId: "Ev0STRANGER1", event: messageEvent({ user: "U0STRANGER", channel: "D0STRANGER", channelType: "im", text: "hello" }) });
    expect((await send(bot, hello)).status).toBe(200);
    await eventually(() => postsIn("D0STRANGER").length >= 1);
    expect((await send(bot, hello, { retryNum: 1, retryReason: "http_timeout" })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(postsIn("D0STRANGER")).toHaveLength(1);
  });
});

describe("a ticket's board that waited to be posted", () => {
  const channel = { kind: "channel" as const, channelId: "escalations", name: "重大质量信息", platform: "slack" as const, address: ESCALATIONS };

  /** The ticket's board as the outbox queued it, before anyone acted on the ticket (the queue has posted it by then too). */
  async function queuedBoard(bot: Running) {
    await reportOnTelegram(bot, LEVEL1_FAULT);
    await bot.deliveries.idle();
    const row = (await bot.app.db.delivery.findMany({ where: { platform: "slack" } })).find((r) => JSON.parse(r.recipient).kind === "channel")!;
    return { card: JSON.parse(row.payload), ticketId: row.ticketId! };
  }

  const postedAs = (deliveryId: number) => postsIn(ESCALATIONS).find((m) => (m.metadata as { event_payload?: { delivery_id?: number } } | undefined)?.event_payload?.delivery_id === deliveryId);

  it("shows the ticket as it stands when it goes out, not as it was when it was queued", async () => {
    const bot = await startBot();
    const { card, ticketId } = await queuedBoard(bot);
    clock.now = new Date("2026-11-26T02:03:00Z");
    await say(bot.app, "zhou.min", `/ack ${NUMBER}`); // while the post waited: no post yet to edit
    await bot.adapter.send({ recipient: channel, card, ticketId, view: "ticket", deliveryId: 901, mayHaveArrived: false });
    expect(blockText(postedAs(901)!)).toContain("周敏 已于 2026-11-26 10:03 响应");
  });

  it("is edited at once when the ticket changed between drawing it and recording the post", async () => {
    const bot = await startBot();
    const { card, ticketId } = await queuedBoard(bot);
    const chat = bot.adapter.bolt.client.chat;
    const post = chat.postMessage.bind(chat);
    // The acknowledgement lands after Slack took the post and before the adapter recorded it.
    chat.postMessage = (async (args: Parameters<typeof post>[0]) => {
      const answer = await post(args);
      if (args.channel === ESCALATIONS) await say(bot.app, "zhou.min", `/ack ${NUMBER}`);
      return answer;
    }) as typeof chat.postMessage;
    await bot.adapter.send({ recipient: channel, card, ticketId, view: "ticket", deliveryId: 902, mayHaveArrived: false });
    const posted = postedAs(902)!;
    expect(blockText(posted.versions[0]!)).not.toContain("周敏 已于");
    expect(blockText(posted)).toContain("周敏 已于 2026-11-26 10:00 响应");
  });
});

describe("resending a delivery that may have reached Slack before the process died", () => {
  const notice = { lines: ["投递测试"] };

  it("posts every delivery with its id as message metadata", async () => {
    const bot = await startBot();
    await bot.adapter.send({ recipient: { kind: "channel", channelId: "escalations", name: "升级通知", platform: "slack", address: ESCALATIONS }, card: notice, ticketId: null, view: null, deliveryId: 41, mayHaveArrived: false });
    await bot.adapter.send({ recipient: { kind: "member", memberId: "zhou.min", name: "周敏", platform: "slack", address: ZHOU }, card: notice, ticketId: null, view: null, deliveryId: 42, mayHaveArrived: false });
    expect(postsIn(ESCALATIONS)[0]!.metadata).toEqual({ event_type: "hotline_delivery", event_payload: { delivery_id: 41 } });
    expect(postsIn(ZHOU)[0]!.metadata).toEqual({ event_type: "hotline_delivery", event_payload: { delivery_id: 42 } });
    expect(await bot.adapter.findDelivered(ESCALATIONS, 41)).toEqual({ ts: postsIn(ESCALATIONS)[0]!.ts });
    expect(await bot.adapter.findDelivered(ZHOU, 42)).toEqual({ ts: postsIn(ZHOU)[0]!.ts });
    expect(await bot.adapter.findDelivered(ESCALATIONS, 42)).toBeUndefined();
  });

  it("finds the post in the channel's or the DM's history and does not post it again; a live view is still recorded", async () => {
    const bot = await startBot();
    await reportOnTelegram(bot, LEVEL1_FAULT);
    await bot.deliveries.idle();
    const ticket = (await bot.app.core.tickets.findByNumber(NUMBER))!;
    const channel = { kind: "channel" as const, channelId: "escalations", name: "升级通知", platform: "slack" as const, address: ESCALATIONS };
    const zhou = { kind: "member" as const, memberId: "zhou.min", name: "周敏", platform: "slack" as const, address: ZHOU };

    // The first attempt reached Slack, then the process died before the post was recorded.
    await bot.adapter.send({ recipient: channel, card: notice, ticketId: ticket.id, view: "ticket", deliveryId: 501, mayHaveArrived: false });
    await bot.adapter.send({ recipient: zhou, card: notice, ticketId: null, view: null, deliveryId: 502, mayHaveArrived: false });
    const first = postsIn(ESCALATIONS).at(-1)!;
    await bot.app.db.postedMessage.deleteMany({ where: { messageId: first.ts } });
    const postsBefore = slack.callsOf("chat.postMessage").length;

    await bot.adapter.send({ recipient: channel, card: notice, ticketId: ticket.id, view: "ticket", deliveryId: 501, mayHaveArrived: true });
    await bot.adapter.send({ recipient: zhou, card: notice, ticketId: null, view: null, deliveryId: 502, mayHaveArrived: true });
    expect(slack.callsOf("chat.postMessage")).toHaveLength(postsBefore);
    expect(slack.callsOf("conversations.history").map((c) => c.params)).toEqual([
      expect.objectContaining({ channel: ESCALATIONS, include_all_metadata: "true", limit: "100" }),
      expect.objectContaining({ channel: `D${ZHOU.slice(1)}`, include_all_metadata: "true", limit: "100" }),
    ]);
    const recorded = await bot.app.db.postedMessage.findMany({ where: { ticketId: ticket.id, messageId: first.ts } });
    expect(recorded).toEqual([expect.objectContaining({ address: ESCALATIONS, view: "ticket" })]);

    // One that never arrived is posted, once.
    await bot.adapter.send({ recipient: channel, card: notice, ticketId: null, view: null, deliveryId: 503, mayHaveArrived: true });
    expect(slack.callsOf("chat.postMessage")).toHaveLength(postsBefore + 1);
    expect(postsIn(ESCALATIONS).at(-1)!.metadata).toEqual({ event_type: "hotline_delivery", event_payload: { delivery_id: 503 } });
  });
});

describe("a shared file's bytes, fetched from Slack when the console shows them", () => {
  it("reads the file's private URL with files.info and downloads it with the bot token", async () => {
    const bot = await startBot();
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]);
    const fileId = slack.addFile({ bytes, name: "dashboard.jpg", mimetype: "image/jpeg" });
    expect(await bot.adapter.downloadFile(fileId)).toEqual(bytes);
    expect(slack.callsOf("files.info").map((c) => c.params)).toEqual([{ file: fileId }]);
  });

  it("gives the download up when its signal aborts (the console's reader went away)", async () => {
    const bot = await startBot();
    const fileId = slack.addFile({ bytes: "%PDF-1.7", name: "inspection.pdf", mimetype: "application/pdf" });
    await expect(bot.adapter.downloadFile(fileId, AbortSignal.abort())).rejects.toMatchObject({ name: "AbortError" });
  });

  it("fails with Slack's file_not_found for an id Slack does not know", async () => {
    const bot = await startBot();
    await expect(bot.adapter.downloadFile("F0GONE0001")).rejects.toMatchObject({ data: expect.objectContaining({ ok: false, error: "file_not_found" }) });
  });

  it("fails with the HTTP status when the download itself is refused", async () => {
    const bot = await startBot();
    // files.info still describes a file whose bytes are gone from Slack's file server.
    const gone = `${slack.origin}/files-pri/${slack.teamId}-F0GONE0002/download/old.jpg`;
    slack.stub("files.info", () => ({ file: { id: "F0GONE0002", name: "old.jpg", mimetype: "image/jpeg", url_private: gone, url_private_download: gone } }));
    await expect(bot.adapter.downloadFile("F0GONE0002")).rejects.toThrow("downloading Slack file F0GONE0002: HTTP 404");
  });

  it("sends the bot token to no host but Slack's", async () => {
    const bot = await startBot();
    let asked = 0;
    const elsewhere = createServer((_req, res) => void (asked++, res.end("bytes")));
    await new Promise<void>((resolve) => elsewhere.listen(0, "localhost", resolve));
    cleanups.push(() => new Promise((resolve) => elsewhere.close(resolve)));
    const url = `http://localhost:${(elsewhere.address() as AddressInfo).port}/files-pri/T0-F0ELSEWHERE/download/x.pdf`;
    slack.stub("files.info", () => ({ file: { id: "F0ELSEWHERE", name: "x.pdf", mimetype: "application/pdf", url_private: url, url_private_download: url } }));
    await expect(bot.adapter.downloadFile("F0ELSEWHERE")).rejects.toThrow("its URL is not on Slack (localhost:");
    expect(asked).toBe(0);
  });

  it("fails naming the file when Slack answers its sign-in page instead of the file", async () => {
    const bot = await startBot();
    // The file lives in a workspace whose token is not the bot's: Slack answers such a download with its sign-in page.
    const elsewhere = await FakeSlackApi.start({ token: "xoxb-another-workspace" });
    cleanups.push(() => elsewhere.close());
    const fileId = elsewhere.addFile({ bytes: "%PDF-1.7", name: "inspection.pdf", mimetype: "application/pdf" });
    const info = (await (await fetch(`${elsewhere.apiUrl}files.info?file=${fileId}`, { headers: { authorization: `Bearer ${elsewhere.token}` } })).json()) as Record<string, unknown>;
    slack.stub("files.info", () => info);
    await expect(bot.adapter.downloadFile(fileId)).rejects.toThrow(`downloading Slack file ${fileId}: Slack answered its sign-in page, not the file`);
  });
});

describe("a ticket's form shared on Slack", () => {
  const FORM_NAME = `${NUMBER}-重大售后质量信息报告单.pdf`;
  /** Bytes no text encoding would keep: a NUL, 0xFF, a lone UTF-8 continuation byte. */
  const FORM_BYTES = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.from([0x00, 0xff, 0x80, 0x0a]), Buffer.from("%%EOF\n")]);
  const form: OutboundFile = { bytes: new Uint8Array(FORM_BYTES), name: FORM_NAME, contentType: "application/pdf" };
  const caption = { lines: [`${NUMBER} 的报告单 <!channel>`], mentions: [{ memberId: "zhou.min", name: "周敏" }] };
  const channel = { kind: "channel" as const, channelId: "escalations", name: "升级通知", platform: "slack" as const, address: ESCALATIONS };
  const zhou = { kind: "member" as const, memberId: "zhou.min", name: "周敏", platform: "slack" as const, address: ZHOU };
  const message = (overrides: Partial<Parameters<SlackAdapter["send"]>[0]> = {}): Parameters<SlackAdapter["send"]>[0] => ({
    recipient: channel, card: caption, ticketId: null, view: null, deliveryId: 700, mayHaveArrived: false, file: form, ...overrides,
  });

  it("shares the file with its caption as the comment, in a channel and in a member's DM, and posts no message beside it", async () => {
    const bot = await startBot();
    await bot.adapter.send(message());
    await bot.adapter.send(message({ recipient: zhou, deliveryId: 701 }));
    const [inChannel] = slack.sharedFiles(ESCALATIONS);
    const [inDm] = slack.sharedFiles(`D${ZHOU.slice(1)}`);
    for (const shared of [inChannel, inDm]) {
      expect(shared).toMatchObject({ name: FORM_NAME });
      expect(shared!.bytes).toEqual(FORM_BYTES);
      // The caption as mrkdwn: what staff typed escaped, the mention as the adapter writes it.
      expect(shared!.initialComment).toBe(`${NUMBER} 的报告单 &lt;!channel&gt;\n<@${ZHOU}>`);
    }
    expect(slack.callsOf("conversations.open").map((c) => c.params.users)).toEqual([ZHOU]);
    expect(slack.callsOf("chat.postMessage")).toEqual([]);
  });

  it("delivers a form from the outbox through the delivery queue, made when it is sent", async () => {
    const made: number[] = [];
    const bot = await startBot({ files: formsOnly(async (ticketId) => (made.push(ticketId), form)) });
    await reportOnTelegram(bot, LEVEL1_FAULT);
    await bot.deliveries.idle(); // the report's own escalation brought its form already
    const ticket = (await bot.app.core.tickets.findByNumber(NUMBER))!;
    made.length = 0;
    const before = slack.sharedFiles(ESCALATIONS).length;
    const row = await bot.app.db.delivery.create({ data: { platform: "slack", kind: "form", recipient: JSON.stringify(channel), payload: JSON.stringify(caption), ticketId: ticket.id } });
    bot.deliveries.kick();
    await eventually(async () => (await bot.app.db.delivery.findUnique({ where: { id: row.id } }))?.status === "sent");
    expect(made).toEqual([ticket.id]);
    expect(slack.sharedFiles(ESCALATIONS).slice(before).map((f) => [f.name, f.bytes.equals(FORM_BYTES)])).toEqual([[FORM_NAME, true]]);
  });

  it("fails at once, without a retry, where Slack refuses for good (an archived channel)", async () => {
    const bot = await startBot({ files: formsOnly(async () => form) });
    await reportOnTelegram(bot, LEVEL1_FAULT);
    await bot.deliveries.idle(); // the report's own form is shared before Slack starts refusing
    const ticket = (await bot.app.core.tickets.findByNumber(NUMBER))!;
    const before = slack.sharedFiles(ESCALATIONS).length;
    slack.failNext("files.completeUploadExternal", { error: "is_archived" });
    await expect(bot.adapter.send(message())).rejects.toBeInstanceOf(PermanentDeliveryError);

    slack.failNext("files.completeUploadExternal", { error: "is_archived" });
    const row = await bot.app.db.delivery.create({ data: { platform: "slack", kind: "form", recipient: JSON.stringify(channel), payload: JSON.stringify(caption), ticketId: ticket.id } });
    bot.deliveries.kick();
    const failed = await eventually(async () => {
      const found = await bot.app.db.delivery.findUnique({ where: { id: row.id } });
      return found?.status === "failed" && found;
    });
    expect(failed).toMatchObject({ attempts: 1, lastError: "Slack refused: is_archived" });
    expect(slack.sharedFiles(ESCALATIONS)).toHaveLength(before);
  });

  it("refuses a member without a Slack account for good", async () => {
    const bot = await startBot();
    await expect(bot.adapter.send(message({ recipient: { ...zhou, address: null } }))).rejects.toThrow(PermanentDeliveryError);
  });

  it("waits out a 429's Retry-After and shares the file once", async () => {
    const bot = await startBot();
    slack.failNext("files.completeUploadExternal", { status: 429, retryAfter: 1 });
    await bot.adapter.send(message());
    const completions = slack.callsOf("files.completeUploadExternal");
    expect(completions.map((c) => c.status)).toEqual([429, 200]);
    expect(completions[1]!.at - completions[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(slack.sharedFiles(ESCALATIONS)).toHaveLength(1);
  });

  it("does not share again a file an attempt that may have arrived shared, and shares one it did not", async () => {
    const bot = await startBot();
    await bot.adapter.send(message());
    await bot.adapter.send(message({ recipient: zhou, deliveryId: 701 }));
    await bot.adapter.send(message({ mayHaveArrived: true }));
    await bot.adapter.send(message({ recipient: zhou, deliveryId: 701, mayHaveArrived: true }));
    expect(slack.sharedFiles()).toHaveLength(2);
    expect(slack.callsOf("conversations.history").map((c) => c.params.channel)).toEqual([ESCALATIONS, `D${ZHOU.slice(1)}`]);

    await bot.adapter.send(message({ deliveryId: 702, mayHaveArrived: true, file: { ...form, name: "HL-20261126-0002-重大售后质量信息报告单.pdf" } }));
    expect(slack.sharedFiles(ESCALATIONS).map((f) => f.name)).toEqual([FORM_NAME, "HL-20261126-0002-重大售后质量信息报告单.pdf"]);
  });
});
