/**
 * A fake Telegram Bot API server speaking the real HTTP protocol, so a grammY bot can be tested
 * through the real grammY client (and @grammyjs/runner, @grammyjs/auto-retry):
 *
 *   const api = await FakeBotApi.start();
 *   const bot = new Bot(api.token, { client: { apiRoot: api.apiRoot }, botInfo: api.botInfo });
 *
 * Requests are `${apiRoot}/bot${token}/${method}`, with a JSON, multipart/form-data or urlencoded
 * body (or a query string); method names are case-insensitive, as on Telegram. Answers are
 * `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }` with the
 * HTTP status equal to `error_code`, as Telegram does.
 *
 * Only Node built-ins at run time; grammY is imported for its types only.
 */
import { Buffer } from "node:buffer";
import { type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { closeServer, readBody, startFakeServer } from "./fake-http.js";
import type {
  BotCommand,
  Chat,
  File,
  Message,
  MessageEntity,
  Update,
  User,
  UserFromGetMe,
  WebhookInfo,
} from "grammy/types";

// === Public types

/** What a method answered: exactly the JSON body Telegram sends. */
export type ApiResponse =
  | { ok: true; result: unknown; description?: string }
  | {
      ok: false;
      error_code: number;
      description: string;
      parameters?: { retry_after?: number; migrate_to_chat_id?: number };
    };

export interface RecordedCall {
  /** Canonical method name ("sendMessage" even when called as "sendmessage"). */
  method: string;
  /**
   * The parameters as received. JSON bodies are kept as they are. Multipart/urlencoded/query
   * values are strings on the wire; they are decoded as Telegram does: integer fields
   * (chat_id, message_id, …) become numbers, "true"/"false" booleans, JSON objects/arrays
   * (reply_markup, entities, …) objects, and uploaded files `UploadedFile`s.
   */
  params: Record<string, unknown>;
  /** Date.now() when the call arrived. */
  at: number;
  /** "webhook-reply" when the call came back in the body of a webhook response. */
  via: "http" | "webhook-reply";
  /** When the answer was given, as a high-resolution epoch time (performance.timeOrigin + now()). */
  answeredAt?: number;
  /** The answer, once given (a held getUpdates has none until it returns). */
  response?: ApiResponse;
}

/** An injected failure for `failNext`. Telegram always sends whole seconds in retry_after. */
export type InjectedFailure =
  | { status: 429; retryAfter: number }
  | { status: 500 | 502; description?: string }
  | { status: 400 | 403 | 404; description: string };

/** A file uploaded with multipart/form-data. */
export class UploadedFile {
  constructor(
    readonly filename: string,
    readonly contentType: string,
    readonly data: Buffer,
  ) {}
  toJSON(): unknown {
    return { uploaded: this.filename, contentType: this.contentType, size: this.data.length };
  }
}

/** A message the bot sent, in its latest state (after edits). */
export interface SentMessage {
  chatId: number;
  messageId: number;
  kind: "text" | "photo" | "document";
  /** The text (or caption) as the user sees it: markup parsed, trimmed. "" for a media without caption. */
  text: string;
  /** The text (or caption) exactly as the bot sent it. */
  rawText: string;
  parseMode: string | undefined;
  /** The reply_markup as the bot gave it (any kind), undefined when none. */
  replyMarkup: unknown;
  /** Every text this message had, oldest first. */
  versions: string[];
  deleted: boolean;
  /** The Message object as Telegram would return it now. */
  message: Message;
}

export interface FakeUser {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_bot?: boolean;
}

export interface FakeChat {
  id: number;
  type: "private" | "group" | "supergroup";
  title?: string;
  username?: string;
}

interface MessageOptionsBase {
  from: FakeUser;
  /** Defaults to the private chat with `from`. */
  chat?: FakeChat;
  /** message_id of a known message in the same chat this one replies to. */
  replyToMessageId?: number;
}

export interface TextMessageOptions extends MessageOptionsBase {
  text: string;
  /** Defaults to bot_command entities for every `/command` (as Telegram detects them). */
  entities?: MessageEntity[];
}

export interface FileOptions {
  /** The file's content; defaults to a few recognisable bytes. */
  bytes?: Uint8Array | string;
  /** Declared size; defaults to the byte length. Over 20 MB makes getFile answer "file is too big". */
  fileSize?: number;
}

export interface PhotoMessageOptions extends MessageOptionsBase, FileOptions {
  caption?: string;
  width?: number;
  height?: number;
}

export interface DocumentMessageOptions extends MessageOptionsBase, FileOptions {
  fileName?: string;
  mimeType?: string;
  caption?: string;
}

export interface CallbackQueryOptions {
  from: FakeUser;
  /** The message with the button: a SentMessage, `{ chatId, messageId }` or a Message. */
  message: { chatId: number; messageId: number } | { chat: { id: number }; message_id: number };
  data: string;
}

export interface WebhookDelivery {
  updateId: number;
  url: string;
  /** HTTP status, or 0 when the connection failed. */
  status: number;
  at: number;
  error?: string;
}

export interface FakeBotApiOptions {
  token?: string;
  botUser?: { id: number; username: string; first_name: string };
  /** Also list getUpdates calls in `calls` (they are always in `callsOf("getUpdates")`). */
  recordGetUpdates?: boolean;
  /** First delay before re-delivering an update the webhook refused (doubles, at most 2 s). */
  webhookRetryMs?: number;
}

/** Throw from a `stub` handler to answer with an error. */
export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
    this.name = "BotApiError";
  }
  toResponse(): ApiResponse {
    return this.parameters === undefined
      ? { ok: false, error_code: this.errorCode, description: this.description }
      : { ok: false, error_code: this.errorCode, description: this.description, parameters: this.parameters };
  }
}

export type StubHandler = (params: Record<string, unknown>) => unknown;

// === Internals

type Params = Record<string, unknown>;

interface MsgRecord {
  message_id: number;
  date: number;
  chat: Chat;
  from?: User;
  [field: string]: unknown;
}

interface StoredMessage {
  record: MsgRecord;
  /** Set for messages the bot sent. */
  sent?: SentMessage;
}

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_path: string;
  data: Buffer;
  contentType: string;
}

interface HeldPoll {
  limit: number;
  timer: NodeJS.Timeout;
  resolve: (updates: Update[]) => void;
  reject: (error: BotApiError) => void;
}

/** Returned by a handler to add a `description` next to an ok result, as setWebhook does. */
class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_CALLBACK_DATA_BYTES = 64;
const MAX_DOWNLOAD = 20 * 1024 * 1024;
const MAX_BODY = 60 * 1024 * 1024;

const CONFLICT_TERMINATED =
  "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const CONFLICT_WEBHOOK =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
const QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid";

const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

const INLINE_BUTTON_ACTIONS = [
  "callback_data",
  "url",
  "login_url",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "callback_game",
  "pay",
  "web_app",
  "copy_text",
  "disabled",
];

const badRequest = (message: string) => new BotApiError(400, `Bad Request: ${message}`);

export class FakeBotApi {
  readonly apiRoot: string;
  readonly token: string;
  readonly botInfo: UserFromGetMe;
  /** Every call in order (getUpdates only with `recordGetUpdates`). */
  calls: RecordedCall[] = [];
  /** Every webhook delivery attempt made while a webhook was set. */
  readonly deliveries: WebhookDelivery[] = [];

  private readonly server: Server;
  private readonly recordGetUpdates: boolean;
  private readonly webhookRetryMs: number;
  private readonly allCalls: RecordedCall[] = [];
  private readonly methods = new Map<string, { name: string; handler: StubHandler }>();
  private readonly stubs = new Map<string, { name: string; handler: StubHandler }>();
  private failures: Array<{ method: string; failure: InjectedFailure; remaining: number }> = [];
  private floods: Array<{ method: string; until: number }> = [];

  private queue: Update[] = [];
  private nextUpdateId = 100_001;
  private poll: HeldPoll | undefined;
  private flushScheduled = false;

  private nextMessageId = 1;
  private readonly messages = new Map<string, StoredMessage>();
  private readonly sent: SentMessage[] = [];
  private readonly chats = new Map<number, Chat>();

  private nextFileNumber = 1;
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, StoredFile>();

  private nextCallbackId = 1;
  private readonly callbackQueries = new Map<string, { answered: boolean }>();

  private readonly commands = new Map<string, BotCommand[]>();

  private webhook:
    | { url: string; secretToken: string | undefined; maxConnections: number; allowedUpdates?: unknown }
    | undefined;
  private webhookError: { date: number; message: string } | undefined;
  private pump: Promise<void> | undefined;
  private readonly lifetime = new AbortController();
  private closed = false;

  private constructor(server: Server, port: number, options: FakeBotApiOptions) {
    this.server = server;
    this.apiRoot = `http://127.0.0.1:${port}`;
    this.token = options.token ?? "123456:TEST-token";
    this.recordGetUpdates = options.recordGetUpdates ?? false;
    this.webhookRetryMs = options.webhookRetryMs ?? 100;
    const idFromToken = Number(/^(\d+):/.exec(this.token)?.[1] ?? 123456);
    const bot = options.botUser ?? { id: idFromToken, username: "test_bot", first_name: "Test Bot" };
    this.botInfo = {
      id: bot.id,
      is_bot: true,
      first_name: bot.first_name,
      username: bot.username,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
    this.registerMethods();
  }

  /** Starts the server on 127.0.0.1 with a free port. */
  static start(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
    return startFakeServer(
      (server, port) => new FakeBotApi(server, port, options),
      (fake, req, res) => fake.onRequest(req, res),
    );
  }

  /**
   * POSTs an update to a webhook URL as Telegram does: JSON body, and the header
   * X-Telegram-Bot-Api-Secret-Token when a secret token is given. Returns the HTTP status.
   */
  static async deliverWebhook(url: string, update: Update, secretToken?: string): Promise<number> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secretToken !== undefined) headers["x-telegram-bot-api-secret-token"] = secretToken;
    const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(update) });
    await response.arrayBuffer();
    return response.status;
  }

  // === Inspection

  /** Every call of `method` (canonical name), getUpdates included. */
  callsOf(method: string): RecordedCall[] {
    return this.allCalls.filter((call) => call.method === method);
  }

  /** Forgets the recorded calls (state such as messages and updates is kept). */
  clearCalls(): void {
    this.calls = [];
    this.allCalls.length = 0;
  }

  /** What the bot sent to a chat and has not deleted, in sending order, latest text after edits. */
  sentTo(chatId: number): SentMessage[] {
    return this.sent.filter((message) => message.chatId === chatId && !message.deleted);
  }

  /** The last message the bot sent to a chat (not deleted). */
  lastSentTo(chatId: number): SentMessage | undefined {
    return this.sentTo(chatId).at(-1);
  }

  /** Everything the bot sent, deleted messages included. */
  allSent(): SentMessage[] {
    return [...this.sent];
  }

  /** Updates queued and not yet confirmed (by a getUpdates offset or a webhook 2xx). */
  pendingUpdates(): Update[] {
    return [...this.queue];
  }

  /** The commands set for a scope and language, as getMyCommands would answer. */
  myCommands(scope: { type: string; chat_id?: number | string; user_id?: number } = { type: "default" }, languageCode = ""): BotCommand[] {
    return [...(this.commands.get(commandsKey(scope, languageCode)) ?? [])];
  }

  /** The webhook currently set, if any. */
  webhookInfo(): { url: string; secretToken: string | undefined } | undefined {
    return this.webhook === undefined ? undefined : { url: this.webhook.url, secretToken: this.webhook.secretToken };
  }

  /** The calls as readable lines, for failure messages. */
  describeCalls(calls: RecordedCall[] = this.calls): string {
    if (calls.length === 0) return "  (none)";
    return calls
      .map((call, index) => {
        const params = JSON.stringify(call.params, (_key, value: unknown) =>
          typeof value === "string" && value.length > 120 ? `${value.slice(0, 117)}…(${value.length} chars)` : value,
        );
        const outcome =
          call.response === undefined
            ? "pending"
            : call.response.ok
              ? "ok"
              : `${call.response.error_code} ${call.response.description}`;
        return `  ${index + 1}. ${call.method} ${params} → ${outcome}`;
      })
      .join("\n");
  }

  /** Waits until `predicate(calls)` holds, polling every 10 ms; throws after `timeoutMs` listing the calls. */
  async waitFor(predicate: (calls: RecordedCall[]) => boolean, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (predicate(this.calls)) return;
      if (Date.now() >= deadline) {
        throw new Error(
          `FakeBotApi.waitFor: condition not met within ${timeoutMs} ms. Calls seen (${this.calls.length}):\n${this.describeCalls()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Waits for the first call of `method` (optionally matching) after the calls already seen, and returns it. */
  async waitForCall(method: string, match: (call: RecordedCall) => boolean = () => true, timeoutMs = 2000): Promise<RecordedCall> {
    const seen = this.allCalls.length;
    let found: RecordedCall | undefined;
    try {
      await this.waitFor(() => {
        found = this.allCalls.slice(seen).find((call) => call.method === method && match(call));
        return found !== undefined;
      }, timeoutMs);
    } catch (error) {
      throw new Error(`FakeBotApi.waitForCall(${method}): ${(error as Error).message}`);
    }
    return found as RecordedCall;
  }

  // === Driving

  /**
   * Queues an update for getUpdates (or delivers it to the webhook, when one is set). update_id is
   * assigned increasing unless given. Messages and callback queries in it become known to the fake.
   */
  pushUpdate(update: Omit<Update, "update_id"> & { update_id?: number }): Update {
    const full = this.recordUpdate(update);
    this.queue.push(full);
    this.scheduleFlush();
    if (this.webhook !== undefined) this.startPump();
    return full;
  }

  /**
   * Makes an update known to the fake as pushUpdate does (update_id assigned, its chat, message or
   * callback query learnt) without queueing it: for a test that delivers it to webhooks itself,
   * as Telegram does through a load balancer in front of several web processes.
   */
  recordUpdate(update: Omit<Update, "update_id"> & { update_id?: number }): Update {
    const updateId = update.update_id ?? this.nextUpdateId;
    this.nextUpdateId = Math.max(this.nextUpdateId, updateId + 1);
    const full = { ...update, update_id: updateId } as Update;
    this.learn(full);
    return full;
  }

  /** Makes the next `times` calls of `method` fail with `failure`. */
  failNext(method: string, failure: InjectedFailure, times = 1): void {
    this.failures.push({ method: method.toLowerCase(), failure, remaining: times });
  }

  /**
   * Flood control for `durationMs`: every call of `method` until then is refused with 429, whose
   * retry_after is the whole seconds left, as Telegram tells a flooding bot when it may send again.
   */
  floodFor(method: string, durationMs: number): void {
    this.floods.push({ method: method.toLowerCase(), until: Date.now() + durationMs });
  }

  /** Answers `method` with `handler` (return the result, throw BotApiError for an error); also overrides built-ins. */
  stub(method: string, handler: StubHandler): void {
    this.stubs.set(method.toLowerCase(), { name: method, handler });
  }

  // === Update builders

  /** A text message from a user. `/commands` get bot_command entities. */
  textMessage(options: TextMessageOptions): Omit<Update, "update_id"> {
    const record = this.incoming(options);
    record.text = options.text;
    const entities = options.entities ?? botCommandEntities(options.text);
    if (entities.length > 0) record.entities = entities;
    return { message: record as unknown as Message & Update.NonChannel };
  }

  /** Every stored file gone: getFile answers "invalid file_id", as for an id Telegram does not know. */
  /** The content of a file the bot sent or a user sent, by its file_id. */
  fileData(fileId: string): Buffer | undefined {
    return this.files.get(fileId)?.data;
  }

  forgetFiles(): void {
    this.files.clear();
    this.filesByPath.clear();
  }

  /** A photo from a user, in three sizes; each size's file_id is known to getFile. */
  photoMessage(options: PhotoMessageOptions): Omit<Update, "update_id"> {
    const record = this.incoming(options);
    record.photo = this.photoSizes(toBuffer(options.bytes, defaultJpeg), options.width ?? 1280, options.height ?? 960, options.fileSize);
    if (options.caption !== undefined) record.caption = options.caption;
    return { message: record as unknown as Message & Update.NonChannel };
  }

  /** A document from a user; its file_id is known to getFile. */
  documentMessage(options: DocumentMessageOptions): Omit<Update, "update_id"> {
    const record = this.incoming(options);
    const fileName = options.fileName ?? "document.pdf";
    const mimeType = options.mimeType ?? mimeOf(fileName);
    const data = toBuffer(options.bytes, () => Buffer.from(`%PDF-1.4 fake document ${fileName}\n`));
    const file = this.storeFile("documents", extensionOf(fileName) ?? "dat", data, mimeType, options.fileSize);
    record.document = {
      file_name: fileName,
      mime_type: mimeType,
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      file_size: file.file_size,
    };
    if (options.caption !== undefined) record.caption = options.caption;
    return { message: record as unknown as Message & Update.NonChannel };
  }

  /** A press on an inline button of a known message. The query id becomes answerable once. */
  callbackQuery(options: CallbackQueryOptions): Omit<Update, "update_id"> {
    const chatId = "chatId" in options.message ? options.message.chatId : options.message.chat.id;
    const messageId = "messageId" in options.message ? options.message.messageId : options.message.message_id;
    const stored = this.messages.get(messageKey(chatId, messageId));
    if (stored === undefined) {
      throw new Error(`FakeBotApi.callbackQuery: no message ${messageId} in chat ${chatId} is known`);
    }
    const from = this.user(options.from);
    const id = String(4_000_000_000_000_000n + BigInt(this.nextCallbackId++));
    this.callbackQueries.set(id, { answered: false });
    return {
      callback_query: {
        id,
        from,
        message: structuredClone(stored.record) as unknown as Message,
        chat_instance: String(-(1_000_000_000_000 + Math.abs(chatId))),
        data: options.data,
      },
    };
  }

  // === Lifecycle

  /** Answers held getUpdates with [], stops webhook deliveries and closes the server and its connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.lifetime.abort();
    const held = this.poll;
    this.poll = undefined;
    if (held !== undefined) {
      clearTimeout(held.timer);
      held.resolve([]);
    }
    await this.pump?.catch(() => undefined);
    // Let the answers to held requests reach their sockets before cutting the connections.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await closeServer(this.server);
  }

  // === HTTP

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
      if (file !== null) {
        req.resume();
        this.serveFile(decodeURIComponent(file[1] ?? ""), decodeURIComponent(file[2] ?? ""), req, res);
        return;
      }
      const call = /^\/bot([^/]*)\/([^/]*)$/.exec(url.pathname);
      if (call === null) {
        req.resume();
        writeJson(res, { ok: false, error_code: 404, description: "Not Found" });
        return;
      }
      if (decodeURIComponent(call[1] ?? "") !== this.token) {
        req.resume();
        writeJson(res, { ok: false, error_code: 401, description: "Unauthorized" });
        return;
      }
      let params: Params;
      try {
        params = await readParams(req, url);
      } catch (error) {
        writeJson(res, error instanceof BotApiError ? error.toResponse() : badRequest(String(error)).toResponse());
        return;
      }
      const aborted = new AbortController();
      res.on("close", () => {
        if (!res.writableFinished) aborted.abort();
      });
      const answer = await this.execute(decodeURIComponent(call[2] ?? ""), params, "http", aborted.signal);
      if (!res.destroyed && !res.writableEnded) writeJson(res, answer);
    } catch (error) {
      if (!res.headersSent) {
        writeJson(res, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
      }
    }
  }

  private serveFile(token: string, path: string, req: IncomingMessage, res: ServerResponse): void {
    if (token !== this.token) {
      writeJson(res, { ok: false, error_code: 401, description: "Unauthorized" });
      return;
    }
    const file = this.filesByPath.get(path);
    if (file === undefined || (req.method !== "GET" && req.method !== "HEAD")) {
      writeJson(res, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    res.writeHead(200, { "content-type": file.contentType, "content-length": file.data.length });
    res.end(req.method === "HEAD" ? undefined : file.data);
  }

  private async execute(methodName: string, params: Params, via: RecordedCall["via"], signal?: AbortSignal): Promise<ApiResponse> {
    const key = methodName.toLowerCase();
    const entry = this.stubs.get(key) ?? this.methods.get(key);
    const call: RecordedCall = { method: entry?.name ?? methodName, params, at: Date.now(), via };
    this.allCalls.push(call);
    if (call.method !== "getUpdates" || this.recordGetUpdates) this.calls.push(call);

    let answer: ApiResponse;
    const failure = this.takeFailure(key);
    if (failure !== undefined) {
      answer = failure;
    } else if (entry === undefined) {
      answer = { ok: false, error_code: 404, description: "Not Found" };
    } else {
      try {
        const result =
          call.method === "getUpdates" && !this.stubs.has(key)
            ? await this.getUpdates(params, signal)
            : await entry.handler(params);
        answer =
          result instanceof Described
            ? { ok: true, result: result.result, description: result.description }
            : { ok: true, result };
      } catch (error) {
        answer =
          error instanceof BotApiError
            ? error.toResponse()
            : { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` };
      }
    }
    call.response = answer;
    call.answeredAt = performance.timeOrigin + performance.now();
    return answer;
  }

  private takeFailure(methodKey: string): ApiResponse | undefined {
    const now = Date.now();
    this.floods = this.floods.filter((flood) => flood.until > now);
    const flood = this.floods.find((entry) => entry.method === methodKey);
    if (flood !== undefined) {
      const retryAfter = Math.max(1, Math.ceil((flood.until - now) / 1000));
      return { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } };
    }
    const entry = this.failures.find((failure) => failure.method === methodKey && failure.remaining > 0);
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    this.failures = this.failures.filter((failure) => failure.remaining > 0);
    const { failure } = entry;
    switch (failure.status) {
      case 429:
        return {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${failure.retryAfter}`,
          parameters: { retry_after: failure.retryAfter },
        };
      case 500:
      case 502:
        return {
          ok: false,
          error_code: failure.status,
          description: failure.description ?? (failure.status === 500 ? "Internal Server Error" : "Bad Gateway"),
        };
      default:
        return { ok: false, error_code: failure.status, description: failure.description };
    }
  }

  // === Methods

  private registerMethods(): void {
    const define = (name: string, handler: StubHandler) => this.methods.set(name.toLowerCase(), { name, handler });
    define("getMe", () => this.botInfo);
    define("getUpdates", () => []); // answered by execute() through this.getUpdates
    define("setWebhook", (p) => this.setWebhook(p));
    define("deleteWebhook", (p) => this.deleteWebhook(p));
    define("getWebhookInfo", () => this.getWebhookInfo());
    define("sendMessage", (p) => this.sendMessage(p));
    define("sendPhoto", (p) => this.sendMedia(p, "photo"));
    define("sendDocument", (p) => this.sendMedia(p, "document"));
    define("editMessageText", (p) => this.editMessage(p, "text"));
    define("editMessageCaption", (p) => this.editMessage(p, "caption"));
    define("editMessageReplyMarkup", (p) => this.editMessage(p, "markup"));
    define("deleteMessage", (p) => this.deleteMessage(p));
    define("answerCallbackQuery", (p) => this.answerCallbackQuery(p));
    define("sendChatAction", (p) => this.sendChatAction(p));
    define("setMyCommands", (p) => this.setMyCommands(p));
    define("getMyCommands", (p) => this.myCommands(scopeParam(p), optionalString(p, "language_code") ?? ""));
    define("deleteMyCommands", (p) => {
      this.commands.delete(commandsKey(scopeParam(p), optionalString(p, "language_code") ?? ""));
      return true;
    });
    define("getFile", (p) => this.getFile(p));
  }

  private getUpdates(p: Params, signal: AbortSignal | undefined): Promise<Update[]> {
    if (this.webhook !== undefined) throw new BotApiError(409, CONFLICT_WEBHOOK);
    // Like Telegram: a new request terminates the one being held.
    this.endPoll((held) => held.reject(new BotApiError(409, CONFLICT_TERMINATED)));
    const offset = optionalInt(p, "offset") ?? 0;
    const limit = Math.min(100, Math.max(1, optionalInt(p, "limit") ?? 100));
    const timeout = Math.max(0, optionalNumber(p, "timeout") ?? 0);
    if (offset > 0) this.queue = this.queue.filter((update) => update.update_id >= offset);
    else if (offset < 0) this.queue = this.queue.slice(offset);
    if (this.queue.length > 0 || timeout === 0 || this.closed) return Promise.resolve(this.queue.slice(0, limit));
    return new Promise<Update[]>((resolve, reject) => {
      const held: HeldPoll = {
        limit,
        resolve,
        reject,
        timer: setTimeout(() => this.endPoll((poll) => poll.resolve([]), held), timeout * 1000),
      };
      this.poll = held;
      signal?.addEventListener("abort", () => this.endPoll((poll) => poll.resolve([]), held), { once: true });
    });
  }

  /** Ends the held getUpdates (only `which`, when given) with `how`. */
  private endPoll(how: (held: HeldPoll) => void, which?: HeldPoll): void {
    const held = this.poll;
    if (held === undefined || (which !== undefined && held !== which)) return;
    this.poll = undefined;
    clearTimeout(held.timer);
    how(held);
  }

  /** Answers a held getUpdates with the queue, after the current burst of pushUpdate calls. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.queue.length === 0) return;
      this.endPoll((held) => held.resolve(this.queue.slice(0, held.limit)));
    });
  }

  private setWebhook(p: Params): Described {
    const url = optionalString(p, "url") ?? "";
    if (url === "") return this.deleteWebhook(p);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest("invalid webhook URL specified");
    }
    // Telegram wants HTTPS on ports 443, 80, 88 or 8443; a local test server has neither, so http is accepted.
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
      throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
    }
    const secretToken = optionalString(p, "secret_token");
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw badRequest("secret token contains unallowed characters");
    }
    if (p.drop_pending_updates === true) this.queue = [];
    const same = this.webhook?.url === url && this.webhook.secretToken === secretToken;
    this.webhook = {
      url,
      secretToken,
      maxConnections: optionalInt(p, "max_connections") ?? 40,
      allowedUpdates: p.allowed_updates,
    };
    this.webhookError = undefined;
    this.endPoll((held) => held.reject(new BotApiError(409, CONFLICT_WEBHOOK)));
    this.startPump();
    return new Described(true, same ? "Webhook is already set" : "Webhook was set");
  }

  private deleteWebhook(p: Params): Described {
    if (p.drop_pending_updates === true) this.queue = [];
    const had = this.webhook !== undefined;
    this.webhook = undefined;
    this.webhookError = undefined;
    return new Described(true, had ? "Webhook was deleted" : "Webhook is already deleted");
  }

  private getWebhookInfo(): WebhookInfo {
    if (this.webhook === undefined) {
      return { url: "", has_custom_certificate: false, pending_update_count: this.queue.length };
    }
    const info: WebhookInfo = {
      url: this.webhook.url,
      has_custom_certificate: false,
      pending_update_count: this.queue.length,
      max_connections: this.webhook.maxConnections,
      ip_address: "127.0.0.1",
    };
    if (this.webhookError !== undefined) {
      info.last_error_date = this.webhookError.date;
      info.last_error_message = this.webhookError.message;
    }
    return info;
  }

  private sendMessage(p: Params): Message {
    const chatId = chatIdParam(p);
    const rawText = optionalString(p, "text") ?? "";
    const formatted = formatText(rawText, p.parse_mode, p.entities, "text");
    const markup = checkReplyMarkup(p.reply_markup);
    const replyTo = this.replyTarget(chatId, p);
    const record = this.outgoing(chatId, replyTo);
    record.text = formatted.text;
    if (formatted.entities.length > 0) record.entities = formatted.entities;
    return this.remember(record, "text", rawText, p, markup);
  }

  private sendMedia(p: Params, kind: "photo" | "document"): Message {
    const chatId = chatIdParam(p);
    const rawCaption = optionalString(p, "caption") ?? "";
    const caption = formatText(rawCaption, p.parse_mode, p.caption_entities, "caption");
    const markup = checkReplyMarkup(p.reply_markup);
    const replyTo = this.replyTarget(chatId, p);
    const input = p[kind];
    const record = this.outgoing(chatId, replyTo);
    if (kind === "photo") {
      record.photo = this.photoInput(input);
    } else {
      record.document = this.documentInput(input);
    }
    if (caption.text !== "") {
      record.caption = caption.text;
      if (caption.entities.length > 0) record.caption_entities = caption.entities;
    }
    return this.remember(record, kind, rawCaption, p, markup);
  }

  private photoInput(input: unknown): unknown[] {
    if (input instanceof UploadedFile) return this.photoSizes(input.data, 1280, 960);
    const existing = this.existingFile(input, "photo");
    if (existing !== undefined) {
      return [{ file_id: existing.file_id, file_unique_id: existing.file_unique_id, file_size: existing.file_size, width: 1280, height: 960 }];
    }
    return this.photoSizes(defaultJpeg(), 1280, 960); // an HTTP URL
  }

  private documentInput(input: unknown): Record<string, unknown> {
    if (input instanceof UploadedFile) {
      const mimeType = input.contentType === "application/octet-stream" ? mimeOf(input.filename) : input.contentType;
      const file = this.storeFile("documents", extensionOf(input.filename) ?? "dat", input.data, mimeType);
      return { file_name: input.filename, mime_type: mimeType, file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.file_size };
    }
    const existing = this.existingFile(input, "document");
    if (existing !== undefined) {
      const fileName = existing.file_path.split("/").at(-1) ?? "file";
      return { file_name: fileName, mime_type: existing.contentType, file_id: existing.file_id, file_unique_id: existing.file_unique_id, file_size: existing.file_size };
    }
    const url = String(input);
    const fileName = decodeURIComponent(new URL(url).pathname.split("/").at(-1) || "file");
    const file = this.storeFile("documents", extensionOf(fileName) ?? "dat", Buffer.from(`downloaded from ${url}\n`), mimeOf(fileName));
    return { file_name: fileName, mime_type: file.contentType, file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.file_size };
  }

  /** A known file for a file_id, undefined for an HTTP URL; throws as Telegram does otherwise. */
  private existingFile(input: unknown, field: string): StoredFile | undefined {
    if (input === undefined || input === null || input === "") throw badRequest(`there is no ${field} in the request`);
    if (typeof input !== "string") throw badRequest("wrong file identifier/HTTP URL specified");
    if (/^https?:\/\/[^/]+/i.test(input)) return undefined;
    const file = this.files.get(input);
    if (file === undefined) throw badRequest("wrong file identifier/HTTP URL specified");
    return file;
  }

  private editMessage(p: Params, what: "text" | "caption" | "markup"): unknown {
    if (p.inline_message_id !== undefined) return true; // inline messages are not tracked
    const chatId = chatIdParam(p);
    const messageId = optionalInt(p, "message_id");
    if (messageId === undefined) throw badRequest("message identifier is not specified");
    const stored = this.messages.get(messageKey(chatId, messageId));
    if (stored === undefined || stored.sent?.deleted === true) throw badRequest("message to edit not found");
    const sent = stored.sent;
    if (sent === undefined) throw badRequest("message can't be edited");
    const record = stored.record;
    const markup = checkReplyMarkup(p.reply_markup);
    const newMarkup = visibleMarkup(markup);

    let field: "text" | "caption" | undefined;
    let formatted: { text: string; entities: MessageEntity[] } | undefined;
    let rawText = sent.rawText;
    if (what === "text") {
      if (sent.kind !== "text") throw badRequest("there is no text in the message to edit");
      rawText = optionalString(p, "text") ?? "";
      formatted = formatText(rawText, p.parse_mode, p.entities, "text");
      field = "text";
    } else if (what === "caption") {
      if (sent.kind === "text") throw badRequest("there is no caption in the message to edit");
      rawText = optionalString(p, "caption") ?? "";
      formatted = formatText(rawText, p.parse_mode, p.caption_entities, "caption");
      field = "caption";
    }
    const entityField = field === "caption" ? "caption_entities" : "entities";
    const sameContent =
      field === undefined ||
      (formatted !== undefined &&
        (record[field] ?? "") === formatted.text &&
        JSON.stringify(record[entityField] ?? []) === JSON.stringify(formatted.entities));
    if (sameContent && JSON.stringify(record.reply_markup) === JSON.stringify(newMarkup)) {
      throw badRequest(NOT_MODIFIED);
    }
    if (field !== undefined && formatted !== undefined) {
      if (formatted.text === "") delete record[field];
      else record[field] = formatted.text;
      if (formatted.entities.length > 0) record[entityField] = formatted.entities;
      else delete record[entityField];
      sent.text = formatted.text;
      sent.rawText = rawText;
      sent.parseMode = optionalString(p, "parse_mode");
      sent.versions.push(formatted.text);
    }
    // Like Telegram, an edit without reply_markup removes the inline keyboard.
    if (newMarkup === undefined) delete record.reply_markup;
    else record.reply_markup = newMarkup;
    sent.replyMarkup = markup;
    record.edit_date = nowSeconds();
    sent.message = record as unknown as Message;
    return structuredClone(record);
  }

  private deleteMessage(p: Params): true {
    const chatId = chatIdParam(p);
    const messageId = optionalInt(p, "message_id");
    if (messageId === undefined) throw badRequest("message identifier is not specified");
    const key = messageKey(chatId, messageId);
    const stored = this.messages.get(key);
    if (stored === undefined) throw badRequest("message to delete not found");
    this.messages.delete(key);
    if (stored.sent !== undefined) stored.sent.deleted = true;
    return true;
  }

  private answerCallbackQuery(p: Params): true {
    const id = optionalString(p, "callback_query_id");
    if (id === undefined || id === "") throw badRequest("query_id is empty");
    const query = this.callbackQueries.get(id);
    if (query === undefined || query.answered) throw badRequest(QUERY_INVALID);
    const text = optionalString(p, "text");
    if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
    query.answered = true;
    return true;
  }

  private sendChatAction(p: Params): true {
    chatIdParam(p);
    const action = optionalString(p, "action");
    if (action === undefined || action === "") throw badRequest("action is empty");
    if (!CHAT_ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
    return true;
  }

  private setMyCommands(p: Params): true {
    const commands = p.commands;
    if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
    if (commands.length > 100) throw badRequest("too many commands");
    const clean: BotCommand[] = commands.map((command: unknown) => {
      const { command: name, description } = (command ?? {}) as { command?: unknown; description?: unknown };
      if (typeof name !== "string" || !/^[a-z0-9_]{1,32}$/.test(name)) throw badRequest("BOT_COMMAND_INVALID");
      if (typeof description !== "string" || description.trim().length === 0 || description.length > 256) {
        throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
      }
      return { command: name, description };
    });
    const key = commandsKey(scopeParam(p), optionalString(p, "language_code") ?? "");
    if (clean.length === 0) this.commands.delete(key);
    else this.commands.set(key, clean);
    return true;
  }

  private getFile(p: Params): File {
    const id = optionalString(p, "file_id");
    if (id === undefined || id === "") throw badRequest("file_id is empty");
    const file = this.files.get(id);
    if (file === undefined) throw badRequest("invalid file_id");
    if (file.file_size > MAX_DOWNLOAD) throw badRequest("file is too big");
    return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.file_size, file_path: file.file_path };
  }

  // === Messages, chats, files

  /** The message a send replies to, from reply_parameters or reply_to_message_id. */
  private replyTarget(chatId: number, p: Params): MsgRecord | undefined {
    let messageId: number | undefined;
    let allowWithout = p.allow_sending_without_reply === true;
    let targetChat = chatId;
    const parameters = p.reply_parameters;
    if (parameters !== undefined && parameters !== null) {
      if (typeof parameters !== "object") throw badRequest("can't parse reply parameters JSON object");
      const rp = parameters as Params;
      messageId = optionalInt(rp, "message_id");
      allowWithout = rp.allow_sending_without_reply === true;
      if (rp.chat_id !== undefined) targetChat = chatIdParam(rp);
    } else {
      messageId = optionalInt(p, "reply_to_message_id");
    }
    if (messageId === undefined) return undefined;
    const stored = this.messages.get(messageKey(targetChat, messageId));
    if (stored === undefined) {
      if (allowWithout) return undefined;
      throw badRequest("message to be replied not found");
    }
    const copy = structuredClone(stored.record);
    delete copy.reply_to_message;
    return copy;
  }

  private outgoing(chatId: number, replyTo: MsgRecord | undefined): MsgRecord {
    const record: MsgRecord = {
      message_id: this.nextMessageId++,
      from: { id: this.botInfo.id, is_bot: true, first_name: this.botInfo.first_name, username: this.botInfo.username },
      chat: this.chatFor(chatId),
      date: nowSeconds(),
    };
    if (replyTo !== undefined) record.reply_to_message = replyTo;
    return record;
  }

  private remember(record: MsgRecord, kind: SentMessage["kind"], rawText: string, p: Params, markup: unknown): Message {
    const shown = visibleMarkup(markup);
    if (shown !== undefined) record.reply_markup = shown;
    const text = String(record.text ?? record.caption ?? "");
    const sent: SentMessage = {
      chatId: record.chat.id,
      messageId: record.message_id,
      kind,
      text,
      rawText,
      parseMode: optionalString(p, "parse_mode"),
      replyMarkup: markup,
      versions: [text],
      deleted: false,
      message: record as unknown as Message,
    };
    this.sent.push(sent);
    this.messages.set(messageKey(record.chat.id, record.message_id), { record, sent });
    return structuredClone(record) as unknown as Message;
  }

  private incoming(options: MessageOptionsBase): MsgRecord {
    const from = this.user(options.from);
    const chat: Chat =
      options.chat === undefined || options.chat.type === "private"
        ? privateChat(options.chat?.id ?? from.id, from)
        : ({
            id: options.chat.id,
            type: options.chat.type,
            title: options.chat.title ?? `Chat ${options.chat.id}`,
            ...(options.chat.username === undefined ? {} : { username: options.chat.username }),
          } as Chat);
    const record: MsgRecord = { message_id: this.nextMessageId++, from, chat, date: nowSeconds() };
    if (options.replyToMessageId !== undefined) {
      const stored = this.messages.get(messageKey(chat.id, options.replyToMessageId));
      if (stored === undefined) {
        throw new Error(`FakeBotApi: no message ${options.replyToMessageId} in chat ${chat.id} to reply to`);
      }
      const copy = structuredClone(stored.record);
      delete copy.reply_to_message;
      record.reply_to_message = copy;
    }
    return record;
  }

  private user(user: FakeUser): User {
    const result: User = { id: user.id, is_bot: user.is_bot ?? false, first_name: user.first_name ?? "Test" };
    if (user.last_name !== undefined) result.last_name = user.last_name;
    if (user.username !== undefined) result.username = user.username;
    if (user.language_code !== undefined) result.language_code = user.language_code;
    return result;
  }

  /** Remembers chats, messages and callback queries of a pushed update. */
  private learn(update: Update): void {
    const records = [update.message, update.edited_message, update.channel_post, update.edited_channel_post];
    for (const message of records) {
      if (message === undefined) continue;
      const record = message as unknown as MsgRecord;
      this.chats.set(record.chat.id, record.chat);
      const key = messageKey(record.chat.id, record.message_id);
      if (!this.messages.has(key)) this.messages.set(key, { record });
      this.nextMessageId = Math.max(this.nextMessageId, record.message_id + 1);
    }
    const query = update.callback_query;
    if (query !== undefined && !this.callbackQueries.has(query.id)) {
      this.callbackQueries.set(query.id, { answered: false });
    }
  }

  private chatFor(chatId: number): Chat {
    const known = this.chats.get(chatId);
    if (known !== undefined) return structuredClone(known);
    if (chatId > 0) return { id: chatId, type: "private", first_name: `User ${chatId}` };
    return {
      id: chatId,
      type: chatId <= -1_000_000_000_000 ? "supergroup" : "group",
      title: `Chat ${chatId}`,
    } as Chat;
  }

  private photoSizes(data: Buffer, width: number, height: number, declaredSize?: number): unknown[] {
    const sizes = [90, 320, 800, Math.max(width, height)].filter((side, index, all) => side <= Math.max(width, height) && all.indexOf(side) === index);
    return sizes.slice(-3).map((side) => {
      const scale = side / Math.max(width, height);
      const file = this.storeFile("photos", "jpg", data, "image/jpeg", declaredSize);
      return {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        file_size: file.file_size,
        width: Math.round(width * scale),
        height: Math.round(height * scale),
      };
    });
  }

  private storeFile(folder: "photos" | "documents", extension: string, data: Buffer, contentType: string, declaredSize?: number): StoredFile {
    const n = this.nextFileNumber++;
    const prefix = folder === "photos" ? "AgACAgIAAxkBAAI" : "BQACAgIAAxkBAAI";
    const file: StoredFile = {
      file_id: `${prefix}${Buffer.from(`fake-file-${n}`).toString("base64url")}`,
      file_unique_id: `AQAD${Buffer.from(`u${n}`).toString("base64url")}`,
      file_size: declaredSize ?? data.length,
      file_path: `${folder}/file_${n}.${extension}`,
      data,
      contentType,
    };
    this.files.set(file.file_id, file);
    this.filesByPath.set(file.file_path, file);
    return file;
  }

  // === Webhook deliveries

  private startPump(): void {
    if (this.pump !== undefined || this.closed || this.webhook === undefined) return;
    this.pump = this.deliverQueue().finally(() => {
      this.pump = undefined;
      if (!this.closed && this.webhook !== undefined && this.queue.length > 0) this.startPump();
    });
  }

  /** Delivers the queue to the webhook in order; a refused update is retried with a growing delay. */
  private async deliverQueue(): Promise<void> {
    let delay = this.webhookRetryMs;
    while (!this.closed && this.webhook !== undefined && this.queue.length > 0) {
      const update = this.queue[0] as Update;
      const { url, secretToken } = this.webhook;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (secretToken !== undefined) headers["x-telegram-bot-api-secret-token"] = secretToken;
      let status = 0;
      let statusText = "";
      let body = "";
      let error: string | undefined;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers,
          body: JSON.stringify(update),
          signal: this.lifetime.signal,
        });
        status = response.status;
        statusText = response.statusText;
        body = await response.text();
      } catch (cause) {
        if (this.closed) return;
        error = `Connection refused (${String(cause)})`;
      }
      const delivery: WebhookDelivery = { updateId: update.update_id, url, status, at: Date.now() };
      if (error !== undefined) delivery.error = error;
      this.deliveries.push(delivery);
      if (status >= 200 && status < 300) {
        this.queue = this.queue.filter((queued) => queued !== update);
        delay = this.webhookRetryMs;
        await this.runWebhookReply(body);
        continue;
      }
      this.webhookError = {
        date: nowSeconds(),
        message: error ?? `Wrong response from the webhook: ${status} ${statusText}`.trim(),
      };
      await sleep(delay, this.lifetime.signal);
      delay = Math.min(2000, delay * 2);
    }
  }

  /** Telegram runs a method given in the body of a webhook response (a "webhook reply"). */
  private async runWebhookReply(body: string): Promise<void> {
    if (body.trim() === "") return;
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return;
    }
    if (typeof payload !== "object" || payload === null) return;
    const { method, ...params } = payload as Params;
    if (typeof method !== "string" || method.toLowerCase() === "getupdates") return;
    await this.execute(method, params, "webhook-reply");
  }
}

// === Text formatting (Telegram's rules, from TDLib's parse_html)

const HTML_TAGS = new Set([
  "a",
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "code",
  "pre",
  "tg-spoiler",
  "span",
  "blockquote",
  "tg-emoji",
]);

/** A lone surrogate: JSON carries it (`"\ud83d"`), UTF-8 cannot, and Telegram refuses it. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A text as Telegram shows it once sent: markup parsed, trimmed, mentions found; throws the
 * BotApiError Telegram answers (bad markup, not UTF-8, empty, too long).
 */
export function formatText(
  raw: string,
  parseMode: unknown,
  entities: unknown,
  kind: "text" | "caption",
): { text: string; entities: MessageEntity[] } {
  if (LONE_SURROGATE.test(raw)) throw badRequest(`${kind} must be encoded in UTF-8`);
  let mode: string | undefined;
  if (parseMode !== undefined && parseMode !== null && parseMode !== "") {
    mode = String(parseMode).toLowerCase();
    if (mode !== "html" && mode !== "markdown" && mode !== "markdownv2") throw badRequest("unsupported parse_mode");
  }
  // Markdown modes are accepted as they are (not parsed): the text is counted as sent.
  const parsed =
    mode === "html"
      ? parseHtml(raw)
      : { text: raw, entities: Array.isArray(entities) ? (entities as MessageEntity[]) : [] };
  const trimmed = trimFormatted(parsed.text, parsed.entities);
  if (kind === "text") {
    if (trimmed.text === "") throw badRequest("message text is empty");
    if (trimmed.text.length > MAX_TEXT) throw badRequest("message is too long");
  } else if (trimmed.text.length > MAX_CAPTION) {
    throw badRequest("message caption is too long");
  }
  return withMentions(trimmed);
}

/** Entities inside which Telegram finds no mention (TDLib merges found entities only around them). */
const OPAQUE_ENTITIES = new Set(["code", "pre", "text_link", "text_mention", "custom_emoji"]);

/**
 * Adds the mentions Telegram finds in any text (TDLib's match_mentions): `@` not after a letter,
 * digit or `_`, then 2 to 32 of [A-Za-z0-9_], not followed by a letter or digit. A mention notifies
 * that user, so what a bot echoes of others' text can ping people.
 */
function withMentions(formatted: { text: string; entities: MessageEntity[] }): { text: string; entities: MessageEntity[] } {
  const found: MessageEntity[] = [];
  for (const match of formatted.text.matchAll(/(?<![\p{L}\p{N}_])@([A-Za-z0-9_]+)(?![\p{L}\p{N}_])/gu)) {
    const name = match[1] as string;
    if (name.length < 2 || name.length > 32) continue;
    const offset = match.index;
    const length = name.length + 1;
    const inside = formatted.entities.some(
      (entity) => OPAQUE_ENTITIES.has(entity.type) && entity.offset < offset + length && offset < entity.offset + entity.length,
    );
    if (!inside) found.push({ type: "mention", offset, length });
  }
  if (found.length === 0) return formatted;
  return { text: formatted.text, entities: [...formatted.entities, ...found].sort((a, b) => a.offset - b.offset || b.length - a.length) };
}

function trimFormatted(text: string, entities: MessageEntity[]): { text: string; entities: MessageEntity[] } {
  const withoutStart = text.replace(/^\s+/, "");
  const lead = text.length - withoutStart.length;
  const result = withoutStart.replace(/\s+$/, "");
  const kept: MessageEntity[] = [];
  for (const entity of entities) {
    const start = Math.max(0, entity.offset - lead);
    const end = Math.min(result.length, entity.offset + entity.length - lead);
    if (end > start) kept.push({ ...entity, offset: start, length: end - start });
  }
  return { text: result, entities: kept };
}

/** Telegram's HTML parse mode. Throws "can't parse entities: …" with TDLib's messages. */
export function parseHtml(input: string): { text: string; entities: MessageEntity[] } {
  const fail = (message: string): never => {
    throw badRequest(`can't parse entities: ${message}`);
  };
  const byteOffset = (index: number) => Buffer.byteLength(input.slice(0, index));
  const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);
  const n = input.length;
  let text = "";
  const entities: Array<MessageEntity & { order: number }> = [];
  const open: Array<{ tag: string; start: number; attribute: string; order: number }> = [];
  let order = 0;

  let i = 0;
  while (i < n) {
    const ch = input[i] as string;
    if (ch === "&") {
      const decoded = decodeHtmlEntity(input, i);
      if (decoded !== undefined) {
        text += decoded.char;
        i = decoded.next;
        continue;
      }
    }
    if (ch !== "<") {
      text += ch;
      i += 1;
      continue;
    }
    const begin = i;
    i += 1;
    if (input[i] !== "/") {
      while (i < n && !isSpace(input[i]) && input[i] !== ">") i += 1;
      if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      const tag = input.slice(begin + 1, i).toLowerCase();
      if (!HTML_TAGS.has(tag)) fail(`Unsupported start tag "${tag}" at byte offset ${byteOffset(begin)}`);
      let attribute = "";
      while (input[i] !== ">") {
        while (i < n && isSpace(input[i])) i += 1;
        if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
        if (input[i] === ">") break;
        const nameBegin = i;
        while (i < n && !isSpace(input[i]) && input[i] !== "=" && input[i] !== ">") i += 1;
        const name = input.slice(nameBegin, i);
        if (name === "") fail(`Empty attribute name in the tag "${tag}" at byte offset ${byteOffset(begin)}`);
        while (i < n && isSpace(input[i])) i += 1;
        if (input[i] !== "=") {
          if (tag === "blockquote" && name.toLowerCase() === "expandable") {
            attribute = "expandable";
            continue;
          }
          if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
          fail(`Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${byteOffset(begin)}`);
        }
        i += 1;
        while (i < n && isSpace(input[i])) i += 1;
        if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
        let value = "";
        const quote = input[i];
        if (quote !== '"' && quote !== "'") {
          const tokenBegin = i;
          while (i < n && /[A-Za-z0-9.-]/.test(input[i] as string)) i += 1;
          value = input.slice(tokenBegin, i).toLowerCase();
          if (i < n && !isSpace(input[i]) && input[i] !== ">") {
            fail(`Unexpected end of name token at byte offset ${byteOffset(tokenBegin)}`);
          }
        } else {
          i += 1;
          while (i < n && input[i] !== quote) {
            if (input[i] === "&") {
              const decoded = decodeHtmlEntity(input, i);
              if (decoded !== undefined) {
                value += decoded.char;
                i = decoded.next;
                continue;
              }
            }
            value += input[i];
            i += 1;
          }
          if (input[i] === quote) i += 1;
        }
        if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
        const attributeName = name.toLowerCase();
        if (tag === "a" && attributeName === "href") attribute = value;
        else if (tag === "code" && attributeName === "class" && value.startsWith("language-")) attribute = value.slice(9);
        else if (tag === "span" && attributeName === "class" && value.startsWith("tg-")) attribute = value.slice(3);
        else if (tag === "tg-emoji" && attributeName === "emoji-id") attribute = value;
      }
      i += 1; // '>'
      if (tag === "span" && attribute !== "spoiler") {
        fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
      }
      open.push({ tag, start: text.length, attribute, order: order++ });
    } else {
      if (open.length === 0) fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
      while (i < n && !isSpace(input[i]) && input[i] !== ">") i += 1;
      const endName = input.slice(begin + 2, i);
      while (i < n && isSpace(input[i])) i += 1;
      if (input[i] !== ">") fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
      const top = open.pop() as (typeof open)[number];
      if (endName !== "" && endName !== top.tag) {
        fail(`Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${top.tag}>", found "</${endName}>"`);
      }
      i += 1;
      const length = text.length - top.start;
      if (length > 0) {
        const entity = htmlEntity(top.tag, top.attribute, top.start, length, text);
        const parent = open.at(-1);
        if (entity.type === "code" && parent?.tag === "pre" && top.attribute !== "") {
          parent.attribute = top.attribute; // <pre><code class="language-x"> is one pre entity
        } else {
          entities.push({ ...entity, order: top.order });
        }
      }
    }
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  if (LONE_SURROGATE.test(text)) {
    fail("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units");
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length || a.order - b.order);
  return { text, entities: entities.map(({ order: _order, ...entity }) => entity as MessageEntity) };
}

function htmlEntity(tag: string, attribute: string, offset: number, length: number, text: string): MessageEntity {
  switch (tag) {
    case "b":
    case "strong":
      return { type: "bold", offset, length };
    case "i":
    case "em":
      return { type: "italic", offset, length };
    case "u":
    case "ins":
      return { type: "underline", offset, length };
    case "s":
    case "strike":
    case "del":
      return { type: "strikethrough", offset, length };
    case "tg-spoiler":
    case "span":
      return { type: "spoiler", offset, length };
    case "code":
      return { type: "code", offset, length };
    case "pre":
      return attribute === "" ? { type: "pre", offset, length } : { type: "pre", offset, length, language: attribute };
    case "blockquote":
      return { type: attribute === "expandable" ? "expandable_blockquote" : "blockquote", offset, length };
    case "tg-emoji":
      return { type: "custom_emoji", offset, length, custom_emoji_id: attribute };
    default:
      return { type: "text_link", offset, length, url: attribute === "" ? text.slice(offset, offset + length) : attribute };
  }
}

function decodeHtmlEntity(input: string, at: number): { char: string; next: number } | undefined {
  let end = at + 1;
  let code = 0;
  if (input[end] === "#") {
    end += 1;
    if (input[end] === "x") {
      end += 1;
      while (end < input.length && /[0-9a-fA-F]/.test(input[end] as string)) code = code * 16 + parseInt(input[end++] as string, 16);
    } else {
      while (end < input.length && /[0-9]/.test(input[end] as string)) code = code * 10 + Number(input[end++]);
    }
    if (code === 0 || code >= 0x10ffff || end - at >= 10) return undefined;
  } else {
    while (end < input.length && /[A-Za-z]/.test(input[end] as string)) end += 1;
    const named: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34 };
    const value = named[input.slice(at + 1, end)];
    if (value === undefined) return undefined;
    code = value;
  }
  if (input[end] === ";") end += 1;
  return { char: String.fromCodePoint(code), next: end };
}

/** bot_command entities as Telegram detects them: `/command` or `/command@bot` at a word start. */
function botCommandEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const match of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)(?=$|[\s.,!?;:])/g)) {
    const offset = (match.index ?? 0) + (match[1] ?? "").length;
    entities.push({ type: "bot_command", offset, length: (match[2] ?? "").length });
  }
  return entities;
}

/** Validates reply_markup as Telegram does; returns it (parsed when it was a JSON string). */
function checkReplyMarkup(markup: unknown): unknown {
  if (markup === undefined || markup === null || markup === "") return undefined;
  let value = markup;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw badRequest("can't parse reply keyboard markup JSON object");
    }
  }
  if (typeof value !== "object" || value === null) throw badRequest("can't parse reply keyboard markup JSON object");
  const keyboard = (value as { inline_keyboard?: unknown }).inline_keyboard;
  if (keyboard === undefined) return value;
  if (!Array.isArray(keyboard)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
  for (const row of keyboard) {
    if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    for (const button of row) {
      if (typeof button !== "object" || button === null) throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
      const fields = button as Record<string, unknown>;
      if (typeof fields.text !== "string") throw badRequest("can't parse inline keyboard button: Field \"text\" must be of type String");
      if (!INLINE_BUTTON_ACTIONS.some((action) => fields[action] !== undefined)) {
        throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
      if (fields.callback_data !== undefined) {
        const bytes = Buffer.byteLength(String(fields.callback_data));
        if (bytes === 0 || bytes > MAX_CALLBACK_DATA_BYTES) throw badRequest("BUTTON_DATA_INVALID");
      }
    }
  }
  return value;
}

/** What the returned Message shows of a reply_markup: only a non-empty inline keyboard. */
function visibleMarkup(markup: unknown): unknown {
  const keyboard = (markup as { inline_keyboard?: unknown[][] } | undefined)?.inline_keyboard;
  if (!Array.isArray(keyboard) || keyboard.every((row) => row.length === 0)) return undefined;
  return { inline_keyboard: keyboard.filter((row) => row.length > 0) };
}

// === Parameters

function optionalString(p: Params, name: string): string | undefined {
  const value = p[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw badRequest(`wrong parameter ${name} in request`);
}

function optionalNumber(p: Params, name: string): number | undefined {
  const value = p[name];
  if (value === undefined || value === null || value === "") return undefined;
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  if (!Number.isFinite(number)) throw badRequest(`wrong parameter ${name} in request`);
  return number;
}

function optionalInt(p: Params, name: string): number | undefined {
  const number = optionalNumber(p, name);
  if (number !== undefined && !Number.isInteger(number)) throw badRequest(`wrong parameter ${name} in request`);
  return number;
}

function chatIdParam(p: Params): number {
  const value = p.chat_id;
  if (value === undefined || value === null || value === "") throw badRequest("chat_id is empty");
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value);
  throw badRequest("chat not found"); // e.g. an @username the fake cannot resolve
}

function scopeParam(p: Params): { type: string; chat_id?: number | string; user_id?: number } {
  const scope = p.scope;
  if (scope === undefined || scope === null) return { type: "default" };
  if (typeof scope !== "object" || typeof (scope as { type?: unknown }).type !== "string") {
    throw badRequest("can't parse BotCommandScope JSON object");
  }
  return scope as { type: string };
}

function commandsKey(scope: { type: string; chat_id?: number | string; user_id?: number }, languageCode: string): string {
  return `${scope.type}|${scope.chat_id ?? ""}|${scope.user_id ?? ""}|${languageCode}`;
}

// Form values that are free text: never turned into numbers, booleans or JSON.
const FREE_TEXT_FIELDS = new Set([
  "text",
  "caption",
  "title",
  "description",
  "short_description",
  "question",
  "explanation",
  "name",
  "first_name",
  "last_name",
  "data",
  "secret_token",
  "url",
  "callback_query_id",
  "inline_message_id",
  "file_id",
  "language_code",
  "action",
  "parse_mode",
  "emoji",
  "address",
  "query",
]);
const INT_FIELDS = new Set([
  "chat_id",
  "message_id",
  "user_id",
  "from_chat_id",
  "message_thread_id",
  "reply_to_message_id",
  "offset",
  "limit",
  "timeout",
  "duration",
  "width",
  "height",
  "cache_time",
  "max_connections",
  "until_date",
]);

function coerceFormValue(name: string, value: string): unknown {
  if (INT_FIELDS.has(name) && /^-?\d+$/.test(value)) return Number(value);
  if (FREE_TEXT_FIELDS.has(name)) return value;
  if (value === "true") return true;
  if (value === "false") return false;
  if ((value.startsWith("{") && value.endsWith("}")) || (value.startsWith("[") && value.endsWith("]"))) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}


async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const params: Params = {};
  for (const [name, value] of url.searchParams) params[name] = coerceFormValue(name, value);
  const body = await readBody(req, MAX_BODY, () => new BotApiError(413, "Request Entity Too Large"));
  if (body.length === 0) return params;
  const contentType = (req.headers["content-type"] ?? "").toLowerCase();
  if (contentType.startsWith("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw badRequest("JSON object expected");
    return { ...params, ...(parsed as Params) };
  }
  if (contentType.startsWith("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers["content-type"] ?? "");
    const boundaryValue = boundary?.[1] ?? boundary?.[2];
    if (boundaryValue === undefined) throw badRequest("can't parse multipart/form-data: no boundary");
    return { ...params, ...parseMultipart(body, boundaryValue.trim()) };
  }
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    for (const [name, value] of new URLSearchParams(body.toString("utf8"))) params[name] = coerceFormValue(name, value);
    return params;
  }
  throw badRequest(`unsupported Content-Type "${contentType}"`);
}

/** Parses multipart/form-data as grammY writes it (lenient about header spacing and quoting). */
function parseMultipart(body: Buffer, boundary: string): Params {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields = new Map<string, string>();
  const files = new Map<string, UploadedFile>();
  let position = body.indexOf(delimiter);
  while (position >= 0) {
    let start = position + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing "--"
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    const part = body.subarray(start, end);
    position = next;
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd < 0) continue;
    const headers = new Map<string, string>();
    for (const line of part.subarray(0, headerEnd).toString("utf8").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get("content-disposition") ?? "";
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? /(?:^|;)\s*name=([^;]*)/i.exec(disposition)?.[1];
    if (name === undefined) continue;
    const content = part.subarray(headerEnd + 4);
    const filename = /filename="([^"]*)"/i.exec(disposition)?.[1] ?? /filename=([^;]*)/i.exec(disposition)?.[1];
    if (filename !== undefined) {
      files.set(name, new UploadedFile(filename.trim(), headers.get("content-type") ?? "application/octet-stream", Buffer.from(content)));
    } else {
      fields.set(name, content.toString("utf8"));
    }
  }
  const params: Params = {};
  for (const [name, value] of fields) {
    const attached = /^attach:\/\/(.+)$/.exec(value);
    const file = attached === null ? undefined : files.get(attached[1] ?? "");
    params[name] = file ?? coerceFormValue(name, value);
  }
  for (const [name, file] of files) {
    if (!(name in params) && ![...fields.values()].includes(`attach://${name}`)) params[name] = file;
  }
  return params;
}

// === Small helpers

function writeJson(res: ServerResponse, answer: ApiResponse): void {
  const body = JSON.stringify(answer);
  const status = answer.ok ? 200 : answer.error_code;
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  };
  if (!answer.ok && answer.parameters?.retry_after !== undefined) headers["retry-after"] = Math.ceil(answer.parameters.retry_after);
  res.writeHead(status, headers).end(body);
}

function messageKey(chatId: number, messageId: number): string {
  return `${chatId}:${messageId}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function privateChat(id: number, user: User): Chat {
  const chat: Record<string, unknown> = { id, type: "private", first_name: user.first_name };
  if (user.last_name !== undefined) chat.last_name = user.last_name;
  if (user.username !== undefined) chat.username = user.username;
  return chat as unknown as Chat;
}

function toBuffer(bytes: Uint8Array | string | undefined, fallback: () => Buffer): Buffer {
  if (bytes === undefined) return fallback();
  return typeof bytes === "string" ? Buffer.from(bytes) : Buffer.from(bytes);
}

/** A few bytes with JPEG markers: enough to tell a photo download from anything else. */
function defaultJpeg(): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("fake jpeg"), Buffer.from([0xff, 0xd9])]);
}

function extensionOf(fileName: string): string | undefined {
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(fileName);
  return match?.[1]?.toLowerCase();
}

function mimeOf(fileName: string): string {
  const types: Record<string, string> = {
    jpg: "image/jpeg",
    jpeg: "image/jpeg",
    png: "image/png",
    pdf: "application/pdf",
    txt: "text/plain",
    csv: "text/csv",
    json: "application/json",
    zip: "application/zip",
  };
  return types[extensionOf(fileName) ?? ""] ?? "application/octet-stream";
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
