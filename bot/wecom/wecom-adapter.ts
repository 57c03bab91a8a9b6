import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { InboundEvent } from "../../core/conversation/handle-inbound.js";
import { accountsOn } from "../../core/directory/member.js";
import type { Organisation } from "../../core/directory/organisation.js";
import { robotDepartmentOf } from "../../core/escalation/escalation-notices.js";
import type { Recipient } from "../../core/escalation/notification.js";
import type { Card } from "../../core/messages/card.js";
import { teamPeople } from "../../core/teams/team-card.js";
import type { AttachmentRef, Ticket } from "../../core/tickets/ticket.js";
import { PermanentDeliveryError, type Sender } from "../../jobs/delivery-queue.js";
import { InboundQueue } from "../../jobs/inbound-queue.js";
import type { AdapterDeps, LiveViews } from "../adapter-deps.js";
import { ConfigError } from "../config/env.js";
import { handleAndReply } from "../inbound.js";
import type { RouteHandler } from "../http/server.js";
import type { Logger } from "../logger.js";
import { renderButtonCard, renderRobotMarkdown, renderText } from "./render-wecom.js";
import { RATE_LIMITED, WecomApiError, WecomClient, type FileMessage, type MediaFile } from "./wecom-client.js";
import { WecomCrypto, WecomCryptoError } from "./wecom-crypto.js";
import { parseFlatXml } from "./wecom-xml.js";

export interface WecomOptions {
  corpId: string;
  agentId: number;
  secret: string;
  token: string;
  encodingAesKey: string;
  /** e.g. https://qyapi.weixin.qq.com (tests point it at a fake). */
  apiBase: string;
  /** How long a callback's body may take to arrive, in ms. @defaultValue 10 000 */
  bodyTimeoutMs?: number;
  /** Called when a handled message produced messages for others (the outbox). */
  onNotifications?: () => void;
  /**
   * Where a robot key written `env:NAME` in the organisation file is looked up (the process's
   * environment, handed over by the composition root): read when a message goes, so the outbox never holds a key.
   */
  environment: Readonly<Record<string, string | undefined>>;
  log: Logger;
}

/** The environment robot keys are read from. */
type Environment = WecomOptions["environment"];

export const WECOM_CALLBACK_PATH = "/wecom/callback";
/** A callback is a few kilobytes of XML: a megabyte is far past anything WeCom sends. */
const MAX_BODY_BYTES = 1024 * 1024;
/** WeCom sends its body at once and waits 5 seconds for the answer: a body still coming after 10 is not WeCom's. */
const BODY_TIMEOUT_MS = 10_000;
/**
 * A userid, as WeCom's member/create (创建成员) defines it: 1 to 64 letters, digits and `_-@.`,
 * starting with a letter or digit. Replies go to it, and a `|` would make one address many.
 */
const USERID = /^[A-Za-z0-9][\w@.-]{0,63}$/;
/** appchat/create: a chat with this chatid exists already. */
const CHAT_EXISTS = 86215;

/**
 * WeCom refusals that retrying will not change: unknown user, robot key or chat, a bad request; for
 * a file, a type (40005) or size (40006: 5 bytes to 20 MB) WeCom does not take.
 */
const PERMANENT_ERRCODES = new Set([81013, 93000, 86003, 40058, 40008, 44004, 301002, 60011, 60111, 40005, 40006]);

/** The decrypted message, as far as Hotline reads it. */
const inboundSchema = z.object({
  ToUserName: z.string().min(1),
  FromUserName: z.string().regex(USERID),
  CreateTime: z.string().regex(/^\d+$/),
  MsgType: z.string().min(1),
  Content: z.string().optional(),
  MsgId: z.string().optional(),
  MediaId: z.string().optional(),
  FileName: z.string().optional(),
  Event: z.string().optional(),
  EventKey: z.string().optional(),
});
type InboundXml = z.infer<typeof inboundSchema>;

/** A message between WeCom's 200 and its handling. */
interface WecomInbound {
  event: InboundEvent;
}

/** Why a callback was refused: the log says which check failed, WeCom gets only the status. */
class CallbackRefused extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 408 | 413,
    readonly check: string,
    /** The body is still arriving: the connection cannot carry another request. */
    readonly bodyUnread = false,
  ) {
    super(check);
  }
}

/**
 * The WeCom adapter: the app's encrypted callback (URL verification and messages, answered at once
 * and handled in order, each once), replies and notifications as app messages, escalations into
 * department groups by their robots with real @-mentions, and complaint teams in app group chats.
 */
export class WecomAdapter {
  readonly client: WecomClient;
  private readonly crypto: WecomCrypto;
  private readonly inbound: InboundQueue<WecomInbound>;
  private readonly views: LiveViews;
  private readonly log: Logger;

  constructor(
    private readonly deps: AdapterDeps,
    private readonly options: WecomOptions,
  ) {
    this.log = options.log.child({ module: "wecom" });
    this.crypto = new WecomCrypto({ token: options.token, encodingAesKey: options.encodingAesKey, corpId: options.corpId });
    this.client = new WecomClient({ baseUrl: options.apiBase, corpId: options.corpId, secret: options.secret, agentId: options.agentId });
    this.inbound = new InboundQueue("inbound-wecom", (job) => this.process(job), { store: deps.inboundRequests, orderKeyOf: ({ event }) => `${event.platform}:${event.senderId}`, log: this.log });
    this.views = deps.liveViews("wecom");
    checkRobotKeys(deps.org, options.environment);
  }

  async start(): Promise<void> {
    this.inbound.start();
    this.log.info({ agent: this.options.agentId }, `WeCom: receiving at ${WECOM_CALLBACK_PATH}`);
  }

  async stop(): Promise<void> {
    await this.inbound.close();
  }

  routes(): Record<string, RouteHandler> {
    return {
      [`GET ${WECOM_CALLBACK_PATH}`]: (req, res) => this.answer(res, () => this.verifyUrl(req)),
      [`POST ${WECOM_CALLBACK_PATH}`]: (req, res) => this.answer(res, () => this.receive(req)),
    };
  }

  /**
   * The bytes of an image or file a reporter sent (tickets keep its media id), from media/get. WeCom
   * keeps received media three days; an older one fails with its errcode (40007 invalid media_id).
   * Given up when `signal` aborts.
   */
  downloadFile(mediaId: string, signal?: AbortSignal): Promise<Buffer> {
    return this.client.getMedia(mediaId, signal);
  }

  // ---- receiving ----

  private async answer(res: ServerResponse, handle: () => Promise<string>): Promise<void> {
    try {
      const body = await handle();
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(body);
    } catch (error) {
      if (!(error instanceof CallbackRefused)) throw error;
      this.log.warn({ check: error.check }, `WeCom callback refused: ${error.check}`);
      const close = error.bodyUnread ? { connection: "close" } : {};
      res.writeHead(error.status, { "content-type": "text/plain; charset=utf-8", ...close }).end();
    }
  }

  /** URL verification: the decrypted echostr, bare, within WeCom's second. */
  private async verifyUrl(req: IncomingMessage): Promise<string> {
    const query = queryOf(req);
    return this.open({ ...query, encrypted: query.echostr });
  }

  /** A message: verified, decrypted, queued, then 200 with an empty body (no passive reply). */
  private async receive(req: IncomingMessage): Promise<string> {
    const query = queryOf(req);
    const envelope = parseFlatXml(await readBody(req, this.options.bodyTimeoutMs ?? BODY_TIMEOUT_MS));
    if (!envelope.Encrypt) throw new CallbackRefused(400, "malformed body: no Encrypt element");
    const parsed = inboundSchema.safeParse(parseFlatXml(this.open({ ...query, encrypted: envelope.Encrypt })));
    if (!parsed.success) throw new CallbackRefused(400, `malformed message: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);
    const event = toInboundEvent(parsed.data);
    if (event) await this.inbound.add({ event });
    return "";
  }

  private open(query: { msgSignature?: string | undefined; timestamp?: string | undefined; nonce?: string | undefined; encrypted?: string | undefined }): string {
    const { msgSignature, timestamp, nonce, encrypted } = query;
    if (!msgSignature || !timestamp || !nonce || !encrypted) throw new CallbackRefused(400, "malformed query: msg_signature, timestamp, nonce and the message are required");
    try {
      return this.crypto.openEnvelope({ msgSignature, timestamp, nonce, encrypted });
    } catch (error) {
      if (!(error instanceof WecomCryptoError)) throw error;
      const status = error.check === "signature" ? 401 : error.check === "receive_id" ? 403 : 400;
      throw new CallbackRefused(status, `${error.check}: ${error.message}`);
    }
  }

  private async process({ event }: WecomInbound): Promise<void> {
    await handleAndReply(this.deps, event, { send: this.send, log: this.log, onNotifications: this.options.onNotifications });
  }

  // ---- sending (replies, and the delivery queue's messages) ----

  /**
   * An app message to a member (a reply or a notice), a robot message into a department group, or a
   * post in a team's chat. A message with a file uploads it first, as temporary media (a robot's
   * own upload for a robot), then sends the card as its caption and the file after it: an upload
   * that fails sends nothing. WeCom keeps no history to look in, so a resend after a crash may
   * repeat the caption and the file.
   */
  readonly send: Sender = async ({ recipient, card, file }) => {
    try {
      if (recipient.kind === "team") return await this.postToTeam(recipient, card, file);
      if (!recipient.address) throw new PermanentDeliveryError(`no WeCom userid for ${recipient.name}`);
      if (recipient.kind === "member" || recipient.kind === "reply") return await this.sendToMember(recipient.address, card, file);
      const robotDepartment = robotDepartmentOf(recipient);
      if (robotDepartment !== undefined) return await this.sendByRobot(robotDepartment, card, file);
      await this.sendToChat(recipient.address, card, file);
    } catch (error) {
      throw permanentIfHopeless(error);
    }
  };

  /** Into a department's group by its robot; the key is read now, so the outbox never holds it. */
  private async sendByRobot(departmentId: string, card: Card, file: MediaFile | undefined): Promise<void> {
    const key = robotKeyOf(this.deps.org, departmentId, this.options.environment);
    const mediaId = file && (await this.client.uploadRobotFile(key, file));
    const wecomIdOf = await this.wecomIds();
    for (const content of renderRobotMarkdown(card, wecomIdOf)) await this.client.sendByRobot(key, { msgtype: "markdown", markdown: { content } });
    if (mediaId) await this.client.sendByRobot(key, fileMessage(mediaId));
  }

  /** The card as text, then its commands as a button card, then the file. */
  private async sendToMember(userid: string, card: Card, file: MediaFile | undefined): Promise<void> {
    const mediaId = file && (await this.client.uploadFile(file));
    for (const content of renderText(card)) await this.client.sendToMembers([userid], { msgtype: "text", text: { content } });
    const buttons = renderButtonCard(card, `hl-${Date.now()}-${randomBytes(6).toString("hex")}`);
    if (buttons) await this.client.sendToMembers([userid], { msgtype: "template_card", template_card: buttons });
    if (mediaId) await this.client.sendToMembers([userid], fileMessage(mediaId));
  }

  /** Into an app group chat: the card as text, then the file. */
  private async sendToChat(chatid: string, card: Card, file: MediaFile | undefined): Promise<void> {
    const mediaId = file && (await this.client.uploadFile(file));
    for (const content of renderText(card)) await this.client.sendToChat(chatid, { msgtype: "text", text: { content } });
    if (mediaId) await this.client.sendToChat(chatid, fileMessage(mediaId));
  }

  private async wecomIds(): Promise<(memberId: string) => string | undefined> {
    return accountsOn(await this.deps.directory.listMembers(), "wecom");
  }

  /**
   * The team's group chat, created by the app on first use (owner: the team's leader) with the
   * members and the leads still to appoint one; later appointees are added as they come.
   */
  private async postToTeam(recipient: Extract<Recipient, { kind: "team" }>, card: Card, file: MediaFile | undefined): Promise<void> {
    const ticket = await this.deps.tickets.findByNumber(recipient.ticketNumber);
    if (!ticket) throw new PermanentDeliveryError(`no ticket ${recipient.ticketNumber}`);
    const people = await this.teamPeople(ticket);
    const known = await this.views.teamSpace(ticket.id);
    const chatid = known?.address ?? (await this.openTeamChat(ticket, people));
    if (known) await this.client.addToChat(chatid, people.members);
    await this.sendToChat(chatid, card, file);
  }

  /**
   * The chat id is the ticket number's letters and digits, so two messages racing to open the
   * team's chat (two workers, a retry) end up in the same one: "chat id exists" means it is there.
   */
  private async openTeamChat(ticket: Ticket, people: { owner: string; members: string[] }): Promise<string> {
    if (people.members.length < 2) throw new PermanentDeliveryError(`a WeCom group needs two members with WeCom ids; the team of ${ticket.number} has ${people.members.length}`);
    const chatid = ticket.number.replace(/[^0-9A-Za-z]/g, "");
    try {
      await this.client.createChat({ chatid, name: `重大投诉处理小组 ${ticket.number}`, owner: people.owner, userlist: people.members });
    } catch (error) {
      if (!(error instanceof WecomApiError && error.errcode === CHAT_EXISTS)) throw error;
    }
    await this.views.saveTeamSpace(ticket.id, { address: chatid, threadId: null });
    return chatid;
  }

  /** The team's WeCom userids; the leader, listed first, owns the chat. */
  private async teamPeople(ticket: Ticket): Promise<{ owner: string; members: string[] }> {
    const wecomIdOf = await this.wecomIds();
    const members = teamPeople(ticket, this.deps.org).flatMap((id) => wecomIdOf(id) ?? []);
    return { owner: members[0] ?? "", members };
  }
}

/** A message or a card-button event as the core's inbound event; other events are not for Hotline. */
function toInboundEvent(message: InboundXml): InboundEvent | undefined {
  const base = { platform: "wecom" as const, senderId: message.FromUserName, conversation: `wecom:${message.FromUserName}`, replyAddress: message.FromUserName, seenByOthers: false };
  switch (message.MsgType) {
    case "text":
      return { ...base, eventId: message.MsgId ?? `${message.FromUserName}:${message.CreateTime}`, text: message.Content ?? "" };
    case "image":
    case "file": {
      if (!message.MediaId) return undefined;
      const attachment: AttachmentRef = { platform: "wecom", fileId: message.MediaId, kind: message.MsgType === "image" ? "photo" : "document", name: message.FileName };
      return { ...base, eventId: message.MsgId ?? `${message.FromUserName}:${message.CreateTime}`, attachments: [attachment] };
    }
    case "event":
      // Events carry no MsgId: the sender and CreateTime identify a redelivery.
      if (message.Event !== "template_card_event" || !message.EventKey) return undefined;
      return { ...base, eventId: `${message.FromUserName}:${message.CreateTime}:${message.EventKey}`, choice: message.EventKey };
    default:
      return undefined;
  }
}

function queryOf(req: IncomingMessage) {
  const target = req.url ?? "";
  const params = new URLSearchParams(target.includes("?") ? target.slice(target.indexOf("?") + 1) : "");
  const get = (name: string) => params.get(name) ?? undefined;
  return { msgSignature: get("msg_signature"), timestamp: get("timestamp"), nonce: get("nonce"), echostr: get("echostr") };
}

/**
 * The body, within `timeoutMs`. Past 1 MB the rest is read and dropped, so the sender reads its
 * 413 instead of a reset connection; a body that does not end in time is refused with 408 (or 413).
 */
function readBody(req: IncomingMessage, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("close", onClose);
      req.resume(); // whatever still comes is dropped
      outcome();
    };
    const tooLarge = (bodyUnread: boolean) => new CallbackRefused(413, `body over ${MAX_BODY_BYTES} bytes`, bodyUnread);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    };
    const onEnd = () => settle(() => (size > MAX_BODY_BYTES ? reject(tooLarge(false)) : resolve(Buffer.concat(chunks).toString("utf8"))));
    const onClose = () => settle(() => reject(new CallbackRefused(400, "body cut off: the connection closed")));
    const timer = setTimeout(() => settle(() => reject(size > MAX_BODY_BYTES ? tooLarge(true) : new CallbackRefused(408, `body not received within ${timeoutMs} ms`, true))), timeoutMs);
    req.on("data", onData).on("end", onEnd).on("close", onClose);
    // An aborted request also emits "error"; "close" follows it and settles.
    req.on("error", () => undefined);
  });
}

/** A department's robot key from the organisation file as it is now (a message may outlive its robot). */
function robotKeyOf(org: Organisation, departmentId: string, environment: Environment): string {
  const key = org.departments.find((d) => d.id === departmentId)?.wecomRobotKey;
  if (!key) throw new PermanentDeliveryError(`department ${departmentId} has no WeCom group robot`);
  return resolveSecret(key, environment);
}

/** Robot keys are secrets: the organisation file may name an environment variable (`env:QA_ROBOT_KEY`). */
function resolveSecret(value: string, environment: Environment): string {
  if (!value.startsWith("env:")) return value;
  const resolved = environment[value.slice(4)];
  if (!resolved) throw new PermanentDeliveryError(`${value.slice(4)} is not set`);
  return resolved;
}

/** Every `env:` robot key must name a set variable: said at start, not at the first escalation. */
function checkRobotKeys(org: Organisation, environment: Environment): void {
  org.departments.forEach((department, i) => {
    const key = department.wecomRobotKey;
    if (key?.startsWith("env:") && !environment[key.slice(4)]) {
      throw new ConfigError(`departments[${i}].wecomRobotKey: the environment variable ${key.slice(4)} is not set`);
    }
  });
}

const fileMessage = (mediaId: string): FileMessage => ({ msgtype: "file", file: { media_id: mediaId } });

function permanentIfHopeless(error: unknown): unknown {
  if (error instanceof WecomApiError && PERMANENT_ERRCODES.has(error.errcode)) return new PermanentDeliveryError(error.message);
  if (error instanceof WecomApiError && RATE_LIMITED.has(error.errcode)) return new Error(`${error.message}; retrying later`);
  return error;
}
