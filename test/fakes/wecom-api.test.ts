import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WecomCrypto } from "../../bot/wecom/wecom-crypto.js";
import {
  encryptedCallback,
  eventXml,
  FakeWecomApi,
  textMessageXml,
  urlVerificationQuery,
  xmlFields,
  type FakeWecomApiOptions,
  type WecomAnswer,
} from "./wecom-api.js";

const corpId = "ww5823bf96d3bd5600";
const corpSecret = "test-secret";
const agentId = 1000002;
const robotKey = "robot-key-1";

let fake: FakeWecomApi;
let extra: FakeWecomApi[];

beforeEach(async () => {
  extra = [];
  fake = await FakeWecomApi.start({ corpId, corpSecret, agentId, robotKeys: [robotKey, "robot-key-2"] });
});

afterEach(async () => {
  await fake.close();
  for (const other of extra) await other.close();
});

async function startExtra(options: FakeWecomApiOptions): Promise<FakeWecomApi> {
  const other = await FakeWecomApi.start(options);
  extra.push(other);
  return other;
}

async function get(path: string, query: Record<string, string> = {}, api = fake): Promise<WecomAnswer> {
  const response = await fetch(`${api.baseUrl}${path}?${new URLSearchParams(query)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as WecomAnswer;
}

async function post(path: string, query: Record<string, string>, body: unknown, api = fake): Promise<WecomAnswer> {
  const response = await fetch(`${api.baseUrl}${path}?${new URLSearchParams(query)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as WecomAnswer;
}

async function token(api = fake): Promise<string> {
  const answer = await get("/cgi-bin/gettoken", { corpid: api.corpId, corpsecret: api.corpSecret }, api);
  expect(answer.errcode).toBe(0);
  return answer.access_token as string;
}

const text = (touser: string, content: string) => ({ touser, msgtype: "text", agentid: agentId, text: { content } });

describe("FakeWecomApi gettoken", () => {
  it("issues a new token per call with expires_in 7200, and refuses wrong credentials", async () => {
    const first = await get("/cgi-bin/gettoken", { corpid: corpId, corpsecret: corpSecret });
    expect(first).toMatchObject({ errcode: 0, errmsg: "ok", expires_in: 7200 });
    expect(typeof first.access_token).toBe("string");
    const second = await get("/cgi-bin/gettoken", { corpid: corpId, corpsecret: corpSecret });
    expect(second.access_token).not.toBe(first.access_token);

    expect(await get("/cgi-bin/gettoken", { corpid: "wwother", corpsecret: corpSecret })).toEqual({ errcode: 40013, errmsg: "invalid corpid" });
    expect(await get("/cgi-bin/gettoken", { corpid: corpId, corpsecret: "nope" })).toEqual({ errcode: 40001, errmsg: "invalid credential" });
    expect(fake.callsOf("gettoken")).toHaveLength(4);
    expect(fake.callsOf("/cgi-bin/gettoken")[2]).toMatchObject({ query: { corpid: "wwother" }, status: 200, response: { errcode: 40013 } });
  });

  it("answers 42001 for expired tokens, 40014 for unknown ones and 41001 without one; a fresh token works", async () => {
    const old = await token();
    expect((await post("/cgi-bin/message/send", { access_token: old }, text("alice", "hi"))).errcode).toBe(0);
    fake.expireTokens();
    expect(await post("/cgi-bin/message/send", { access_token: old }, text("alice", "hi"))).toEqual({
      errcode: 42001,
      errmsg: "access_token expired",
    });
    expect((await post("/cgi-bin/message/send", { access_token: "made-up" }, text("alice", "hi"))).errcode).toBe(40014);
    expect((await post("/cgi-bin/message/send", {}, text("alice", "hi"))).errcode).toBe(41001);
    const fresh = await token();
    expect((await post("/cgi-bin/message/send", { access_token: fresh }, text("alice", "again"))).errcode).toBe(0);
    expect(fake.appMessages().map((message) => message.content)).toEqual(["hi", "again"]);
  });

  it("answers 43001/43002 for the wrong HTTP method", async () => {
    const response = await fetch(`${fake.baseUrl}/cgi-bin/gettoken?corpid=${corpId}&corpsecret=${corpSecret}`, { method: "POST" });
    expect(await response.json()).toMatchObject({ errcode: 43001 });
    expect(await get("/cgi-bin/message/send", { access_token: await token() })).toMatchObject({ errcode: 43002 });
  });
});

describe("FakeWecomApi message/send", () => {
  it("accepts text, markdown, textcard and template_card to several users and records them", async () => {
    const accessToken = await token();
    const sent = await post("/cgi-bin/message/send", { access_token: accessToken }, text("alice|bob", "飞机 fault"));
    expect(sent).toMatchObject({ errcode: 0, errmsg: "ok", invaliduser: "" });
    expect(typeof sent.msgid).toBe("string");
    await post("/cgi-bin/message/send", { access_token: accessToken }, { touser: "bob", msgtype: "markdown", agentid: agentId, markdown: { content: "**P1**" } });
    await post(
      "/cgi-bin/message/send",
      { access_token: accessToken },
      { touser: "bob", msgtype: "textcard", agentid: agentId, textcard: { title: "Ticket 7", description: "Brakes", url: "https://example.com/7" } },
    );
    const card = await post(
      "/cgi-bin/message/send",
      { access_token: accessToken },
      {
        touser: "carol",
        msgtype: "template_card",
        agentid: agentId,
        template_card: { card_type: "button_interaction", main_title: { title: "Escalate?" }, task_id: "t1", button_list: [{ text: "Yes", key: "yes" }] },
      },
    );
    expect(typeof card.response_code).toBe("string");

    expect(fake.appMessages().map((message) => [message.msgtype, message.content])).toEqual([
      ["text", "飞机 fault"],
      ["markdown", "**P1**"],
      ["textcard", "Ticket 7\nBrakes"],
      ["template_card", "Escalate?"],
    ]);
    expect(fake.appMessages("alice").map((message) => message.content)).toEqual(["飞机 fault"]);
    expect(fake.appMessages("bob")).toHaveLength(3);
    expect(fake.appMessages("alice")[0]).toMatchObject({ touser: ["alice", "bob"], agentid: agentId, msgid: sent.msgid });
    expect(fake.callsOf("message/send")[0]?.body).toEqual(text("alice|bob", "飞机 fault"));
  });

  it("refuses another agentid (301002), an unknown msgtype (40008), empty content (44004) and no recipient (81013)", async () => {
    const accessToken = await token();
    const send = (body: unknown) => post("/cgi-bin/message/send", { access_token: accessToken }, body);
    expect((await send({ ...text("alice", "hi"), agentid: 999 })).errcode).toBe(301002);
    expect((await send({ ...text("alice", "hi"), agentid: String(agentId) })).errcode).toBe(0);
    expect((await send({ touser: "alice", msgtype: "voice", agentid: agentId, voice: { media_id: "m" } })).errcode).toBe(40008);
    expect((await send(text("alice", ""))).errcode).toBe(44004);
    expect((await send(text("", "hi"))).errcode).toBe(81013);
    expect((await send("{not json")).errcode).toBe(47001);
    expect(fake.callsOf("message/send").at(-1)?.body).toBe("{not json");
    expect(fake.appMessages()).toHaveLength(1);
  });

  it("reports unknown users in invaliduser when it knows the users, and 81013 when none is valid", async () => {
    const api = await startExtra({ corpId, corpSecret, agentId, users: ["alice", "bob"] });
    const accessToken = await token(api);
    expect(await post("/cgi-bin/message/send", { access_token: accessToken }, text("alice|ghost|bob|spook", "hi"), api)).toMatchObject({
      errcode: 0,
      invaliduser: "ghost|spook",
    });
    expect((await post("/cgi-bin/message/send", { access_token: accessToken }, text("ghost", "hi"), api)).errcode).toBe(81013);
  });
});

describe("FakeWecomApi webhook/send (group robot)", () => {
  it("accepts text with mentions and markdown without an access token", async () => {
    const answer = await post(
      "/cgi-bin/webhook/send",
      { key: robotKey },
      { msgtype: "text", text: { content: "P1 ticket", mentioned_list: ["alice", "@all"], mentioned_mobile_list: ["13800001111"] } },
    );
    expect(answer).toEqual({ errcode: 0, errmsg: "ok" });
    await post("/cgi-bin/webhook/send", { key: robotKey }, { msgtype: "markdown", markdown: { content: "# P1\n<@alice>" } });
    await post("/cgi-bin/webhook/send", { key: "robot-key-2" }, { msgtype: "text", text: { content: "other group" } });

    expect(fake.robotMessages(robotKey)).toMatchObject([
      { key: robotKey, msgtype: "text", content: "P1 ticket", mentionedList: ["alice", "@all"], mentionedMobileList: ["13800001111"] },
      { msgtype: "markdown", content: "# P1\n<@alice>", mentionedList: [] },
    ]);
    expect(fake.robotMessages("robot-key-2").map((message) => message.content)).toEqual(["other group"]);
  });

  it("answers 93000 for an unknown key and 40008 for another msgtype", async () => {
    expect(await post("/cgi-bin/webhook/send", { key: "nope" }, { msgtype: "text", text: { content: "x" } })).toEqual({
      errcode: 93000,
      errmsg: "invalid webhook url",
    });
    expect((await post("/cgi-bin/webhook/send", {}, { msgtype: "text", text: { content: "x" } })).errcode).toBe(93000);
    expect((await post("/cgi-bin/webhook/send", { key: robotKey }, { msgtype: "image", image: {} })).errcode).toBe(40008);
    expect(fake.robotMessages(robotKey)).toEqual([]);
  });

  it("enforces the byte limits in UTF-8: text 2048, markdown 4096 (40058)", async () => {
    const send = (msgtype: "text" | "markdown", content: string) => post("/cgi-bin/webhook/send", { key: robotKey }, { msgtype, [msgtype]: { content } });
    expect((await send("text", "a".repeat(2048))).errcode).toBe(0);
    expect(await send("text", "a".repeat(2049))).toMatchObject({ errcode: 40058, errmsg: expect.stringContaining("text.content exceed max length 2048") });
    // 683 × 3 bytes = 2049 bytes in only 683 characters.
    expect((await send("text", "故".repeat(682))).errcode).toBe(0);
    expect((await send("text", "故".repeat(683))).errcode).toBe(40058);
    expect((await send("markdown", "b".repeat(4096))).errcode).toBe(0);
    expect(await send("markdown", `${"b".repeat(4095)}é`)).toMatchObject({ errcode: 40058, errmsg: expect.stringContaining("markdown.content") });
    expect(fake.robotMessages(robotKey)).toHaveLength(3);
  });

  it("with enforceRobotRate, refuses the 21st message in a minute per key (45009) and accepts again later", async () => {
    let now = 1_700_000_000_000;
    const api = await startExtra({ robotKeys: ["k1", "k2"], enforceRobotRate: true, clock: () => now });
    const send = (key: string) => post("/cgi-bin/webhook/send", { key }, { msgtype: "text", text: { content: "x" } }, api);
    for (let index = 0; index < 20; index++) expect((await send("k1")).errcode).toBe(0);
    expect(await send("k1")).toEqual({ errcode: 45009, errmsg: "api freq out of limit" });
    expect((await send("k2")).errcode).toBe(0);
    now += 60_000;
    expect((await send("k1")).errcode).toBe(0);
    expect(api.robotMessages("k1")).toHaveLength(21);
  });

  it("does not limit the rate unless asked", async () => {
    for (let index = 0; index < 25; index++) {
      expect((await post("/cgi-bin/webhook/send", { key: robotKey }, { msgtype: "text", text: { content: `${index}` } })).errcode).toBe(0);
    }
  });
});

describe("FakeWecomApi failNext and waitForCall", () => {
  it("injects an errcode with HTTP 200, as many times as asked, then answers normally", async () => {
    fake.failNext("webhook/send", { errcode: 45009 }, 2);
    const send = () => post("/cgi-bin/webhook/send", { key: robotKey }, { msgtype: "text", text: { content: "x" } });
    expect(await send()).toEqual({ errcode: 45009, errmsg: "api freq out of limit" });
    expect(await send()).toEqual({ errcode: 45009, errmsg: "api freq out of limit" });
    expect(await send()).toEqual({ errcode: 0, errmsg: "ok" });
    expect(fake.robotMessages(robotKey)).toHaveLength(1);

    fake.failNext("/cgi-bin/message/send", { errcode: 42001 });
    const accessToken = await token();
    expect(await post("/cgi-bin/message/send", { access_token: accessToken }, text("alice", "x"))).toEqual({ errcode: 42001, errmsg: "access_token expired" });
    fake.failNext("message/send", { errcode: 60020, errmsg: "not allow to access from your ip" });
    expect(await post("/cgi-bin/message/send", { access_token: accessToken }, text("alice", "x"))).toEqual({
      errcode: 60020,
      errmsg: "not allow to access from your ip",
    });
    expect((await post("/cgi-bin/message/send", { access_token: accessToken }, text("alice", "x"))).errcode).toBe(0);
  });

  it("injects a bare 500 or 502, recorded with its status and no JSON", async () => {
    fake.failNext("gettoken", { status: 500 });
    fake.failNext("gettoken", { status: 502 });
    const url = `${fake.baseUrl}/cgi-bin/gettoken?corpid=${corpId}&corpsecret=${corpSecret}`;
    const first = await fetch(url);
    expect(first.status).toBe(500);
    expect(await first.text()).toBe("Internal Server Error");
    expect((await fetch(url)).status).toBe(502);
    expect((await fetch(url)).status).toBe(200);
    expect(fake.callsOf("gettoken").map((call) => [call.status, call.response?.errcode])).toEqual([
      [500, undefined],
      [502, undefined],
      [200, 0],
    ]);
  });

  it("waitForCall resolves on a later matching call and times out listing the calls", async () => {
    const waiting = fake.waitForCall("webhook/send", (call) => (call.body as { text?: { content?: string } }).text?.content === "second");
    await post("/cgi-bin/webhook/send", { key: robotKey }, { msgtype: "text", text: { content: "first" } });
    await post("/cgi-bin/webhook/send", { key: robotKey }, { msgtype: "text", text: { content: "second" } });
    const call = await waiting;
    expect(call).toMatchObject({ path: "/cgi-bin/webhook/send", query: { key: robotKey }, response: { errcode: 0 } });
    expect(typeof call.at).toBe("number");
    await expect(fake.waitForCall("appchat/send", undefined, 50)).rejects.toThrow(/appchat\/send[\s\S]*webhook\/send/);
  });

  it("answers 404 for a path WeCom does not have here", async () => {
    const response = await fetch(`${fake.baseUrl}/cgi-bin/user/get`);
    expect(response.status).toBe(404);
    expect(fake.allCalls().at(-1)).toMatchObject({ path: "/cgi-bin/user/get", status: 404 });
  });
});

describe("FakeWecomApi media/get", () => {
  it("serves registered media with its type and a Content-Disposition; an unknown media id is 40007 in JSON labelled text/plain", async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x43]);
    const mediaId = fake.addMedia({ bytes, contentType: "image/jpeg", filename: "仪表盘.jpg" });
    const served = await fetch(`${fake.baseUrl}/cgi-bin/media/get?${new URLSearchParams({ access_token: await token(), media_id: mediaId })}`);
    expect([served.status, served.headers.get("content-type"), served.headers.get("content-disposition")]).toEqual([
      200,
      "image/jpeg",
      `attachment; filename="${encodeURIComponent("仪表盘.jpg")}"`,
    ]);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(bytes);

    const unknown = await fetch(`${fake.baseUrl}/cgi-bin/media/get?${new URLSearchParams({ access_token: await token(), media_id: "no-such-media" })}`);
    expect([unknown.status, unknown.headers.get("content-type"), unknown.headers.has("content-disposition")]).toEqual([200, "text/plain", false]);
    expect(await unknown.json()).toEqual({ errcode: 40007, errmsg: "invalid media_id" });
  });

  it("checks the access token as the other calls do", async () => {
    const mediaId = fake.addMedia({ bytes: "%PDF-1.7", contentType: "application/pdf", filename: "report.pdf" });
    const accessToken = await token();
    fake.expireTokens();
    expect(await get("/cgi-bin/media/get", { access_token: accessToken, media_id: mediaId })).toEqual({ errcode: 42001, errmsg: "access_token expired" });
    expect(await get("/cgi-bin/media/get", { access_token: "forged", media_id: mediaId })).toEqual({ errcode: 40014, errmsg: "invalid access_token" });
    expect(await get("/cgi-bin/media/get", { media_id: mediaId })).toEqual({ errcode: 41001, errmsg: "access_token missing" });
  });
});

describe("FakeWecomApi media/upload and file messages", () => {
  const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]);
  async function upload(path: string, query: Record<string, string>, parts: { field?: string; bytes?: Buffer; filename?: string; type?: string } = {}): Promise<WecomAnswer> {
    const form = new FormData();
    const blob = new Blob([new Uint8Array(parts.bytes ?? pdf)], { type: parts.type ?? "application/pdf" });
    if (parts.filename === "") form.append(parts.field ?? "media", "not a file");
    else form.append(parts.field ?? "media", blob, parts.filename ?? "报告单.pdf");
    const response = await fetch(`${fake.baseUrl}${path}?${new URLSearchParams(query)}`, { method: "POST", body: form });
    expect(response.status).toBe(200);
    return (await response.json()) as WecomAnswer;
  }

  it("keeps the `media` part of a multipart upload, its bytes, filename and type, and answers its media_id", async () => {
    const answer = await upload("/cgi-bin/media/upload", { access_token: await token(), type: "file" });
    expect(answer).toMatchObject({ errcode: 0, errmsg: "ok", type: "file", media_id: expect.any(String), created_at: expect.stringMatching(/^\d+$/) });
    const media = fake.uploadedMedia(answer.media_id as string);
    expect(media).toMatchObject({ filename: "报告单.pdf", contentType: "application/pdf", type: "file", source: "app" });
    expect(media!.bytes).toEqual(pdf);
  });

  it("refuses an upload without a token, of another type, without a `media` file part (41005), or of a size WeCom does not take (40006)", async () => {
    const access_token = await token();
    expect((await upload("/cgi-bin/media/upload", { type: "file" })).errcode).toBe(41001);
    expect((await upload("/cgi-bin/media/upload", { access_token, type: "document" })).errcode).toBe(40004);
    expect((await upload("/cgi-bin/media/upload", { access_token, type: "file" }, { field: "file" })).errcode).toBe(41005);
    expect((await upload("/cgi-bin/media/upload", { access_token, type: "file" }, { filename: "" })).errcode).toBe(41005);
    expect((await upload("/cgi-bin/media/upload", { access_token, type: "file" }, { bytes: Buffer.from("tiny") })).errcode).toBe(40006);
    expect((await post("/cgi-bin/media/upload", { access_token, type: "file" }, { media: "json" })).errcode).toBe(47001);
  });

  it("sends a file by an uploaded media id to members and chats, and refuses a media id it never issued (40007)", async () => {
    const access_token = await token();
    const { media_id } = await upload("/cgi-bin/media/upload", { access_token, type: "file" });
    const file = (id: unknown) => ({ msgtype: "file", file: { media_id: id } });
    expect((await post("/cgi-bin/message/send", { access_token }, { touser: "zhangsan", agentid: agentId, ...file(media_id) })).errcode).toBe(0);
    expect(fake.appMessages("zhangsan")).toEqual([expect.objectContaining({ msgtype: "file", content: "报告单.pdf" })]);
    expect((await post("/cgi-bin/message/send", { access_token }, { touser: "zhangsan", agentid: agentId, ...file("no-such-media") })).errcode).toBe(40007);
    await post("/cgi-bin/appchat/create", { access_token }, { chatid: "team1", name: "team", owner: "zhangsan", userlist: ["zhangsan", "lisi"] });
    expect((await post("/cgi-bin/appchat/send", { access_token }, { chatid: "team1", ...file(media_id) })).errcode).toBe(0);
    expect(fake.chats()[0]!.messages).toEqual([expect.objectContaining({ msgtype: "file", content: "报告单.pdf" })]);
  });

  it("takes a robot's upload by its key, and a robot sends only its own uploads", async () => {
    const robot = await upload("/cgi-bin/webhook/upload_media", { key: robotKey, type: "file" });
    expect(robot).toMatchObject({ errcode: 0, type: "file" });
    expect(fake.uploadedMedia(robot.media_id as string)).toMatchObject({ source: { robot: robotKey } });
    expect((await upload("/cgi-bin/webhook/upload_media", { key: "no-such-key", type: "file" })).errcode).toBe(93000);
    const app = await upload("/cgi-bin/media/upload", { access_token: await token(), type: "file" });
    const file = (id: unknown) => ({ msgtype: "file", file: { media_id: id } });
    expect((await post("/cgi-bin/webhook/send", { key: robotKey }, file(robot.media_id))).errcode).toBe(0);
    expect((await post("/cgi-bin/webhook/send", { key: "robot-key-2" }, file(robot.media_id))).errcode).toBe(40007);
    expect((await post("/cgi-bin/webhook/send", { key: robotKey }, file(app.media_id))).errcode).toBe(40007);
    expect(fake.robotMessages(robotKey)).toEqual([expect.objectContaining({ msgtype: "file", content: "报告单.pdf" })]);
  });
});

describe("FakeWecomApi appchat", () => {
  it("creates a chat, sends text and markdown to it and describes it", async () => {
    const accessToken = await token();
    const created = await post("/cgi-bin/appchat/create", { access_token: accessToken }, { name: "P1 brakes", owner: "alice", userlist: ["alice", "bob"], chatid: "ticket7" });
    expect(created).toEqual({ errcode: 0, errmsg: "ok", chatid: "ticket7" });
    const generated = await post("/cgi-bin/appchat/create", { access_token: accessToken }, { userlist: ["bob", "carol"] });
    expect(generated.chatid).toMatch(/^[0-9a-zA-Z]{1,32}$/);

    expect(await post("/cgi-bin/appchat/send", { access_token: accessToken }, { chatid: "ticket7", msgtype: "text", text: { content: "hello" } })).toEqual({
      errcode: 0,
      errmsg: "ok",
    });
    await post("/cgi-bin/appchat/send", { access_token: accessToken }, { chatid: "ticket7", msgtype: "markdown", markdown: { content: "**now**" } });

    expect(await get("/cgi-bin/appchat/get", { access_token: accessToken, chatid: "ticket7" })).toEqual({
      errcode: 0,
      errmsg: "ok",
      chat_info: { chatid: "ticket7", name: "P1 brakes", owner: "alice", userlist: ["alice", "bob"], chat_type: 0 },
    });
    expect(fake.chats().map((chat) => [chat.chatid, chat.owner, chat.messages.map((message) => message.content)])).toEqual([
      ["ticket7", "alice", ["hello", "**now**"]],
      [generated.chatid, "bob", []],
    ]);
  });

  it("refuses unknown chats (86003), duplicates (86215), fewer than 2 members (86216) and bad chat ids", async () => {
    const accessToken = await token();
    const create = (body: unknown) => post("/cgi-bin/appchat/create", { access_token: accessToken }, body);
    expect((await create({ userlist: ["alice"] })).errcode).toBe(86216);
    expect((await create({ userlist: ["alice", "bob"], chatid: "has-dash" })).errcode).toBe(40058);
    expect((await create({ userlist: ["alice", "bob"], chatid: "c1" })).errcode).toBe(0);
    expect((await create({ userlist: ["alice", "bob"], chatid: "c1" })).errcode).toBe(86215);
    expect((await post("/cgi-bin/appchat/send", { access_token: accessToken }, { chatid: "nope", msgtype: "text", text: { content: "x" } })).errcode).toBe(86003);
    expect((await get("/cgi-bin/appchat/get", { access_token: accessToken, chatid: "nope" })).errcode).toBe(86003);
    expect((await post("/cgi-bin/appchat/send", { access_token: "bad" }, { chatid: "c1", msgtype: "text", text: { content: "x" } })).errcode).toBe(40014);
    expect(fake.chats().map((chat) => chat.chatid)).toEqual(["c1"]);
  });

  it("has the chats it was started with, which take messages and cannot be created again", async () => {
    const seeded = await startExtra({ corpId, corpSecret, agentId, chats: [{ chatid: "escalations", name: "升级群", userlist: ["alice"] }] });
    const accessToken = await token(seeded);
    expect((await post("/cgi-bin/appchat/send", { access_token: accessToken }, { chatid: "escalations", msgtype: "text", text: { content: "新工单" } }, seeded)).errcode).toBe(0);
    expect((await post("/cgi-bin/appchat/create", { access_token: accessToken }, { userlist: ["alice", "bob"], chatid: "escalations" }, seeded)).errcode).toBe(86215);
    expect(seeded.chats()).toEqual([expect.objectContaining({ chatid: "escalations", name: "升级群", owner: "alice", userlist: ["alice"], messages: [expect.objectContaining({ content: "新工单" })] })]);
  });
});

describe("inbound builders through WecomCrypto", () => {
  const crypto = new WecomCrypto({ token: "QDG6eK", encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", corpId });

  it("textMessageXml has WeCom's fields and survives encryptedCallback → openEnvelope", () => {
    const xml = textMessageXml({ toUser: corpId, fromUser: "alice", content: "刹车 <失灵> & ]]> 了", msgId: "4561255354251345929", createTime: 1409659813, agentId });
    expect(xmlFields(xml)).toEqual({
      ToUserName: corpId,
      FromUserName: "alice",
      CreateTime: "1409659813",
      MsgType: "text",
      Content: "刹车 <失灵> & ]]> 了",
      MsgId: "4561255354251345929",
      AgentID: String(agentId),
    });

    const callback = encryptedCallback(crypto, xml, { timestamp: "1409659813", nonce: "1372623149" });
    expect(callback.query.timestamp).toBe("1409659813");
    expect(callback.query.nonce).toBe("1372623149");
    const outer = xmlFields(callback.body);
    expect(Object.keys(outer)).toEqual(["ToUserName", "AgentID", "Encrypt"]);
    expect(outer).toMatchObject({ ToUserName: corpId, AgentID: String(agentId) });
    const opened = crypto.openEnvelope({
      msgSignature: callback.query.msg_signature,
      timestamp: callback.query.timestamp,
      nonce: callback.query.nonce,
      encrypted: outer.Encrypt ?? "",
    });
    expect(opened).toBe(xml);
  });

  it("eventXml builds a template_card_event with its card fields", () => {
    const xml = eventXml({
      toUser: corpId,
      fromUser: "bob",
      event: "template_card_event",
      eventKey: "escalate:7",
      taskId: "ticket-7",
      cardType: "button_interaction",
      responseCode: "rc-1",
      createTime: 1700000000,
      agentId,
    });
    expect(xmlFields(xml)).toEqual({
      ToUserName: corpId,
      FromUserName: "bob",
      CreateTime: "1700000000",
      MsgType: "event",
      Event: "template_card_event",
      EventKey: "escalate:7",
      TaskId: "ticket-7",
      CardType: "button_interaction",
      ResponseCode: "rc-1",
      AgentID: String(agentId),
    });
    const callback = encryptedCallback(crypto, xml);
    expect(Number(callback.query.timestamp)).toBeGreaterThan(1_700_000_000);
    const encrypted = xmlFields(callback.body).Encrypt ?? "";
    expect(crypto.verify(callback.query.msg_signature, callback.query.timestamp, callback.query.nonce, encrypted)).toBe(true);
    expect(xmlFields(crypto.decrypt(encrypted).message).Event).toBe("template_card_event");
    expect(xmlFields(eventXml({ toUser: corpId, fromUser: "bob", event: "enter_agent", agentId }))).not.toHaveProperty("TaskId");
  });

  it("urlVerificationQuery gives what the adapter must decrypt back to the echo", () => {
    const query = urlVerificationQuery(crypto, "1616140317555161061");
    const envelope = { msgSignature: query.msg_signature, timestamp: query.timestamp, nonce: query.nonce, encrypted: query.echostr };
    expect(crypto.openEnvelope(envelope)).toBe("1616140317555161061");
  });

  it("xmlFields reads sealReply's answer", () => {
    const sealed = crypto.sealReply(textMessageXml({ toUser: "alice", fromUser: corpId, content: "ok", agentId }), "1700000000", "n1");
    const fields = xmlFields(sealed);
    expect(fields).toMatchObject({ TimeStamp: "1700000000", Nonce: "n1" });
    expect(crypto.verify(fields.MsgSignature ?? "", "1700000000", "n1", fields.Encrypt ?? "")).toBe(true);
    expect(() => xmlFields("<notxml/>")).toThrow(/<xml>/);
  });
});
