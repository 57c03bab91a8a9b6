import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, LogLevel, type BlockAction, type Logger } from "@slack/bolt";
import { ErrorCode, WebClient, WebClientEvent, type WebAPIPlatformError, type WebAPIRateLimitedError } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FAKE_BOT_USER_ID,
  FAKE_CHANNEL_ID,
  FAKE_TEAM_ID,
  FakeSlackApi,
  appMentionEvent,
  blockActions,
  eventCallback,
  sendToSlackApp,
  slackSignature,
  slashCommand,
  urlVerification,
  viewSubmission,
  type FakeSlackApiOptions,
} from "./slack-web-api.js";

const FAST_RETRY = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 };
const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const TS = /^\d{10}\.\d{6}$/;

let fake: FakeSlackApi;
let cleanups: Array<() => unknown>;

beforeEach(async () => {
  cleanups = [];
  fake = await FakeSlackApi.start({
    users: [
      { id: "U0LEAD001", name: "mara", realName: "Mara Lind", displayName: "Mara (Powertrain)" },
      { id: "U0LEAD002", name: "olaf", realName: "Olaf Berg" },
      { id: "U0AGENT01", name: "kim", realName: "Kim Ito" },
    ],
    usergroups: [{ id: "S0LEADS01", handle: "leads", name: "Department leads", users: ["U0LEAD001", "U0LEAD002"] }],
  });
  cleanups.push(() => fake.close());
});

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A WebClient on the fake; silent, since it logs the `[ERROR] …` hints Slack puts in response_metadata. */
function newClient(token = fake.token, options: ConstructorParameters<typeof WebClient>[1] = {}): WebClient {
  return new WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: FAST_RETRY, logger: keepingLogger([]), ...options });
}

async function startFake(options: FakeSlackApiOptions): Promise<FakeSlackApi> {
  const other = await FakeSlackApi.start(options);
  cleanups.push(() => other.close());
  return other;
}

/** The error a platform failure rejects with, for matching. */
function platformError(error: string) {
  return { code: ErrorCode.PlatformError, data: expect.objectContaining({ ok: false, error }) };
}

describe("FakeSlackApi with the real WebClient", () => {
  it("answers auth.test, refuses a wrong or missing token and unknown methods", async () => {
    expect(fake.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const auth = await newClient().auth.test();
    expect(auth).toMatchObject({
      ok: true,
      url: "https://hotline-test.slack.com/",
      team: "Hotline Test",
      team_id: FAKE_TEAM_ID,
      user_id: FAKE_BOT_USER_ID,
      bot_id: "B0000BOT",
    });

    await expect(newClient("xoxb-wrong").auth.test()).rejects.toMatchObject(platformError("invalid_auth"));
    await expect(newClient("").auth.test()).rejects.toMatchObject(platformError("not_authed"));
    await expect(newClient().apiCall("nothing.here")).rejects.toMatchObject(platformError("unknown_method"));
    expect(fake.calls.map((call) => [call.method, call.token, call.status])).toEqual([
      ["auth.test", fake.token, 200],
      ["auth.test", "xoxb-wrong", 200],
      ["auth.test", undefined, 200],
      ["nothing.here", fake.token, 200],
    ]);
  });

  it("posts, threads, updates and reads replies; blocks are recorded decoded", async () => {
    const client = newClient();
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Brake fault* reported" } }];
    const root = await client.chat.postMessage({ channel: "C0HOTLINE1", text: "Brake fault reported", blocks });
    expect(root).toMatchObject({ ok: true, channel: "C0HOTLINE1", message: { text: "Brake fault reported", bot_id: "B0000BOT", blocks } });
    expect(root.ts).toMatch(TS);
    expect(fake.callsOf("chat.postMessage")[0]?.params).toMatchObject({ channel: "C0HOTLINE1", blocks });

    const reply = await client.chat.postMessage({ channel: "C0HOTLINE1", text: "Escalated to Mara", thread_ts: root.ts as string });
    expect(reply.message).toMatchObject({ thread_ts: root.ts, parent_user_id: FAKE_BOT_USER_ID });
    expect(Number(reply.ts)).toBeGreaterThan(Number(root.ts));

    const updated = await client.chat.update({ channel: "C0HOTLINE1", ts: root.ts as string, text: "Brake fault — taken by Mara", blocks: [] });
    expect(updated).toMatchObject({ ok: true, channel: "C0HOTLINE1", ts: root.ts, text: "Brake fault — taken by Mara" });
    const stored = fake.message("C0HOTLINE1", root.ts as string);
    expect(stored?.text).toBe("Brake fault — taken by Mara");
    expect(stored?.blocks).toBeUndefined();
    expect(stored?.versions.map((version) => version.text)).toEqual(["Brake fault reported", "Brake fault — taken by Mara"]);

    await expect(client.chat.update({ channel: "C0HOTLINE1", ts: "1.000001", text: "x" })).rejects.toMatchObject(platformError("message_not_found"));
    await expect(client.chat.postMessage({ channel: "C0HOTLINE1", text: "" })).rejects.toMatchObject(platformError("no_text"));

    const replies = await client.conversations.replies({ channel: "C0HOTLINE1", ts: root.ts as string });
    expect(replies.messages?.map((message) => message.text)).toEqual(["Brake fault — taken by Mara", "Escalated to Mara"]);
    expect(replies.messages?.[0]).toMatchObject({ reply_count: 1, thread_ts: root.ts, edited: { user: FAKE_BOT_USER_ID } });
    expect(fake.messagesIn("C0HOTLINE1").map((message) => message.ts)).toEqual([root.ts, reply.ts]);

    // A user id as channel posts into the DM, as on Slack.
    const dm = await client.chat.postMessage({ channel: "U0LEAD001", text: "You have a new case" });
    expect(dm.channel).toBe("D0LEAD001");
    expect(fake.messagesIn("U0LEAD001").map((message) => message.text)).toEqual(["You have a new case"]);
  });

  it("keeps message metadata and answers conversations.history newest first, with metadata only when asked", async () => {
    const client = newClient();
    const metadata = { event_type: "hotline_delivery", event_payload: { delivery_id: 7 } };
    const first = await client.chat.postMessage({ channel: "C0HOTLINE1", text: "first", metadata });
    await client.chat.postMessage({ channel: "C0HOTLINE1", text: "in a thread", thread_ts: first.ts as string });
    const second = await client.chat.postMessage({ channel: "C0HOTLINE1", text: "second" });
    await client.chat.update({ channel: "C0HOTLINE1", ts: first.ts as string, text: "first, edited" });

    const all = await client.conversations.history({ channel: "C0HOTLINE1", include_all_metadata: true });
    expect(all.messages?.map((m) => [m.text, m.metadata])).toEqual([["second", undefined], ["first, edited", metadata]]);
    const plain = await client.conversations.history({ channel: "C0HOTLINE1" });
    expect(plain.messages?.map((m) => m.metadata)).toEqual([undefined, undefined]);
    const page = await client.conversations.history({ channel: "C0HOTLINE1", limit: 1 });
    expect(page).toMatchObject({ has_more: true, messages: [{ ts: second.ts }] });
    const rest = await client.conversations.history({ channel: "C0HOTLINE1", limit: 1, cursor: page.response_metadata?.next_cursor as string });
    expect(rest).toMatchObject({ has_more: false, messages: [{ ts: first.ts }] });
    expect((await client.conversations.history({ channel: "C0HOTLINE1", oldest: first.ts as string })).messages?.map((m) => m.ts)).toEqual([second.ts]);

    // A DM is read by its own id, which conversations.open gives; a user id is not a conversation.
    await client.chat.postMessage({ channel: "U0LEAD001", text: "for Mara" });
    const opened = await client.conversations.open({ users: "U0LEAD001" });
    expect(opened.channel?.id).toBe("D0LEAD001");
    expect((await client.conversations.history({ channel: "D0LEAD001" })).messages?.map((m) => m.text)).toEqual(["for Mara"]);
    await expect(client.conversations.history({ channel: "U0LEAD001" })).rejects.toMatchObject(platformError("channel_not_found"));
    await expect(client.chat.postMessage({ channel: "C0HOTLINE1", text: "x", metadata: { event_type: "", event_payload: {} } })).rejects.toMatchObject(platformError("invalid_metadata_schema"));
  });

  it("lists what was sent where Slack reads mrkdwn, leaving plain_text out", async () => {
    const client = newClient();
    await client.chat.postMessage({
      channel: "C0HOTLINE1",
      text: "top <!here>",
      blocks: [{ type: "header", text: { type: "plain_text", text: "header <!channel>" } }, { type: "section", text: { type: "mrkdwn", text: "section" }, fields: [{ type: "mrkdwn", text: "field" }] }],
    });
    await client.chat.postMessage({ channel: "C0HOTLINE1", text: "shown as typed <!here>", mrkdwn: false });
    await client.chat.postEphemeral({ channel: "C0HOTLINE1", user: "U0LEAD001", text: "only you" });
    expect(fake.mrkdwnSent()).toEqual([
      { via: "chat.postMessage", text: "top <!here>" },
      { via: "chat.postMessage blocks", text: "section" },
      { via: "chat.postMessage blocks", text: "field" },
      { via: "chat.postEphemeral", text: "only you" },
    ]);
  });

  it("creates channels with Slack's name rules, invites members and lists them", async () => {
    const client = newClient();
    const created = await client.conversations.create({ name: "case-2024-0042_brakes", is_private: true });
    expect(created.channel).toMatchObject({ name: "case-2024-0042_brakes", is_private: true, is_member: true });
    const channelId = created.channel?.id as string;
    expect(channelId).toMatch(/^C[A-Z0-9]+$/);

    for (const [name, error] of [
      ["Case-42", "invalid_name_specials"],
      ["case 42", "invalid_name_specials"],
      ["case.42", "invalid_name_specials"],
      ["x".repeat(81), "invalid_name_maxlength"],
      ["", "invalid_name_required"],
      ["case-2024-0042_brakes", "name_taken"],
    ] as const) {
      await expect(client.conversations.create({ name }), name).rejects.toMatchObject(platformError(error));
    }
    expect(fake.callsOf("conversations.create").at(-1)?.params).toEqual({ name: "case-2024-0042_brakes" });

    const invited = await client.conversations.invite({ channel: channelId, users: "U0LEAD001,U0LEAD002" });
    expect(invited.ok).toBe(true);
    expect(fake.callsOf("conversations.invite")[0]?.params).toEqual({ channel: channelId, users: "U0LEAD001,U0LEAD002" });
    await expect(client.conversations.invite({ channel: channelId, users: "U0LEAD001" })).rejects.toMatchObject(
      platformError("already_in_channel"),
    );
    await expect(client.conversations.invite({ channel: channelId, users: "U0NOBODY9" })).rejects.toMatchObject(
      platformError("user_not_found"),
    );
    await expect(client.conversations.invite({ channel: "C0UNKNOWN", users: "U0LEAD001" })).rejects.toMatchObject(
      platformError("channel_not_found"),
    );

    const members = await client.conversations.members({ channel: channelId });
    expect(members.members).toEqual([FAKE_BOT_USER_ID, "U0LEAD001", "U0LEAD002"]);
    expect(fake.channels()).toEqual([expect.objectContaining({ id: channelId, isPrivate: true, members: members.members })]);
    expect(fake.channel("#case-2024-0042_brakes")?.id).toBe(channelId);

    await client.chat.postEphemeral({ channel: channelId, user: "U0LEAD001", text: "Only you see this" });
    expect(fake.ephemerals).toEqual([expect.objectContaining({ channel: channelId, user: "U0LEAD001", text: "Only you see this" })]);
    await expect(client.chat.postEphemeral({ channel: channelId, user: "U0AGENT01", text: "x" })).rejects.toMatchObject(
      platformError("user_not_in_channel"),
    );
  });

  it("answers conversations.create with restricted_action where creation is not allowed", async () => {
    const locked = await startFake({ allowChannelCreation: false });
    const client = new WebClient(locked.token, { slackApiUrl: locked.apiUrl, retryConfig: FAST_RETRY, logger: keepingLogger([]) });
    await expect(client.conversations.create({ name: "case-1" })).rejects.toMatchObject(platformError("restricted_action"));
    expect(locked.channels()).toEqual([]);
  });

  it("opens and updates views; a trigger id is single use", async () => {
    const client = newClient();
    const modal = {
      type: "modal" as const,
      callback_id: "report_fault",
      private_metadata: "case-42",
      title: { type: "plain_text" as const, text: "Report a fault" },
      submit: { type: "plain_text" as const, text: "Send" },
      blocks: [{ type: "input", block_id: "vin", label: { type: "plain_text" as const, text: "VIN" }, element: { type: "plain_text_input", action_id: "value" } }],
    };
    const opened = await client.views.open({ trigger_id: "1.2.abc", view: modal });
    expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), callback_id: "report_fault", private_metadata: "case-42", type: "modal" });
    expect(fake.callsOf("views.open")[0]?.params.view).toEqual(modal);

    await expect(client.views.open({ trigger_id: "1.2.abc", view: modal })).rejects.toMatchObject(platformError("exchanged_trigger_id"));
    await expect(client.views.open({ trigger_id: "", view: modal })).rejects.toMatchObject(platformError("invalid_arguments"));

    const viewId = opened.view?.id as string;
    const updated = await client.views.update({ view_id: viewId, hash: opened.view?.hash as string, view: { ...modal, private_metadata: "case-43" } });
    expect(updated.view).toMatchObject({ id: viewId, private_metadata: "case-43" });
    await expect(client.views.update({ view_id: viewId, hash: opened.view?.hash as string, view: modal })).rejects.toMatchObject(
      platformError("hash_conflict"),
    );
    expect(fake.views).toEqual([expect.objectContaining({ id: viewId, triggerId: "1.2.abc" })]);
    expect(fake.views[0]?.versions).toHaveLength(2);
  });

  it("knows its users and user groups", async () => {
    const client = newClient();
    expect((await client.users.info({ user: "U0LEAD001" })).user).toMatchObject({
      id: "U0LEAD001",
      name: "mara",
      real_name: "Mara Lind",
      profile: { display_name: "Mara (Powertrain)" },
    });
    await expect(client.users.info({ user: "U0NOBODY9" })).rejects.toMatchObject(platformError("user_not_found"));
    const groups = await client.usergroups.list({ include_users: true });
    expect(groups.usergroups).toEqual([
      expect.objectContaining({ id: "S0LEADS01", handle: "leads", users: ["U0LEAD001", "U0LEAD002"], user_count: 2 }),
    ]);
  });

  it("shares a file through filesUploadV2: the bytes, name and comment arrive in the channel, and its history lists the file", async () => {
    const bytes = Buffer.from("%PDF-1.7\n\u0000\u00ff binary form\n%%EOF");
    const answer = await newClient().filesUploadV2({ file: bytes, filename: "HL-20261126-0001-报告单.pdf", channel_id: FAKE_CHANNEL_ID, initial_comment: "报告单 <@U0LEAD001>" });
    expect(answer.ok).toBe(true);
    const [shared] = fake.sharedFiles(FAKE_CHANNEL_ID);
    expect(shared).toMatchObject({ name: "HL-20261126-0001-报告单.pdf", channel: FAKE_CHANNEL_ID, initialComment: "报告单 <@U0LEAD001>", threadTs: undefined });
    expect(shared!.bytes).toEqual(bytes);
    expect(fake.callsOf("files.getUploadURLExternal")[0]!.params).toMatchObject({ filename: "HL-20261126-0001-报告单.pdf", length: String(bytes.length) });
    expect(fake.callsOf("files.completeUploadExternal")[0]!.params).toMatchObject({ channel_id: FAKE_CHANNEL_ID, files: [{ id: shared!.id, title: "HL-20261126-0001-报告单.pdf" }] });
    const history = await newClient().conversations.history({ channel: FAKE_CHANNEL_ID });
    expect(history.messages).toEqual([expect.objectContaining({ text: "报告单 <@U0LEAD001>", user: FAKE_BOT_USER_ID, files: [expect.objectContaining({ id: shared!.id, name: "HL-20261126-0001-报告单.pdf" })] })]);
    const { file } = await newClient().files.info({ file: shared!.id });
    expect(file).toMatchObject({ name: "HL-20261126-0001-报告单.pdf", size: bytes.length });
  });

  it("takes an upload's bytes raw as well as in a multipart form, and refuses an upload URL it never handed out", async () => {
    const client = newClient();
    const { upload_url, file_id } = await client.files.getUploadURLExternal({ filename: "form.xlsx", length: 3 });
    expect(upload_url).toMatch(new RegExp(`^${fake.origin}/upload/v1/`));
    const raw = await fetch(upload_url!, { method: "POST", body: new Uint8Array([1, 2, 3]) });
    expect([raw.status, await raw.text()]).toEqual([200, "OK - 3"]);
    await client.files.completeUploadExternal({ files: [{ id: file_id! }], channel_id: FAKE_CHANNEL_ID });
    expect(fake.sharedFiles(FAKE_CHANNEL_ID).map((f) => [f.name, [...f.bytes]])).toEqual([["form.xlsx", [1, 2, 3]]]);

    const second = await client.files.getUploadURLExternal({ filename: "form.pdf", length: 2 });
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array([7, 8])], { type: "application/pdf" }), "form.pdf");
    expect((await fetch(second.upload_url!, { method: "POST", body: form })).status).toBe(200);
    await client.files.completeUploadExternal({ files: [{ id: second.file_id! }], channel_id: FAKE_CHANNEL_ID });
    expect([...fake.sharedFiles(FAKE_CHANNEL_ID)[1]!.bytes]).toEqual([7, 8]);

    // A completed upload's URL, and one never handed out, are not found.
    expect((await fetch(upload_url!, { method: "POST", body: "again" })).status).toBe(404);
    expect((await fetch(`${fake.origin}/upload/v1/T0000TEAM-F0NOSUCH-00`, { method: "POST", body: "x" })).status).toBe(404);
  });

  it("refuses to complete an upload whose bytes never came, or into a user id or a channel the bot is not in", async () => {
    const other = await startFake({ channels: [{ id: "C0OUTSIDE1", name: "outside", members: ["U0LEAD001"] }] });
    const client = new WebClient(other.token, { slackApiUrl: other.apiUrl, retryConfig: FAST_RETRY, logger: keepingLogger([]) });
    const pending = await client.files.getUploadURLExternal({ filename: "form.pdf", length: 1 });
    await expect(client.files.completeUploadExternal({ files: [{ id: pending.file_id! }], channel_id: FAKE_CHANNEL_ID })).rejects.toMatchObject(platformError("file_not_found"));
    await fetch(pending.upload_url!, { method: "POST", body: "x" });
    await expect(client.files.completeUploadExternal({ files: [{ id: pending.file_id! }], channel_id: "U0LEAD001" })).rejects.toMatchObject(platformError("channel_not_found"));
    await expect(client.files.completeUploadExternal({ files: [{ id: pending.file_id! }], channel_id: "C0OUTSIDE1" })).rejects.toMatchObject(platformError("not_in_channel"));
    expect(other.sharedFiles()).toEqual([]);
  });

  it("describes a registered file with files.info and serves its bytes only with the bot token, else its sign-in page", async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const id = fake.addFile({ bytes, name: "gauge photo.png", mimetype: "image/png" });
    const { file } = await newClient().files.info({ file: id });
    expect(file).toMatchObject({ id, name: "gauge photo.png", mimetype: "image/png", size: bytes.length });
    expect(file!.url_private).toBe(`${fake.origin}/files-pri/${FAKE_TEAM_ID}-${id}/gauge%20photo.png`);
    expect(file!.url_private_download).toBe(`${fake.origin}/files-pri/${FAKE_TEAM_ID}-${id}/download/gauge%20photo.png`);
    await expect(newClient().files.info({ file: "F0NOSUCH01" })).rejects.toMatchObject(platformError("file_not_found"));

    for (const url of [file!.url_private!, file!.url_private_download!]) {
      const withToken = await fetch(url, { headers: { authorization: `Bearer ${fake.token}` } });
      expect([withToken.status, withToken.headers.get("content-type")]).toEqual([200, "image/png"]);
      expect(Buffer.from(await withToken.arrayBuffer())).toEqual(bytes);
      for (const headers of [{}, { authorization: "Bearer xoxb-wrong" }] as Record<string, string>[]) {
        const page = await fetch(url, { headers });
        expect([page.status, page.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
        expect(await page.text()).toContain("<html>");
      }
    }
  });

  it("answers an injected 429 as Slack does; the client waits Retry-After and retries", async () => {
    fake.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const client = newClient();
    const rateLimited: number[] = [];
    client.on(WebClientEvent.RATE_LIMITED, (seconds: number) => rateLimited.push(seconds));

    const sent = await client.chat.postMessage({ channel: FAKE_CHANNEL_ID, text: "after the limit" });
    expect(sent.ok).toBe(true);
    const [first, second] = fake.callsOf("chat.postMessage");
    expect(first).toMatchObject({ status: 429, response: { ok: false, error: "ratelimited" } });
    expect(second).toMatchObject({ status: 200, response: { ok: true } });
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(rateLimited).toEqual([1]);
    expect(fake.messagesIn(FAKE_CHANNEL_ID)).toHaveLength(1);
  });

  it("retries 5xx, rejects 429 at once with rejectRateLimitedCalls, and does not retry ok:false", async () => {
    fake.failNext("chat.postMessage", { status: 503 }, 2);
    await newClient().chat.postMessage({ channel: FAKE_CHANNEL_ID, text: "third time lucky" });
    expect(fake.callsOf("chat.postMessage").map((call) => call.status)).toEqual([503, 503, 200]);

    fake.failNext("auth.test", { status: 429, retryAfter: 30 });
    const started = Date.now();
    const error = (await newClient(fake.token, { rejectRateLimitedCalls: true })
      .auth.test()
      .catch((caught: unknown) => caught)) as WebAPIRateLimitedError;
    expect(error).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 30 });
    expect(Date.now() - started).toBeLessThan(1000);

    fake.failNext("conversations.members", { error: "channel_not_found" });
    const platform = (await newClient()
      .conversations.members({ channel: "C0GONE" })
      .catch((caught: unknown) => caught)) as WebAPIPlatformError;
    expect(platform.data.error).toBe("channel_not_found");
    expect(fake.callsOf("conversations.members")).toHaveLength(1);
  });

  it("waitForCall matches params and rejects with the calls it saw", async () => {
    const client = newClient();
    await client.chat.postMessage({ channel: "C0A", text: "one" });
    await client.chat.postMessage({ channel: "C0B", text: "two" });
    expect((await fake.waitForCall("chat.postMessage", { channel: "C0B" })).params.text).toBe("two");
    const failure = await fake.waitForCall("chat.update", () => true, 50).catch((error: Error) => error.message);
    expect(failure).toContain("FakeSlackApi.waitForCall(chat.update)");
    expect(failure).toContain('2. chat.postMessage {"channel":"C0B","text":"two"} → ok');
    fake.clearCalls();
    expect(fake.calls).toEqual([]);
  });

  it("records what is posted to a response URL and applies replace_original to its message", async () => {
    const posted = await newClient().chat.postMessage({ channel: FAKE_CHANNEL_ID, text: "Case 42: Acknowledge?" });
    const url = fake.responseUrl({ channel: FAKE_CHANNEL_ID, messageTs: posted.ts as string });
    expect(url.startsWith(`${fake.origin}/response/`)).toBe(true);
    const answer = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "Case 42: acknowledged by Mara", replace_original: true }),
    });
    expect([answer.status, await answer.json()]).toEqual([200, { ok: true }]);
    expect(fake.responses).toEqual([expect.objectContaining({ url, body: { text: "Case 42: acknowledged by Mara", replace_original: true } })]);
    expect(fake.message(FAKE_CHANNEL_ID, posted.ts as string)?.text).toBe("Case 42: acknowledged by Mara");
    expect((await fetch(`${fake.origin}/response/never-minted`, { method: "POST", body: "{}" })).status).toBe(404);
  });
});

// === Bolt

interface RunningApp {
  app: App;
  receiver: HTTPReceiver;
  url: string;
  logs: string[];
}

/** A logger that keeps warnings and errors, so a refusal can be asserted and nothing is printed. */
function keepingLogger(logs: string[]): Logger {
  let level = LogLevel.INFO;
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...message: unknown[]) => void logs.push(`warn: ${message.join(" ")}`),
    error: (...message: unknown[]) => void logs.push(`error: ${message.join(" ")}`),
    setLevel: (next) => void (level = next),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** A Bolt app on HTTPReceiver, initialised (auth.test done) and listening on a free port. */
async function startApp(setup: (app: App) => void, options: { processBeforeResponse?: boolean } = {}): Promise<RunningApp> {
  const logs: string[] = [];
  const logger = keepingLogger(logs);
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, logger, processBeforeResponse: options.processBeforeResponse ?? false });
  const app = new App({
    token: fake.token,
    receiver,
    logger,
    // Defer so that the auth.test Bolt makes for the token is awaited here, not left running.
    deferInitialization: true,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: FAST_RETRY },
  });
  await app.init();
  setup(app);
  const server = await receiver.start({ port: 0, host: "127.0.0.1" });
  cleanups.push(() => receiver.stop());
  return { app, receiver, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, logs };
}

describe("signed requests to a real Bolt app", () => {
  it("signs as Slack documents it", () => {
    // The example from Slack's "Verifying requests from Slack" page.
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(slackSignature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });

  it("answers url_verification with the challenge", async () => {
    const { url } = await startApp(() => undefined);
    const answer = await sendToSlackApp(url, SIGNING_SECRET, urlVerification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"));
    expect(answer).toMatchObject({ status: 200, json: { challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" } });
  });

  it("delivers a signed app_mention; say() reaches the fake as chat.postMessage", async () => {
    const seen: Array<{ retryNum: number | undefined; user: string }> = [];
    const { url } = await startApp((app) =>
      app.event("app_mention", async ({ event, say, context }) => {
        seen.push({ retryNum: context.retryNum, user: event.user ?? "" });
        await say({ text: `On it, <@${event.user}>`, thread_ts: event.ts });
      }),
    );
    expect(fake.callsOf("auth.test")).toHaveLength(1);
    const event = appMentionEvent({ user: "U0AGENT01", text: `<@${FAKE_BOT_USER_ID}> brake fault, VIN WVW123`, channel: "C0HOTLINE1" });
    const answer = await sendToSlackApp(url, SIGNING_SECRET, eventCallback({ event }));
    expect(answer).toMatchObject({ status: 200, body: "" });

    const call = await fake.waitForCall("chat.postMessage");
    // Bolt's per-team client adds team_id to every call.
    expect(call.params).toEqual({ channel: "C0HOTLINE1", text: "On it, <@U0AGENT01>", thread_ts: event.ts, team_id: FAKE_TEAM_ID });
    expect(seen).toEqual([{ retryNum: undefined, user: "U0AGENT01" }]);

    await sendToSlackApp(url, SIGNING_SECRET, eventCallback({ event }), { retryNum: 1 });
    await fake.waitFor(() => seen.length === 2);
    expect(seen[1]).toEqual({ retryNum: 1, user: "U0AGENT01" });
  });

  it("delivers block_actions; the handler acks and respond() posts to the fake's response URL", async () => {
    const posted = await newClient().chat.postMessage({ channel: "C0HOTLINE1", text: "Case 42", blocks: [{ type: "actions", elements: [] }] });
    const seen: unknown[] = [];
    const { url } = await startApp((app) =>
      app.action<BlockAction>("case_take", async ({ ack, respond, action, body }) => {
        await ack();
        seen.push({ action, user: body.user.id, channel: body.channel?.id, ts: body.message?.ts, container: body.container });
        await respond({ text: `Case 42 taken by <@${body.user.id}>`, replace_original: true });
      }),
    );
    const request = blockActions({
      userId: "U0LEAD001",
      actionId: "case_take",
      value: "case-42",
      channelId: "C0HOTLINE1",
      message: { ts: posted.ts as string, text: "Case 42" },
      responseUrl: fake.responseUrl({ channel: "C0HOTLINE1", messageTs: posted.ts as string }),
    });
    const answer = await sendToSlackApp(url, SIGNING_SECRET, request);
    expect(answer.status).toBe(200);

    const response = await fake.waitForResponse();
    expect(response.body).toEqual({ text: "Case 42 taken by <@U0LEAD001>", replace_original: true });
    expect(fake.message("C0HOTLINE1", posted.ts as string)?.text).toBe("Case 42 taken by <@U0LEAD001>");
    expect(seen).toEqual([
      {
        action: expect.objectContaining({ type: "button", action_id: "case_take", value: "case-42" }),
        user: "U0LEAD001",
        channel: "C0HOTLINE1",
        ts: posted.ts,
        container: expect.objectContaining({ type: "message", message_ts: posted.ts, channel_id: "C0HOTLINE1" }),
      },
    ]);
  });

  it("delivers a slash command: ack() text is the HTTP answer, the trigger id opens a modal", async () => {
    const { url } = await startApp((app) =>
      app.command("/hotline", async ({ ack, command, client }) => {
        await ack(`Opening a report for ${command.text}`);
        await client.views.open({
          trigger_id: command.trigger_id,
          view: { type: "modal", callback_id: "report_fault", private_metadata: command.channel_id, title: { type: "plain_text", text: "Report" }, blocks: [] },
        });
      }),
    );
    const request = slashCommand({ command: "/hotline", text: "VIN WVW123 brakes", userId: "U0AGENT01", channelId: "C0HOTLINE1" });
    const answer = await sendToSlackApp(url, SIGNING_SECRET, request);
    expect(answer).toMatchObject({ status: 200, body: "Opening a report for VIN WVW123 brakes" });

    const call = await fake.waitForCall("views.open");
    expect(call.params.trigger_id).toBe(request.body.trigger_id);
    expect(fake.views[0]?.view).toMatchObject({ callback_id: "report_fault", private_metadata: "C0HOTLINE1" });
  });

  it("delivers a view_submission; ack() with errors is the JSON answer", async () => {
    const seen: unknown[] = [];
    const { url } = await startApp((app) =>
      app.view("report_fault", async ({ ack, view, body }) => {
        seen.push({ user: body.user.id, metadata: view.private_metadata, vin: view.state.values.vin?.value?.value });
        await ack({ response_action: "errors", errors: { vin: "A VIN has 17 characters" } });
      }),
    );
    const request = viewSubmission({ userId: "U0AGENT01", callbackId: "report_fault", privateMetadata: "case-42", values: { vin: { value: "WVW123" } } });
    const answer = await sendToSlackApp(url, SIGNING_SECRET, request);
    expect(answer).toMatchObject({ status: 200, json: { response_action: "errors", errors: { vin: "A VIN has 17 characters" } } });
    expect(seen).toEqual([{ user: "U0AGENT01", metadata: "case-42", vin: "WVW123" }]);
  });

  it("refuses a bad signature and a stale timestamp with 401, without calling the handler", async () => {
    let handled = 0;
    const { url, logs } = await startApp((app) =>
      app.command("/hotline", async ({ ack }) => {
        handled += 1;
        await ack();
      }),
    );
    const request = slashCommand({ command: "/hotline", text: "x", userId: "U0AGENT01" });

    const forged = await sendToSlackApp(url, SIGNING_SECRET, request, { signature: slackSignature("another-secret", Math.floor(Date.now() / 1000), request.rawBody) });
    expect(forged).toMatchObject({ status: 401, body: "" });
    const stale = await sendToSlackApp(url, SIGNING_SECRET, request, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale).toMatchObject({ status: 401, body: "" });
    expect(handled).toBe(0);
    expect(logs.join("\n")).toContain("signature mismatch");
    expect(logs.join("\n")).toContain("request is stale");

    expect((await sendToSlackApp(url, SIGNING_SECRET, request)).status).toBe(200);
    expect(handled).toBe(1);
  });

  it("with processBeforeResponse, answers Slack only after the listener has finished", async () => {
    const { url } = await startApp(
      (app) =>
        app.event("app_mention", async ({ say }) => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          await say("done");
        }),
      { processBeforeResponse: true },
    );
    const answer = await sendToSlackApp(url, SIGNING_SECRET, eventCallback({ event: appMentionEvent({ user: "U0AGENT01", text: "hi" }) }));
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeGreaterThanOrEqual(45);
    expect(fake.callsOf("chat.postMessage")).toHaveLength(1); // already there, no waiting
  });

  it("HTTPReceiver's requestListener works mounted on a server of our own", async () => {
    const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, logger: keepingLogger([]) });
    const app = new App({ token: fake.token, receiver, logger: keepingLogger([]), deferInitialization: true, clientOptions: { slackApiUrl: fake.apiUrl } });
    await app.init();
    app.command("/hotline", async ({ ack }) => ack("mounted"));
    // For paths that are not its endpoints the listener throws (HTTPReceiverDeferredRequestError), to let the host route them.
    const server: Server = createServer((req, res) => {
      try {
        receiver.requestListener(req, res);
      } catch {
        res.writeHead(418).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const answer = await sendToSlackApp(`${base}/slack/events`, SIGNING_SECRET, slashCommand({ command: "/hotline", text: "", userId: "U0AGENT01" }));
    expect(answer).toMatchObject({ status: 200, body: "mounted" });
    expect((await fetch(`${base}/health`)).status).toBe(418);
  });
});
