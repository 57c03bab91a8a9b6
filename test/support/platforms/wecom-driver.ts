import type { Server } from "node:http";
import { adapterDeps } from "../../../bot/adapter-deps.js";
import type { App } from "../../../bot/app.js";
import { createHttpServer } from "../../../bot/http/server.js";
import { renderText } from "../../../bot/wecom/render-wecom.js";
import { WECOM_CALLBACK_PATH, WecomAdapter } from "../../../bot/wecom/wecom-adapter.js";
import type { ButtonCard } from "../../../bot/wecom/wecom-client.js";
import { WecomCrypto } from "../../../bot/wecom/wecom-crypto.js";
import type { Card } from "../../../core/messages/card.js";
import type { DeliveryQueue } from "../../../jobs/delivery-queue.js";
import { encryptedCallback, eventXml, FakeWecomApi, fileMessageXml, textMessageXml } from "../../fakes/wecom-api.js";
import { TEST_REDIS_URL } from "../redis.js";
import { accountOf, channelOf, listen, settleOutbox, silent, startDeliveries, startInSteps } from "./adapter-rig.js";
import { pickAnswer, waitForAnswer } from "./answer-of-event.js";
import { describeMessages, type BotMessage, type Button } from "./bot-message.js";
import type { PlatformDriver } from "./platform-driver.js";

const CORP_ID = "ww5c3e1d7a9b2f4e6001";
const AGENT_ID = 1000002;
const SECRET = "scenario-app-secret";
const TOKEN = "hotlineScenario42";
const AES_KEY = Buffer.alloc(32, 11).toString("base64").slice(0, 43);

/** The options a text shows after its words: numbered ("1. 质量故障") or, for typed answers, in brackets. */
interface ShownOption {
  label: string;
  /** The number to send; undefined for a typed answer's shortcut, which is sent as its words. */
  number: number | undefined;
}

/** One app message to a member, with the button card sent after it (for its commands). */
interface WecomView {
  msgid: string;
  text: string;
  options: ShownOption[];
  /** Commands written out as `label：/command` lines (what a card's buttons do, in text). */
  commandLines: Button[];
  card: ButtonCard | undefined;
  /** A file sent right after the text, its caption. */
  file?: { name: string; bytes: Buffer | undefined };
}

const NUMBERED = /^(\d+)\. (.+)$/;
const SHORTCUTS = /^(?:\[[^\]]+\] ?)+$/;
/** A command as WeCom writes it after a card's words: a button's short label, then what to send (`响应：/ack HL-…`). */
const COMMAND_LINE = /^([^：\n]{1,24})：(\/\S.*)$/;
/** The last line of a text that mentions people: "@周敏 @陈杰". */
const MENTIONS = /^@\S+(?: @\S+)*$/;

/**
 * Members on WeCom: the real WecomAdapter behind the HTTP server, sent encrypted callbacks as WeCom
 * sends them (text messages, and template_card_event for a card's button), against the fake WeCom
 * API. A member's inbox is the app messages to them; WeCom shows the dialog's options as numbered
 * lines, so "pressing" one sends its number, as a member would.
 */
export class WecomDriver implements PlatformDriver {
  private readonly crypto = new WecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, corpId: CORP_ID });
  private nextMsgId = 7_100_000_000_000_000;
  private lastCreateTime = 0;
  /** The ids of the options a message showed, learnt from the card it answered with. */
  private readonly optionIds = new Map<string, string[]>();

  private constructor(
    private readonly app: App,
    readonly fake: FakeWecomApi,
    private readonly adapter: WecomAdapter,
    private readonly deliveries: DeliveryQueue,
    private readonly server: Server,
    private readonly url: string,
  ) {}

  static start(app: App, prefix: string): Promise<WecomDriver> {
    return startInSteps(async (onFailure) => {
      // The organisation's WeCom group chats exist already (an administrator made them); team chats the adapter opens itself.
      const chats = app.org.channels.filter((c) => c.platform === "wecom" && c.purpose !== "team").map((c) => ({ chatid: c.externalId, name: c.name.zh }));
      const robotKeys = app.org.departments.flatMap((d) => (d.wecomRobotKey ? [resolveKey(d.wecomRobotKey)] : []));
      const fake = await FakeWecomApi.start({ corpId: CORP_ID, corpSecret: SECRET, agentId: AGENT_ID, robotKeys, chats });
      onFailure(() => fake.close());
      let deliveries: DeliveryQueue | undefined;
      const adapter = new WecomAdapter(adapterDeps(app), { corpId: CORP_ID, agentId: AGENT_ID, secret: SECRET, token: TOKEN, encodingAesKey: AES_KEY, apiBase: fake.baseUrl, onNotifications: () => deliveries?.kick(), environment: process.env, log: silent });
      const queue = (deliveries = startDeliveries(app, "wecom", adapter.send, { prefix }));
      onFailure(() => queue.stop());
      await adapter.start();
      onFailure(() => adapter.stop());
      const server = await listen(createHttpServer({ db: app.db, redisUrl: TEST_REDIS_URL }, adapter.routes()));
      return new WecomDriver(app, fake, adapter, queue, server, `${server.url}${WECOM_CALLBACK_PATH}`);
    });
  }

  async say(memberId: string, text: string): Promise<BotMessage[]> {
    const userid = accountOf(this.app, memberId, "wecom");
    const msgId = String(this.nextMsgId++);
    return this.exchange(userid, textMessageXml({ toUser: CORP_ID, fromUser: userid, content: text, agentId: AGENT_ID, msgId }), msgId);
  }

  async sendFile(memberId: string, name: string): Promise<BotMessage[]> {
    const userid = accountOf(this.app, memberId, "wecom");
    const msgId = String(this.nextMsgId++);
    const xml = fileMessageXml({ toUser: CORP_ID, fromUser: userid, msgType: "file", mediaId: `MEDIA_${msgId}`, fileName: name, agentId: AGENT_ID, msgId });
    return this.exchange(userid, xml, msgId);
  }

  async press(memberId: string, message: BotMessage, button: Button): Promise<BotMessage[]> {
    const userid = accountOf(this.app, memberId, "wecom");
    const view = this.views(userid).find((v) => v.msgid === message.id);
    const onCard = view?.card?.button_list.find((b) => b.key === button.command);
    if (view?.card && onCard) {
      // WeCom identifies an event by its sender and CreateTime: one press a second each, as a person presses.
      const createTime = (this.lastCreateTime = Math.max(Math.floor(Date.now() / 1000), this.lastCreateTime + 1));
      const xml = eventXml({ toUser: CORP_ID, fromUser: userid, event: "template_card_event", eventKey: onCard.key, taskId: view.card.task_id, cardType: "button_interaction", createTime, agentId: AGENT_ID });
      return this.exchange(userid, xml, `${userid}:${createTime}:${onCard.key}`);
    }
    const index = view ? this.buttonsOf(view).findIndex((b) => b.label === button.label && b.command === button.command) : -1;
    const option = view?.options[index];
    if (option) return this.say(memberId, option.number === undefined ? option.label : String(option.number));
    if (button.command?.startsWith("/")) return this.say(memberId, button.command);
    throw new Error(`WeCom message ${message.id} shows no "${button.label}" to answer with`);
  }

  async inbox(memberId: string): Promise<BotMessage[]> {
    // The adapter sends a message's commands as a button card right after its text: until the card is there, the message is still arriving.
    const arrived = this.views(accountOf(this.app, memberId, "wecom")).filter((v) => v.card || v.commandLines.length === 0);
    return arrived.map((v) => this.toMessage(v));
  }

  async channel(channelId: string): Promise<BotMessage[]> {
    if (channelId.startsWith("robot:")) return this.robotMessages(channelId.slice("robot:".length));
    const { externalId } = channelOf(this.app, channelId, "wecom");
    const chat = this.fake.chats().find((c) => c.chatid === externalId);
    if (!chat) throw new Error(`the fake WeCom has no group chat ${externalId}`);
    // A file (its content is the file's name) comes right after its caption: one message, as elsewhere.
    const { messages } = chat;
    return messages.flatMap((m, i) => {
      if (messages[i + 1]?.msgtype === "file") return [];
      const caption = m.msgtype === "file" ? (messages[i - 1]?.content ?? "") : m.content;
      const message = this.toMessage(parseText(`${externalId}:${i}`, caption));
      return [m.msgtype === "file" ? { ...message, file: m.content } : message];
    });
  }

  settle(timeoutMs?: number): Promise<void> {
    return settleOutbox(this.app, this.deliveries, "wecom", timeoutMs);
  }

  async stop(): Promise<void> {
    this.server.close();
    await this.adapter.stop();
    await this.deliveries.stop();
    await this.fake.close();
  }

  /** What a department's group robot posted (channel id `robot:<department>`). */
  private robotMessages(departmentId: string): BotMessage[] {
    const key = this.app.org.departments.find((d) => d.id === departmentId)?.wecomRobotKey;
    if (!key) throw new Error(`department "${departmentId}" has no WeCom group robot in the scenario's organisation`);
    return this.fake.robotMessages(resolveKey(key)).map((m, i) => this.toMessage(parseText(`robot:${departmentId}:${i}`, m.content)));
  }

  /** Posts an encrypted callback and waits for the answer in the app messages to `userid`. */
  private async exchange(userid: string, xml: string, eventId: string): Promise<BotMessage[]> {
    const before = new Set(this.views(userid).map((v) => v.msgid));
    const fresh = () => this.views(userid).filter((v) => !before.has(v.msgid));
    const { query, body } = encryptedCallback(this.crypto, xml);
    const response = await fetch(`${this.url}?${new URLSearchParams(query)}`, { method: "POST", body });
    if (response.status !== 200) throw new Error(`the WeCom adapter answered ${response.status} to a callback from ${userid}`);
    const answer = await waitForAnswer(this.app, "wecom", eventId, () => `app messages to ${userid}:\n${describeMessages(fresh().map((v) => this.toMessage(v)))}\nAPI calls:\n${this.fake.describeCalls()}`);
    const picked = pickAnswer(fresh().map((v) => ({ ...this.toMessage(v), view: v })), answer.cards, (card) => renderText(card).length);
    for (const { message, card } of picked) this.learnOptionIds(message.view, card);
    return picked.map(({ message }) => this.toMessage(message.view));
  }

  /** Numbered options are the card's choices that are not commands, in order; WeCom does not show their ids. */
  private learnOptionIds(view: WecomView, card: Card): void {
    const options = (card.choices ?? []).filter((c) => !c.id.startsWith("/"));
    if (view.options.length && view.options.every((shown, i) => options[i]?.label === shown.label)) this.optionIds.set(view.msgid, options.map((c) => c.id));
  }

  private buttonsOf(view: WecomView): Button[] {
    const ids = this.optionIds.get(view.msgid);
    const options = view.options.map((o, i) => ({ label: o.label, command: ids?.[i] }));
    const commands = view.card ? view.card.button_list.map((b) => ({ label: b.text, command: b.key })) : view.commandLines;
    return [...options, ...commands];
  }

  private toMessage(view: WecomView): BotMessage {
    return { id: view.msgid, text: view.text, buttons: this.buttonsOf(view), ...(view.file ? { file: view.file.name, fileBytes: view.file.bytes } : {}) };
  }

  /** The app messages to a member, each button card joined to the text it was sent after. */
  private views(userid: string): WecomView[] {
    const views: WecomView[] = [];
    for (const message of this.fake.appMessages(userid)) {
      if (message.msgtype === "file") {
        // A file comes right after its caption: one message, as elsewhere.
        const caption = views.at(-1);
        const file = { name: message.content, bytes: this.fake.uploadedMedia(String((message.body.file as { media_id?: unknown }).media_id))?.bytes };
        if (caption && !caption.file) caption.file = file;
        else views.push({ ...parseText(message.msgid, ""), file });
        continue;
      }
      if (message.msgtype !== "template_card") {
        views.push(parseText(message.msgid, message.content));
        continue;
      }
      const card = message.body.template_card as ButtonCard;
      const title = card.main_title.title.replace(/…$/, "");
      const target = [...views].reverse().find((v) => !v.card && v.text.startsWith(title)) ?? views.at(-1);
      if (target) target.card = card;
    }
    return views;
  }
}

/**
 * A text as the member reads it: the words, then the options and command lines WeCom writes after
 * them (before the line of mentions, which stays with the words).
 */
function parseText(msgid: string, content: string): WecomView {
  const lines = content.split("\n");
  const mentions = lines.length > 1 && MENTIONS.test(lines.at(-1)!) ? lines.splice(-1) : [];
  let end = lines.length;
  const commandLines: Button[] = [];
  while (end > 0 && COMMAND_LINE.test(lines[end - 1]!)) {
    const [, label, command] = COMMAND_LINE.exec(lines[--end]!)!;
    commandLines.unshift({ label: label!, command: command! });
  }
  const options: ShownOption[] = [];
  if (end > 0 && SHORTCUTS.test(lines[end - 1]!)) {
    options.push(...[...lines[--end]!.matchAll(/\[([^\]]+)\]/g)].map((m) => ({ label: m[1]!, number: undefined })));
  } else {
    while (end > 0 && NUMBERED.test(lines[end - 1]!)) {
      const [, number, label] = NUMBERED.exec(lines[--end]!)!;
      options.unshift({ label: label!, number: Number(number) });
    }
  }
  return { msgid, text: [...lines.slice(0, end), ...mentions].join("\n"), options, commandLines, card: undefined };
}

function resolveKey(key: string): string {
  return key.startsWith("env:") ? (process.env[key.slice(4)] ?? key) : key;
}
