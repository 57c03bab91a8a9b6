import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { autoRetry } from "@grammyjs/auto-retry";
import { run } from "@grammyjs/runner";
import { Bot, GrammyError, InlineKeyboard, InputFile, webhookCallback, type BotConfig, type Context } from "grammy";
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeBotApi, UploadedFile, type RecordedCall } from "./telegram-bot-api.js";

const alice = { id: 1001, first_name: "Alice", username: "alice", language_code: "en" };
const bob = { id: 1002, first_name: "Bob" };

const CONFLICT_TERMINATED =
  "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const CONFLICT_WEBHOOK =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

let fake: FakeBotApi;
let cleanups: Array<() => unknown>;

beforeEach(async () => {
  cleanups = [];
  fake = await FakeBotApi.start();
  cleanups.push(() => fake.close());
});

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function newBot(token = fake.token, client: BotConfig<Context>["client"] = {}): Bot {
  return new Bot(token, { client: { apiRoot: fake.apiRoot, ...client }, botInfo: fake.botInfo });
}

/** Starts simple long polling and registers its stop; returns the bot's errors. */
function startPolling(bot: Bot): unknown[] {
  const errors: unknown[] = [];
  bot.catch((error) => void errors.push(error.error));
  const polling = bot.start({ timeout: 1 });
  cleanups.push(async () => {
    if (bot.isRunning()) await bot.stop();
    await polling;
  });
  return errors;
}

const sendMessageCount = (calls: RecordedCall[]) => calls.filter((call) => call.method === "sendMessage").length;
const ids = (updates: Update[]) => updates.map((update) => update.update_id);

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A node:http server running grammY's webhookCallback; returns its URL. */
async function webhookServer(bot: Bot, secretToken?: string): Promise<string> {
  const handle = webhookCallback(bot, "http", { secretToken });
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  return `http://127.0.0.1:${await listen(server)}/telegram`;
}

describe("FakeBotApi with the real grammY client", () => {
  it("answers getMe with the bot it describes, 401 for another token and 404 for an unknown method", async () => {
    const bot = newBot();
    expect(await bot.api.getMe()).toEqual(fake.botInfo);
    expect(fake.botInfo).toMatchObject({ id: 123456, is_bot: true, username: "test_bot" });

    await expect(newBot("654321:WRONG").api.getMe()).rejects.toMatchObject({
      error_code: 401,
      description: "Unauthorized",
    });

    const response = await fetch(`${fake.apiRoot}/bot${fake.token}/sendTelepathy`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ ok: false, error_code: 404, description: "Not Found" });
    expect(fake.calls.map((call) => call.method)).toEqual(["getMe", "sendTelepathy"]);
  });

  it("delivers pushed updates to bot.start() polling; the bot's replies, presses and edits are recorded", async () => {
    const bot = newBot();
    bot.command("start", (ctx) =>
      ctx.reply(`Hello, ${ctx.from?.first_name}!`, { reply_markup: new InlineKeyboard().text("Report", "report") }),
    );
    bot.on("callback_query:data", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Starting" });
      await ctx.editMessageText(`Pressed ${ctx.callbackQuery.data}`);
    });
    const errors = startPolling(bot);

    fake.pushUpdate(fake.textMessage({ from: alice, text: "/start" }));
    await fake.waitFor((calls) => sendMessageCount(calls) === 1);
    const [hello] = fake.sentTo(alice.id);
    expect(hello).toMatchObject({ kind: "text", text: "Hello, Alice!", chatId: alice.id });
    expect(hello?.message.reply_markup).toEqual({ inline_keyboard: [[{ text: "Report", callback_data: "report" }]] });

    fake.pushUpdate(fake.callbackQuery({ from: alice, message: hello!, data: "report" }));
    await fake.waitFor((calls) => calls.some((call) => call.method === "editMessageText" && call.response?.ok));
    expect(fake.callsOf("answerCallbackQuery")[0]?.response).toEqual({ ok: true, result: true });
    const edited = fake.sentTo(alice.id)[0];
    expect(edited?.text).toBe("Pressed report");
    expect(edited?.versions).toEqual(["Hello, Alice!", "Pressed report"]);
    expect(edited?.message.reply_markup).toBeUndefined(); // edited without reply_markup: keyboard removed
    expect(errors).toEqual([]);

    await bot.stop(); // confirms the last update with a final getUpdates
    expect(fake.pendingUpdates()).toEqual([]);
  });

  it("does not redeliver an update once a getUpdates offset confirmed it", async () => {
    const bot = newBot();
    const a = fake.pushUpdate(fake.textMessage({ from: alice, text: "a" }));
    const b = fake.pushUpdate(fake.textMessage({ from: alice, text: "b" }));
    expect(b.update_id).toBe(a.update_id + 1);

    expect(ids(await bot.api.getUpdates())).toEqual([a.update_id, b.update_id]);
    expect(ids(await bot.api.getUpdates({ limit: 1 }))).toEqual([a.update_id]); // not confirmed yet
    expect(ids(await bot.api.getUpdates({ offset: a.update_id + 1 }))).toEqual([b.update_id]);
    expect(ids(await bot.api.getUpdates())).toEqual([b.update_id]); // a is forgotten
    expect(ids(await bot.api.getUpdates({ offset: b.update_id + 1 }))).toEqual([]);

    const c = fake.pushUpdate(fake.textMessage({ from: alice, text: "c" }));
    const d = fake.pushUpdate(fake.textMessage({ from: alice, text: "d" }));
    expect(ids(await bot.api.getUpdates({ offset: -1 }))).toEqual([d.update_id]);
    expect(ids(await bot.api.getUpdates())).toEqual([d.update_id]);
    expect(c.update_id).toBeLessThan(d.update_id);
  });

  it("gives a restarted polling bot only the updates the previous one did not confirm", async () => {
    const seen: string[] = [];
    const first = newBot();
    first.on("message:text", (ctx) => void seen.push(`first:${ctx.message.text}`));
    startPolling(first);
    fake.pushUpdate(fake.textMessage({ from: alice, text: "one" }));
    await fake.waitFor(() => seen.length === 1);
    await first.stop();

    const second = newBot();
    second.on("message:text", (ctx) => void seen.push(`second:${ctx.message.text}`));
    startPolling(second);
    fake.pushUpdate(fake.textMessage({ from: alice, text: "two" }));
    await fake.waitFor(() => seen.length === 2);
    expect(seen).toEqual(["first:one", "second:two"]);
  });

  it("feeds @grammyjs/runner, which confirms what it fetched", async () => {
    const bot = newBot();
    bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    const runner = run(bot, { runner: { fetch: { timeout: 1 } } });
    cleanups.push(() => (runner.isRunning() ? runner.stop() : undefined));

    fake.pushUpdate(fake.textMessage({ from: alice, text: "one" }));
    fake.pushUpdate(fake.textMessage({ from: bob, text: "two" }));
    await fake.waitFor((calls) => sendMessageCount(calls) === 2);
    expect(fake.sentTo(alice.id).map((message) => message.text)).toEqual(["echo: one"]);
    expect(fake.sentTo(bob.id).map((message) => message.text)).toEqual(["echo: two"]);

    await fake.waitFor(() => fake.pendingUpdates().length === 0);
    await runner.stop();
  });

  it("holds a long poll until an update arrives, and answers [] when its timeout runs out", async () => {
    const bot = newBot();
    let started = Date.now();
    expect(await bot.api.getUpdates({ timeout: 1 })).toEqual([]);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2500);

    started = Date.now();
    const held = bot.api.getUpdates({ timeout: 10 });
    await fake.waitFor(() => fake.callsOf("getUpdates").length === 2);
    const update = fake.pushUpdate(fake.textMessage({ from: alice, text: "now" }));
    expect(ids(await held)).toEqual([update.update_id]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("terminates a held getUpdates with 409 when another one arrives, like Telegram", async () => {
    const bot = newBot();
    const first = bot.api.getUpdates({ timeout: 5 });
    await fake.waitFor(() => fake.callsOf("getUpdates").length === 1);
    const second = bot.api.getUpdates({ timeout: 5 });
    await expect(first).rejects.toMatchObject({ error_code: 409, description: CONFLICT_TERMINATED });
    const update = fake.pushUpdate(fake.textMessage({ from: alice, text: "hi" }));
    expect(ids(await second)).toEqual([update.update_id]);
  });

  it("answers a held getUpdates with [] when the server closes", async () => {
    const held = newBot().api.getUpdates({ timeout: 10 });
    await fake.waitFor(() => fake.callsOf("getUpdates").length === 1);
    const started = Date.now();
    await fake.close();
    expect(await held).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("makes @grammyjs/auto-retry wait retry_after seconds after a 429", async () => {
    const bot = newBot();
    bot.api.config.use(autoRetry());
    fake.failNext("sendMessage", { status: 429, retryAfter: 1 });

    const started = Date.now();
    const message = await bot.api.sendMessage(alice.id, "after the flood");
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(3000);
    expect(message.text).toBe("after the flood");

    const [refused, retried] = fake.callsOf("sendMessage");
    expect(refused?.response).toEqual({
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
    expect(retried?.response?.ok).toBe(true);
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(950);
    expect(fake.sentTo(alice.id).map((sent) => sent.text)).toEqual(["after the flood"]);
  });

  it("refuses one method with 429 for the length of a flood, retry_after counting down to its end", async () => {
    const bot = newBot();
    fake.floodFor("sendMessage", 1_200);

    await expect(bot.api.sendMessage(alice.id, "during")).rejects.toMatchObject({ error_code: 429, parameters: { retry_after: 2 } });
    expect((await bot.api.getMe()).id).toBe(fake.botInfo.id); // other methods are not flooded
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(bot.api.sendMessage(alice.id, "later")).rejects.toMatchObject({ parameters: { retry_after: 1 } });

    const retrying = newBot();
    retrying.api.config.use(autoRetry());
    const started = Date.now();
    await retrying.api.sendMessage(alice.id, "after the flood");
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(fake.sentTo(alice.id).map((sent) => sent.text)).toEqual(["after the flood"]);
  });

  it("surfaces a 429 and a 5xx as GrammyError when nothing retries", async () => {
    const bot = newBot();
    fake.failNext("sendMessage", { status: 429, retryAfter: 1 });
    const limited = await bot.api.sendMessage(alice.id, "x").catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(GrammyError);
    expect(limited).toMatchObject({ error_code: 429, parameters: { retry_after: 1 } });

    fake.failNext("sendMessage", { status: 500 });
    const failed = await bot.api.sendMessage(alice.id, "x").catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(GrammyError);
    expect(failed).toMatchObject({ error_code: 500, description: "Internal Server Error" });

    const retrying = newBot();
    retrying.api.config.use(autoRetry({ rethrowInternalServerErrors: true }));
    fake.failNext("sendMessage", { status: 502 }, 2);
    await expect(retrying.api.sendMessage(alice.id, "x")).rejects.toMatchObject({ error_code: 502, description: "Bad Gateway" });
    await expect(retrying.api.sendMessage(alice.id, "x")).rejects.toMatchObject({ error_code: 502 });

    await bot.api.sendMessage(alice.id, "fine again");
    expect(fake.sentTo(alice.id).map((sent) => sent.text)).toEqual(["fine again"]);
  });

  it("posts updates to grammY's webhookCallback with the right, a wrong or no secret token", async () => {
    const bot = newBot();
    bot.on("message:text", (ctx) => ctx.reply(`got ${ctx.message.text}`));
    const url = await webhookServer(bot, "s3cret");
    const update = (updateId: number, text: string): Update => ({
      update_id: updateId,
      ...fake.textMessage({ from: alice, text }),
    });

    expect(await FakeBotApi.deliverWebhook(url, update(1, "hello"), "s3cret")).toBe(200);
    expect(fake.sentTo(alice.id).map((sent) => sent.text)).toEqual(["got hello"]);

    expect(await FakeBotApi.deliverWebhook(url, update(2, "wrong"), "guess")).toBe(401);
    expect(await FakeBotApi.deliverWebhook(url, update(3, "missing"))).toBe(401);
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
  });

  it("delivers to the webhook set with setWebhook, runs webhook replies and reports a refused delivery", async () => {
    const bot = newBot(fake.token, { canUseWebhookReply: (method) => method === "sendMessage" });
    bot.on("message:text", (ctx) => ctx.reply(`got ${ctx.message.text}`));
    const url = await webhookServer(bot, "s3cret");

    expect(await bot.api.setWebhook(url, { secret_token: "s3cret" })).toBe(true);
    expect(fake.webhookInfo()).toEqual({ url, secretToken: "s3cret" });
    expect(fake.callsOf("setWebhook")[0]?.response).toEqual({ ok: true, result: true, description: "Webhook was set" });
    expect(await bot.api.getWebhookInfo()).toMatchObject({ url, pending_update_count: 0 });
    await expect(bot.api.getUpdates()).rejects.toMatchObject({ error_code: 409, description: CONFLICT_WEBHOOK });

    fake.pushUpdate(fake.textMessage({ from: alice, text: "via webhook" }));
    await fake.waitFor((calls) => sendMessageCount(calls) === 1);
    expect(fake.callsOf("sendMessage")[0]?.via).toBe("webhook-reply");
    expect(fake.sentTo(alice.id).map((sent) => sent.text)).toEqual(["got via webhook"]);
    expect(fake.pendingUpdates()).toEqual([]);

    await bot.api.setWebhook(url, { secret_token: "changed" });
    const refused = fake.pushUpdate(fake.textMessage({ from: alice, text: "lost?" }));
    await fake.waitFor(() => fake.deliveries.some((delivery) => delivery.status === 401));
    expect(await bot.api.getWebhookInfo()).toMatchObject({
      pending_update_count: 1,
      last_error_message: "Wrong response from the webhook: 401 Unauthorized",
    });

    await bot.api.deleteWebhook();
    expect(fake.webhookInfo()).toBeUndefined();
    expect(ids(await bot.api.getUpdates())).toEqual([refused.update_id]); // kept for polling
  });

  it("rejects too long texts, bad HTML and long callback_data with Telegram's descriptions", async () => {
    const bot = newBot();
    const rejects = (promise: Promise<unknown>, description: string) =>
      expect(promise).rejects.toMatchObject({ error_code: 400, description });

    await rejects(bot.api.sendMessage(alice.id, "x".repeat(4097)), "Bad Request: message is too long");
    await bot.api.sendMessage(alice.id, "x".repeat(4096));
    await bot.api.sendMessage(alice.id, `<b>${"x".repeat(4096)}</b>`, { parse_mode: "HTML" }); // tags not counted
    await rejects(
      bot.api.sendMessage(alice.id, `<b>${"x".repeat(4094)}</b>&lt;&gt;!`, { parse_mode: "HTML" }),
      "Bad Request: message is too long",
    );
    await rejects(bot.api.sendMessage(alice.id, "  \n "), "Bad Request: message text is empty");

    await rejects(
      bot.api.sendMessage(alice.id, "<b>bold", { parse_mode: "HTML" }),
      `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
    );
    await rejects(
      bot.api.sendMessage(alice.id, "<marquee>hi</marquee>", { parse_mode: "HTML" }),
      `Bad Request: can't parse entities: Unsupported start tag "marquee" at byte offset 0`,
    );
    await rejects(
      bot.api.sendMessage(alice.id, "é <b>x</i>", { parse_mode: "HTML" }),
      `Bad Request: can't parse entities: Unmatched end tag at byte offset 7, expected "</b>", found "</i>"`,
    );
    await rejects(
      bot.api.sendMessage(alice.id, "1 < 2", { parse_mode: "HTML" }),
      `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`,
    );
    await rejects(
      bot.api.sendMessage(alice.id, "done</b>", { parse_mode: "HTML" }),
      "Bad Request: can't parse entities: Unexpected end tag at byte offset 4",
    );
    // "<" unescaped is fine without parse_mode
    expect((await bot.api.sendMessage(alice.id, "1 < 2")).text).toBe("1 < 2");

    const html = await bot.api.sendMessage(
      alice.id,
      `<b>Urgent</b> ticket &lt;42&gt; <a href="https://example.com/t/42">open</a> <span class="tg-spoiler">x</span>`,
      { parse_mode: "HTML" },
    );
    expect(html.text).toBe("Urgent ticket <42> open x");
    expect(html.entities).toEqual([
      { type: "bold", offset: 0, length: 6 },
      { type: "text_link", offset: 19, length: 4, url: "https://example.com/t/42" },
      { type: "spoiler", offset: 24, length: 1 },
    ]);

    await bot.api.sendMessage(alice.id, "ok", { reply_markup: new InlineKeyboard().text("ok", "x".repeat(64)) });
    await rejects(
      bot.api.sendMessage(alice.id, "no", { reply_markup: new InlineKeyboard().text("no", "x".repeat(65)) }),
      "Bad Request: BUTTON_DATA_INVALID",
    );
    await rejects(
      bot.api.sendMessage(alice.id, "bytes", { reply_markup: new InlineKeyboard().text("no", "é".repeat(33)) }),
      "Bad Request: BUTTON_DATA_INVALID",
    );
  });

  it("refuses lone surrogates and finds mentions as Telegram does, except inside code and links", async () => {
    const bot = newBot();
    const rejects = (promise: Promise<unknown>, description: string) =>
      expect(promise).rejects.toMatchObject({ error_code: 400, description });
    await rejects(bot.api.sendMessage(alice.id, "cut \ud83d"), "Bad Request: text must be encoded in UTF-8");
    await rejects(
      bot.api.sendMessage(alice.id, "&#55357; alone", { parse_mode: "HTML" }),
      "Bad Request: can't parse entities: Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units",
    );
    const plain = await bot.api.sendMessage(alice.id, "ping @boss, mail a@b.co, @x, 张@boss @boss张");
    expect(plain.entities).toEqual([{ type: "mention", offset: 5, length: 5 }]);
    const html = await bot.api.sendMessage(alice.id, '<b>@boss</b> <code>@boss</code> <a href="tg://user?id=1">@boss</a>', { parse_mode: "HTML" });
    expect(html.entities).toEqual([
      { type: "bold", offset: 0, length: 5 },
      { type: "mention", offset: 0, length: 5 },
      { type: "code", offset: 6, length: 5 },
      { type: "text_link", offset: 12, length: 5, url: "tg://user?id=1" },
    ]);
  });

  it("edits sent messages like Telegram: not modified, not found, keyboard replaced or removed", async () => {
    const bot = newBot();
    const keyboard = new InlineKeyboard().text("Take", "take:7");
    const sent = await bot.api.sendMessage(alice.id, "Ticket <b>#7</b>", { parse_mode: "HTML", reply_markup: keyboard });
    expect(sent).toMatchObject({
      chat: { id: alice.id, type: "private" },
      from: { id: fake.botInfo.id, is_bot: true, username: "test_bot" },
      text: "Ticket #7",
      entities: [{ type: "bold", offset: 7, length: 2 }],
      reply_markup: { inline_keyboard: [[{ text: "Take", callback_data: "take:7" }]] },
    });
    expect(typeof sent.date).toBe("number");
    const next = await bot.api.sendMessage(alice.id, "next");
    expect(next.message_id).toBeGreaterThan(sent.message_id);

    const notModified =
      "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
    await expect(
      bot.api.editMessageText(alice.id, sent.message_id, "Ticket <b>#7</b>", { parse_mode: "HTML", reply_markup: keyboard }),
    ).rejects.toMatchObject({ error_code: 400, description: notModified });
    await expect(bot.api.editMessageText(alice.id, 9999, "x")).rejects.toMatchObject({
      description: "Bad Request: message to edit not found",
    });

    const withKeyboard = await bot.api.editMessageText(alice.id, sent.message_id, "Ticket #7: taken by Bob", {
      reply_markup: new InlineKeyboard().text("Close", "close:7"),
    });
    expect(withKeyboard).toMatchObject({ text: "Ticket #7: taken by Bob", edit_date: expect.any(Number) });
    await expect(
      bot.api.editMessageReplyMarkup(alice.id, sent.message_id, { reply_markup: new InlineKeyboard().text("Close", "close:7") }),
    ).rejects.toMatchObject({ description: notModified });
    const removed = await bot.api.editMessageReplyMarkup(alice.id, sent.message_id);
    expect(removed).toMatchObject({ text: "Ticket #7: taken by Bob" });
    expect((removed as { reply_markup?: unknown }).reply_markup).toBeUndefined();

    const [ticket] = fake.sentTo(alice.id);
    expect(ticket).toMatchObject({ text: "Ticket #7: taken by Bob", rawText: "Ticket #7: taken by Bob" });
    expect(ticket?.versions).toEqual(["Ticket #7", "Ticket #7: taken by Bob"]);

    await bot.api.deleteMessage(alice.id, next.message_id);
    expect(fake.sentTo(alice.id).map((message) => message.messageId)).toEqual([sent.message_id]);
    await expect(bot.api.editMessageText(alice.id, next.message_id, "gone")).rejects.toMatchObject({
      description: "Bad Request: message to edit not found",
    });
  });

  it("replies to known messages and answers each callback query once", async () => {
    const bot = newBot();
    const incoming = fake.pushUpdate(fake.textMessage({ from: alice, text: "/report@test_bot now" }));
    expect(incoming.message?.entities).toEqual([{ type: "bot_command", offset: 0, length: 16 }]);
    const reply = await bot.api.sendMessage(alice.id, "Which car?", {
      reply_parameters: { message_id: incoming.message!.message_id },
    });
    expect(reply.reply_to_message).toMatchObject({ message_id: incoming.message!.message_id, text: "/report@test_bot now" });
    await expect(bot.api.sendMessage(alice.id, "?", { reply_parameters: { message_id: 424242 } })).rejects.toMatchObject({
      description: "Bad Request: message to be replied not found",
    });

    const userReply = fake.pushUpdate(
      fake.textMessage({ from: alice, text: "The blue one", replyToMessageId: reply.message_id }),
    );
    expect(userReply.message?.reply_to_message).toMatchObject({ message_id: reply.message_id, text: "Which car?" });

    const group = fake.pushUpdate(
      fake.textMessage({ from: bob, chat: { id: -100777, type: "supergroup", title: "Leads" }, text: "hi" }),
    );
    expect(group.message?.chat).toEqual({ id: -100777, type: "supergroup", title: "Leads" });
    expect((await bot.api.sendMessage(-100777, "hello leads")).chat).toMatchObject({ title: "Leads" });
    expect((await bot.api.sendMessage(-100888, "unknown chats are fine")).chat.id).toBe(-100888);

    const press = fake.pushUpdate(fake.callbackQuery({ from: alice, message: reply, data: "car:blue" }));
    const queryId = press.callback_query!.id;
    expect(press.callback_query?.message).toMatchObject({ message_id: reply.message_id, text: "Which car?" });
    expect(await bot.api.answerCallbackQuery(queryId)).toBe(true);
    const invalid = "Bad Request: query is too old and response timeout expired or query ID is invalid";
    await expect(bot.api.answerCallbackQuery(queryId)).rejects.toMatchObject({ description: invalid });
    await expect(bot.api.answerCallbackQuery("123")).rejects.toMatchObject({ description: invalid });
  });

  it("serves getFile and the file download for photos and documents, sent or uploaded", async () => {
    const bot = newBot();
    bot.on("message:photo", async (ctx) => {
      const file = await ctx.getFile();
      const download = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
      const bytes = Buffer.from(await download.arrayBuffer());
      await ctx.reply(`${file.file_path} ${download.headers.get("content-type")} ${bytes.toString("utf8")}`);
    });
    await bot.handleUpdate(fake.pushUpdate(fake.photoMessage({ from: alice, bytes: "JPEG-DATA", caption: "dent" })));
    expect(fake.lastSentTo(alice.id)?.text).toMatch(/^photos\/file_\d+\.jpg image\/jpeg JPEG-DATA$/);

    const doc = fake.pushUpdate(fake.documentMessage({ from: alice, fileName: "invoice.pdf", bytes: "%PDF-1.7" }));
    const docFile = await bot.api.getFile(doc.message!.document!.file_id);
    expect(docFile.file_path).toMatch(/^documents\/file_\d+\.pdf$/);
    expect(doc.message?.document).toMatchObject({ file_name: "invoice.pdf", mime_type: "application/pdf", file_size: 8 });

    const huge = fake.pushUpdate(fake.documentMessage({ from: alice, fileName: "log.zip", fileSize: 30 * 1024 * 1024 }));
    await expect(bot.api.getFile(huge.message!.document!.file_id)).rejects.toMatchObject({
      description: "Bad Request: file is too big",
    });
    await expect(bot.api.getFile("nope")).rejects.toMatchObject({ description: "Bad Request: invalid file_id" });
    expect((await fetch(`${fake.apiRoot}/file/bot${fake.token}/photos/none.jpg`)).status).toBe(404);

    // Uploads go as multipart/form-data; their parameters are decoded as Telegram does.
    const sent = await bot.api.sendDocument(alice.id, new InputFile(Buffer.from("hello report"), "report.txt"), {
      caption: "<i>Report</i>",
      parse_mode: "HTML",
      reply_markup: new InlineKeyboard().text("Ack", "ack:1"),
    });
    expect(sent.document).toMatchObject({ file_name: "report.txt", mime_type: "text/plain", file_size: 12 });
    expect(sent.caption).toBe("Report");
    expect(sent.caption_entities).toEqual([{ type: "italic", offset: 0, length: 6 }]);
    const upload = fake.callsOf("sendDocument")[0]!;
    expect(upload.params.chat_id).toBe(alice.id);
    expect(upload.params.reply_markup).toEqual({ inline_keyboard: [[{ text: "Ack", callback_data: "ack:1" }]] });
    expect(upload.params.document).toBeInstanceOf(UploadedFile);
    expect((upload.params.document as UploadedFile).data.toString()).toBe("hello report");
    const uploaded = await bot.api.getFile(sent.document.file_id);
    const download = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${uploaded.file_path}`);
    expect(await download.text()).toBe("hello report");

    const photo = await bot.api.sendPhoto(alice.id, new InputFile(Buffer.from("PNGISH"), "shot.jpg"));
    expect(photo.photo.length).toBeGreaterThan(1);
    expect(fake.lastSentTo(alice.id)).toMatchObject({ kind: "photo", text: "" });
    const again = await bot.api.sendPhoto(bob.id, photo.photo.at(-1)!.file_id, { caption: "same photo" });
    expect(again.photo.at(-1)?.file_id).toBe(photo.photo.at(-1)?.file_id);
    await expect(bot.api.sendPhoto(alice.id, "not-a-file-id")).rejects.toMatchObject({
      description: "Bad Request: wrong file identifier/HTTP URL specified",
    });
    await expect(
      bot.api.sendPhoto(alice.id, new InputFile(Buffer.from("x"), "x.jpg"), { caption: "c".repeat(1025) }),
    ).rejects.toMatchObject({ description: "Bad Request: message caption is too long" });
  });

  it("keeps bot commands per scope and language", async () => {
    const bot = newBot();
    await bot.api.setMyCommands([{ command: "report", description: "Report a fault" }]);
    await bot.api.setMyCommands([{ command: "melden", description: "Störung melden" }], { language_code: "de" });
    await bot.api.setMyCommands([{ command: "queue", description: "Open tickets" }], {
      scope: { type: "chat", chat_id: -100777 },
    });
    expect(await bot.api.getMyCommands()).toEqual([{ command: "report", description: "Report a fault" }]);
    expect(await bot.api.getMyCommands({ language_code: "de" })).toEqual([{ command: "melden", description: "Störung melden" }]);
    expect(fake.myCommands({ type: "chat", chat_id: -100777 })).toEqual([{ command: "queue", description: "Open tickets" }]);
    await expect(bot.api.setMyCommands([{ command: "Report", description: "x" }])).rejects.toMatchObject({
      description: "Bad Request: BOT_COMMAND_INVALID",
    });
    expect(await bot.api.deleteMyCommands()).toBe(true);
    expect(await bot.api.getMyCommands()).toEqual([]);
  });

  it("lets a test stub other methods, and waitFor explains what it saw when it gives up", async () => {
    const bot = newBot();
    fake.stub("getChat", (params) => ({ id: params.chat_id, type: "private", first_name: "Alice" }));
    expect(await bot.api.getChat(alice.id)).toEqual({ id: alice.id, type: "private", first_name: "Alice" });
    fake.failNext("sendMessage", { status: 403, description: "Forbidden: bot was blocked by the user" });
    await expect(bot.api.sendMessage(alice.id, "hi")).rejects.toMatchObject({ error_code: 403 });
    await bot.api.sendMessage(alice.id, "only this");

    const error = await fake.waitFor((calls) => calls.some((call) => call.method === "deleteMessage"), 50).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toContain("condition not met within 50 ms");
    expect(error?.message).toContain("sendMessage {\"chat_id\":1001,\"text\":\"hi\"} → 403 Forbidden: bot was blocked by the user");
    expect(error?.message).toContain("sendMessage {\"chat_id\":1001,\"text\":\"only this\"} → ok");
  });
});
