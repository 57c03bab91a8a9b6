import { Buffer } from "node:buffer";
import { createCipheriv, randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapterDeps } from "../../bot/adapter-deps.js";
import type { App } from "../../bot/app.js";
import { createHttpServer } from "../../bot/http/server.js";
import { MARKDOWN_MAX_BYTES, TEXT_MAX_BYTES } from "../../bot/wecom/render-wecom.js";
import { WECOM_CALLBACK_PATH, WecomAdapter } from "../../bot/wecom/wecom-adapter.js";
import { cdata, WecomCrypto } from "../../bot/wecom/wecom-crypto.js";
import type { Sender } from "../../jobs/delivery-queue.js";
import { encryptedCallback, eventXml, FakeWecomApi, textMessageXml, urlVerificationQuery } from "../fakes/wecom-api.js";
import { eventually } from "../support/eventually.js";
import { writeOrganisationFile, withoutConfirmation } from "../support/organisation.js";
import { TEST_REDIS_URL } from "../support/redis.js";
import { LEVEL1_FAULT } from "../support/report-script.js";
import { freshDatabaseFile, startTestApp } from "../support/test-app.js";

/*
 * Hostile callbacks through the real route: the HTTP server with the WeCom adapter's routes on the
 * real app (SQLite, Redis queues) against the fake WeCom API. Whatever arrives, the answer is 200 or
 * a 4xx, at once, and whatever the app then sends WeCom is within its limits, well-formed, and
 * carries no mention or link that user text wrote.
 */

const SEED = 20261126;
const silent = pino({ level: "silent" });
const CORP_ID = "ww1436e0e65a779aee";
const AGENT_ID = 1000002;
const TOKEN = "hotlineToken42";
const KEY = Buffer.alloc(32, 7);
const AES_KEY = KEY.toString("base64").slice(0, 43);
const AFTER_SALES_ROBOT = "robot-key-after-sales";
const QA_ROBOT = "robot-key-qa";
/** The lead each robot's group may be mentioned for: the renderer's mentions, and no other. */
const LEAD_OF_ROBOT: Record<string, string> = { [AFTER_SALES_ROBOT]: "zhoumin", [QA_ROBOT]: "chenjie" };
/** A request is answered within this; the handler reads, checks and queues, nothing slow. */
const PROMPT_MS = 2_000;
/** How long the adapter here waits for a body (10 s in production). */
const BODY_TIMEOUT_MS = 500;

const crypto = new WecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, corpId: CORP_ID });
const otherCorp = new WecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, corpId: "wwSomeOtherCorp" });

let wecom: FakeWecomApi;
let app: App;
let send: Sender;
let port: number;
const cleanups: (() => unknown)[] = [];
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

beforeAll(async () => {
  const db = freshDatabaseFile();
  cleanups.push(db.cleanup);
  wecom = await FakeWecomApi.start({ corpId: CORP_ID, corpSecret: "s3cret", agentId: AGENT_ID, robotKeys: [AFTER_SALES_ROBOT, QA_ROBOT] });
  cleanups.push(() => wecom.close());
  const orgFile = writeOrganisationFile(db.file.replace(/hotline\.db$/, ""), (org) => {
    withoutConfirmation(org);
    org.departments.find((d: { id: string }) => d.id === "after_sales").wecomRobotKey = AFTER_SALES_ROBOT;
    org.departments.find((d: { id: string }) => d.id === "quality_assurance").wecomRobotKey = QA_ROBOT;
  });
  app = await startTestApp(db.file, { now: new Date("2026-11-26T02:00:00Z") }, { ORG_CONFIG: orgFile });
  const adapter = new WecomAdapter(adapterDeps(app), {
    corpId: CORP_ID,
    agentId: AGENT_ID,
    secret: "s3cret",
    token: TOKEN,
    encodingAesKey: AES_KEY,
    apiBase: wecom.baseUrl,
    bodyTimeoutMs: BODY_TIMEOUT_MS,
    environment: process.env,
    log: silent,
  });
  send = adapter.send;
  await adapter.start();
  const server = createHttpServer({ db: app.db, redisUrl: TEST_REDIS_URL }, adapter.routes()).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
  cleanups.push(async () => {
    agent.destroy();
    server.close();
    server.closeAllConnections();
    await adapter.stop();
    await app.close();
  });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// ---- requests ----

interface HostileRequest {
  kind: string;
  method: "GET" | "POST";
  /** The request target as sent, query included. */
  path: string;
  body?: string | Buffer;
  /** The status it must get: one code, or any of a list. */
  expected: number[];
}

const FOUR_XX = [400, 401, 403, 408, 413];
const OK_OR_4XX = [200, ...FOUR_XX];

/** One request over a raw socket: any request target, any bytes. */
function fire(req: HostileRequest): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", port, method: req.method, path: req.path, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - started }));
    });
    outgoing.on("error", reject);
    outgoing.end(req.body);
  });
}

/** A POST whose body comes in `chunks`, with or without a declared length, and is ended or left hanging. */
function stream(path: string, options: { chunks: Buffer[]; declare: boolean; hang: boolean }): Promise<{ status: number; connection: string | undefined; ms: number }> {
  const started = Date.now();
  const length = options.chunks.reduce((n, chunk) => n + chunk.length, 0);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", port, method: "POST", path, headers: options.declare ? { "content-length": options.hang ? length + 1 : length } : {} }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, ms: Date.now() - started }));
    });
    outgoing.on("error", reject);
    for (const chunk of options.chunks) outgoing.write(chunk);
    if (!options.hang) outgoing.end();
  });
}

const callback = (query: Record<string, string>) => `${WECOM_CALLBACK_PATH}?${new URLSearchParams(query)}`;

/** A POST carrying `plaintext` encrypted for `by`, signed (or with `signature` instead). */
function encryptedPost(kind: string, plaintext: string, expected: number[], options: { by?: WecomCrypto; signature?: string } = {}): HostileRequest {
  const by = options.by ?? crypto;
  const encrypted = by.encrypt(plaintext);
  const timestamp = "1764122400";
  const nonce = String(randomBytes(4).readUInt32BE());
  const query = { msg_signature: options.signature ?? by.signature(timestamp, nonce, encrypted), timestamp, nonce };
  return { kind, method: "POST", path: callback(query), body: envelope(encrypted), expected };
}

/**
 * WeCom's envelope built by hand, signed correctly: any plaintext bytes, and the padding `pad`
 * writes for the length PKCS#7 to 32 bytes would take (1 to 32).
 */
function sealedBytes(plain: Buffer, pad: (length: number) => Buffer): { query: Record<string, string>; encrypted: string } {
  const cipher = createCipheriv("aes-256-cbc", KEY, KEY.subarray(0, 16));
  cipher.setAutoPadding(false);
  const whole = Buffer.concat([plain, pad(32 - (plain.length % 32))]);
  const encrypted = Buffer.concat([cipher.update(whole), cipher.final()]).toString("base64");
  const timestamp = "1764122400";
  const nonce = "1372623149";
  return { query: { msg_signature: crypto.signature(timestamp, nonce, encrypted), timestamp, nonce }, encrypted };
}

function plaintextBytes(message: Buffer, receiveId = CORP_ID, declaredLength = message.length): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(declaredLength);
  return Buffer.concat([randomBytes(16), length, message, Buffer.from(receiveId, "utf8")]);
}

const envelope = (encrypted: string) => `<xml><ToUserName>${cdata(CORP_ID)}</ToUserName><AgentID>${cdata(String(AGENT_ID))}</AgentID><Encrypt>${cdata(encrypted)}</Encrypt></xml>`;

// ---- hostile text ----

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const HOSTILE_FRAGMENTS = [
  "<@zhoumin>", "<@chenjie>", "<@all>", "<@@all>", "@all", "<a href=\"http://evil.example\">点这里</a>", "<A HREF='javascript:alert(1)'>x</A>",
  "[点这里](http://evil.example)", "[x]( https://evil.example/a?b=c )", "![img](http://evil.example/i.png)", "**", "__", "`", "# ", "> ",
  "<font color=\"warning\">", "</font>", "$userName=zhoumin$", "]]>", "<![CDATA[", "&lt;", "&amp;", "&#x3C;", "\n", "\r\n", "\t", "\u0000",
  "😀", "👨‍👩‍👧‍👦", "🇨🇳", "𠀀", "𪚥", "𰻞", "é", "ä̈̈", "\u200b", "\u202e", "\ufeff", "发动机故障", "HL-20261126-0001",
];
const hostileFragment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: loneSurrogate },
);
/** Text a user could send: short and tricky, or long (up to the 2,000 characters a description takes). */
const hostileText = fc.oneof(
  { weight: 5, arbitrary: fc.array(hostileFragment, { maxLength: 24 }).map((parts) => parts.join("")) },
  // Long: over a markdown message's 4,096 bytes (a description takes 2,000 characters).
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("😀", "𠀀", "发", "👨‍👩‍👧‍👦", "<@zhoumin>", "[点](http://e.x)", "é"), fc.integer({ min: 1_400, max: 1_990 })).map(([unit, n]) => [...unit.repeat(n)].slice(0, n).join("")) },
);

// ---- the hostile request kinds ----

const randomQuery = fc.oneof(
  fc.constant({}),
  fc.record({ msg_signature: fc.string(), timestamp: fc.string(), nonce: fc.string() }),
  fc.record({ msg_signature: fc.stringMatching(/^[0-9a-f]{40}$/), timestamp: fc.stringMatching(/^\d{10}$/), nonce: fc.stringMatching(/^\d{1,10}$/) }),
);

const randomBody: fc.Arbitrary<HostileRequest> = fc.tuple(randomQuery, fc.oneof(fc.string({ unit: "binary", maxLength: 400 }), fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)))).map(([query, body]) => ({
  kind: "random body",
  method: "POST",
  path: callback(query),
  body,
  expected: FOUR_XX,
}));

/** XML-ish bodies built from the pieces parsers trip on; some carry a real, signed Encrypt. */
const XML_PIECES = ["<xml>", "</xml>", "<Encrypt>", "</Encrypt>", "<![CDATA[", "]]>", "<ToUserName>", "</ToUserName>", "&lt;", "&amp;", "&bogus;", "&#0;", "<!--", "-->", "<?xml version=\"1.0\"?>", "<!DOCTYPE xml [<!ENTITY e \"<Encrypt>x</Encrypt>\">]>", "&e;", "<Encrypt/>", "<Encrypt a=\"b\">", "<", ">", "/", "=", "AAAA", "\n", "<__proto__>", "</__proto__>", "<constructor>", "</constructor>"];
const malformedXml: fc.Arbitrary<HostileRequest> = fc
  .tuple(fc.array(fc.oneof(fc.constantFrom(...XML_PIECES), fc.string({ maxLength: 6 })), { maxLength: 60 }), fc.boolean())
  .map(([pieces, withRealEncrypt]) => {
    const real = encryptedCallback(crypto, textMessageXml({ toUser: CORP_ID, fromUser: "stranger01", content: "hi", agentId: AGENT_ID }));
    const body = pieces.join("") + (withRealEncrypt ? real.body : "");
    return { kind: "malformed xml", method: "POST", path: callback(real.query), body, expected: OK_OR_4XX };
  });

/** Many CDATA sections in a row, never closed: a backtracking parser takes exponential time on these. */
const repeatedCdata: fc.Arbitrary<HostileRequest> = fc.tuple(fc.integer({ min: 1, max: 60 }), fc.constantFrom("", "x", "]]")).map(([n, filler]) => ({
  kind: "repeated cdata",
  method: "POST",
  path: callback({ msg_signature: "0".repeat(40), timestamp: "1", nonce: "2" }),
  body: `<xml><Encrypt>${`<![CDATA[${filler}]]>`.repeat(n)}</Encrypt`,
  expected: FOUR_XX,
}));

const wrongSignature: fc.Arbitrary<HostileRequest> = fc
  .tuple(hostileText, fc.oneof(fc.stringMatching(/^[0-9a-f]{40}$/), fc.stringMatching(/^[0-9A-F]{40}$/), fc.string({ minLength: 1, maxLength: 80 })))
  .map(([content, signature]) => encryptedPost("wrong signature", textMessageXml({ toUser: CORP_ID, fromUser: "wangfang", content, agentId: AGENT_ID }), [401], { signature }));

const wrongCorp: fc.Arbitrary<HostileRequest> = hostileText.map((content) =>
  encryptedPost("wrong corp id", textMessageXml({ toUser: "wwSomeOtherCorp", fromUser: "wangfang", content, agentId: AGENT_ID }), [403], { by: otherCorp }),
);

/** Broken envelopes: padding that is not PKCS#7 to 32 bytes, a length past the end, bytes that are not UTF-8, not base64. */
const pkcs7 = (length: number) => Buffer.alloc(length, length);
const badEnvelope: fc.Arbitrary<HostileRequest> = fc
  .tuple(
    fc.string({ unit: "binary", maxLength: 80 }).map((xml) => Buffer.from(xml, "utf8")),
    fc.oneof(
      // The last byte says more than a block, or nothing.
      fc.constantFrom(0, 33, 64, 255).map((value) => (length: number) => Buffer.concat([pkcs7(length).subarray(1), Buffer.from([value])])),
      // The right last byte, another one wrong (a padding of 1 has no other: its last byte is made 0).
      fc.nat().map((seed) => (length: number) => {
        const pad = pkcs7(length);
        pad[length === 1 ? 0 : seed % (length - 1)] = length === 1 ? 0 : length + 1;
        return pad;
      }),
    ),
  )
  .map(([message, pad]) => ({ plain: plaintextBytes(message), pad }))
  .chain((broken) =>
    fc.oneof(
      fc.constant(broken),
      // A length past the end of what is there.
      fc.integer({ min: 1, max: 0xffffff }).map((extra) => ({ plain: plaintextBytes(Buffer.from("<xml/>"), CORP_ID, 6 + CORP_ID.length + extra), pad: pkcs7 })),
      // Bytes that are not UTF-8: a CESU surrogate, a cut sequence, a byte never used, past U+10FFFF.
      fc.constantFrom([0xed, 0xa0, 0x80], [0xc3], [0xff, 0xfe], [0xf4, 0x90, 0x80, 0x80]).map((bytes) => ({ plain: plaintextBytes(Buffer.from(bytes)), pad: pkcs7 })),
    ),
  )
  .map(({ plain, pad }) => {
    const { query, encrypted } = sealedBytes(plain, pad);
    return { kind: "bad envelope", method: "POST" as const, path: callback(query), body: envelope(encrypted), expected: [400] };
  });

const notBase64: fc.Arbitrary<HostileRequest> = fc.oneof(fc.constantFrom("", "====", "AAAA=A", "AAA", "!!!!"), fc.base64String().map((b) => `${b}*`), fc.base64String({ minLength: 4, maxLength: 40 })).map((encrypted) => {
  const timestamp = "1764122400";
  const nonce = "42";
  const query = { msg_signature: crypto.signature(timestamp, nonce, encrypted), timestamp, nonce };
  return { kind: "not an envelope", method: "POST", path: callback(query), body: envelope(encrypted), expected: [400] };
});

const USERID = fc.constantFrom("stranger01", "stranger02", "zhaoming", "qianhao", "fenggang");

/** Messages and events Hotline does not handle: answered 200 and dropped. */
const otherMessages: fc.Arbitrary<HostileRequest> = fc
  .tuple(USERID, fc.oneof(fc.constantFrom("voice", "video", "location", "link", "miniprogram", "TEXT", "text\u0000", "事件"), fc.string({ unit: "binary", minLength: 1, maxLength: 20 })), fc.constantFrom("enter_agent", "click", "view", "subscribe", "template_card_event", "change_contact", "LOCATION"), fc.option(fc.string({ maxLength: 30 })))
  .chain(([fromUser, msgType, event, eventKey]) =>
    fc.constantFrom(
      encryptedPost("unknown MsgType", `<xml><ToUserName>${cdata(CORP_ID)}</ToUserName><FromUserName>${cdata(fromUser)}</FromUserName><CreateTime>1764122400</CreateTime><MsgType>${cdata(msgType)}</MsgType><MsgId>1</MsgId></xml>`, OK_OR_4XX),
      encryptedPost("event", eventXml({ toUser: CORP_ID, fromUser, event, ...(eventKey === null ? {} : { eventKey }), agentId: AGENT_ID }), [200]),
      encryptedPost("image without media", `<xml><ToUserName>${cdata(CORP_ID)}</ToUserName><FromUserName>${cdata(fromUser)}</FromUserName><CreateTime>1764122400</CreateTime><MsgType>image</MsgType></xml>`, [200]),
    ),
  );

/** Plaintext that parses as XML but whose fields have the wrong shape, and the answer each gets. */
const message = (fields: string) => `<xml><ToUserName>${CORP_ID}</ToUserName>${fields}</xml>`;
const WRONG_SHAPES: [string, number][] = [
  ["<xml></xml>", 400],
  ["<xml><ToUserName>ww</ToUserName></xml>", 400],
  [message("<FromUserName>wangfang</FromUserName><CreateTime>yesterday</CreateTime><MsgType>text</MsgType><Content>x</Content>"), 400],
  [message("<FromUserName></FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"), 400],
  // A userid is letters, digits and _-@. only: `|` would address the reply to two members.
  [message("<FromUserName>zhoumin|chenjie</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>/help</Content>"), 400],
  [message("<FromUserName>@all</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>/help</Content>"), 400],
  [message(`<FromUserName>${"u".repeat(5_000)}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>/help</Content>`), 400],
  [message(`<FromUserName>stranger03</FromUserName><CreateTime>${"9".repeat(400)}</CreateTime><MsgType>text</MsgType><Content>/help</Content>`), 200],
  [message(`<FromUserName>stranger03</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content><b>nested</b></Content><MsgId>${"1".repeat(300)}</MsgId>`), 200],
  [message("<FromUserName><![CDATA[stranger03]]></FromUserName><FromUserName>zhoumin</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content/>"), 200],
  [`<xml><ToUserName a="1">${CORP_ID}</ToUserName><FromUserName>stranger03</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>`, 400],
  [`<xml><__proto__>x</__proto__><constructor>y</constructor><ToUserName>${CORP_ID}</ToUserName><FromUserName>stranger03</FromUserName><CreateTime>2</CreateTime><MsgType>text</MsgType><Content>hi</Content><hasOwnProperty>z</hasOwnProperty></xml>`, 200],
  [message(`<FromUserName>stranger03</FromUserName><CreateTime>3</CreateTime><MsgType>event</MsgType><Event>template_card_event</Event><EventKey>${"/ack ".repeat(400)}</EventKey>`), 200],
  ["not xml at all", 400],
  ["", 400],
];
const wrongShape: fc.Arbitrary<HostileRequest> = fc.constantFrom(...WRONG_SHAPES).map(([plaintext, status]) => encryptedPost("wrong shape", plaintext, [status]));

/** Correctly encrypted text messages whose Content is hostile, from strangers and from members. */
const hostileMessage: fc.Arbitrary<HostileRequest> = fc
  .tuple(USERID, hostileText)
  .map(([fromUser, content]) => encryptedPost("hostile text", textMessageXml({ toUser: CORP_ID, fromUser, content, agentId: AGENT_ID }), [200]));

const urlVerification: fc.Arbitrary<HostileRequest> = fc.tuple(fc.string({ unit: "binary", maxLength: 40 }), fc.boolean()).map(([echo, forged]) => {
  const query = urlVerificationQuery(crypto, echo || "1");
  return { kind: "url verification", method: "GET", path: callback(forged ? { ...query, msg_signature: "1".repeat(40) } : query), expected: forged ? [401] : [200] };
});

/** Request targets a URL parser may refuse; the server must answer them, not fall over. */
const oddTarget: fc.Arbitrary<HostileRequest> = fc.constantFrom("//a:b", "//[::1", "//a:1/wecom/callback", "/wecom/callback?%", "/wecom/callback?msg_signature=%ZZ&timestamp=%&nonce=", "//%00/wecom/callback", "/wecom/callback#x", "/wecom//callback").map((path) => ({
  kind: "odd target",
  method: "POST",
  path,
  body: "<xml/>",
  expected: [...FOUR_XX, 404],
}));

const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  { weight: 3, arbitrary: randomBody },
  { weight: 3, arbitrary: malformedXml },
  { weight: 1, arbitrary: repeatedCdata },
  { weight: 2, arbitrary: wrongSignature },
  { weight: 1, arbitrary: wrongCorp },
  { weight: 2, arbitrary: badEnvelope },
  { weight: 1, arbitrary: notBase64 },
  { weight: 2, arbitrary: otherMessages },
  { weight: 2, arbitrary: wrongShape },
  { weight: 3, arbitrary: hostileMessage },
  { weight: 1, arbitrary: urlVerification },
  { weight: 1, arbitrary: oddTarget },
);

// ---- what WeCom received ----

const bytes = (text: string) => Buffer.byteLength(text, "utf8");
/** Valid UTF-8 once sent: no lone surrogate, which would go out as U+FFFD or be refused. */
const wellFormed = (text: string) => !/\p{Cs}/u.test(text);
const MARKDOWN_LINK = /\[[^\]\n]*\]\([^)\n]*\)/;

/** Every message WeCom was sent, with its limit. */
function everythingSent(): { where: string; msgtype: string; content: string; limit: number }[] {
  return [
    ...wecom.appMessages().filter((m) => m.msgtype === "text").map((m) => ({ where: `app message to ${m.touser.join("|")}`, msgtype: m.msgtype, content: m.content, limit: TEXT_MAX_BYTES })),
    ...[AFTER_SALES_ROBOT, QA_ROBOT].flatMap((key) => wecom.robotMessages(key).map((m) => ({ where: `robot ${key}`, msgtype: m.msgtype, content: m.content, limit: m.msgtype === "markdown" ? MARKDOWN_MAX_BYTES : TEXT_MAX_BYTES }))),
    ...wecom.chats().flatMap((chat) => chat.messages.map((m) => ({ where: `chat ${chat.chatid}`, msgtype: m.msgtype, content: m.content, limit: TEXT_MAX_BYTES }))),
  ];
}

function expectWithinWecomLimits(): void {
  for (const sent of everythingSent()) {
    expect(bytes(sent.content), sent.where).toBeLessThanOrEqual(sent.limit);
    expect(sent.content.length, sent.where).toBeGreaterThan(0);
    expect(wellFormed(sent.content), `${sent.where}: ${JSON.stringify(sent.content.slice(0, 80))}`).toBe(true);
    // Text messages render <a href> as a link; nothing the app sends may carry one.
    if (sent.msgtype === "text") expect(sent.content, sent.where).not.toMatch(/<\/?a[\s>]/i);
  }
}

/** Markdown in a department's group: the lead's mention, as the renderer writes it, and no other markup from user text. */
function expectOnlyRendererMarkup(key: string, content: string): void {
  const mentions = content.match(/<@[^>]*>/g) ?? [];
  expect(mentions.every((m) => m === `<@${LEAD_OF_ROBOT[key]}>`), content).toBe(true);
  expect(content.split("<@").length - 1, "a broken or extra mention").toBe(mentions.length);
  expect(content.replace(/<@[\w.@-]+>/g, ""), "no other tag").not.toMatch(/</);
  expect(content, "no markdown link").not.toMatch(MARKDOWN_LINK);
}

const delivered = new Set<number>();

/**
 * Hands the outbox's pending WeCom messages to the adapter's sender, as the delivery queue does
 * (whose robots' 20 a minute would make a dozen reports' group messages take minutes). Replies
 * are sent by the inbound handling itself; what is left pending once it is done is notifications.
 */
async function deliverOutbox(): Promise<void> {
  const rows = await app.db.delivery.findMany({ where: { platform: "wecom", status: "pending", kind: "message" }, orderBy: { id: "asc" } });
  for (const row of rows.filter((r) => !delivered.has(r.id))) {
    delivered.add(row.id);
    await send({ deliveryId: row.id, mayHaveArrived: false, recipient: JSON.parse(row.recipient), card: JSON.parse(row.payload), ticketId: row.ticketId, view: null });
  }
}

/** Every callback taken has been handled: the inbound queue keeps a request until then. */
async function inboundDrained(): Promise<void> {
  await eventually(async () => (await app.db.inboundRequest.count({ where: { queue: "inbound-wecom" } })) === 0, () => "the inbound queue did not drain", 60_000);
}

describe("hostile WeCom callbacks through the real route", () => {
  it("answers every hostile request with 200 or the refusal it deserves, at once, and sends WeCom only what fits", async () => {
    const statuses = new Map<string, Set<number>>();
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (req) => {
        const { status, ms } = await fire(req);
        statuses.set(req.kind, (statuses.get(req.kind) ?? new Set()).add(status));
        expect(req.expected, `${req.kind}: ${req.method} ${req.path.slice(0, 120)} answered ${status}`).toContain(status);
        expect(ms, `${req.kind} took ${ms} ms`).toBeLessThan(PROMPT_MS);
      }),
      { seed: SEED, numRuns: 2_500 },
    );
    // Each kind was tried, and the accepted ones had their effect: replies went out.
    expect(statuses.size).toBe(14);
    await inboundDrained();
    await deliverOutbox();
    expect(wecom.appMessages().length).toBeGreaterThan(100);
    expectWithinWecomLimits();
  });

  it("escalates reports written in hostile text into the groups with the leads' mentions only, no links, every piece within its limit", async () => {
    const answerable = (text: string) => `故障描述：${text}`.trim();
    let splitCards = 0;
    await fc.assert(
      fc.asyncProperty(hostileText, fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }), fc.constantFrom("<@zhoumin>", "[张](http://evil.example)", "**王**", "<a href=\"http://e.x\">李</a>", "𠀀先生"), async (description, name, nameTrick) => {
        const before = { afterSales: wecom.robotMessages(AFTER_SALES_ROBOT).length, qa: wecom.robotMessages(QA_ROBOT).length, tickets: await app.db.ticket.count() };
        const customerName = `${nameTrick}${name}`.trim().slice(0, 40);
        const script = [...LEVEL1_FAULT.slice(0, 6), answerable(description), LEVEL1_FAULT[7]!, customerName, ...LEVEL1_FAULT.slice(9), "1"];
        for (const content of script) {
          const req = encryptedPost("report", textMessageXml({ toUser: CORP_ID, fromUser: "wangfang", content, agentId: AGENT_ID }), [200]);
          expect((await fire(req)).status).toBe(200);
        }
        await inboundDrained();
        expect(await app.db.ticket.count(), wecom.describeCalls(wecom.allCalls().slice(-3))).toBe(before.tickets + 1);
        const ticket = await app.db.ticket.findFirst({ orderBy: { id: "desc" } });
        // Nothing was lost on the way in: the description is the text sent, less what U+FFFD replaced.
        expect(ticket!.description).toBe(Buffer.from(answerable(description), "utf8").toString("utf8").trim());
        await deliverOutbox();
        for (const [key, seen] of [[AFTER_SALES_ROBOT, before.afterSales], [QA_ROBOT, before.qa]] as const) {
          const pieces = wecom.robotMessages(key).slice(seen);
          if (pieces.length > 1) splitCards++;
          for (const piece of pieces) {
            expect(piece.msgtype).toBe("markdown");
            expectOnlyRendererMarkup(key, piece.content);
          }
          // The lead is mentioned once per card, however it was split.
          expect(pieces.map((p) => p.content).join("\n").split(`<@${LEAD_OF_ROBOT[key]}>`).length - 1, JSON.stringify(pieces.map((p) => p.content))).toBe(1);
        }
      }),
      { seed: SEED, numRuns: 30 },
    );
    // The runs did what they are for: long cards were split, links and tags were sent quoted.
    expect(splitCards).toBeGreaterThan(0);
    expect([AFTER_SALES_ROBOT, QA_ROBOT].some((key) => wecom.robotMessages(key).some((m) => m.content.includes("［") && m.content.includes("＜@")))).toBe(true);
    expect(wecom.appMessages().some((m) => m.content.includes("＜a href"))).toBe(true);
    expectWithinWecomLimits();
  });

  it("answers an oversized body 413 and a body that does not arrive 408, in time, while serving others", async () => {
    const signed = encryptedPost("oversized", textMessageXml({ toUser: CORP_ID, fromUser: "stranger01", content: "/help", agentId: AGENT_ID }), [200]).path;
    await fc.assert(
      fc.asyncProperty(
        fc.record({ size: fc.integer({ min: 1024 * 1024 + 1, max: 3 * 1024 * 1024 }), pieces: fc.integer({ min: 1, max: 40 }), declare: fc.boolean(), hang: fc.boolean() }),
        async ({ size, pieces, declare, hang }) => {
          const piece = Math.ceil(size / pieces);
          const chunks = Array.from({ length: pieces }, (_, i) => Buffer.alloc(Math.max(0, Math.min(piece, size - i * piece)), "<"));
          const answer = await stream(signed, { chunks, declare, hang });
          expect(answer.status).toBe(413);
          // Still arriving when refused: the connection is closed, the sender cannot hold it.
          if (hang) expect(answer.connection).toBe("close");
          expect(answer.ms).toBeLessThan(BODY_TIMEOUT_MS + PROMPT_MS);
        },
      ),
      { seed: SEED, numRuns: 12 },
    );
    // Slow senders, some with a length declared: each refused once its time is up, and a message meanwhile handled at once.
    const slow = Array.from({ length: 6 }, (_, i) => stream(signed, { chunks: [Buffer.from("<xml><Encrypt>")], declare: i % 2 === 0, hang: true }));
    const meanwhile = await fire(encryptedPost("meanwhile", textMessageXml({ toUser: CORP_ID, fromUser: "stranger02", content: "/help", agentId: AGENT_ID }), [200]));
    expect(meanwhile.status).toBe(200);
    expect(meanwhile.ms).toBeLessThan(BODY_TIMEOUT_MS);
    for (const answer of await Promise.all(slow)) {
      expect(answer).toMatchObject({ status: 408, connection: "close" });
      expect(answer.ms).toBeLessThan(BODY_TIMEOUT_MS + PROMPT_MS);
    }
  });
});

