import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapterDeps } from "../../bot/adapter-deps.js";
import type { App } from "../../bot/app.js";
import { createHttpServer } from "../../bot/http/server.js";
import { renderForSlack } from "../../bot/slack/render-slack.js";
import { SLACK_EVENTS_PATH, SlackAdapter } from "../../bot/slack/slack-adapter.js";
import { accountsOn } from "../../core/directory/member.js";
import type { Card } from "../../core/messages/card.js";
import { DeliveryQueue } from "../../jobs/delivery-queue.js";
import {
  appMentionEvent,
  blockActions,
  eventCallback,
  FakeSlackApi,
  messageEvent,
  rawRequest,
  sendToSlackApp,
  slackSignature,
  slashCommand,
  urlVerification,
  viewSubmission,
  type SlackRequest,
} from "../fakes/slack-web-api.js";
import { writeOrganisationFile, withoutConfirmation } from "../support/organisation.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";
import { LEVEL1_FAULT } from "../support/report-script.js";
import { freshDatabaseFile, say, startTestApp } from "../support/test-app.js";

/*
 * Hostile input through the real HTTP route (the app's server, the Slack adapter on Bolt, the fake
 * Web API), signed and not, and through the renderer. What must hold: no 5xx, no crash, and no text
 * the bot sends where Slack reads mrkdwn carries a mention, a link or a special (`<!channel>`) that
 * the renderer did not make for a pinged member.
 */

const SEED = 20261126;
const SIGNING_SECRET = "fuzz-signing-secret-0123456789abcdef";
const QA_USER_GROUP = "S0000QA";
const NUMBER = "HL-20261126-0001";
const MEMBERS = ["U0000000CS1", "U0000000AS1", "U0000000QA1", "U0000000QA2"]; // hotline, after-sales, QA lead and member
const STRANGER = "U0STRANGER";
/** Acknowledged, refused as malformed, unsigned or stale, too large. */
const ANSWERS = [200, 400, 401, 413];

/** Markup a staff member might type to ping a workspace or plant a link, and characters around it. */
const HOSTILE_TOKENS = [
  "<!channel>", "<!here>", "<!everyone>", "<!here|here>", "<@U0EVIL01>", "<@W0EVIL02>", "<!subteam^S0EVIL03>",
  `<!subteam^${QA_USER_GROUP}>`, "<@U0000000AS1>", "<https://evil.example/ack|响应>", "<http://evil.example>",
  "<mailto:boss@evil.example|mail>", "<#C0EVIL04>", "<!date^1392734382^{date}|today>", "&lt;!channel&gt;",
  "<", ">", "&", "|", "<<!here>>", "*bold*", "`code`", "\n> quote", "\u0000", "\u202e", "😀",
];
const hostileToken = fc.constantFrom(...HOSTILE_TOKENS);
const hostileText = fc
  .array(fc.oneof(hostileToken, hostileToken, fc.string({ unit: "grapheme", maxLength: 6 }), fc.constantFrom(NUMBER, "note", "status", "new", "ack", "help")), { maxLength: 6 })
  .map((parts) => parts.join(" "));

/** The `<…>` sequences Slack parses in mrkdwn. */
const controlSequences = (text: string) => text.match(/<[^<>]*>/g) ?? [];

describe("renderForSlack on arbitrary card text", () => {
  const mentionOf = (id: string) => (id === "lead" ? "<@U0000000AS1>" : id === "group" ? `<!subteam^${QA_USER_GROUP}>` : undefined);
  const choice = fc.record({ id: hostileText, label: hostileText });
  const card: fc.Arbitrary<Card> = fc.record(
    {
      title: hostileText,
      lines: fc.array(hostileText, { maxLength: 5 }),
      fields: fc.array(fc.record({ label: hostileText, value: hostileText }), { maxLength: 12 }),
      choices: fc.array(choice, { maxLength: 4 }),
      pickers: fc.array(choice, { maxLength: 3 }),
      mentions: fc.array(fc.record({ memberId: fc.constantFrom("lead", "group", "nobody", "<!channel>"), name: hostileText }), { maxLength: 4 }),
      tone: fc.constantFrom("info", "question", "success", "warning", "error" as const),
    },
    { requiredKeys: ["lines"] },
  );

  it("makes only the mentions of the card's members, and keeps Block Kit's limits", () => {
    fc.assert(
      fc.property(card, (c) => {
        const { text, blocks } = renderForSlack(c, { mentionOf, noteLabel: "Add note" });
        const made = new Set((c.mentions ?? []).flatMap((m) => mentionOf(m.memberId) ?? []));
        // The fallback text is escaped throughout; in the blocks, mrkdwn holds only the card's mentions.
        expect(controlSequences(text)).toEqual([]);
        for (const mrkdwn of mrkdwnTexts(blocks)) for (const token of controlSequences(mrkdwn)) expect(made).toContain(token);
        expect(blocks.length).toBeLessThanOrEqual(50);
        for (const block of blocks as { type: string; text?: { text: string }; fields?: { text: string }[] }[]) {
          if (block.type === "header") expect([...block.text!.text].length).toBeLessThanOrEqual(150);
          else if (block.text) expect([...block.text.text].length).toBeLessThanOrEqual(3000);
          for (const field of block.fields ?? []) expect([...field.text].length).toBeLessThanOrEqual(2000);
          expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
        }
      }),
      { seed: SEED, numRuns: 1_500 },
    );
  });
});

describe("the Slack route under hostile requests", () => {
  let slack: FakeSlackApi;
  let app: App;
  let deliveries: DeliveryQueue;
  let url: string;
  let allowedMentions: Set<string>;
  const cleanups: (() => unknown)[] = [];
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    const prefix = uniquePrefix();
    cleanups.push(() => deleteKeys(prefix));
    const db = freshDatabaseFile();
    cleanups.push(db.cleanup);
    slack = await FakeSlackApi.start({ token: "xoxb-fuzz-token" });
    cleanups.push(() => slack.close());
    const orgFile = writeOrganisationFile(db.file.replace(/hotline\.db$/, ""), (org) => {
    withoutConfirmation(org);
      org.departments.find((d: { id: string }) => d.id === "quality_assurance").slackUserGroup = QA_USER_GROUP;
    });
    app = await startTestApp(db.file, { now: new Date("2026-11-26T02:00:00Z") }, { ORG_CONFIG: orgFile });
    const silent = pino({ level: "silent" });
    const adapter = new SlackAdapter(adapterDeps(app), {
      token: slack.token,
      signingSecret: SIGNING_SECRET,
      apiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      onNotifications: () => deliveries.kick(),
      log: silent,
    });
    deliveries = new DeliveryQueue(app.outbox, { slack: adapter.send }, { files: app.outboundFiles, redisUrl: TEST_REDIS_URL, prefix, refreshers: { slack: adapter.refresh }, backoffMs: 20, maxAttempts: 1, log: silent });
    deliveries.start(100);
    await adapter.start();
    const server = createHttpServer({ db: app.db, redisUrl: TEST_REDIS_URL }, adapter.routes()).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    cleanups.push(async () => {
      server.close();
      await adapter.stop();
      await deliveries.stop();
      await app.close();
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
    const slackIds = accountsOn(await app.core.directory.listMembers(), "slack");
    const ids = (await app.core.directory.listMembers()).flatMap((m) => slackIds(m.id) ?? []);
    allowedMentions = new Set([...ids.map((id) => `<@${id}>`), `<!subteam^${QA_USER_GROUP}>`]);

    // A ticket whose description and customer carry markup, escalated to Slack: its posts, their
    // edits and the answers about it are where user text reaches channels.
    const script = [...LEVEL1_FAULT];
    script[script.indexOf("行驶中起火，驾驶员受伤")] = `行驶中起火 ${HOSTILE_TOKENS.slice(0, 12).join(" ")}`;
    script[script.indexOf("张先生")] = "张先生 <!channel>";
    for (const line of [...script, "1"]) await say(app, "wang.fang", line);
    deliveries.kick();
    await deliveries.idle();
  }, 60_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const post = async (request: SlackRequest, options: Parameters<typeof sendToSlackApp>[3] = {}) => {
    const answer = await sendToSlackApp(url, SIGNING_SECRET, request, { timeoutMs: 5_000, ...options });
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    // No 5xx, and no 404: that is what Bolt's 3-second timer answers for a request nobody acknowledged.
    expect(ANSWERS).toContain(answer.status);
    return answer;
  };

  const contentType = fc.constantFrom("application/json", "application/x-www-form-urlencoded", "text/plain", "application/json; charset=utf-8", "");

  it("refuses every request that is not signed with the secret, now", async () => {
    const now = Math.floor(Date.now() / 1000);
    const request = fc.record({
      type: contentType,
      body: fc.oneof(fc.string({ unit: "grapheme", maxLength: 300 }), fc.jsonValue().map((v) => JSON.stringify(v)), fc.string().map((s) => `payload=${encodeURIComponent(s)}`)),
      timestamp: fc.oneof(fc.constant(String(now)), fc.integer({ min: -2_000_000, max: 2_000_000 }).map((d) => String(now + d)), fc.string({ maxLength: 12 })),
      signature: fc.oneof(fc.string({ maxLength: 70 }), fc.constant("v0=" + "0".repeat(64)), fc.constant("v1=abc")),
      wrongSecret: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ type, body, timestamp, signature, wrongSecret }) => {
        const signed = wrongSecret ? slackSignature("another-secret", timestamp, body) : signature;
        const answer = await post(rawRequest(type, body), { headers: { "x-slack-request-timestamp": timestamp, "x-slack-signature": signed } });
        expect(answer.status).toBe(401);
      }),
      { seed: SEED, numRuns: 500 },
    );
    // Slack's SSL check is unsigned and answered, whatever else the body carries.
    expect((await post(rawRequest("application/x-www-form-urlencoded", "ssl_check=1&payload=null"), { signature: "v0=bad" })).status).toBe(200);
  });

  it("answers a correctly signed body of any kind with 2xx or 4xx: JSON of every type, odd forms, Slack-shaped objects with any fields", async () => {
    const anyJson = fc.jsonValue({ maxDepth: 3 });
    const slackShaped = fc.record(
      {
        type: fc.oneof(fc.constantFrom("event_callback", "block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion", "interactive_message", "dialog_submission", "url_verification"), fc.string({ maxLength: 8 })),
        event: fc.oneof(anyJson, fc.record({ type: fc.constantFrom("message", "app_mention", "function_executed", "reaction_added"), channel: anyJson, channel_type: fc.constantFrom("im", "channel"), user: anyJson, text: anyJson, item: anyJson, subtype: anyJson, function_execution_id: anyJson }, { requiredKeys: ["type"] })),
        event_id: anyJson,
        actions: fc.oneof(anyJson, fc.array(fc.record({ action_id: fc.oneof(fc.constantFrom("choice-0", "note", "pick"), fc.string({ maxLength: 6 })), value: anyJson, block_id: anyJson, selected_user: anyJson, text: anyJson }), { maxLength: 2 })),
        user: fc.oneof(anyJson, fc.record({ id: fc.oneof(fc.constantFrom(...MEMBERS, STRANGER), anyJson) })),
        channel: fc.oneof(anyJson, fc.record({ id: anyJson, name: anyJson })),
        view: fc.oneof(anyJson, fc.record({ callback_id: fc.constantFrom("note", "other"), private_metadata: anyJson, state: anyJson, id: anyJson, hash: anyJson })),
        message: anyJson,
        team: anyJson,
        enterprise: anyJson,
        trigger_id: anyJson,
        response_url: anyJson,
        response_urls: anyJson,
        authorizations: anyJson,
        command: fc.oneof(fc.constant("/hotline"), anyJson),
        callback_id: anyJson,
        name: anyJson,
        function_data: anyJson,
        challenge: anyJson,
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      anyJson.map((v) => ({ type: "application/json", raw: JSON.stringify(v) })),
      slackShaped.map((v) => ({ type: "application/json", raw: JSON.stringify(v) })),
      slackShaped.map((v) => ({ type: "application/x-www-form-urlencoded", raw: new URLSearchParams({ payload: JSON.stringify(v) }).toString() })),
      fc.oneof(fc.string({ maxLength: 60 }), anyJson.map((v) => JSON.stringify(v))).map((p) => ({ type: "application/x-www-form-urlencoded", raw: `payload=${encodeURIComponent(p)}` })),
      fc.dictionary(fc.constantFrom("command", "text", "user_id", "channel_id", "trigger_id", "response_url", "payload", "ssl_check", "type"), fc.string({ maxLength: 20 })).map((fields) => ({ type: "application/x-www-form-urlencoded", raw: new URLSearchParams(fields).toString() })),
      fc.string({ unit: "binary", maxLength: 200 }).map((raw) => ({ type: "application/json", raw })),
      fc.tuple(contentType, fc.string({ maxLength: 100 })).map(([type, raw]) => ({ type, raw })),
    );
    await fc.assert(
      fc.asyncProperty(body, async ({ type, raw }) => {
        await post(rawRequest(type, raw));
      }),
      { seed: SEED, numRuns: 1_000 },
    );
  });

  it("escapes markup typed into every free-text field of events, commands, buttons, pickers and modals", async () => {
    const member = fc.constantFrom(...MEMBERS, STRANGER);
    const command = fc.tuple(fc.constantFrom("note", "status", "ask", "help", "mine", "new", "report", "team", "lang", "cancel", ""), fc.boolean(), hostileText).map(([word, withNumber, rest]) => [word, withNumber ? NUMBER : "", rest].filter(Boolean).join(" "));
    const dm = (user: string) => `D${user.slice(1)}`;
    const request: fc.Arbitrary<SlackRequest> = fc.oneof(
      fc.tuple(member, fc.oneof(command, hostileText)).map(([user, text]) => eventCallback({ event: messageEvent({ user, channel: dm(user), channelType: "im", text }) })),
      fc.tuple(member, command).map(([user, text]) => eventCallback({ event: appMentionEvent({ user, channel: "C0000ESCAL", text: `<@U0000BOT> ${text}` }) })),
      fc.tuple(member, command).map(([user, text]) => slashCommand({ command: "/hotline", text, userId: user, channelId: "C0000ESCAL", responseUrl: slack.responseUrl() })),
      fc.tuple(member, fc.oneof(hostileText, fc.constantFrom(`/note ${NUMBER}`, `/status ${NUMBER}`)), hostileText).map(([user, value, label]) =>
        blockActions({ userId: user, actionId: "choice-0", value, channelId: dm(user), message: { text: label, blocks: [{ type: "actions", elements: [{ type: "button", action_id: "choice-0", value, text: { type: "plain_text", text: label } }] }] } }),
      ),
      fc.tuple(member, hostileText).map(([user, value]) => blockActions({ userId: user, actionId: "note", value, channelId: "C0000ESCAL" })),
      fc.tuple(member, hostileText, fc.constantFrom(...MEMBERS, "U0EVIL01")).map(([user, blockId, picked]) => blockActions({ userId: user, actionId: "pick", blockId: `/appoint ${NUMBER} ${blockId}`.slice(0, 255), selectedUser: picked, channelId: "C0000ESCAL" })),
      fc.tuple(member, hostileText, fc.oneof(fc.constant(JSON.stringify({ number: NUMBER, channel: "C0000ESCAL" })), hostileText)).map(([user, text, metadata]) =>
        viewSubmission({ userId: user, callbackId: "note", privateMetadata: metadata, values: { note: { text } } }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        await post(r);
      }),
      { seed: SEED, numRuns: 300 },
    );
    await quiet();
    expect(slack.callsOf("chat.postMessage").length).toBeGreaterThan(20);
    expect(slack.callsOf("chat.update").length).toBeGreaterThan(0);
    expect(slack.responses.length).toBeGreaterThan(5);
    expect(foreignMarkup()).toEqual([]);
    // Still up and answering.
    expect((await post(urlVerification("alive"))).json).toEqual({ challenge: "alive" });
    expect([...statuses.keys()].every((status) => ANSWERS.includes(status))).toBe(true);
  });

  /** Waits until the queued requests are handled and their messages delivered: no new call for a while. */
  async function quiet(): Promise<void> {
    let seen = -1;
    for (let round = 0; round < 200 && seen !== slack.calls.length + slack.responses.length; round++) {
      seen = slack.calls.length + slack.responses.length;
      await new Promise((resolve) => setTimeout(resolve, 400));
      await deliveries.idle(5_000);
    }
  }

  /**
   * Raw `<…>` in what the bot sent that the renderer did not make: any in a top-level text (its
   * fallback is escaped throughout), and in blocks any but a pinged member's mention in a section
   * that holds mentions only.
   */
  function foreignMarkup(): string[] {
    const mentionOnly = /^(?:(?:<@[UW][A-Z0-9]+>|<!subteam\^S[A-Z0-9]+>|@[^<>\s]+)(?: |$))+$/;
    return slack.mrkdwnSent().flatMap(({ via, text }) => {
      const tokens = controlSequences(text);
      if (tokens.length === 0) return [];
      const inBlocks = via.endsWith("blocks");
      const foreign = tokens.filter((token) => !inBlocks || !allowedMentions.has(token) || !mentionOnly.test(text));
      return foreign.map((token) => `${via}: ${token} in ${JSON.stringify(text.slice(0, 120))}`);
    });
  }
});

/** The texts of `mrkdwn` text objects anywhere in blocks. */
function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (typeof value !== "object" || value === null) return [];
  const object = value as Record<string, unknown>;
  const own = object.type === "mrkdwn" && typeof object.text === "string" ? [object.text] : [];
  return [...own, ...Object.values(object).flatMap(mrkdwnTexts)];
}
