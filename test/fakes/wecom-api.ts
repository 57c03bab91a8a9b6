/**
 * A fake WeCom server API (https://qyapi.weixin.qq.com) speaking real HTTP on 127.0.0.1, so the
 * WeCom adapter is tested through its own HTTP client:
 *
 *   const api = await FakeWecomApi.start({ corpId, corpSecret, agentId, robotKeys: ["k1"] });
 *   // point the adapter's API root at api.baseUrl
 *
 * As WeCom does, errors are HTTP 200 with a non-zero errcode (only injected 500/502 change the
 * status). Covers what the adapter uses: gettoken, message/send, the group robot's webhook/send,
 * appchat create/send/get, and media/get for media registered with `addMedia` (the bytes with a
 * Content-Disposition, as WeCom serves a file). Files the app sends are uploaded as temporary
 * media (media/upload, or a robot's webhook/upload_media: a multipart form whose `media` part is
 * the file) and sent as `msgtype: "file"` by media id; `uploadedMedia` reads what was uploaded.
 *
 * Also exports builders for the inbound side: WeCom's plaintext XML (text message, event) and the
 * encrypted callback request carrying it.
 */
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { closeServer, parseMultipart, readBody, startFakeServer, type FormPart } from "./fake-http.js";
import { cdata, type WecomCrypto } from "../../bot/wecom/wecom-crypto.js";

// === Public types

/** The JSON WeCom answers: always errcode/errmsg, plus the call's own fields. */
export interface WecomAnswer {
  errcode: number;
  errmsg: string;
  [field: string]: unknown;
}

export interface RecordedCall {
  /** The URL path, e.g. "/cgi-bin/message/send". */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body; undefined for GET or an empty body, the raw text when it is not JSON. */
  body: unknown;
  /** Date.now() (or the fake's clock) when the call arrived. */
  at: number;
  /** The HTTP status sent: 200 except for injected 500/502 and unknown paths. */
  status: number;
  /** The JSON answered; undefined for an injected 5xx (which answers plain text) and a served file. */
  response: WecomAnswer | undefined;
}

/** An injected failure: an errcode (HTTP 200, as WeCom fails) or a bare 5xx from a broken gateway. */
export type InjectedFailure = { errcode: number; errmsg?: string } | { status: 500 | 502 };

export interface RobotMessage {
  key: string;
  msgtype: "text" | "markdown" | "file";
  /** The text; for a file, its filename. */
  content: string;
  mentionedList: string[];
  mentionedMobileList: string[];
  body: Record<string, unknown>;
  at: number;
}

export interface AppMessage {
  msgid: string;
  msgtype: string;
  /** Recipients as sent ("a|b" split); "@all" stays as is. */
  touser: string[];
  toparty: string[];
  totag: string[];
  agentid: number;
  /** text.content / markdown.content; a textcard's title + description; a template_card's main title; a file's filename. */
  content: string;
  body: Record<string, unknown>;
  at: number;
}

export interface ChatMessage {
  msgtype: string;
  content: string;
  body: Record<string, unknown>;
  at: number;
}

/** An image or file a user sent, or the app uploaded, which media/get serves. */
export interface FakeMedia {
  mediaId: string;
  bytes: Buffer;
  /** e.g. "image/jpeg" */
  contentType: string;
  filename: string;
  /** How it came: `addMedia` (a user sent it), media/upload, or a robot's upload (its key). */
  source: "user" | "app" | { robot: string };
  /** media/upload's `type`: image, voice, video or file. */
  type: string;
}

export interface FakeAppChat {
  chatid: string;
  name: string;
  owner: string;
  userlist: string[];
  messages: ChatMessage[];
}

export interface FakeWecomApiOptions {
  corpId?: string;
  corpSecret?: string;
  agentId?: number;
  /** Webhook keys of the group robots that exist. */
  robotKeys?: string[];
  /** Known userids. When given, others come back in `invaliduser` (all unknown: 81013), as WeCom does. */
  users?: string[];
  /** Enforce the robot's 20 messages per minute per key (errcode 45009). */
  enforceRobotRate?: boolean;
  /** Time source for `at` and the robot rate window, so tests need not wait a minute. */
  clock?: () => number;
  /** App group chats that exist before the test starts (an administrator made them), e.g. an escalation group. */
  chats?: Array<{ chatid: string; name?: string; owner?: string; userlist?: string[] }>;
}

// === Internals

type Json = Record<string, unknown>;

class WecomError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(errmsg);
  }
}

/** A route's answer that is a file, not JSON. */
class ServedFile {
  constructor(readonly media: FakeMedia) {}
}

interface Route {
  method: "GET" | "POST";
  /** Whether the call needs ?access_token= (the robot's webhook/send does not). */
  token: boolean;
  handler: (query: Record<string, string>, body: Json, form: FormPart[] | undefined) => Json | ServedFile;
  /** The body is a multipart form (an upload), not JSON. */
  multipart?: boolean;
}

const TOKEN_TTL_SECONDS = 7200;
const ROBOT_TEXT_BYTES = 2048;
const ROBOT_MARKDOWN_BYTES = 4096;
const ROBOT_RATE = 20;
const ROBOT_WINDOW_MS = 60_000;
/** An upload holds a file of up to 20 MB, with the form around it. */
const MAX_BODY = 21 * 1024 * 1024;
/** media/upload: a file of more than 5 bytes and at most 20 MB (40006 otherwise); an image at most 10 MB. */
const FILE_MIN_BYTES = 5;
const FILE_MAX_BYTES = 20 * 1024 * 1024;
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
const MEDIA_TYPES = new Set(["image", "voice", "video", "file"]);
/**
 * Calls whose JSON answers are labelled text/plain: WeCom's downloads answer their errors either
 * way (application/json or text/plain), and a client must take both; the other calls use the former.
 */
const TEXT_PLAIN_ANSWERS = new Set(["/cgi-bin/media/get"]);

/** errmsg for common codes, as WeCom words them (without its "more info at …" hint). */
const ERRMSG: Record<number, string> = {
  [-1]: "system busy",
  40001: "invalid credential",
  40004: "invalid media type",
  40005: "invalid file type",
  40006: "invalid file size",
  40007: "invalid media_id",
  40008: "invalid message type",
  40013: "invalid corpid",
  40014: "invalid access_token",
  40058: "invalid Request Parameter",
  41001: "access_token missing",
  41005: "media data missing",
  42001: "access_token expired",
  43001: "require GET method",
  43002: "require POST method",
  44004: "empty content",
  45009: "api freq out of limit",
  47001: "data format error",
  81013: "user & party & tag all invalid",
  86003: "chatid not exists",
  86215: "chatid exists",
  86216: "invalid chat member",
  93000: "invalid webhook url",
  301002: "not allow to operate another agent with this accesstoken",
};

const fail = (errcode: number, errmsg = ERRMSG[errcode] ?? "fake injected error") => new WecomError(errcode, errmsg);

export class FakeWecomApi {
  /** Stands in for https://qyapi.weixin.qq.com. */
  readonly baseUrl: string;
  readonly corpId: string;
  readonly corpSecret: string;
  readonly agentId: number;
  readonly robotKeys: readonly string[];

  private readonly server: Server;
  private readonly users: Set<string> | undefined;
  private readonly enforceRobotRate: boolean;
  private readonly clock: () => number;
  private readonly routes = new Map<string, Route>();
  private readonly calls: RecordedCall[] = [];
  private failures: Array<{ path: string; failure: InjectedFailure; remaining: number }> = [];
  /** Issued tokens: true while valid, false once expired. */
  private readonly tokens = new Map<string, boolean>();
  private readonly robotLog: RobotMessage[] = [];
  private readonly robotSends = new Map<string, number[]>();
  private readonly appLog: AppMessage[] = [];
  private readonly chatsById = new Map<string, FakeAppChat>();
  private readonly media = new Map<string, FakeMedia>();
  private nextId = 1;
  private closed = false;

  private constructor(server: Server, port: number, options: FakeWecomApiOptions) {
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.corpId = options.corpId ?? "wwfake0000000000001";
    this.corpSecret = options.corpSecret ?? "fake-corp-secret";
    this.agentId = options.agentId ?? 1000002;
    this.robotKeys = [...(options.robotKeys ?? ["fake-robot-key"])];
    this.users = options.users === undefined ? undefined : new Set(options.users);
    this.enforceRobotRate = options.enforceRobotRate ?? false;
    this.clock = options.clock ?? Date.now;
    for (const chat of options.chats ?? []) {
      const userlist = [...(chat.userlist ?? [])];
      this.chatsById.set(chat.chatid, { chatid: chat.chatid, name: chat.name ?? chat.chatid, owner: chat.owner ?? userlist[0] ?? "", userlist, messages: [] });
    }
    this.registerRoutes();
  }

  /** Starts the server on 127.0.0.1 with a free port. */
  static start(options: FakeWecomApiOptions = {}): Promise<FakeWecomApi> {
    return startFakeServer(
      (server, port) => new FakeWecomApi(server, port, options),
      (fake, req, res) => fake.onRequest(req, res),
    );
  }

  // === Inspection

  /** Every call of `path` ("/cgi-bin/message/send", or just "message/send"), oldest first. */
  callsOf(path: string): RecordedCall[] {
    const wanted = canonicalPath(path);
    return this.calls.filter((call) => call.path === wanted);
  }

  /** Every call, oldest first. */
  allCalls(): RecordedCall[] {
    return [...this.calls];
  }

  /** Forgets the recorded calls (tokens, messages and chats are kept). */
  clearCalls(): void {
    this.calls.length = 0;
  }

  /** Messages a robot accepted, oldest first. */
  robotMessages(key: string): RobotMessage[] {
    return this.robotLog.filter((message) => message.key === key);
  }

  /** Application messages accepted, oldest first; with a userid, those addressed to them (or @all). */
  appMessages(userid?: string): AppMessage[] {
    if (userid === undefined) return [...this.appLog];
    return this.appLog.filter((message) => message.touser.includes(userid) || message.touser.includes("@all"));
  }

  /** Media the app or a robot uploaded (media/upload, webhook/upload_media), by media id, as the multipart form carried it. */
  uploadedMedia(mediaId: string): FakeMedia | undefined {
    const media = this.media.get(mediaId);
    return media?.source === "user" ? undefined : media;
  }

  /** The group chats created through appchat/create, with what was sent to each. */
  chats(): FakeAppChat[] {
    return [...this.chatsById.values()];
  }

  /** The calls as readable lines, for failure messages. */
  describeCalls(calls: RecordedCall[] = this.calls): string {
    if (calls.length === 0) return "  (none)";
    return calls
      .map((call, index) => {
        const body = JSON.stringify(call.body, (_key, value: unknown) =>
          typeof value === "string" && value.length > 120 ? `${value.slice(0, 117)}…(${value.length} chars)` : value,
        );
        const outcome = call.response === undefined ? `HTTP ${call.status}` : `${call.response.errcode} ${call.response.errmsg}`;
        return `  ${index + 1}. ${call.path} ${body ?? ""} → ${outcome}`;
      })
      .join("\n");
  }

  /** Waits for the first call of `path` (optionally matching) after the calls already seen, and returns it. */
  async waitForCall(path: string, match: (call: RecordedCall) => boolean = () => true, timeoutMs = 2000): Promise<RecordedCall> {
    const wanted = canonicalPath(path);
    const seen = this.calls.length;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.slice(seen).find((call) => call.path === wanted && match(call));
      if (found !== undefined) return found;
      if (Date.now() >= deadline) {
        throw new Error(
          `FakeWecomApi.waitForCall(${wanted}): no matching call within ${timeoutMs} ms. Calls seen (${this.calls.length}):\n${this.describeCalls()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  // === Driving

  /** Makes the next `times` calls of `path` fail with `failure`, before any other check. */
  failNext(path: string, failure: InjectedFailure, times = 1): void {
    this.failures.push({ path: canonicalPath(path), failure, remaining: times });
  }

  /** An image or file a user sent (its MediaId goes in the callback's XML); returns the media id. */
  addMedia(media: { bytes: Buffer | string; contentType: string; filename: string }): string {
    const mediaId = `fake-media-${this.nextId++}-${randomBytes(8).toString("hex")}`;
    const bytes = typeof media.bytes === "string" ? Buffer.from(media.bytes) : media.bytes;
    this.media.set(mediaId, { mediaId, bytes, contentType: media.contentType, filename: media.filename, source: "user", type: media.contentType.startsWith("image/") ? "image" : "file" });
    return mediaId;
  }

  /** Expires every token issued so far (calls with them answer 42001); gettoken issues fresh ones. */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, false);
  }

  // === Lifecycle

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeServer(this.server);
  }

  // === HTTP

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const query = Object.fromEntries(url.searchParams);
    const call: RecordedCall = { path: url.pathname, query, body: undefined, at: this.clock(), status: 200, response: undefined };
    this.calls.push(call);
    try {
      const raw = await readBody(req, MAX_BODY, () => fail(40058, "request body too large"));
      const route = this.routes.get(call.path);
      const form = route?.multipart ? parseMultipart(req.headers["content-type"], raw) : undefined;
      const text = route?.multipart ? "" : raw.toString("utf8");
      let body: Json = {};
      let malformed = route?.multipart === true && form === undefined;
      if (form !== undefined) call.body = form.map((part) => ({ name: part.name, filename: part.filename, contentType: part.contentType, bytes: part.data.length }));
      if (text.trim() !== "") {
        try {
          const parsed: unknown = JSON.parse(text);
          call.body = parsed;
          if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as Json;
          else malformed = true;
        } catch {
          call.body = text;
          malformed = true;
        }
      }

      const injected = this.takeFailure(call.path);
      if (injected !== undefined && "status" in injected) {
        call.status = injected.status;
        res.writeHead(injected.status, { "content-type": "text/plain" }).end(injected.status === 500 ? "Internal Server Error" : "Bad Gateway");
        return;
      }
      if (injected !== undefined) {
        this.answer(res, call, { errcode: injected.errcode, errmsg: injected.errmsg ?? ERRMSG[injected.errcode] ?? "fake injected error" });
        return;
      }

      if (route === undefined) {
        call.status = 404;
        this.answer(res, call, { errcode: 404, errmsg: `fake WeCom API has no ${call.path}` });
        return;
      }
      if (req.method !== route.method) throw fail(route.method === "GET" ? 43001 : 43002);
      if (route.token) this.checkToken(query.access_token);
      if (route.method === "POST" && malformed) throw fail(47001);
      const result = route.handler(query, body, form);
      if (result instanceof ServedFile) this.serveFile(res, result.media);
      else this.answer(res, call, { errcode: 0, errmsg: "ok", ...result });
    } catch (error) {
      const answer =
        error instanceof WecomError
          ? { errcode: error.errcode, errmsg: error.errmsg }
          : { errcode: -1, errmsg: `system busy (fake: ${String(error)})` };
      if (!res.headersSent) this.answer(res, call, answer);
    }
  }

  private answer(res: ServerResponse, call: RecordedCall, answer: WecomAnswer): void {
    call.response = answer;
    const body = JSON.stringify(answer);
    const type = TEXT_PLAIN_ANSWERS.has(call.path) ? "text/plain" : "application/json; charset=UTF-8";
    res.writeHead(call.status, { "content-type": type, "content-length": Buffer.byteLength(body) }).end(body);
  }

  /**
   * A file as WeCom serves one: its type, and a Content-Disposition naming it, which no error answer
   * has. The name is percent-encoded, since a header holds no Chinese characters.
   */
  private serveFile(res: ServerResponse, media: FakeMedia): void {
    res
      .writeHead(200, {
        "content-type": media.contentType,
        "content-disposition": `attachment; filename="${encodeURIComponent(media.filename)}"`,
        "content-length": media.bytes.length,
      })
      .end(media.bytes);
  }

  private takeFailure(path: string): InjectedFailure | undefined {
    const entry = this.failures.find((failure) => failure.path === path && failure.remaining > 0);
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    this.failures = this.failures.filter((failure) => failure.remaining > 0);
    return entry.failure;
  }

  private checkToken(token: string | undefined): void {
    if (token === undefined || token === "") throw fail(41001);
    const valid = this.tokens.get(token);
    if (valid === undefined) throw fail(40014);
    if (!valid) throw fail(42001);
  }

  // === Routes

  private registerRoutes(): void {
    const define = (path: string, route: Route) => this.routes.set(path, route);
    define("/cgi-bin/gettoken", { method: "GET", token: false, handler: (query) => this.getToken(query) });
    define("/cgi-bin/message/send", { method: "POST", token: true, handler: (_query, body) => this.sendAppMessage(body) });
    define("/cgi-bin/webhook/send", { method: "POST", token: false, handler: (query, body) => this.sendRobotMessage(query, body) });
    define("/cgi-bin/appchat/create", { method: "POST", token: true, handler: (_query, body) => this.createChat(body) });
    define("/cgi-bin/appchat/send", { method: "POST", token: true, handler: (_query, body) => this.sendToChat(body) });
    define("/cgi-bin/appchat/get", { method: "GET", token: true, handler: (query) => this.getChat(query) });
    define("/cgi-bin/appchat/update", { method: "POST", token: true, handler: (_query, body) => this.updateChat(body) });
    define("/cgi-bin/media/get", { method: "GET", token: true, handler: (query) => this.getMedia(query) });
    define("/cgi-bin/media/upload", { method: "POST", token: true, multipart: true, handler: (query, _body, form) => this.uploadMedia(query, form, "app") });
    define("/cgi-bin/webhook/upload_media", {
      method: "POST",
      token: false,
      multipart: true,
      handler: (query, _body, form) => {
        const key = query.key ?? "";
        if (!this.robotKeys.includes(key)) throw fail(93000);
        if (query.type !== "file" && query.type !== "voice") throw fail(40004);
        return this.uploadMedia(query, form, { robot: key });
      },
    });
  }

  /**
   * media/upload: the form's `media` part (with a filename, as WeCom requires) kept as temporary
   * media; answers its type, media_id and created_at (Unix seconds, as a string).
   */
  private uploadMedia(query: Record<string, string>, form: FormPart[] | undefined, source: FakeMedia["source"]): Json {
    const type = query.type ?? "";
    if (!MEDIA_TYPES.has(type)) throw fail(40004);
    const part = form?.find((p) => p.name === "media" && p.filename !== undefined && p.filename !== "");
    if (part === undefined) throw fail(41005);
    const max = type === "image" ? IMAGE_MAX_BYTES : FILE_MAX_BYTES;
    if (part.data.length <= FILE_MIN_BYTES || part.data.length > max) throw fail(40006);
    const mediaId = `fake-upload-${this.nextId++}-${randomBytes(8).toString("hex")}`;
    this.media.set(mediaId, { mediaId, bytes: part.data, contentType: part.contentType ?? "application/octet-stream", filename: part.filename!, source, type });
    return { type, media_id: mediaId, created_at: String(Math.floor(this.clock() / 1000)) };
  }

  /**
   * The media a file message sends: one the app uploaded for app messages and chats, the robot's
   * own for a robot (a media id is good only where it was uploaded); 40007 otherwise.
   */
  private sentMedia(body: Json, source: FakeMedia["source"]): FakeMedia {
    const mediaId = asObject(body.file).media_id;
    const media = typeof mediaId === "string" ? this.media.get(mediaId) : undefined;
    const sameSource = media !== undefined && (typeof source === "string" ? media.source === source : typeof media.source === "object" && media.source.robot === source.robot);
    if (media === undefined || !sameSource || media.type !== "file") throw fail(40007);
    return media;
  }

  /** media/get: the bytes of known media; an unknown (or expired) media id is 40007. */
  private getMedia(query: Record<string, string>): ServedFile {
    const media = this.media.get(query.media_id ?? "");
    if (media === undefined) throw fail(40007);
    return new ServedFile(media);
  }

  /** appchat/update: adds (add_user_list) and removes (del_user_list) members. */
  private updateChat(body: Json): Json {
    const chat = this.chatsById.get(typeof body.chatid === "string" ? body.chatid : "");
    if (!chat) throw fail(86003);
    const added = stringList(body.add_user_list).filter((user) => !chat.userlist.includes(user));
    const removed = new Set(stringList(body.del_user_list));
    chat.userlist = [...chat.userlist.filter((user) => !removed.has(user)), ...added];
    return {};
  }

  private getToken(query: Record<string, string>): Json {
    if (query.corpid !== this.corpId) throw fail(40013);
    if (query.corpsecret !== this.corpSecret) throw fail(40001);
    const token = `fake-token-${this.nextId++}-${randomBytes(12).toString("hex")}`;
    this.tokens.set(token, true);
    return { access_token: token, expires_in: TOKEN_TTL_SECONDS };
  }

  private sendAppMessage(body: Json): Json {
    if (String(body.agentid) !== String(this.agentId)) throw fail(301002);
    const msgtype = body.msgtype;
    const content = msgtype === "file" ? this.sentMedia(body, "app").filename : appContent(msgtype, body);
    const touser = splitIds(body.touser);
    const toparty = splitIds(body.toparty);
    const totag = splitIds(body.totag);
    if (touser.length + toparty.length + totag.length === 0) throw fail(81013);
    const invalid = this.users === undefined ? [] : touser.filter((user) => user !== "@all" && !this.users?.has(user));
    if (invalid.length > 0 && invalid.length === touser.length && toparty.length + totag.length === 0) throw fail(81013);
    const msgid = `fake-msgid-${this.nextId++}`;
    this.appLog.push({
      msgid,
      msgtype: msgtype as string,
      touser,
      toparty,
      totag,
      agentid: Number(body.agentid),
      content,
      body,
      at: this.clock(),
    });
    const answer: Json = { invaliduser: invalid.join("|"), msgid };
    // Interactive cards answer a response_code for updating the card later.
    if (msgtype === "template_card") answer.response_code = `fake-response-code-${this.nextId++}`;
    return answer;
  }

  private sendRobotMessage(query: Record<string, string>, body: Json): Json {
    const key = query.key ?? "";
    if (!this.robotKeys.includes(key)) throw fail(93000);
    const msgtype = body.msgtype;
    if (msgtype !== "text" && msgtype !== "markdown" && msgtype !== "file") throw fail(40008);
    const part = asObject(body[msgtype]);
    const content = msgtype === "file" ? this.sentMedia(body, { robot: key }).filename : typeof part.content === "string" ? part.content : "";
    if (content === "") throw fail(44004);
    const limit = msgtype === "text" ? ROBOT_TEXT_BYTES : ROBOT_MARKDOWN_BYTES;
    if (msgtype !== "file" && Buffer.byteLength(content, "utf8") > limit) {
      throw fail(40058, `${msgtype}.content exceed max length ${limit}. invalid Request Parameter`);
    }
    const now = this.clock();
    if (this.enforceRobotRate) {
      const recent = (this.robotSends.get(key) ?? []).filter((at) => now - at < ROBOT_WINDOW_MS);
      this.robotSends.set(key, recent);
      if (recent.length >= ROBOT_RATE) throw fail(45009);
      recent.push(now);
    }
    this.robotLog.push({
      key,
      msgtype,
      content,
      // WeCom only honours the mention lists on text messages; markdown mentions go in the content.
      mentionedList: msgtype === "text" ? stringList(part.mentioned_list) : [],
      mentionedMobileList: msgtype === "text" ? stringList(part.mentioned_mobile_list) : [],
      body,
      at: now,
    });
    return {};
  }

  private createChat(body: Json): Json {
    const userlist = stringList(body.userlist);
    if (userlist.length < 2 || userlist.length > 500) throw fail(86216, "invalid chat member count: 2 to 500 members");
    const unknown = this.users === undefined ? [] : userlist.filter((user) => !this.users?.has(user));
    if (unknown.length > 0) throw fail(86216, `invalid chat member: ${unknown.join("|")}`);
    let chatid = typeof body.chatid === "string" && body.chatid !== "" ? body.chatid : undefined;
    if (chatid !== undefined && !/^[0-9a-zA-Z]{1,32}$/.test(chatid)) throw fail(40058, "invalid chatid: up to 32 of 0-9a-zA-Z");
    if (chatid !== undefined && this.chatsById.has(chatid)) throw fail(86215);
    chatid ??= `fakechat${this.nextId++}${randomBytes(4).toString("hex")}`;
    const owner = typeof body.owner === "string" && body.owner !== "" ? body.owner : (userlist[0] as string);
    const name = typeof body.name === "string" ? body.name : "";
    this.chatsById.set(chatid, { chatid, name, owner, userlist, messages: [] });
    return { chatid };
  }

  private sendToChat(body: Json): Json {
    const chat = this.chatsById.get(typeof body.chatid === "string" ? body.chatid : "");
    if (chat === undefined) throw fail(86003);
    const msgtype = body.msgtype;
    const content = msgtype === "file" ? this.sentMedia(body, "app").filename : appContent(msgtype, body);
    chat.messages.push({ msgtype: msgtype as string, content, body, at: this.clock() });
    return {};
  }

  private getChat(query: Record<string, string>): Json {
    const chat = this.chatsById.get(query.chatid ?? "");
    if (chat === undefined) throw fail(86003);
    return { chat_info: { chatid: chat.chatid, name: chat.name, owner: chat.owner, userlist: [...chat.userlist], chat_type: 0 } };
  }
}

// === Inbound builders

export interface TextMessageXmlOptions {
  /** The corp id (ToUserName of an inbound message). */
  toUser: string;
  /** The sender's userid. */
  fromUser: string;
  content: string;
  msgId?: string;
  /** Unix seconds; defaults to now. */
  createTime?: number;
  agentId: number;
}

/** A user's text message as WeCom delivers it once decrypted. */
export function textMessageXml(options: TextMessageXmlOptions): string {
  return (
    "<xml>" +
    `<ToUserName>${cdata(options.toUser)}</ToUserName>` +
    `<FromUserName>${cdata(options.fromUser)}</FromUserName>` +
    `<CreateTime>${options.createTime ?? nowSeconds()}</CreateTime>` +
    `<MsgType>${cdata("text")}</MsgType>` +
    `<Content>${cdata(options.content)}</Content>` +
    `<MsgId>${options.msgId ?? fakeMsgId()}</MsgId>` +
    `<AgentID>${options.agentId}</AgentID>` +
    "</xml>"
  );
}

export interface FileMessageXmlOptions {
  toUser: string;
  fromUser: string;
  /** "image" (a photo) or "file" (a document, with its name). */
  msgType: "image" | "file";
  /** The media id the app downloads it by. */
  mediaId: string;
  fileName?: string;
  msgId?: string;
  createTime?: number;
  agentId: number;
}

/** A user's photo or file as WeCom delivers it once decrypted: no text, a MediaId to download it by. */
export function fileMessageXml(options: FileMessageXmlOptions): string {
  return (
    "<xml>" +
    `<ToUserName>${cdata(options.toUser)}</ToUserName>` +
    `<FromUserName>${cdata(options.fromUser)}</FromUserName>` +
    `<CreateTime>${options.createTime ?? nowSeconds()}</CreateTime>` +
    `<MsgType>${cdata(options.msgType)}</MsgType>` +
    (options.msgType === "image" ? `<PicUrl>${cdata("https://wework.qpic.cn/fake")}</PicUrl>` : "") +
    `<MediaId>${cdata(options.mediaId)}</MediaId>` +
    (options.fileName === undefined ? "" : `<FileName>${cdata(options.fileName)}</FileName>`) +
    `<MsgId>${options.msgId ?? fakeMsgId()}</MsgId>` +
    `<AgentID>${options.agentId}</AgentID>` +
    "</xml>"
  );
}

export interface EventXmlOptions {
  toUser: string;
  fromUser: string;
  /** "template_card_event", "enter_agent", "click", … */
  event: string;
  eventKey?: string;
  /** template_card_event: the task_id the card was sent with. */
  taskId?: string;
  /** template_card_event: "button_interaction", "vote_interaction", … */
  cardType?: string;
  /** template_card_event: the code for updating the card (valid once, 72 h). */
  responseCode?: string;
  createTime?: number;
  agentId: number;
}

/** An event (MsgType "event") as WeCom delivers it once decrypted; for a card button, the template_card_event fields. */
export function eventXml(options: EventXmlOptions): string {
  const optional = (tag: string, value: string | undefined) => (value === undefined ? "" : `<${tag}>${cdata(value)}</${tag}>`);
  return (
    "<xml>" +
    `<ToUserName>${cdata(options.toUser)}</ToUserName>` +
    `<FromUserName>${cdata(options.fromUser)}</FromUserName>` +
    `<CreateTime>${options.createTime ?? nowSeconds()}</CreateTime>` +
    `<MsgType>${cdata("event")}</MsgType>` +
    `<Event>${cdata(options.event)}</Event>` +
    optional("EventKey", options.eventKey) +
    optional("TaskId", options.taskId) +
    optional("CardType", options.cardType) +
    optional("ResponseCode", options.responseCode) +
    `<AgentID>${options.agentId}</AgentID>` +
    "</xml>"
  );
}

export interface EncryptedCallback {
  query: { msg_signature: string; timestamp: string; nonce: string };
  /** The POST body: ToUserName, AgentID and Encrypt, as WeCom sends it. */
  body: string;
}

/**
 * The request WeCom would POST to the callback URL for this plaintext. ToUserName and AgentID of
 * the outer XML are copied from the plaintext (ToUserName defaults to the crypto's corp id).
 */
export function encryptedCallback(
  crypto: WecomCrypto,
  xmlPlaintext: string,
  options: { timestamp?: string; nonce?: string } = {},
): EncryptedCallback {
  const timestamp = options.timestamp ?? String(nowSeconds());
  const nonce = options.nonce ?? randomNonce();
  const encrypted = crypto.encrypt(xmlPlaintext);
  const fields = xmlFields(xmlPlaintext);
  const body =
    "<xml>" +
    `<ToUserName>${cdata(fields.ToUserName ?? crypto.corpId)}</ToUserName>` +
    `<AgentID>${cdata(fields.AgentID ?? "")}</AgentID>` +
    `<Encrypt>${cdata(encrypted)}</Encrypt>` +
    "</xml>";
  return { query: { msg_signature: crypto.signature(timestamp, nonce, encrypted), timestamp, nonce }, body };
}

/** The query of WeCom's GET that verifies a callback URL; the adapter must answer `echo` in plain text. */
export function urlVerificationQuery(
  crypto: WecomCrypto,
  echo: string,
  options: { timestamp?: string; nonce?: string } = {},
): { msg_signature: string; timestamp: string; nonce: string; echostr: string } {
  const timestamp = options.timestamp ?? String(nowSeconds());
  const nonce = options.nonce ?? randomNonce();
  const echostr = crypto.encrypt(echo);
  return { msg_signature: crypto.signature(timestamp, nonce, echostr), timestamp, nonce, echostr };
}

/**
 * The top-level elements of WeCom's flat XML (`<xml><Tag><![CDATA[..]]></Tag>…</xml>`), CDATA
 * unwrapped (split sections rejoined). Nested elements (SelectedItems) come back as their raw inner XML.
 */
export function xmlFields(xml: string): Record<string, string> {
  const inner = /^\s*(?:<\?xml[^>]*\?>\s*)?<xml>([\s\S]*)<\/xml>\s*$/.exec(xml)?.[1];
  if (inner === undefined) throw new Error("not a WeCom <xml> document");
  const fields: Record<string, string> = {};
  const element = /<([A-Za-z_][\w.-]*)>([\s\S]*?)<\/\1>/g;
  for (const match of inner.matchAll(element)) {
    const [, tag, raw] = match;
    if (tag === undefined || raw === undefined) continue;
    const sections = [...raw.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)];
    fields[tag] = sections.length > 0 && raw.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "").trim() === ""
      ? sections.map((section) => section[1] ?? "").join("")
      : raw.trim();
  }
  return fields;
}

// === Small helpers

function canonicalPath(path: string): string {
  const trimmed = path.replace(/^\/+/, "");
  return trimmed.startsWith("cgi-bin/") ? `/${trimmed}` : `/cgi-bin/${trimmed}`;
}


function asObject(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function splitIds(value: unknown): string[] {
  return typeof value === "string" ? value.split("|").filter((id) => id !== "") : [];
}

/** Validates an application/appchat message and returns its readable content. */
function appContent(msgtype: unknown, body: Json): string {
  switch (msgtype) {
    case "text":
    case "markdown": {
      const content = asObject(body[msgtype]).content;
      if (typeof content !== "string" || content === "") throw fail(44004);
      return content;
    }
    case "textcard": {
      const card = asObject(body.textcard);
      if (typeof card.title !== "string" || typeof card.description !== "string" || typeof card.url !== "string") {
        throw fail(40058, "textcard needs title, description and url");
      }
      return `${card.title}\n${card.description}`;
    }
    case "template_card": {
      const card = asObject(body.template_card);
      if (typeof card.card_type !== "string") throw fail(40058, "template_card needs card_type");
      const title = asObject(card.main_title).title;
      return typeof title === "string" ? title : "";
    }
    default:
      throw fail(40008);
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function randomNonce(): string {
  return String(randomBytes(4).readUInt32BE());
}

function fakeMsgId(): string {
  return (BigInt(`0x${randomBytes(8).toString("hex")}`) >> 1n).toString();
}
