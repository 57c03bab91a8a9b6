import { autoRetry } from "@grammyjs/auto-retry";
import { run, sequentialize, type RunnerHandle } from "@grammyjs/runner";
import { Bot, BotError, GrammyError, HttpError, InputFile, type Api, type ApiClientOptions, type Context, type NextFunction } from "grammy";
import type { Message, Update, UserFromGetMe } from "grammy/types";
import type { InboundEvent } from "../../core/conversation/handle-inbound.js";
import { accountsOn } from "../../core/directory/member.js";
import { errorMessage } from "../../core/errors.js";
import type { Card } from "../../core/messages/card.js";
import type { AttachmentRef } from "../../core/tickets/ticket.js";
import { PermanentDeliveryError, type OutboundFile, type Sender } from "../../jobs/delivery-queue.js";
import type { AdapterDeps } from "../adapter-deps.js";
import { ConfigError } from "../config/env.js";
import { handleAndReply } from "../inbound.js";
import type { RouteHandler } from "../http/server.js";
import type { Logger } from "../logger.js";
import { BotApiTransport } from "./bot-api-transport.js";
import { commandMenu } from "./telegram-commands.js";
import { renderForTelegram, textToHtml } from "./render-telegram.js";
import { unusableFields } from "./telegram-update.js";
import { telegramWebhook } from "./telegram-webhook.js";

export interface TelegramOptions {
  token: string;
  apiRoot: string;
  /** Webhook mode when set (POST /telegram/webhook); long polling otherwise. */
  webhookSecret?: string | undefined;
  /** Skips getMe at start (tests, or a known bot). */
  botInfo?: UserFromGetMe | undefined;
  /** Called when a handled update produced messages for others (the outbox). */
  onNotifications?: () => void;
  /** How long a webhook request waits for its update to be handled (10 s; shorter in tests). */
  webhookHandlingLimitMs?: number | undefined;
  log: Logger;
}

export const TELEGRAM_WEBHOOK_PATH = "/telegram/webhook";
/** Telegram's limit on a file's caption; a longer one goes as a message of its own after the file. */
const TELEGRAM_CAPTION_LIMIT = 1024;

/**
 * The Telegram adapter: turns updates into core events (exactly once, in order per chat) and
 * renders core cards as HTML messages with inline keyboards. No domain logic lives here.
 */
export class TelegramAdapter {
  readonly bot: Bot;
  private readonly transport = new BotApiTransport();
  private runner: RunnerHandle | undefined;
  private readonly log: Logger;

  constructor(
    private readonly deps: AdapterDeps,
    private readonly options: TelegramOptions,
  ) {
    this.log = options.log.child({ module: "telegram" });
    // grammY types its fetch as node-fetch's; it calls it with a URL and reads the JSON (see BotApiFetch).
    const fetch = this.transport.fetch as unknown as ApiClientOptions["fetch"];
    this.bot = new Bot(options.token, { client: { apiRoot: options.apiRoot, fetch }, botInfo: options.botInfo });
    // 429s are retried after retry_after, 5xx and network errors with backoff; then the call fails.
    this.bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 120, rethrowHttpErrors: false }));
    this.bot.use((ctx, next) => this.skipUnusable(ctx, next));
    // Updates of one chat in order; different chats concurrently. A press on an inline message has
    // no chat: it is handled in the presser's private chat, whose id is the user's.
    this.bot.use(sequentialize((ctx: Context) => replyChatOf(ctx)?.toString()));
    this.bot.on("callback_query:data", (ctx) => this.onButton(ctx));
    this.bot.on("message", (ctx) => this.onMessage(ctx));
    this.bot.catch((error) => this.logFailedUpdate(error));
  }

  /** Identifies the bot and publishes the command menu; then polls unless a webhook is configured. */
  async start(): Promise<void> {
    try {
      await this.bot.init();
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 401) {
        throw new ConfigError("TELEGRAM_BOT_TOKEN: Telegram refused the token (401 Unauthorized); copy it again from @BotFather.");
      }
      throw error;
    }
    await this.publishCommands();
    if (this.options.webhookSecret) {
      this.log.info({ bot: this.bot.botInfo.username }, `Telegram: receiving by webhook at POST ${TELEGRAM_WEBHOOK_PATH}`);
      return;
    }
    await this.bot.api.deleteWebhook();
    this.runner = run(this.bot, { runner: { fetch: { allowed_updates: ["message", "callback_query"] } } });
    this.log.info({ bot: this.bot.botInfo.username }, "Telegram: receiving by long polling");
  }

  async stop(): Promise<void> {
    if (this.runner?.isRunning()) await this.runner.stop();
  }

  /** The webhook route for the shared HTTP server (see telegramWebhook for what it answers). */
  webhookRoute(): Record<string, RouteHandler> {
    if (!this.options.webhookSecret) return {};
    const handle = telegramWebhook({
      secretToken: this.options.webhookSecret,
      handleUpdate: (update) => this.handleWebhookUpdate(update as Update),
      handlingLimitMs: this.options.webhookHandlingLimitMs,
      log: this.log,
    });
    return { [`POST ${TELEGRAM_WEBHOOK_PATH}`]: handle };
  }

  /** Handles an update that came by webhook; a failure is logged and the update is not retried. */
  private async handleWebhookUpdate(update: Update): Promise<void> {
    try {
      await this.bot.init(); // requests can come before start() has identified the bot
      await this.bot.handleUpdate(update);
    } catch (error) {
      if (error instanceof BotError) this.logFailedUpdate(error);
      else this.log.error({ update: update.update_id, ...errorFields(error) }, "update failed");
    }
  }

  /** An update of a shape the adapter cannot read is dropped, by its id: it is not Telegram's. */
  private async skipUnusable(ctx: Context, next: NextFunction): Promise<void> {
    const fields = unusableFields(ctx.update);
    if (fields.length === 0) return next();
    this.log.warn({ update: ctx.update.update_id, fields }, "Telegram: ignored an update with fields of the wrong type");
  }

  private logFailedUpdate(error: BotError): void {
    this.log.error({ update: error.ctx.update.update_id, chat: error.ctx.chat?.id, ...errorFields(error.error) }, "update failed");
  }

  /**
   * The bytes of a file a reporter sent (photos and documents are kept as Telegram file ids):
   * getFile, then a download from the Bot API's file endpoint; given up when `signal` aborts.
   */
  async downloadFile(fileId: string, signal?: AbortSignal): Promise<Buffer> {
    // The signal also ends auto-retry's waits: someone is waiting for these bytes.
    // grammY types its signal as the abort-controller package's; Node's is the same at run time.
    const file = await this.bot.api.getFile(fileId, signal as Parameters<Api["getFile"]>[1]);
    if (!file.file_path) throw new Error(`Telegram has no download path for file ${fileId}`);
    const response = await fetch(`${this.options.apiRoot}/file/bot${this.options.token}/${file.file_path}`, { signal: signal ?? null });
    if (!response.ok) throw new Error(`downloading ${file.file_path}: HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  private async publishCommands(): Promise<void> {
    try {
      await this.bot.api.setMyCommands(commandMenu("zh", this.deps.org));
      await this.bot.api.setMyCommands(commandMenu("zh", this.deps.org), { language_code: "zh" });
      await this.bot.api.setMyCommands(commandMenu("en", this.deps.org), { language_code: "en" });
    } catch (error) {
      this.log.warn(errorFields(error), "Telegram: could not publish the command menu");
    }
  }

  /** `@bot` anywhere in a text; usernames are case-insensitive on Telegram. */
  private ownMention(): RegExp {
    return new RegExp(`@${this.bot.botInfo.username}(?![A-Za-z0-9_])`, "gi");
  }

  /** In groups the bot hears commands, replies to its messages and mentions of it. */
  private isAddressed(message: Message): boolean {
    if (message.chat.type === "private") return true;
    const text = message.text ?? message.caption ?? "";
    return text.startsWith("/") || message.reply_to_message?.from?.id === this.bot.botInfo.id || this.ownMention().test(text);
  }

  /** `/command@otherbot` is that bot's command (https://core.telegram.org/bots/features#commands). */
  private isForAnotherBot(text: string): boolean {
    const addressee = /^\/[A-Za-z0-9_]+@([A-Za-z0-9_]+)/.exec(text)?.[1];
    return addressee !== undefined && addressee.toLowerCase() !== this.bot.botInfo.username.toLowerCase();
  }

  private async onMessage(ctx: Context): Promise<void> {
    const message = ctx.message!;
    if (!message.from || message.from.is_bot || !this.isAddressed(message)) return;
    const typed = message.text ?? message.caption;
    if (typed !== undefined && this.isForAnotherBot(typed)) return;
    const text = typed?.replace(this.ownMention(), "").trim();
    await this.handle(ctx, { text: text || undefined, attachments: attachmentsOf(message) });
  }

  private async onButton(ctx: Context): Promise<void> {
    const query = ctx.callbackQuery!;
    // Answer first: Telegram shows a spinner on the button until the query is answered.
    await ctx.answerCallbackQuery().catch((error: unknown) => this.log.warn({ update: ctx.update.update_id, ...errorFields(error) }, "answerCallbackQuery failed"));
    const isDialogChoice = !query.data!.startsWith("/");
    if (isDialogChoice && query.message) await this.markChosen(ctx, query.message, query.data!);
    await this.handle(ctx, { choice: query.data });
  }

  /** Shows the chosen answer under the question and drops its buttons, so the chat reads as a record. */
  private async markChosen(ctx: Context, question: Message, data: string): Promise<void> {
    const button = question.reply_markup?.inline_keyboard.flat().find((b) => "callback_data" in b && b.callback_data === data);
    if (!button || !question.text) return;
    await ctx
      .editMessageText(`${textToHtml(question.text)}\n→ ${textToHtml(button.text, (html) => `<b>${html}</b>`)}`, { parse_mode: "HTML" })
      .catch((error: unknown) => this.log.debug({ update: ctx.update.update_id, chat: question.chat.id, ...errorFields(error) }, "could not mark the chosen answer"));
  }

  /** Hands an input to the core and replies in its chat; a press on an inline message, in the presser's private chat. */
  private async handle(ctx: Context, input: Pick<InboundEvent, "text" | "choice" | "attachments">): Promise<void> {
    const chatId = String(replyChatOf(ctx)!);
    const event: InboundEvent = {
      ...input,
      platform: "telegram",
      eventId: String(ctx.update.update_id),
      senderId: String(ctx.from!.id),
      conversation: `telegram:${chatId}`,
      replyAddress: chatId,
      seenByOthers: (ctx.chat?.type ?? "private") !== "private",
    };
    await handleAndReply(this.deps, event, { send: this.send, log: this.log, onNotifications: this.options.onNotifications });
  }

  private async sendCard(chatId: number | string, card: Card, telegramIdOf: (memberId: string) => string | undefined): Promise<void> {
    for (const message of renderForTelegram(card, { telegramIdOf })) {
      const { text, ...other } = message;
      await this.bot.api.sendMessage(chatId, text, other);
    }
  }

  /** Most messages mention nobody: the directory is consulted only for those that do. */
  private async telegramIds(card: Card): Promise<(memberId: string) => string | undefined> {
    if (!card.mentions?.length) return () => undefined;
    return accountsOn(await this.deps.directory.listMembers(), "telegram");
  }

  /** A file with its caption (sendDocument), the caption rendered as a card's first message is. */
  private async sendFile(chatId: string, card: Card, file: OutboundFile, telegramIdOf: (memberId: string) => string | undefined): Promise<void> {
    const [caption] = renderForTelegram(card, { telegramIdOf });
    const fitting = caption && caption.text.length <= TELEGRAM_CAPTION_LIMIT;
    await this.bot.api.sendDocument(chatId, new InputFile(file.bytes, file.name), fitting ? { caption: caption.text, parse_mode: caption.parse_mode } : {});
    if (caption && !fitting) await this.sendCard(chatId, card, telegramIdOf);
  }

  /** Delivers a message (a reply, a ping, a channel post, a file) to a Telegram user or group, with real mentions. */
  readonly send: Sender = async ({ recipient, card, file }) => {
    if (!recipient.address) throw new PermanentDeliveryError(`no Telegram chat for ${recipient.name}`);
    try {
      const telegramIdOf = await this.telegramIds(card);
      if (file) await this.sendFile(recipient.address, card, file, telegramIdOf);
      else await this.sendCard(recipient.address, card, telegramIdOf);
    } catch (error) {
      // 400/403: chat not found, the user never started the bot or blocked it. Retrying won't help.
      if (error instanceof GrammyError && [400, 403].includes(error.error_code)) throw new PermanentDeliveryError(describe(error));
      throw error;
    }
  };
}

/** The chat an update is answered in: its own, or for a press on an inline message the presser's private chat (same id as the user). */
function replyChatOf(ctx: Context): number | undefined {
  return ctx.chat?.id ?? ctx.from?.id;
}

function attachmentsOf(message: Message): AttachmentRef[] | undefined {
  if (message.photo?.length) {
    const largest = message.photo.at(-1)!;
    return [{ platform: "telegram", fileId: largest.file_id, kind: "photo" }];
  }
  if (message.document) return [{ platform: "telegram", fileId: message.document.file_id, kind: "document", name: message.document.file_name }];
  return undefined;
}

/**
 * What a log may say of an error: ids and Telegram's answer. A GrammyError carries the request's
 * payload (the message text: names, phone numbers, descriptions), so it is never logged whole.
 */
function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof GrammyError) return { method: error.method, errorCode: error.error_code, description: error.description };
  if (error instanceof HttpError) {
    const cause = error.error as { code?: unknown; name?: unknown } | undefined;
    return { method: /'(\w+)'/.exec(error.message)?.[1], network: String(cause?.code ?? cause?.name ?? "error") };
  }
  if (error instanceof Error) return { err: { type: error.name, message: error.message, stack: error.stack } };
  return { err: { type: typeof error } };
}

function describe(error: unknown): string {
  if (error instanceof GrammyError) return `${error.method}: ${error.error_code} ${error.description}`;
  if (error instanceof HttpError) return `network: ${String(error.error)}`;
  return errorMessage(error);
}
