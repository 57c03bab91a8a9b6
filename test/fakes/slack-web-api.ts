/**
 * A fake Slack Web API server speaking the real HTTP protocol, so a Bolt app can be tested through the
 * real @slack/web-api client, and helpers that send signed requests to the app exactly as Slack does:
 *
 *   const slack = await FakeSlackApi.start();
 *   const app = new App({ token: slack.token, receiver, clientOptions: { slackApiUrl: slack.apiUrl } });
 *   await sendToSlackApp(`${appUrl}/slack/events`, signingSecret, eventCallback({ event: appMentionEvent({ … }) }));
 *   await slack.waitForCall("chat.postMessage");
 *
 * Web API calls are `POST /api/<method>` with a form-encoded body (how @slack/web-api sends them: objects
 * such as `blocks` arrive as JSON strings, lists such as `users` as comma lists) or a JSON body, and the
 * token in `Authorization: Bearer …` or a `token` field. Answers are HTTP 200 JSON `{ ok: true, … }` or
 * `{ ok: false, error }`, as Slack's, except injected 429s and 5xxs. `POST /response/<id>` stands in for
 * the response_url of commands and actions. Files registered with `addFile` are described by files.info
 * and served at their `url_private` / `url_private_download`, which need the bot token as Slack's do.
 * The bot shares files as Slack's upload flow has it: files.getUploadURLExternal hands out an
 * upload URL on this fake, the bytes are POSTed there (raw, or as the one file of a multipart
 * form), and files.completeUploadExternal shares them in a channel with their comment; `sharedFiles`
 * reads what was shared.
 *
 * Only Node built-ins at run time; Bolt is imported for its types only.
 */
import { Buffer } from "node:buffer";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { closeServer, parseMultipart, readBody, startFakeServer } from "./fake-http.js";
import { isDeepStrictEqual } from "node:util";
import type { ViewStateValue } from "@slack/bolt";

// === Defaults shared by the fake and the request builders, so that they describe the same workspace

export const FAKE_TEAM_ID = "T0000TEAM";
export const FAKE_TEAM_DOMAIN = "hotline-test";
export const FAKE_APP_ID = "A0000APP";
export const FAKE_BOT_USER_ID = "U0000BOT";
export const FAKE_BOT_ID = "B0000BOT";
export const FAKE_CHANNEL_ID = "C0000CHAN";
/** The legacy verification token Slack still puts in every payload; Bolt ignores it. */
export const FAKE_VERIFICATION_TOKEN = "fake-verification-token";

// === Public types

/** A Web API answer: exactly the JSON body Slack sends. */
export type SlackAnswer = { ok: true; [field: string]: unknown } | { ok: false; error: string; [field: string]: unknown };

export interface RecordedCall {
  /** The method as called, e.g. "chat.postMessage". */
  method: string;
  /**
   * The parameters as received, without the token. Form values stay strings (`users` is a comma list,
   * `is_private` "true"), except `blocks`, `attachments`, `view`, `metadata` and `files`, decoded from JSON.
   */
  params: Record<string, unknown>;
  /** The token from the Authorization header or the `token` field. */
  token: string | undefined;
  /** Date.now() when the call arrived. */
  at: number;
  /** The HTTP status answered: 200, or an injected 429/5xx. */
  status: number;
  response: SlackAnswer;
}

/**
 * An injected failure for `failNext`. A 429 is answered as Slack does: HTTP 429, `Retry-After` in
 * whole seconds, body `{ ok: false, error: "ratelimited" }`. `{ error }` is an HTTP 200 `ok: false`
 * answer, with `details` merged into the body (e.g. `{ needed: "channels:manage" }`).
 */
export type InjectedFailure =
  | { status: 429; retryAfter: number }
  | { status: 500 | 502 | 503 | 504 }
  | { error: string; details?: Record<string, unknown> };

export interface FakeSlackUser {
  id: string;
  /** The handle ("jdoe"). */
  name: string;
  realName?: string;
  displayName?: string;
  email?: string;
  isBot?: boolean;
  deleted?: boolean;
  tz?: string;
}

export interface FakeSlackUsergroup {
  id: string;
  handle: string;
  name: string;
  description?: string;
  users?: string[];
  /** A disabled group is only listed with include_disabled. */
  disabled?: boolean;
}

/** A channel that exists before the test starts (the bot is a member unless `members` says otherwise). */
export interface FakeSlackChannelSeed {
  id?: string;
  name: string;
  isPrivate?: boolean;
  members?: string[];
}

export interface FakeSlackApiOptions {
  token?: string;
  teamId?: string;
  teamName?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  botName?: string;
  appId?: string;
  /** Users known to users.info. When given, conversations.invite accepts only these ids; otherwise any well-formed id. */
  users?: FakeSlackUser[];
  usergroups?: FakeSlackUsergroup[];
  channels?: FakeSlackChannelSeed[];
  /** false answers conversations.create with restricted_action, as a workspace that reserves it to admins. Default true. */
  allowChannelCreation?: boolean;
}

/** A message in a channel, in its latest state (after chat.update and response_url replacements). */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  /** The thread this message replies in, as posted with thread_ts. */
  threadTs: string | undefined;
  user: string;
  /** Set on messages the bot posted. */
  botId: string | undefined;
  text: string;
  blocks: unknown[] | undefined;
  attachments: unknown[] | undefined;
  metadata: unknown;
  /** The files a file-share message carries (id and name), as conversations.history lists them. */
  files?: Array<{ id: string; name: string; title: string }> | undefined;
  /** Every (text, blocks) the message had, oldest first. */
  versions: Array<{ text: string; blocks: unknown[] | undefined }>;
  /** When it was last changed (chat.update or a replace_original). */
  editedTs: string | undefined;
  deleted: boolean;
}

export interface FakeSlackChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  creator: string;
  created: number;
  members: string[];
}

export interface FakeSlackEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[] | undefined;
  threadTs: string | undefined;
  messageTs: string;
  at: number;
}

/** A view as views.open answers it (a Bolt `ViewOutput`). */
export interface FakeSlackViewObject {
  id: string;
  type: string;
  callback_id: string;
  private_metadata: string;
  hash: string;
  blocks: unknown[];
  [field: string]: unknown;
}

export interface FakeSlackView {
  id: string;
  triggerId: string | undefined;
  /** The latest state. */
  view: FakeSlackViewObject;
  /** Every state, oldest first. */
  versions: FakeSlackViewObject[];
}

/** A file a user shared, as registered with `addFile`. */
export interface FakeSlackFile {
  id: string;
  name: string;
  mimetype: string;
  bytes: Buffer;
  /** Unix seconds. */
  created: number;
  /** Who shared it. */
  user: string;
}

/** A file the bot shared through files.completeUploadExternal, as the channel shows it. */
export interface FakeSlackSharedFile {
  id: string;
  /** The filename given to files.getUploadURLExternal. */
  name: string;
  title: string;
  bytes: Buffer;
  /** The conversation it was shared in. */
  channel: string;
  /** The message text introducing it (`initial_comment`), as sent. */
  initialComment: string | undefined;
  threadTs: string | undefined;
  /** The ts of the message that shares it. */
  ts: string;
}

/** A body posted to a response_url minted by `responseUrl()`. */
export interface FakeSlackResponse {
  id: string;
  url: string;
  body: Record<string, unknown>;
  at: number;
}

/** Throw from a `stub` handler to answer `{ ok: false, error, ...details }`. */
export class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(error);
    this.name = "SlackApiError";
  }
}

/** Returns the answer's fields besides `ok`; throw SlackApiError to fail. */
export type StubHandler = (params: Record<string, unknown>) => Record<string, unknown>;

// === Internals

type Params = Record<string, unknown>;

interface ResponseUrlContext {
  channel: string | undefined;
  messageTs: string | undefined;
}

const MAX_BODY = 10 * 1024 * 1024;
const MAX_TEXT = 40_000;
const MAX_MESSAGE_BLOCKS = 50;
const MAX_VIEW_BLOCKS = 100;
const MAX_CHANNEL_NAME = 80;
/** Fields @slack/web-api sends as JSON strings; recorded decoded. */
const JSON_FIELDS = new Set(["blocks", "attachments", "view", "metadata", "files"]);
/** failNext's pseudo-method for the response URLs. */
const RESPONSE_URL = "response_url";

const fail = (error: string, details?: Record<string, unknown>) => new SlackApiError(error, details);

export class FakeSlackApi {
  /** Give it to Bolt as `clientOptions: { slackApiUrl }` (a WebClient joins it with the method name). */
  readonly apiUrl: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly token: string;
  readonly teamId: string;
  readonly teamName: string;
  readonly teamDomain: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly botName: string;
  readonly appId: string;

  /** Every Web API call in order (since the last clearCalls). */
  calls: RecordedCall[] = [];
  readonly ephemerals: FakeSlackEphemeral[] = [];
  /** Views opened with views.open, latest state after views.update. */
  readonly views: FakeSlackView[] = [];
  /** Bodies posted to response URLs. */
  readonly responses: FakeSlackResponse[] = [];

  private readonly server: Server;
  private readonly allowChannelCreation: boolean;
  private readonly users = new Map<string, FakeSlackUser>();
  private readonly usergroups: FakeSlackUsergroup[];
  private readonly channelsById = new Map<string, FakeSlackChannel>();
  private readonly messages: FakeSlackMessage[] = [];
  private readonly messagesByKey = new Map<string, FakeSlackMessage>();
  private readonly methods = new Map<string, StubHandler>();
  private readonly stubs = new Map<string, StubHandler>();
  /** The app-level token (xapp-…) apps.connections.open accepts, once Socket Mode is set up. */
  appToken: string | undefined;
  private failures: Array<{ method: string; failure: InjectedFailure; remaining: number }> = [];
  private readonly usedTriggers = new Set<string>();
  private readonly responseUrls = new Map<string, ResponseUrlContext>();
  private readonly files = new Map<string, FakeSlackFile>();
  /** Uploads started with files.getUploadURLExternal, by upload URL id; `bytes` once POSTed. */
  private readonly uploads = new Map<string, { fileId: string; filename: string; length: number; bytes: Buffer | undefined; contentType: string | undefined; completed: boolean }>();
  private readonly shared: FakeSlackSharedFile[] = [];
  private nextChannel = 1;
  private nextFile = 1;
  private nextView = 1;
  private nextResponse = 1;
  private closed = false;

  private constructor(server: Server, port: number, options: FakeSlackApiOptions) {
    this.server = server;
    this.origin = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.origin}/api/`;
    this.token = options.token ?? "xoxb-0000-fake-bot-token";
    this.teamId = options.teamId ?? FAKE_TEAM_ID;
    this.teamName = options.teamName ?? "Hotline Test";
    this.teamDomain = options.teamDomain ?? FAKE_TEAM_DOMAIN;
    this.botUserId = options.botUserId ?? FAKE_BOT_USER_ID;
    this.botId = options.botId ?? FAKE_BOT_ID;
    this.botName = options.botName ?? "hotline";
    this.appId = options.appId ?? FAKE_APP_ID;
    this.allowChannelCreation = options.allowChannelCreation ?? true;
    for (const user of options.users ?? []) this.users.set(user.id, user);
    this.usergroups = [...(options.usergroups ?? [])];
    for (const seed of options.channels ?? []) {
      this.addChannel(seed.name, seed.isPrivate ?? false, [...(seed.members ?? [this.botUserId])], seed.id);
    }
    this.registerMethods();
  }

  /** Starts the server on 127.0.0.1 with a free port. */
  static start(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
    return startFakeServer(
      (server, port) => new FakeSlackApi(server, port, options),
      (fake, req, res) => fake.onRequest(req, res),
    );
  }

  // === Inspection

  /** Every call of `method` since the last clearCalls. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Forgets the recorded calls; messages, channels, views and responses are kept. */
  clearCalls(): void {
    this.calls = [];
  }

  /** The messages of a channel (id, `#name` or a user id for the DM), thread replies included, oldest first. */
  messagesIn(channel: string): FakeSlackMessage[] {
    const id = this.lookupChannelId(channel);
    return this.messages.filter((message) => message.channel === id && !message.deleted).sort((a, b) => compareTs(a.ts, b.ts));
  }

  /** One message in its latest state, deleted ones included. */
  message(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.messagesByKey.get(messageKey(this.lookupChannelId(channel), ts));
  }

  /** The files the bot shared, oldest first; with a channel (id, `#name` or a user id for the DM), those shared there. */
  sharedFiles(channel?: string): FakeSlackSharedFile[] {
    if (channel === undefined) return [...this.shared];
    const id = this.lookupChannelId(channel);
    return this.shared.filter((file) => file.channel === id);
  }

  /** The channels that exist: seeded and created ones, with their members. */
  channels(): FakeSlackChannel[] {
    return [...this.channelsById.values()];
  }

  /** A channel by id or name (with or without "#"). */
  channel(idOrName: string): FakeSlackChannel | undefined {
    return this.channelsById.get(idOrName) ?? this.channelByName(idOrName.replace(/^#/, ""));
  }

  /**
   * Every text the app sent where Slack reads mrkdwn, and so would turn `<!channel>`, `<@U…>` or
   * `<https://…|…>` into a ping or a link: the top-level `text` of posts, edits, ephemerals and
   * response-URL bodies (unless they say `mrkdwn: false`), and each `mrkdwn` text object in their
   * blocks. plain_text is shown as typed and is left out.
   */
  mrkdwnSent(): Array<{ via: string; text: string }> {
    const sent: Array<{ via: string; text: string }> = [];
    const collect = (via: string, body: Record<string, unknown>) => {
      if (typeof body.text === "string" && body.mrkdwn !== false && body.mrkdwn !== "false") sent.push({ via, text: body.text });
      for (const text of mrkdwnObjects(body.blocks)) sent.push({ via: `${via} blocks`, text });
    };
    for (const call of this.calls) {
      if (call.method === "chat.postMessage" || call.method === "chat.update" || call.method === "chat.postEphemeral") collect(call.method, call.params);
    }
    for (const response of this.responses) collect(RESPONSE_URL, response.body);
    return sent;
  }

  /** The calls as readable lines, for failure messages. */
  describeCalls(calls: RecordedCall[] = this.calls): string {
    if (calls.length === 0) return "  (none)";
    return calls
      .map((call, index) => {
        const params = JSON.stringify(call.params, (_key, value: unknown) =>
          typeof value === "string" && value.length > 120 ? `${value.slice(0, 117)}…(${value.length} chars)` : value,
        );
        const outcome = call.response.ok ? "ok" : `${call.status === 200 ? "" : `HTTP ${call.status} `}${call.response.error}`;
        return `  ${index + 1}. ${call.method} ${params} → ${outcome}`;
      })
      .join("\n");
  }

  /** Waits until `predicate` holds, polling every 10 ms; throws after `timeoutMs` listing the calls seen. */
  async waitFor(predicate: (calls: RecordedCall[]) => boolean, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (predicate(this.calls)) return;
      if (Date.now() >= deadline) {
        throw new Error(
          `FakeSlackApi.waitFor: condition not met within ${timeoutMs} ms. ` +
            `Calls seen (${this.calls.length}):\n${this.describeCalls()}\nResponse URL posts: ${this.responses.length}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Resolves with the first call of `method` that matches (a predicate, or params that must be equal).
   * Calls made before waiting count too: a Bolt app may well call the API before the HTTP answer to
   * the request that triggered it comes back (always so with processBeforeResponse). clearCalls()
   * first to wait for a fresh one.
   */
  async waitForCall(
    method: string,
    match: ((call: RecordedCall) => boolean) | Record<string, unknown> = () => true,
    timeoutMs = 2000,
  ): Promise<RecordedCall> {
    const matches = typeof match === "function" ? match : (call: RecordedCall) => paramsMatch(call.params, match);
    let found: RecordedCall | undefined;
    try {
      await this.waitFor((calls) => {
        found = calls.find((call) => call.method === method && matches(call));
        return found !== undefined;
      }, timeoutMs);
    } catch (error) {
      throw new Error(`FakeSlackApi.waitForCall(${method}): ${(error as Error).message}`);
    }
    return found as RecordedCall;
  }

  /** Resolves with the first body posted to a response URL that matches (as waitForCall). */
  async waitForResponse(
    match: ((response: FakeSlackResponse) => boolean) | Record<string, unknown> = () => true,
    timeoutMs = 2000,
  ): Promise<FakeSlackResponse> {
    const matches = typeof match === "function" ? match : (response: FakeSlackResponse) => paramsMatch(response.body, match);
    let found: FakeSlackResponse | undefined;
    try {
      await this.waitFor(() => {
        found = this.responses.find(matches);
        return found !== undefined;
      }, timeoutMs);
    } catch (error) {
      const posted = this.responses.map((response) => `  ${response.id} ${JSON.stringify(response.body)}`).join("\n");
      throw new Error(`FakeSlackApi.waitForResponse: ${(error as Error).message}\n${posted}`);
    }
    return found as FakeSlackResponse;
  }

  // === Driving

  /**
   * Makes the next `times` calls of `method` fail. "response_url" makes posts to response URLs fail
   * (status failures with that status, `{ error }` with HTTP 404 and that error).
   */
  failNext(method: string, failure: InjectedFailure, times = 1): void {
    this.failures.push({ method, failure, remaining: times });
  }

  /** Answers `method` with `handler` (also overrides the built-in methods). */
  stub(method: string, handler: StubHandler): void {
    this.stubs.set(method, handler);
  }

  /**
   * Mints a response_url on this fake for a command or action payload. With the message it belongs
   * to, `replace_original` and `delete_original` posted there change that message, as on Slack.
   */
  responseUrl(context: { channel?: string; messageTs?: string } = {}): string {
    const id = `R${String(this.nextResponse++).padStart(4, "0")}-${randomBytes(6).toString("hex")}`;
    this.responseUrls.set(id, {
      channel: context.channel === undefined ? undefined : this.lookupChannelId(context.channel),
      messageTs: context.messageTs,
    });
    return `${this.origin}/response/${id}`;
  }

  /** A message a user posted (so that threads, replies and payloads can refer to it). */
  addMessage(channel: string, message: { user: string; text: string; ts?: string; threadTs?: string; blocks?: unknown[] }): FakeSlackMessage {
    return this.store({
      channel: this.lookupChannelId(channel),
      ts: message.ts ?? nextSlackTs(),
      threadTs: message.threadTs,
      user: message.user,
      botId: undefined,
      text: message.text,
      blocks: message.blocks,
      attachments: undefined,
      metadata: undefined,
    });
  }

  /**
   * A file a user shared (as a `file_share` message would bring it); returns its id for events and
   * files.info. Its bytes are served to requests carrying the bot token.
   */
  addFile(file: { bytes: Buffer | string; name: string; mimetype: string; user?: string }): string {
    const id = `F0FILE${String(this.nextFile++).padStart(5, "0")}`;
    const bytes = typeof file.bytes === "string" ? Buffer.from(file.bytes) : file.bytes;
    this.files.set(id, { id, name: file.name, mimetype: file.mimetype, bytes, created: Math.floor(Date.now() / 1000), user: file.user ?? "U0000USER" });
    return id;
  }

  // === Lifecycle

  /** Closes the server and its connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeServer(this.server);
  }

  // === HTTP

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const body = await readBody(req, MAX_BODY, () => fail("request_too_large"));
      const api = /^\/api\/([^/]+)$/.exec(url.pathname);
      if (api !== null) {
        this.onApiCall(decodeURIComponent(api[1] ?? ""), req, url, body, res);
        return;
      }
      const file = /^\/files-pri\/[^/]+-([^/]+)\/(?:download\/)?[^/]+$/.exec(url.pathname);
      if (file !== null && req.method === "GET") {
        this.onFileDownload(decodeURIComponent(file[1] ?? ""), req, res);
        return;
      }
      const upload = /^\/upload\/v1\/([^/]+)$/.exec(url.pathname);
      if (upload !== null && req.method === "POST") {
        this.onUpload(decodeURIComponent(upload[1] ?? ""), req, body, res);
        return;
      }
      const response = /^\/response\/([^/]+)$/.exec(url.pathname);
      if (response !== null && req.method === "POST") {
        this.onResponseUrl(decodeURIComponent(response[1] ?? ""), body, res);
        return;
      }
      writeJson(res, 404, { ok: false, error: "not_found" });
    } catch (error) {
      if (!res.headersSent) {
        const tooLarge = error instanceof SlackApiError && error.error === "request_too_large";
        writeJson(res, tooLarge ? 413 : 500, { ok: false, error: tooLarge ? "request_too_large" : `fake_error: ${String(error)}` });
      }
    }
  }

  private onApiCall(method: string, req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): void {
    const at = Date.now();
    let params: Params = {};
    let parseError: string | undefined;
    try {
      params = parseParams(req.headers["content-type"], url, body);
    } catch (error) {
      parseError = error instanceof SlackApiError ? error.error : "invalid_form_data";
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const token = bearer ?? (typeof params.token === "string" && params.token !== "" ? params.token : undefined);
    delete params.token;

    let status = 200;
    const headers: Record<string, string> = {};
    let response: SlackAnswer;
    const failure = this.takeFailure(method);
    if (failure !== undefined) {
      if ("error" in failure) {
        response = { ...failure.details, ok: false, error: failure.error };
      } else {
        status = failure.status;
        if (failure.status === 429) {
          headers["retry-after"] = String(Math.max(0, Math.ceil(failure.retryAfter)));
          response = { ok: false, error: "ratelimited" };
        } else {
          response = { ok: false, error: failure.status === 500 ? "internal_error" : "service_unavailable" };
        }
      }
    } else if (parseError !== undefined) {
      response = { ok: false, error: parseError };
    } else if (token === undefined) {
      response = { ok: false, error: "not_authed" };
    } else if (token !== this.token && !(method === "apps.connections.open" && token !== undefined && token === this.appToken)) {
      // The app-level token (Socket Mode) is good for apps.connections.open only, as on Slack.
      response = { ok: false, error: "invalid_auth" };
    } else {
      const handler = this.stubs.get(method) ?? this.methods.get(method);
      if (handler === undefined) {
        response = { ok: false, error: "unknown_method" };
      } else {
        try {
          response = { ...handler(params), ok: true };
        } catch (error) {
          response =
            error instanceof SlackApiError
              ? { ...error.details, ok: false, error: error.error }
              : { ok: false, error: "fatal_error", fake_error: String(error) };
        }
      }
    }
    this.calls.push({ method, params, token, at, status, response });
    writeJson(res, status, response, headers);
  }

  private onResponseUrl(id: string, body: Buffer, res: ServerResponse): void {
    const failure = this.takeFailure(RESPONSE_URL);
    if (failure !== undefined) {
      if ("error" in failure) {
        writeJson(res, 404, { ok: false, error: failure.error });
      } else {
        const headers: Record<string, string> =
          failure.status === 429 ? { "retry-after": String(Math.max(0, Math.ceil(failure.retryAfter))) } : {};
        writeJson(res, failure.status, { ok: false, error: failure.status === 429 ? "ratelimited" : "internal_error" }, headers);
      }
      return;
    }
    const context = this.responseUrls.get(id);
    if (context === undefined) {
      writeJson(res, 404, { ok: false, error: "unknown_response_url" });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      writeJson(res, 400, { ok: false, error: "invalid_payload" });
      return;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      writeJson(res, 400, { ok: false, error: "invalid_payload" });
      return;
    }
    const posted = parsed as Record<string, unknown>;
    this.responses.push({ id, url: `${this.origin}/response/${id}`, body: posted, at: Date.now() });
    const original =
      context.channel === undefined || context.messageTs === undefined
        ? undefined
        : this.messagesByKey.get(messageKey(context.channel, context.messageTs));
    if (original !== undefined && (posted.delete_original === true || posted.delete_original === "true")) {
      original.deleted = true;
    } else if (original !== undefined && (posted.replace_original === true || posted.replace_original === "true")) {
      original.text = typeof posted.text === "string" ? posted.text : "";
      original.blocks = Array.isArray(posted.blocks) ? posted.blocks : undefined;
      original.versions.push({ text: original.text, blocks: original.blocks });
      original.editedTs = nextSlackTs();
    }
    writeJson(res, 200, { ok: true });
  }

  /**
   * A file's private URL. As on Slack, it needs `Authorization: Bearer` with the bot token: without
   * it (or with another token) Slack answers 200 with its sign-in page, not an error.
   */
  private onFileDownload(id: string, req: IncomingMessage, res: ServerResponse): void {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (bearer !== this.token) {
      const page = `<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to ${this.teamName}</body></html>`;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(page) }).end(page);
      return;
    }
    const file = this.files.get(id);
    if (file === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
      return;
    }
    res.writeHead(200, { "content-type": file.mimetype, "content-length": file.bytes.length }).end(file.bytes);
  }

  /**
   * An upload URL from files.getUploadURLExternal. Slack takes the file's bytes as the raw body or
   * as the file part of a multipart form (curl -F), and answers 200 `OK - <bytes>` in plain text;
   * an upload URL it never handed out, or one already completed, gets 404.
   */
  private onUpload(id: string, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const upload = this.uploads.get(id);
    if (upload === undefined || upload.completed) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
      return;
    }
    const contentType = req.headers["content-type"];
    const parts = parseMultipart(contentType, body);
    if (parts === undefined && /^multipart\//i.test(contentType ?? "")) {
      res.writeHead(400, { "content-type": "text/plain" }).end("Bad Request");
      return;
    }
    const file = parts === undefined ? { data: body, contentType } : parts.find((part) => part.filename !== undefined);
    if (file === undefined) {
      res.writeHead(400, { "content-type": "text/plain" }).end("Bad Request");
      return;
    }
    upload.bytes = file.data;
    upload.contentType = file.contentType;
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(`OK - ${file.data.length}`);
  }

  private takeFailure(method: string): InjectedFailure | undefined {
    const entry = this.failures.find((failure) => failure.method === method && failure.remaining > 0);
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    this.failures = this.failures.filter((failure) => failure.remaining > 0);
    return entry.failure;
  }

  // === Methods

  private registerMethods(): void {
    const define = (name: string, handler: StubHandler) => this.methods.set(name, handler);
    define("auth.test", () => ({
      url: `https://${this.teamDomain}.slack.com/`,
      team: this.teamName,
      user: this.botName,
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    }));
    define("chat.postMessage", (p) => this.postMessage(p));
    define("chat.update", (p) => this.updateMessage(p));
    define("chat.postEphemeral", (p) => this.postEphemeral(p));
    define("conversations.create", (p) => this.createChannel(p));
    define("conversations.invite", (p) => this.invite(p));
    define("conversations.members", (p) => ({
      members: [...this.knownChannel(p).members],
      response_metadata: { next_cursor: "" },
    }));
    define("conversations.info", (p) => ({ channel: this.channelObject(this.knownChannel(p)) }));
    define("conversations.replies", (p) => this.replies(p));
    define("conversations.history", (p) => this.history(p));
    define("conversations.open", (p) => this.openConversation(p));
    define("views.open", (p) => this.openView(p));
    define("views.update", (p) => this.updateView(p));
    define("users.info", (p) => this.userInfo(p));
    define("usergroups.list", (p) => this.listUsergroups(p));
    define("files.info", (p) => this.fileInfo(p));
    define("files.getUploadURLExternal", (p) => this.getUploadUrl(p));
    define("files.completeUploadExternal", (p) => this.completeUpload(p));
  }

  /** files.getUploadURLExternal: an upload URL on this fake and the file's id, for a filename and a length in bytes. */
  private getUploadUrl(p: Params): Record<string, unknown> {
    const filename = optionalString(p, "filename");
    const length = Number(optionalString(p, "length"));
    if (filename === undefined) throw fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing required field: filename"] } });
    if (!Number.isInteger(length) || length < 1) throw fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing required field: length"] } });
    const fileId = `F0UP${String(this.nextFile++).padStart(7, "0")}`;
    const id = `${this.teamId}-${fileId}-${randomBytes(6).toString("hex")}`;
    this.uploads.set(id, { fileId, filename, length, bytes: undefined, contentType: undefined, completed: false });
    return { upload_url: `${this.origin}/upload/v1/${id}`, file_id: fileId };
  }

  /**
   * files.completeUploadExternal: shares uploaded files in `channel_id` (a conversation id: a DM's
   * comes from conversations.open) with `initial_comment`, as one message of the bot's. A file id
   * never handed out, or whose bytes never came, is file_not_found; a channel the bot is known not
   * to be in is not_in_channel. Without a channel the files stay private.
   */
  private completeUpload(p: Params): Record<string, unknown> {
    const listed = p.files;
    if (!Array.isArray(listed) || listed.length === 0) throw fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing required field: files"] } });
    const wanted = listed.map((entry: unknown) => (typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>) : {}));
    const uploads = wanted.map((entry) => {
      const found = [...this.uploads.values()].find((upload) => upload.fileId === entry.id);
      if (found === undefined || found.bytes === undefined || found.completed) throw fail("file_not_found");
      return { upload: found, title: typeof entry.title === "string" && entry.title !== "" ? entry.title : found.filename };
    });
    const ref = optionalString(p, "channel_id");
    if (ref !== undefined && /^[UW]/.test(ref)) throw fail("channel_not_found");
    const channel = ref === undefined ? undefined : this.channelParam({ channel: ref });
    const known = channel === undefined ? undefined : this.channelsById.get(channel);
    if (known !== undefined && !known.members.includes(this.botUserId)) throw fail("not_in_channel");
    const comment = optionalString(p, "initial_comment");
    if (comment !== undefined && comment.length > MAX_TEXT) throw fail("msg_too_long");
    const threadTs = optionalString(p, "thread_ts");
    const created = Math.floor(Date.now() / 1000);
    const files = uploads.map(({ upload, title }) => {
      upload.completed = true;
      const bytes = upload.bytes!;
      const mimetype = upload.contentType?.split(";")[0]?.trim() || "application/octet-stream";
      this.files.set(upload.fileId, { id: upload.fileId, name: upload.filename, mimetype, bytes, created, user: this.botUserId });
      return { id: upload.fileId, name: upload.filename, title, bytes };
    });
    if (channel !== undefined) {
      const message = this.store({
        channel,
        ts: nextSlackTs(),
        threadTs,
        user: this.botUserId,
        botId: this.botId,
        text: comment ?? "",
        blocks: undefined,
        attachments: undefined,
        metadata: undefined,
        files: files.map(({ id, name, title }) => ({ id, name, title })),
      });
      for (const file of files) this.shared.push({ ...file, channel, initialComment: comment, threadTs, ts: message.ts });
    }
    return { files: files.map(({ id, name, title, bytes }) => ({ id, name, title, size: bytes.length, created, user: this.botUserId, is_external: false, mode: "hosted" })) };
  }

  /** files.info: the file object (the fields Hotline reads and a few beside), no comments. */
  private fileInfo(p: Params): Record<string, unknown> {
    const file = this.files.get(optionalString(p, "file") ?? "");
    if (file === undefined) throw fail("file_not_found");
    const path = `${this.origin}/files-pri/${this.teamId}-${file.id}`;
    const name = encodeURIComponent(file.name);
    return {
      file: {
        id: file.id,
        created: file.created,
        timestamp: file.created,
        name: file.name,
        title: file.name,
        mimetype: file.mimetype,
        filetype: file.name.includes(".") ? file.name.slice(file.name.lastIndexOf(".") + 1).toLowerCase() : "binary",
        user: file.user,
        mode: "hosted",
        is_external: false,
        is_public: false,
        size: file.bytes.length,
        url_private: `${path}/${name}`,
        url_private_download: `${path}/download/${name}`,
      },
      comments: [],
      response_metadata: { next_cursor: "" },
    };
  }

  private postMessage(p: Params): Record<string, unknown> {
    const channel = this.channelParam(p);
    const content = messageContent(p);
    const message = this.store({
      channel,
      ts: nextSlackTs(),
      threadTs: optionalString(p, "thread_ts"),
      user: this.botUserId,
      botId: this.botId,
      ...content,
      metadata: p.metadata === undefined ? undefined : checkMetadata(p.metadata),
    });
    return { channel, ts: message.ts, message: this.messageObject(message) };
  }

  private updateMessage(p: Params): Record<string, unknown> {
    const channel = this.channelParam(p);
    const ts = optionalString(p, "ts");
    const message = ts === undefined ? undefined : this.messagesByKey.get(messageKey(channel, ts));
    if (message === undefined || message.deleted) throw fail("message_not_found");
    if (message.botId !== this.botId) throw fail("cant_update_message");
    if (p.text === undefined && p.blocks === undefined && p.attachments === undefined) throw fail("no_text");
    if (p.text !== undefined) {
      message.text = optionalString(p, "text") ?? "";
      if (message.text.length > MAX_TEXT) throw fail("msg_too_long");
    }
    if (p.blocks !== undefined) message.blocks = emptyToUndefined(checkBlocks(p.blocks, MAX_MESSAGE_BLOCKS, "invalid_blocks"));
    if (p.attachments !== undefined) message.attachments = emptyToUndefined(checkAttachments(p.attachments));
    // Slack keeps a message's metadata through an edit that does not give any; `{}` removes it.
    if (p.metadata !== undefined) message.metadata = isEmptyObject(p.metadata) ? undefined : checkMetadata(p.metadata);
    message.versions.push({ text: message.text, blocks: message.blocks });
    message.editedTs = nextSlackTs();
    return { channel, ts: message.ts, text: message.text, message: this.messageObject(message) };
  }

  private postEphemeral(p: Params): Record<string, unknown> {
    const channel = this.channelParam(p);
    const user = optionalString(p, "user");
    if (user === undefined) throw fail("user_not_found");
    const content = messageContent(p);
    const known = this.channelsById.get(channel);
    if (known !== undefined && !known.members.includes(user)) throw fail("user_not_in_channel");
    const messageTs = nextSlackTs();
    this.ephemerals.push({
      channel,
      user,
      text: content.text,
      blocks: content.blocks,
      threadTs: optionalString(p, "thread_ts"),
      messageTs,
      at: Date.now(),
    });
    return { message_ts: messageTs };
  }

  private createChannel(p: Params): Record<string, unknown> {
    if (!this.allowChannelCreation) throw fail("restricted_action");
    const name = optionalString(p, "name") ?? "";
    checkChannelName(name);
    if (this.channelByName(name) !== undefined) throw fail("name_taken");
    const channel = this.addChannel(name, flag(p, "is_private"), [this.botUserId]);
    return { channel: this.channelObject(channel) };
  }

  private invite(p: Params): Record<string, unknown> {
    const channel = this.knownChannel(p);
    if (!channel.members.includes(this.botUserId)) throw fail("not_in_channel");
    const users = [...new Set((optionalString(p, "users") ?? "").split(",").map((user) => user.trim()).filter((user) => user !== ""))];
    if (users.length === 0) throw fail("no_user");
    if (users.length > 1000) throw fail("too_many_users");
    for (const user of users) {
      if (user === this.botUserId) throw fail("cant_invite_self", { errors: [{ user, ok: false, error: "cant_invite_self" }] });
      if (!this.isKnownUserId(user)) throw fail("user_not_found", { errors: [{ user, ok: false, error: "user_not_found" }] });
    }
    const fresh = users.filter((user) => !channel.members.includes(user));
    if (fresh.length === 0) {
      throw fail("already_in_channel", { errors: users.map((user) => ({ user, ok: false, error: "already_in_channel" })) });
    }
    channel.members.push(...fresh);
    return { channel: this.channelObject(channel) };
  }

  private replies(p: Params): Record<string, unknown> {
    const channel = this.channelParam(p);
    const ts = optionalString(p, "ts");
    const root = ts === undefined ? undefined : this.messagesByKey.get(messageKey(channel, ts));
    if (root === undefined || root.deleted) throw fail("thread_not_found");
    const replies = this.messagesIn(channel).filter((message) => message.threadTs === root.ts && message.ts !== root.ts);
    return {
      messages: [root, ...replies].map((message) => this.messageObject(message)),
      has_more: false,
      response_metadata: { next_cursor: "" },
    };
  }

  /**
   * A channel's top-level messages, newest first, as Slack answers: only those after `oldest` and
   * before `latest` (both exclusive unless `inclusive`), at most `limit` (default 100, at most 999),
   * `has_more` and a cursor past them. Metadata only with `include_all_metadata`. A user id is not a
   * conversation here (channel_not_found): the DM's id comes from conversations.open.
   */
  private history(p: Params): Record<string, unknown> {
    const ref = optionalString(p, "channel");
    if (ref === undefined || /^[UW]/.test(ref)) throw fail("channel_not_found");
    const channel = this.channelParam(p);
    const inclusive = flag(p, "inclusive");
    const oldest = optionalString(p, "oldest");
    const latest = optionalString(p, "latest");
    const limit = Math.min(999, Math.max(1, Number(optionalString(p, "limit") ?? 100) || 100));
    const offset = p.cursor === undefined || p.cursor === "" ? 0 : cursorOffset(optionalString(p, "cursor") ?? "");
    const after = (ts: string) => (oldest === undefined ? true : inclusive ? compareTs(ts, oldest) >= 0 : compareTs(ts, oldest) > 0);
    const before = (ts: string) => (latest === undefined ? true : inclusive ? compareTs(ts, latest) <= 0 : compareTs(ts, latest) < 0);
    const inRange = this.messagesIn(channel)
      .filter((message) => message.threadTs === undefined || message.threadTs === message.ts)
      .filter((message) => after(message.ts) && before(message.ts))
      .reverse();
    const page = inRange.slice(offset, offset + limit);
    const hasMore = inRange.length > offset + limit;
    const withMetadata = flag(p, "include_all_metadata");
    return {
      messages: page.map((message) => this.messageObject(message, { metadata: withMetadata })),
      has_more: hasMore,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      response_metadata: { next_cursor: hasMore ? Buffer.from(`offset:${offset + limit}`).toString("base64") : "" },
    };
  }

  /** The DM with one user (its id is `D` + the user id's rest here); a conversation id is answered as is. */
  private openConversation(p: Params): Record<string, unknown> {
    const given = optionalString(p, "channel");
    if (given !== undefined) return { no_op: true, already_open: true, channel: { id: this.channelParam(p) } };
    const users = (optionalString(p, "users") ?? "").split(",").map((user) => user.trim()).filter((user) => user !== "");
    if (users.length === 0) throw fail("users_list_not_supplied");
    if (users.length > 1) throw fail("not_supported", { detail: "the fake opens DMs with one user only" });
    const user = users[0]!;
    if (!this.isKnownUserId(user)) throw fail("user_not_found");
    return { no_op: true, already_open: true, channel: { id: `D${user.slice(1)}` } };
  }

  private openView(p: Params): Record<string, unknown> {
    const triggerId = optionalString(p, "trigger_id");
    if (triggerId === undefined) {
      throw fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing required field: trigger_id"] } });
    }
    if (this.usedTriggers.has(triggerId)) throw fail("exchanged_trigger_id");
    const input = viewParam(p);
    this.usedTriggers.add(triggerId);
    const id = `V0VW${String(this.nextView++).padStart(7, "0")}`;
    const view: FakeSlackViewObject = {
      id,
      team_id: this.teamId,
      type: String(input.type),
      blocks: (input.blocks as unknown[] | undefined) ?? [],
      private_metadata: typeof input.private_metadata === "string" ? input.private_metadata : "",
      callback_id: typeof input.callback_id === "string" ? input.callback_id : "",
      state: { values: {} },
      hash: newViewHash(),
      title: input.title ?? null,
      clear_on_close: input.clear_on_close === true,
      notify_on_close: input.notify_on_close === true,
      close: input.close ?? null,
      submit: input.submit ?? null,
      previous_view_id: null,
      root_view_id: id,
      app_id: this.appId,
      external_id: typeof input.external_id === "string" ? input.external_id : "",
      app_installed_team_id: this.teamId,
      bot_id: this.botId,
    };
    this.views.push({ id, triggerId, view, versions: [view] });
    return { view };
  }

  private updateView(p: Params): Record<string, unknown> {
    const viewId = optionalString(p, "view_id");
    const externalId = optionalString(p, "external_id");
    if (viewId === undefined && externalId === undefined) {
      throw fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing required field: view_id"] } });
    }
    const stored = this.views.find((view) => (viewId !== undefined ? view.id === viewId : view.view.external_id === externalId));
    if (stored === undefined) throw fail("not_found");
    const hash = optionalString(p, "hash");
    if (hash !== undefined && hash !== stored.view.hash) throw fail("hash_conflict");
    const input = viewParam(p);
    const view: FakeSlackViewObject = {
      ...stored.view,
      type: String(input.type),
      blocks: (input.blocks as unknown[] | undefined) ?? [],
      private_metadata: typeof input.private_metadata === "string" ? input.private_metadata : "",
      callback_id: typeof input.callback_id === "string" ? input.callback_id : "",
      title: input.title ?? null,
      close: input.close ?? null,
      submit: input.submit ?? null,
      hash: newViewHash(),
    };
    stored.view = view;
    stored.versions.push(view);
    return { view };
  }

  private userInfo(p: Params): Record<string, unknown> {
    const id = optionalString(p, "user") ?? "";
    const user =
      this.users.get(id) ??
      (id === this.botUserId ? { id, name: this.botName, realName: this.botName, isBot: true } : undefined);
    if (user === undefined) throw fail("user_not_found");
    const realName = user.realName ?? user.name;
    const profile: Record<string, unknown> = {
      real_name: realName,
      real_name_normalized: realName,
      display_name: user.displayName ?? "",
      display_name_normalized: user.displayName ?? "",
      team: this.teamId,
    };
    if (user.email !== undefined) profile.email = user.email;
    return {
      user: {
        id: user.id,
        team_id: this.teamId,
        name: user.name,
        deleted: user.deleted ?? false,
        real_name: realName,
        tz: user.tz ?? "Europe/Berlin",
        is_admin: false,
        is_owner: false,
        is_bot: user.isBot ?? false,
        is_app_user: false,
        profile,
      },
    };
  }

  private listUsergroups(p: Params): Record<string, unknown> {
    const includeUsers = flag(p, "include_users");
    const includeDisabled = flag(p, "include_disabled");
    const usergroups = this.usergroups
      .filter((group) => includeDisabled || group.disabled !== true)
      .map((group) => {
        const listed: Record<string, unknown> = {
          id: group.id,
          team_id: this.teamId,
          is_usergroup: true,
          name: group.name,
          description: group.description ?? "",
          handle: group.handle,
          is_external: false,
          date_create: 1_700_000_000,
          date_update: 1_700_000_000,
          date_delete: group.disabled === true ? 1_700_000_001 : 0,
          auto_type: null,
          created_by: this.botUserId,
          updated_by: this.botUserId,
          deleted_by: null,
          prefs: { channels: [], groups: [] },
          user_count: (group.users ?? []).length,
        };
        if (includeUsers) listed.users = [...(group.users ?? [])];
        return listed;
      });
    return { usergroups };
  }

  // === State helpers

  private store(fields: Omit<FakeSlackMessage, "versions" | "editedTs" | "deleted">): FakeSlackMessage {
    const message: FakeSlackMessage = {
      ...fields,
      versions: [{ text: fields.text, blocks: fields.blocks }],
      editedTs: undefined,
      deleted: false,
    };
    this.messages.push(message);
    this.messagesByKey.set(messageKey(message.channel, message.ts), message);
    return message;
  }

  /** The message as Slack returns it (chat.postMessage, conversations.replies, conversations.history). */
  private messageObject(message: FakeSlackMessage, options: { metadata: boolean } = { metadata: true }): Record<string, unknown> {
    const object: Record<string, unknown> = { type: "message", text: message.text, user: message.user, ts: message.ts, team: this.teamId };
    if (message.botId !== undefined) {
      object.bot_id = message.botId;
      object.app_id = this.appId;
    }
    if (message.blocks !== undefined) object.blocks = message.blocks;
    if (message.attachments !== undefined) object.attachments = message.attachments;
    if (message.metadata !== undefined && options.metadata) object.metadata = message.metadata;
    if (message.files !== undefined) {
      object.files = message.files.map((file) => ({ ...file, url_private: `${this.origin}/files-pri/${this.teamId}-${file.id}/${encodeURIComponent(file.name)}` }));
      object.upload = true;
    }
    if (message.editedTs !== undefined) object.edited = { user: message.user, ts: message.editedTs };
    const replies = this.messages.filter(
      (other) => other.channel === message.channel && other.threadTs === message.ts && other.ts !== message.ts && !other.deleted,
    );
    if (replies.length > 0) {
      object.thread_ts = message.ts;
      object.reply_count = replies.length;
      object.reply_users = [...new Set(replies.map((reply) => reply.user))];
      object.reply_users_count = (object.reply_users as string[]).length;
      object.latest_reply = replies.map((reply) => reply.ts).sort(compareTs).at(-1);
    } else if (message.threadTs !== undefined) {
      object.thread_ts = message.threadTs;
      const root = this.messagesByKey.get(messageKey(message.channel, message.threadTs));
      if (root !== undefined) object.parent_user_id = root.user;
    }
    return object;
  }

  private addChannel(name: string, isPrivate: boolean, members: string[], id?: string): FakeSlackChannel {
    const channel: FakeSlackChannel = {
      id: id ?? `C0CH${String(this.nextChannel++).padStart(6, "0")}`,
      name,
      isPrivate,
      creator: this.botUserId,
      created: Math.floor(Date.now() / 1000),
      members,
    };
    this.channelsById.set(channel.id, channel);
    return channel;
  }

  private channelObject(channel: FakeSlackChannel): Record<string, unknown> {
    return {
      id: channel.id,
      name: channel.name,
      is_channel: true,
      is_group: false,
      is_im: false,
      is_mpim: false,
      is_private: channel.isPrivate,
      created: channel.created,
      is_archived: false,
      is_general: false,
      unlinked: 0,
      name_normalized: channel.name,
      is_shared: false,
      is_org_shared: false,
      is_pending_ext_shared: false,
      pending_shared: [],
      context_team_id: this.teamId,
      creator: channel.creator,
      is_ext_shared: false,
      shared_team_ids: [this.teamId],
      is_member: channel.members.includes(this.botUserId),
      topic: { value: "", creator: "", last_set: 0 },
      purpose: { value: "", creator: "", last_set: 0 },
      previous_names: [],
    };
  }

  private channelByName(name: string): FakeSlackChannel | undefined {
    return [...this.channelsById.values()].find((channel) => channel.name === name);
  }

  /**
   * The channel id a `channel` parameter means: ids as they are (any well-formed one is accepted for
   * posting, as in a workspace where the bot is everywhere), `#name`/name of a known channel, or a
   * user id for the DM with that user.
   */
  private resolveChannel(ref: string): string | undefined {
    if (/^[UW][A-Z0-9]+$/.test(ref)) return `D${ref.slice(1)}`;
    if (/^[CDG][A-Z0-9]+$/.test(ref)) return ref;
    return this.channelByName(ref.replace(/^#/, ""))?.id;
  }

  private lookupChannelId(ref: string): string {
    return this.resolveChannel(ref) ?? ref;
  }

  private channelParam(p: Params): string {
    const ref = optionalString(p, "channel");
    const id = ref === undefined ? undefined : this.resolveChannel(ref);
    if (id === undefined) throw fail("channel_not_found");
    return id;
  }

  /** A channel that exists (seeded or created), for the methods that need its members. */
  private knownChannel(p: Params): FakeSlackChannel {
    const channel = this.channelsById.get(this.channelParam(p));
    if (channel === undefined) throw fail("channel_not_found");
    return channel;
  }

  private isKnownUserId(id: string): boolean {
    if (this.users.size > 0) return this.users.has(id);
    return /^[UW][A-Z0-9]{2,}$/.test(id);
  }
}

// === Signed requests to a Bolt app

/** A request as Slack sends it to an app: the exact body to sign and post, and its content type. */
export interface SlackRequest {
  kind: "event_callback" | "url_verification" | "block_actions" | "view_submission" | "slash_command" | "shortcut" | "message_action" | "block_suggestion" | "raw";
  /** As Slack sends them; a `rawRequest` may carry any other. */
  contentType: "application/json" | "application/x-www-form-urlencoded" | (string & {});
  rawBody: string;
  /** What the app parses out of rawBody (for interactivity: the decoded `payload`). */
  body: Record<string, unknown>;
}

export interface SendToSlackAppOptions {
  /** Unix seconds for X-Slack-Request-Timestamp (and the signature); default now. */
  timestamp?: number;
  /** Sends X-Slack-Retry-Num (and X-Slack-Retry-Reason), as Slack does when redelivering an event. */
  retryNum?: number;
  retryReason?: "http_timeout" | "too_many_conns" | "http_error" | "unknown_error" | "ssl_error";
  /** Sent instead of the right X-Slack-Signature, to test refusals. */
  signature?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface SlackAppResponse {
  status: number;
  body: string;
  /** The body parsed, when the app answered JSON. */
  json?: unknown;
  headers: Headers;
  /** How long the app took to answer (Slack gives up after 3 s). */
  ms: number;
}

/** `v0=` + hex HMAC-SHA256(signing secret, `v0:${timestamp}:${rawBody}`), Slack's X-Slack-Signature. */
export function slackSignature(signingSecret: string, timestamp: number | string, rawBody: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
}

/**
 * POSTs a request to an app as Slack does: the exact content type (Bolt's receivers compare it with
 * `===`, so no charset), X-Slack-Request-Timestamp and X-Slack-Signature.
 */
export async function sendToSlackApp(
  url: string,
  signingSecret: string,
  request: SlackRequest,
  options: SendToSlackAppOptions = {},
): Promise<SlackAppResponse> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": request.contentType,
    "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": options.signature ?? slackSignature(signingSecret, timestamp, request.rawBody),
  };
  if (options.retryNum !== undefined) {
    headers["x-slack-retry-num"] = String(options.retryNum);
    headers["x-slack-retry-reason"] = options.retryReason ?? "http_timeout";
  }
  Object.assign(headers, options.headers);
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: request.rawBody,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const body = await response.text();
  const ms = performance.now() - started;
  const answer: SlackAppResponse = { status: response.status, body, headers: response.headers, ms };
  if ((response.headers.get("content-type") ?? "").includes("json") && body !== "") {
    try {
      answer.json = JSON.parse(body);
    } catch {
      // not JSON after all: body has it
    }
  }
  return answer;
}

// === Request builders

/** An event, as in `event` of an event_callback. */
export type SlackEventInput = { type: string; [field: string]: unknown };

export interface EventCallbackOptions {
  event: SlackEventInput;
  eventId?: string;
  /** Unix seconds; defaults to the event's ts. */
  eventTime?: number;
  teamId?: string;
  apiAppId?: string;
  /** The app's bot user, as in `authorizations`. */
  botUserId?: string;
}

/** An Events API delivery (JSON), with `authorizations` as Slack sends them nowadays. */
export function eventCallback(options: EventCallbackOptions): SlackRequest {
  const teamId = options.teamId ?? FAKE_TEAM_ID;
  const ts = typeof options.event.event_ts === "string" ? options.event.event_ts : options.event.ts;
  const eventTime = options.eventTime ?? (typeof ts === "string" ? Math.floor(Number(ts)) : Math.floor(Date.now() / 1000));
  return jsonRequest("event_callback", {
    token: FAKE_VERIFICATION_TOKEN,
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: options.apiAppId ?? FAKE_APP_ID,
    event: options.event,
    type: "event_callback",
    event_id: options.eventId ?? `Ev${uniqueSuffix(10)}`,
    event_time: eventTime,
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: options.botUserId ?? FAKE_BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${teamId}:${options.event.type}`).toString("base64url")}`,
  });
}

/** The challenge Slack sends when the Events URL is configured. */
export function urlVerification(challenge: string): SlackRequest {
  return jsonRequest("url_verification", { token: FAKE_VERIFICATION_TOKEN, challenge, type: "url_verification" });
}

export interface UserMessageOptions {
  user: string;
  /** Mentions as Slack writes them: `<@U0000BOT> help`. */
  text: string;
  channel?: string;
  ts?: string;
  threadTs?: string;
  teamId?: string;
}

/** An `app_mention` event (for eventCallback). */
export function appMentionEvent(options: UserMessageOptions): SlackEventInput {
  const ts = options.ts ?? nextSlackTs();
  const event: SlackEventInput = {
    type: "app_mention",
    user: options.user,
    text: options.text,
    ts,
    client_msg_id: randomUUID(),
    team: options.teamId ?? FAKE_TEAM_ID,
    blocks: richTextBlocks(options.text),
    channel: options.channel ?? FAKE_CHANNEL_ID,
    event_ts: ts,
  };
  if (options.threadTs !== undefined) event.thread_ts = options.threadTs;
  return event;
}

/** A `message` event from a user (for eventCallback); channel_type "im" for D… channels. */
export function messageEvent(options: UserMessageOptions & { channelType?: "channel" | "group" | "im" | "mpim" }): SlackEventInput {
  const channel = options.channel ?? FAKE_CHANNEL_ID;
  const event: SlackEventInput = {
    ...appMentionEvent({ ...options, channel }),
    type: "message",
    channel_type: options.channelType ?? (channel.startsWith("D") ? "im" : "channel"),
  };
  return event;
}

/** View state values: Slack's shape, or a string for a plain_text_input's value. */
export type ViewValuesInput = Record<string, Record<string, ViewStateValue | string>>;

/** A view, as a view object (e.g. `fake.views[0].view`) or the few fields that matter. */
export interface ViewInput {
  id?: string;
  callbackId?: string;
  privateMetadata?: string;
  values?: ViewValuesInput;
  hash?: string;
  /** A view as views.open answered it; the other fields override its own. */
  base?: Record<string, unknown>;
}

export interface BlockActionsOptions {
  userId: string;
  userName?: string;
  actionId: string;
  /** A button's value. */
  value?: string;
  blockId?: string;
  /** For a users_select. */
  selectedUser?: string;
  /** For a static_select. */
  selectedOption?: { value: string; text?: string };
  /** The element type; defaults from the above (button, users_select, static_select). */
  actionType?: string;
  channelId?: string;
  channelName?: string;
  /** The ts of the message with the element (defaults to `message.ts`, else a fresh ts). */
  messageTs?: string;
  /** The message with the element, as the payload shows it. */
  message?: { ts?: string; text?: string; blocks?: unknown[]; user?: string; threadTs?: string };
  triggerId?: string;
  /** Defaults to an unreachable URL: give `fake.responseUrl()` when the handler calls respond(). */
  responseUrl?: string;
  /** The action happened in this modal: container "view", and no channel, message or response_url, as on Slack. */
  view?: ViewInput;
  teamId?: string;
  apiAppId?: string;
}

/** An interactivity request for a block element (form-encoded `payload=<json>`). */
export function blockActions(options: BlockActionsOptions): SlackRequest {
  const teamId = options.teamId ?? FAKE_TEAM_ID;
  const action: Record<string, unknown> = {
    type: options.actionType ?? (options.selectedUser !== undefined ? "users_select" : options.selectedOption !== undefined ? "static_select" : "button"),
    action_id: options.actionId,
    block_id: options.blockId ?? `blk${uniqueSuffix(5)}`,
    action_ts: nextSlackTs(),
  };
  if (options.selectedUser !== undefined) action.selected_user = options.selectedUser;
  if (options.selectedOption !== undefined) {
    action.selected_option = {
      text: { type: "plain_text", text: options.selectedOption.text ?? options.selectedOption.value, emoji: true },
      value: options.selectedOption.value,
    };
  }
  if (action.type === "button") action.text = { type: "plain_text", text: options.value ?? options.actionId, emoji: true };
  if (options.value !== undefined) action.value = options.value;

  const payload: Record<string, unknown> = {
    type: "block_actions",
    user: { id: options.userId, username: options.userName ?? handleOf(options.userId), name: options.userName ?? handleOf(options.userId), team_id: teamId },
    api_app_id: options.apiAppId ?? FAKE_APP_ID,
    token: FAKE_VERIFICATION_TOKEN,
    container: {},
    trigger_id: options.triggerId ?? newTriggerId(),
    team: { id: teamId, domain: FAKE_TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
  };
  if (options.view !== undefined) {
    const view = viewOutput(options.view, teamId, options.apiAppId);
    payload.container = { type: "view", view_id: view.id };
    payload.view = view;
    if (options.responseUrl !== undefined) payload.response_url = options.responseUrl;
  } else {
    const channelId = options.channelId ?? FAKE_CHANNEL_ID;
    const messageTs = options.messageTs ?? options.message?.ts ?? nextSlackTs();
    const container: Record<string, unknown> = { type: "message", message_ts: messageTs, channel_id: channelId, is_ephemeral: false };
    const message: Record<string, unknown> = {
      type: "message",
      user: options.message?.user ?? FAKE_BOT_USER_ID,
      ts: messageTs,
      text: options.message?.text ?? "",
      team: teamId,
    };
    if (message.user === FAKE_BOT_USER_ID) {
      message.bot_id = FAKE_BOT_ID;
      message.app_id = options.apiAppId ?? FAKE_APP_ID;
    }
    if (options.message?.blocks !== undefined) message.blocks = options.message.blocks;
    if (options.message?.threadTs !== undefined) {
      message.thread_ts = options.message.threadTs;
      container.thread_ts = options.message.threadTs;
    }
    payload.container = container;
    payload.channel = { id: channelId, name: options.channelName ?? "hotline" };
    payload.message = message;
    payload.state = { values: {} };
    payload.response_url = options.responseUrl ?? unreachableResponseUrl();
  }
  payload.actions = [action];
  return interactivityRequest("block_actions", payload);
}

export interface ViewSubmissionOptions {
  userId: string;
  userName?: string;
  /** Required unless `view` has one. */
  callbackId?: string;
  privateMetadata?: string;
  values: ViewValuesInput;
  triggerId?: string;
  /** The submitted view as opened, e.g. `fake.views[0].view`: its id, blocks, hash… are kept. */
  view?: Record<string, unknown>;
  /** Set for modals whose input blocks asked for response_url_enabled. */
  responseUrls?: Array<{ block_id: string; action_id: string; channel_id: string; response_url: string }>;
  teamId?: string;
  apiAppId?: string;
}

/** A modal's submission (form-encoded `payload=<json>`). */
export function viewSubmission(options: ViewSubmissionOptions): SlackRequest {
  const teamId = options.teamId ?? FAKE_TEAM_ID;
  const input: ViewInput = { values: options.values };
  if (options.callbackId !== undefined) input.callbackId = options.callbackId;
  if (options.privateMetadata !== undefined) input.privateMetadata = options.privateMetadata;
  if (options.view !== undefined) input.base = options.view;
  const view = viewOutput(input, teamId, options.apiAppId);
  if (view.callback_id === "") throw new Error("viewSubmission: give callbackId or a view with a callback_id");
  return interactivityRequest("view_submission", {
    type: "view_submission",
    team: { id: teamId, domain: FAKE_TEAM_DOMAIN },
    user: { id: options.userId, username: options.userName ?? handleOf(options.userId), name: options.userName ?? handleOf(options.userId), team_id: teamId },
    api_app_id: options.apiAppId ?? FAKE_APP_ID,
    token: FAKE_VERIFICATION_TOKEN,
    trigger_id: options.triggerId ?? newTriggerId(),
    view,
    response_urls: options.responseUrls ?? [],
    is_enterprise_install: false,
    enterprise: null,
  });
}

export interface SlashCommandOptions {
  /** With the slash: "/hotline". */
  command: string;
  text: string;
  userId: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  /** Defaults to an unreachable URL: give `fake.responseUrl()` when the handler calls respond(). */
  responseUrl?: string;
  triggerId?: string;
  teamId?: string;
  apiAppId?: string;
}

/** A slash command: form fields, in the order Slack sends them. */
export function slashCommand(options: SlashCommandOptions): SlackRequest {
  const fields: Record<string, string> = {
    token: FAKE_VERIFICATION_TOKEN,
    team_id: options.teamId ?? FAKE_TEAM_ID,
    team_domain: FAKE_TEAM_DOMAIN,
    channel_id: options.channelId ?? FAKE_CHANNEL_ID,
    channel_name: options.channelName ?? "hotline",
    user_id: options.userId,
    user_name: options.userName ?? handleOf(options.userId),
    command: options.command,
    text: options.text,
    api_app_id: options.apiAppId ?? FAKE_APP_ID,
    is_enterprise_install: "false",
    response_url: options.responseUrl ?? unreachableResponseUrl(),
    trigger_id: options.triggerId ?? newTriggerId(),
  };
  return { kind: "slash_command", contentType: "application/x-www-form-urlencoded", rawBody: new URLSearchParams(fields).toString(), body: fields };
}

/**
 * A body sent exactly as given, signed like any other: for what an app makes of bodies Slack would
 * never send (`null`, a number, bad JSON, `payload=[]`). `body` is what the raw body parses to, if anything.
 */
export function rawRequest(contentType: string, rawBody: string): SlackRequest {
  return { kind: "raw", contentType, rawBody, body: {} };
}

export interface ShortcutOptions {
  userId: string;
  callbackId: string;
  triggerId?: string;
  teamId?: string;
  apiAppId?: string;
}

/** A global shortcut (the lightning-bolt menu): form-encoded `payload=<json>`. */
export function globalShortcut(options: ShortcutOptions): SlackRequest {
  const teamId = options.teamId ?? FAKE_TEAM_ID;
  return interactivityRequest("shortcut", {
    type: "shortcut",
    token: FAKE_VERIFICATION_TOKEN,
    action_ts: nextSlackTs(),
    team: { id: teamId, domain: FAKE_TEAM_DOMAIN },
    user: { id: options.userId, username: handleOf(options.userId), team_id: teamId },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: options.callbackId,
    trigger_id: options.triggerId ?? newTriggerId(),
  });
}

/** A message shortcut (a message's "More actions" menu), with the message and a response_url. */
export function messageShortcut(options: ShortcutOptions & { channelId?: string; message?: { ts?: string; text?: string; user?: string }; responseUrl?: string }): SlackRequest {
  const teamId = options.teamId ?? FAKE_TEAM_ID;
  const ts = options.message?.ts ?? nextSlackTs();
  return interactivityRequest("message_action", {
    type: "message_action",
    token: FAKE_VERIFICATION_TOKEN,
    action_ts: nextSlackTs(),
    team: { id: teamId, domain: FAKE_TEAM_DOMAIN },
    user: { id: options.userId, username: handleOf(options.userId), team_id: teamId, name: handleOf(options.userId) },
    channel: { id: options.channelId ?? FAKE_CHANNEL_ID, name: "hotline" },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: options.callbackId,
    trigger_id: options.triggerId ?? newTriggerId(),
    response_url: options.responseUrl ?? unreachableResponseUrl(),
    message_ts: ts,
    message: { type: "message", user: options.message?.user ?? options.userId, ts, text: options.message?.text ?? "" },
  });
}

export interface BlockSuggestionOptions {
  userId: string;
  actionId: string;
  blockId?: string;
  /** What the user typed into the external select. */
  value: string;
  channelId?: string;
  teamId?: string;
  apiAppId?: string;
}

/** An options request for an external select (`block_suggestion`): form-encoded `payload=<json>`. */
export function blockSuggestion(options: BlockSuggestionOptions): SlackRequest {
  const teamId = options.teamId ?? FAKE_TEAM_ID;
  const channelId = options.channelId ?? FAKE_CHANNEL_ID;
  return interactivityRequest("block_suggestion", {
    type: "block_suggestion",
    user: { id: options.userId, username: handleOf(options.userId), team_id: teamId, name: handleOf(options.userId) },
    container: { type: "message", message_ts: nextSlackTs(), channel_id: channelId, is_ephemeral: false },
    api_app_id: options.apiAppId ?? FAKE_APP_ID,
    token: FAKE_VERIFICATION_TOKEN,
    action_id: options.actionId,
    block_id: options.blockId ?? `blk${uniqueSuffix(5)}`,
    value: options.value,
    team: { id: teamId, domain: FAKE_TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: "hotline" },
  });
}

// === Builder helpers

let sequence = 0;
let lastTsMicros = 0;

/** A message ts as Slack makes them ("1764200000.000100"): unique and increasing in this process. */
export function nextSlackTs(): string {
  const micros = Math.max(Math.floor(Date.now() / 1000) * 1_000_000, lastTsMicros + 100);
  lastTsMicros = micros;
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`;
}

function uniqueSuffix(length: number): string {
  sequence += 1;
  return sequence.toString(36).toUpperCase().padStart(length, "0");
}

/** Shaped like Slack's ("13345224609.738474920.8088930838d88f008e0"); unique in this process. */
function newTriggerId(): string {
  sequence += 1;
  return `${Date.now()}${sequence}.${FAKE_TEAM_ID.length}${sequence}.${randomBytes(16).toString("hex")}`;
}

function newViewHash(): string {
  return `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString("hex")}`;
}

/** Port 1 refuses connections at once: a respond() nobody asked the fake for fails fast and visibly. */
function unreachableResponseUrl(): string {
  return `http://127.0.0.1:1/no-response-url-given/${uniqueSuffix(6)}`;
}

function handleOf(userId: string): string {
  return `user-${userId.toLowerCase()}`;
}

function jsonRequest(kind: SlackRequest["kind"], body: Record<string, unknown>): SlackRequest {
  return { kind, contentType: "application/json", rawBody: JSON.stringify(body), body };
}

function interactivityRequest(kind: SlackRequest["kind"], payload: Record<string, unknown>): SlackRequest {
  return {
    kind,
    contentType: "application/x-www-form-urlencoded",
    rawBody: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    body: payload,
  };
}

function viewOutput(input: ViewInput, teamId: string, apiAppId: string | undefined): Record<string, unknown> & { id: string; callback_id: string } {
  const base = input.base ?? {};
  const id = input.id ?? (typeof base.id === "string" ? base.id : `V0VW${uniqueSuffix(7)}`);
  const values: Record<string, Record<string, ViewStateValue>> = {};
  for (const [blockId, actions] of Object.entries(input.values ?? {})) {
    values[blockId] = Object.fromEntries(
      Object.entries(actions).map(([actionId, value]) => [actionId, typeof value === "string" ? { type: "plain_text_input", value } : value]),
    );
  }
  return {
    type: "modal",
    blocks: [],
    title: { type: "plain_text", text: "Hotline", emoji: true },
    close: { type: "plain_text", text: "Cancel", emoji: true },
    submit: { type: "plain_text", text: "Submit", emoji: true },
    clear_on_close: false,
    notify_on_close: false,
    previous_view_id: null,
    external_id: "",
    app_installed_team_id: teamId,
    bot_id: FAKE_BOT_ID,
    app_id: apiAppId ?? FAKE_APP_ID,
    ...base,
    id,
    team_id: teamId,
    root_view_id: typeof base.root_view_id === "string" ? base.root_view_id : id,
    callback_id: input.callbackId ?? (typeof base.callback_id === "string" ? base.callback_id : ""),
    private_metadata: input.privateMetadata ?? (typeof base.private_metadata === "string" ? base.private_metadata : ""),
    hash: input.hash ?? (typeof base.hash === "string" ? base.hash : newViewHash()),
    state: { values },
  };
}

/** The texts of `{ type: "mrkdwn", text }` objects anywhere in blocks. */
function mrkdwnObjects(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnObjects);
  if (typeof value !== "object" || value === null) return [];
  const object = value as Record<string, unknown>;
  const own = object.type === "mrkdwn" && typeof object.text === "string" ? [object.text] : [];
  return [...own, ...Object.values(object).flatMap(mrkdwnObjects)];
}

/** The rich_text block Slack adds to a user's message, with `<@U…>` mentions as user elements. */
function richTextBlocks(text: string): unknown[] {
  const elements: unknown[] = [];
  let last = 0;
  for (const match of text.matchAll(/<@([UW][A-Z0-9]+)>/g)) {
    const index = match.index ?? 0;
    if (index > last) elements.push({ type: "text", text: text.slice(last, index) });
    elements.push({ type: "user", user_id: match[1] });
    last = index + match[0].length;
  }
  if (last < text.length) elements.push({ type: "text", text: text.slice(last) });
  return [{ type: "rich_text", block_id: uniqueSuffix(4), elements: [{ type: "rich_text_section", elements }] }];
}

// === Parameters


function decodeField(name: string, value: unknown): unknown {
  if (!JSON_FIELDS.has(name) || typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value; // the method answers invalid_blocks_format / invalid_arguments, as Slack does
  }
}

function parseParams(contentType: string | undefined, url: URL, body: Buffer): Params {
  const params: Params = {};
  for (const [name, value] of url.searchParams) params[name] = decodeField(name, value);
  if (body.length === 0) return params;
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw fail("invalid_json");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw fail("json_not_object");
    for (const [name, value] of Object.entries(parsed)) params[name] = decodeField(name, value);
    return params;
  }
  if (type === "application/x-www-form-urlencoded" || type === "") {
    for (const [name, value] of new URLSearchParams(body.toString("utf8"))) params[name] = decodeField(name, value);
    return params;
  }
  throw fail("invalid_form_data");
}

function optionalString(p: Params, name: string): string | undefined {
  const value = p[name];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw fail("invalid_arguments", { response_metadata: { messages: [`[ERROR] ${name} must be a string`] } });
}

function flag(p: Params, name: string): boolean {
  const value = p[name];
  return value === true || value === "true" || value === "1" || value === 1;
}

function messageContent(p: Params): { text: string; blocks: unknown[] | undefined; attachments: unknown[] | undefined } {
  const text = optionalString(p, "text") ?? "";
  if (text.length > MAX_TEXT) throw fail("msg_too_long");
  const blocks = p.blocks === undefined ? undefined : emptyToUndefined(checkBlocks(p.blocks, MAX_MESSAGE_BLOCKS, "invalid_blocks"));
  const attachments = p.attachments === undefined ? undefined : emptyToUndefined(checkAttachments(p.attachments));
  if (text === "" && blocks === undefined && attachments === undefined) throw fail("no_text");
  return { text, blocks, attachments };
}

function checkBlocks(blocks: unknown, max: number, invalid: string): unknown[] {
  if (!Array.isArray(blocks)) throw fail("invalid_blocks_format");
  if (blocks.length > max) throw fail(invalid, { response_metadata: { messages: [`[ERROR] no more than ${max} items allowed [json-pointer:/blocks]`] } });
  blocks.forEach((block, index) => {
    if (typeof block !== "object" || block === null || typeof (block as { type?: unknown }).type !== "string") {
      throw fail(invalid, { response_metadata: { messages: [`[ERROR] missing required field: type [json-pointer:/blocks/${index}]`] } });
    }
  });
  return blocks;
}

/** Slack's message metadata: `event_type` a non-empty string, `event_payload` an object. */
function checkMetadata(metadata: unknown): { event_type: string; event_payload: Record<string, unknown> } {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) throw fail("invalid_metadata_format");
  const { event_type: type, event_payload: payload } = metadata as Record<string, unknown>;
  if (typeof type !== "string" || type === "" || typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw fail("invalid_metadata_schema");
  }
  return { event_type: type, event_payload: payload as Record<string, unknown> };
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

function cursorOffset(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  if (match === null) throw fail("invalid_cursor");
  return Number(match[1]);
}

function checkAttachments(attachments: unknown): unknown[] {
  if (!Array.isArray(attachments) || attachments.some((item) => typeof item !== "object" || item === null)) {
    throw fail("invalid_attachments");
  }
  return attachments;
}

function emptyToUndefined(items: unknown[]): unknown[] | undefined {
  return items.length === 0 ? undefined : items;
}

function viewParam(p: Params): Record<string, unknown> {
  const view = p.view;
  if (typeof view !== "object" || view === null || Array.isArray(view)) {
    throw fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing required field: view"] } });
  }
  const fields = view as Record<string, unknown>;
  if (fields.type !== "modal" && fields.type !== "home") {
    throw fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] must be one of modal, home [json-pointer:/view/type]"] } });
  }
  if (fields.blocks !== undefined) checkBlocks(fields.blocks, MAX_VIEW_BLOCKS, "invalid_arguments");
  return fields;
}

/** Slack's rules: lowercase letters, digits, hyphens and underscores, at most 80 characters. */
function checkChannelName(name: string): void {
  if (name === "") throw fail("invalid_name_required");
  if ([...name].length > MAX_CHANNEL_NAME) throw fail("invalid_name_maxlength");
  if (/^[-_]+$/.test(name)) throw fail("invalid_name_punctuation");
  if (!/^[\p{Ll}\p{Lo}\p{Nd}_-]+$/u.test(name)) throw fail("invalid_name_specials");
}

function paramsMatch(params: Record<string, unknown>, expected: Record<string, unknown>): boolean {
  return Object.entries(expected).every(([name, value]) => isDeepStrictEqual(params[name], value));
}

// === Small helpers

function writeJson(res: ServerResponse, status: number, answer: SlackAnswer, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(answer);
  res
    .writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), ...headers })
    .end(body);
}

function messageKey(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

function compareTs(a: string, b: string): number {
  const [aSeconds = "0", aMicros = "0"] = a.split(".");
  const [bSeconds = "0", bMicros = "0"] = b.split(".");
  return Number(aSeconds) - Number(bSeconds) || Number(aMicros.padEnd(6, "0")) - Number(bMicros.padEnd(6, "0"));
}
