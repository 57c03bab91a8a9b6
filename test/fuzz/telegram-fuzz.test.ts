import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { pino } from "pino";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapterDeps } from "../../bot/adapter-deps.js";
import type { App } from "../../bot/app.js";
import { createHttpServer } from "../../bot/http/server.js";
import { MAX_MESSAGE_LENGTH } from "../../bot/telegram/render-telegram.js";
import { TelegramAdapter } from "../../bot/telegram/telegram-adapter.js";
import { DeliveryQueue } from "../../jobs/delivery-queue.js";
import { FakeBotApi, formatText, type FakeChat, type FakeUser, type RecordedCall } from "../fakes/telegram-bot-api.js";
import { rawDefaultOrganisation, writeOrganisationFile, withoutConfirmation } from "../support/organisation.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";
import { freshDatabaseFile, startTestApp } from "../support/test-app.js";

/**
 * Hostile input through the real webhook route on the real HTTP server, the real adapter and app,
 * against the fake Bot API (which parses HTML as Telegram does and refuses what Telegram refuses).
 * Seeded, so a failure replays; fast-check prints the shrunk input.
 */
const SEED = 20261126;
const SECRET = "fuzz-secret_1";
const WANG: FakeUser = { id: 200000001, first_name: "王芳" }; // a service-center member
const MA: FakeUser = { id: 200000002, first_name: "马骏" };
const ZHOU: FakeUser = { id: 100000001, first_name: "周敏" }; // the after-sales lead
const STRANGER: FakeUser = { id: 999, first_name: "Mallory", username: "mallory" };
const HOSTILE_NAMED: FakeUser = { id: 998, first_name: '<a href="tg://user?id=100000001">周敏</a>', username: "zhou_min" };
const GROUP: FakeChat = { id: -1001234567890, type: "supergroup", title: "<b>沈阳</b> & 售后" };
const ESCALATION_GROUP = -100200300;
/** Only in what users type: no log line may contain it. */
const CUSTOMER_PHONE = "13912345678";

let fake: FakeBotApi;
let app: App;
let dispatcher: DeliveryQueue;
let url: string;
const logLines: string[] = [];
const cleanups: (() => unknown)[] = [];
let nextUpdateId = 1;
/** Telegram user ids of the organisation's members: the only users the bot may link. */
let memberTelegramIds: Set<string>;

beforeAll(async () => {
  const prefix = uniquePrefix();
  cleanups.push(() => deleteKeys(prefix));
  const db = freshDatabaseFile();
  cleanups.push(db.cleanup);
  const orgFile = writeOrganisationFile(db.file.replace(/hotline\.db$/, ""), (org) => {
    withoutConfirmation(org);
    org.members.find((m: { id: string }) => m.id === "zhou.min").preferredPlatform = "telegram";
    org.channels.push({
      id: "tg-escalations",
      name: { zh: "售后升级群", en: "After-sales escalations" },
      platform: "telegram",
      externalId: String(ESCALATION_GROUP),
      purpose: "escalation",
      levels: ["level1", "level2"],
    });
  });
  memberTelegramIds = new Set(rawDefaultOrganisation().members.flatMap((m: { identities?: { telegram?: string } }) => m.identities?.telegram ?? []));
  fake = await FakeBotApi.start();
  cleanups.push(() => fake.close());
  app = await startTestApp(db.file, { now: new Date("2026-11-26T02:00:00Z") }, { ORG_CONFIG: orgFile });
  const log = pino({ level: "debug" }, { write: (line: string) => void logLines.push(line) });
  const adapter = new TelegramAdapter(adapterDeps(app), {
    token: fake.token,
    apiRoot: fake.apiRoot,
    botInfo: fake.botInfo,
    webhookSecret: SECRET,
    onNotifications: () => dispatcher.kick(),
    log,
  });
  dispatcher = new DeliveryQueue(app.outbox, { telegram: adapter.send }, { files: app.outboundFiles, redisUrl: TEST_REDIS_URL, prefix, log });
  dispatcher.start(200);
  await adapter.start();
  const server: Server = createHttpServer({ db: app.db, redisUrl: TEST_REDIS_URL }, adapter.webhookRoute());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram/webhook`;
  cleanups.push(async () => {
    await dispatcher.idle(2_000);
    await dispatcher.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close();
  });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** POSTs a body as Telegram does (undici's request: a fifth of fetch's cost a call); fails the run on any 5xx. */
async function deliver(body: string | Uint8Array, secretToken = SECRET): Promise<number> {
  const response = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secretToken },
    body,
  });
  await response.body.dump();
  expect(response.statusCode, "a 5xx makes Telegram send the update again, forever").toBeLessThan(500);
  return response.statusCode;
}

const deliverUpdate = (update: object) => deliver(JSON.stringify({ update_id: nextUpdateId++, ...update }));

// === What the bot sent: checked after every run, so a failure shrinks to its input

const MESSAGE_METHODS = ["sendMessage", "editMessageText", "sendPhoto", "sendDocument", "editMessageCaption"];
const checked = new WeakSet<RecordedCall>();
/** Calls and log lines before these are checked already (a call is checked once answered). */
let callsChecked = 0;
let linesChecked = 0;

/** Every message the bot sent or edited since the last check: accepted, under the limit, linking only members. */
function expectBotOutputSound(): void {
  const calls = fake.calls; // every call but getUpdates, in arrival order
  for (let i = callsChecked; i < calls.length; i += 1) {
    const call = calls[i]!;
    if (checked.has(call) || call.response === undefined || !MESSAGE_METHODS.includes(call.method)) continue;
    checked.add(call);
    expectMessageSound(call.method, call.params, call.response);
  }
  while (callsChecked < calls.length && calls[callsChecked]!.response !== undefined) callsChecked += 1; // a pending call is looked at again
  expect(logLines.slice(linesChecked).filter((line) => line.includes(CUSTOMER_PHONE)), "a log line with what a user typed").toEqual([]);
  linesChecked = logLines.length;
}

function expectMessageSound(method: string, params: Record<string, unknown>, response: NonNullable<RecordedCall["response"]>): void {
  const shown = JSON.stringify(params).slice(0, 300);
  if (!response.ok) {
    // Editing a message that a forged update pointed at is refused for its target, not its content.
    expect(method.startsWith("edit") && response.description.includes("message to edit not found"), `${method} refused: ${response.description}: ${shown}`).toBe(true);
    return;
  }
  const kind = method === "sendMessage" || method === "editMessageText" ? "text" : "caption";
  const { text, entities } = formatText(String(params[kind] ?? ""), params.parse_mode, params.entities, kind);
  expect(text.length, shown).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
  expect(entities.filter((e) => e.type === "mention"), `a mention Telegram would notify: ${shown}`).toEqual([]);
  for (const link of entities.filter((e) => e.type === "text_link" || e.type === "text_mention")) {
    const member = /^tg:\/\/user\?id=(\d+)$/.exec((link as { url?: string }).url ?? "")?.[1];
    expect(member !== undefined && memberTelegramIds.has(member), `a link not to a member: ${JSON.stringify(link)} in ${shown}`).toBe(true);
  }
}

// === Hostile values

const HOSTILE_PIECES = [
  "<b>bold</b>",
  "<i>",
  "</a>",
  '<a href="https://evil.example/x">click</a>',
  '<a href="tg://user?id=100000001">周敏</a>',
  "&",
  "&amp;",
  "&lt;b&gt;",
  "&#55357;",
  "@zhou_min 快来",
  "@boss",
  "@",
  "a@b.co",
  "/new@other_bot",
  "/help@TEST_BOT",
  "😀",
  "𠀀",
  "👨‍👩‍👧",
  "\u200b",
  "\u202e",
  "\n",
  " ",
  `客户 ${CUSTOMER_PHONE}`,
];
const COMMANDS = ["/new", "/help", "/mine", "/cancel", "/lang en", "/lang zh", "/status", "/ack", "/take", "/note", "/ask", "/resolve", "/close", "/start"];

const hostileText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), fc.string({ unit: "grapheme", maxLength: 8 })), { maxLength: 10 }).map((p) => p.join("")),
  fc.tuple(fc.constantFrom(...COMMANDS), fc.constantFrom("", " ", "@test_bot ", "@other_bot "), fc.constantFrom("HL-20261126-0001", "HL-20261126-0001 ", ""), fc.string({ unit: "binary", maxLength: 20 })).map((p) => p.join("")),
  fc.constantFrom(...HOSTILE_PIECES),
);
const sender = fc.constantFrom(WANG, MA, ZHOU, STRANGER, HOSTILE_NAMED);
const chat = fc.constantFrom<FakeChat | undefined>(undefined, undefined, GROUP);

/** A well-formed update from a user, as JSON: the starting point of the malformed ones. */
function validUpdate(kind: "text" | "photo" | "press" | "inline", from: FakeUser, text: string, chatOf?: FakeChat): Record<string, unknown> {
  if (kind === "photo") return fake.photoMessage({ from, caption: text, ...(chatOf ? { chat: chatOf } : {}) });
  if (kind === "inline") {
    return { callback_query: { id: `inline-${nextUpdateId}`, from: { ...from, is_bot: false }, inline_message_id: `AgAAA${nextUpdateId}`, chat_instance: "-1", data: text.slice(0, 64) } };
  }
  if (kind === "press") {
    const withButtons = fake.allSent().filter((m) => !m.deleted && m.replyMarkup !== undefined);
    const question = withButtons.filter((m) => m.chatId === (chatOf?.id ?? from.id)).at(-1) ?? withButtons.at(-1);
    if (question) return fake.callbackQuery({ from, message: question, data: text.slice(0, 64) });
  }
  return fake.textMessage({ from, text, ...(chatOf ? { chat: chatOf } : {}) });
}

const updateKind = fc.constantFrom<"text" | "photo" | "press" | "inline">("text", "text", "photo", "press", "inline");

/** Every path into a JSON value, for replacing one with a value of the wrong type. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== "object" || value === null) return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([key, inner]) => pathsOf(inner, [...prefix, key]))];
}

function replaced(value: unknown, path: string[], by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path as [string, ...string[]];
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as object) };
  if (rest.length === 0 && by === undefined) delete copy[head];
  else copy[head] = replaced(copy[head], rest, by);
  return copy;
}

describe("the Telegram webhook under hostile input", () => {
  it("answers 400 to random bytes, truncated JSON, byte order marks and bytes that are not UTF-8", async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.tuple(hostileText, fc.nat()).map(([text, cut]) => {
        const json = JSON.stringify({ update_id: 1, ...validUpdate("text", WANG, text) });
        return json.slice(0, cut % json.length);
      }),
      hostileText.map((text) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ update_id: 1, ...validUpdate("text", WANG, text) }))])),
      fc.tuple(hostileText, fc.nat(), fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80])).map(([text, at, bad]) => {
        const json = Buffer.from(JSON.stringify({ update_id: 1, ...validUpdate("text", WANG, text) }));
        const i = at % json.length;
        return Buffer.concat([json.subarray(0, i), Buffer.from(bad), json.subarray(i)]);
      }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (bytes) => {
        expect(await deliver(bytes)).toBe(400);
        expectBotOutputSound();
      }),
      { seed: SEED, numRuns: 1_000 },
    );
    expect(fake.callsOf("sendMessage")).toHaveLength(0);
  });

  it("answers 200 to an update with a field of the wrong type (400 when update_id is the one), and does not crash", async () => {
    const wrongValue = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(undefined, null, "", 0, -1, 1.5, 2 ** 60, true, [], {}, "200000001", { id: "1" }, [{ file_id: 1 }]),
    );
    await fc.assert(
      fc.asyncProperty(updateKind, sender, chat, hostileText, fc.nat(), wrongValue, async (kind, from, chatOf, text, at, value) => {
        const update = { update_id: nextUpdateId++, ...validUpdate(kind, from, text, chatOf) };
        const paths = pathsOf(update).filter((path) => path.length > 0);
        const path = paths[at % paths.length]!;
        const body = replaced(update, path, value) as Record<string, unknown>;
        const status = await deliver(JSON.stringify(body));
        expect(status).toBe(Number.isSafeInteger(body.update_id) ? 200 : 400);
        expectBotOutputSound();
      }),
      { seed: SEED, numRuns: 800 },
    );
  });

  it("handles hostile text, captions and presses from members and strangers, in private and in a group", async () => {
    await fc.assert(
      fc.asyncProperty(updateKind, sender, chat, hostileText, async (kind, from, chatOf, text) => {
        expect(await deliverUpdate(validUpdate(kind, from, text, chatOf))).toBe(200);
        expectBotOutputSound();
      }),
      { seed: SEED, numRuns: 800 },
    );
    expect(fake.callsOf("sendMessage").length).toBeGreaterThan(100); // the bot did answer
  });

  it("answers 200 to texts longer than Telegram allows and 413 to bodies over 1 MiB", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 4_097, max: 2_000_000 }), fc.constantFrom("x", "😀", "<b>", "&amp;"), async (length, unit) => {
        const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
        const body = JSON.stringify({ update_id: nextUpdateId++, ...fake.textMessage({ from: WANG, text }) });
        expect(await deliver(body)).toBe(Buffer.byteLength(body) > 1024 * 1024 ? 413 : 200);
        expectBotOutputSound();
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("echoes a report's hostile description and customer name as text, with no markup, link or mention of theirs", async () => {
    const description = fc.array(fc.constantFrom(...HOSTILE_PIECES.filter((p) => !p.startsWith("&#"))), { minLength: 1, maxLength: 6 }).map((p) => `制动失灵 ${p.join(" ")}`);
    const name = fc.constantFrom("<b>张</b>", "@zhou_min", '<a href="tg://user?id=1">张</a>', "张 & 李", "😀张先生");
    await fc.assert(
      fc.asyncProperty(description, name, async (typedDescription, customerName) => {
        const answers: (string | { press: string })[] = [
          "/cancel",
          "/lang zh",
          "/new",
          { press: "fault" },
          { press: "service_center" },
          { press: "zhonghua" },
          "LSGPC52U6AF102554",
          "12000",
          typedDescription,
          ...["no", "none", "no", "no", "yes"].map((press) => ({ press })),
          customerName,
          CUSTOMER_PHONE,
          ...["unknown", "none", "yes"].map((press) => ({ press })),
          { press: "done" },
        ];
        const before = fake.sentTo(MA.id).length;
        for (const answer of answers) {
          if (typeof answer === "string") expect(await deliverUpdate(fake.textMessage({ from: MA, text: answer }))).toBe(200);
          else expect(await deliverUpdate(validUpdate("press", MA, answer.press))).toBe(200);
        }
        const summary = fake.sentTo(MA.id).slice(before).find((m) => m.text.includes("请确认上报内容"));
        expect(summary?.text).toContain(typedDescription.split("\n")[0]!.trim());
        expect(summary?.text).toContain(customerName);
        // Confirmed, the ticket goes to the escalation group and the leads, description and all.
        expect(await deliverUpdate(validUpdate("press", MA, "confirm"))).toBe(200);
        expect(fake.lastSentTo(MA.id)!.text).toContain("已登记工单");
        expectBotOutputSound();
      }),
      { seed: SEED, numRuns: 12 },
    );
  });

  it("leaves the bot answering, with every delivery of the outbox sound too", async () => {
    expect(await deliverUpdate(fake.textMessage({ from: WANG, text: "/help" }))).toBe(200);
    expect(fake.lastSentTo(WANG.id)!.text).toContain("/new");
    await dispatcher.idle(5_000);
    expect(fake.sentTo(ESCALATION_GROUP).length).toBeGreaterThanOrEqual(12); // every report of the run above
    expectBotOutputSound();
    expect((await fetch(url.replace("/telegram/webhook", "/healthz"))).status).toBeLessThan(500);
  });
});
