import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp, type App } from "../../bot/app.js";
import { loadConfig } from "../../bot/config/env.js";
import { handleInbound, type InboundEvent } from "../../core/conversation/handle-inbound.js";
import { issueInvite } from "../../core/directory/invites.js";
import { cardToPlainText } from "../../core/messages/card.js";
import { t } from "../../core/messages/catalog.js";
import type { Platform } from "../../core/directory/organisation.js";
import { freshDatabaseFile, type TestClock } from "../support/test-app.js";

/** The sentence an account over the limit reads: wait, and ask the administrator. */
function expectToWait(reply: string) {
  expect(reply).toMatch(/请一小时后再试.*管理员/);
  expect(reply).toBe(t("zh-CN", "invite.refused.too_many_attempts"));
}
const WRONG_CODES = ["WRONGCODE1", "WRONGCODE2", "WRONGCODE3", "WRONGCODE4", "WRONGCODE5", "WRONGCODE6"];

let app: App;
let db: ReturnType<typeof freshDatabaseFile>;
let clock: TestClock;
let logged: Record<string, unknown>[];
let nextEvent = 1;

/** The real app, its log lines collected as the JSON pino writes. */
async function start(): Promise<App> {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const config = loadConfig({ DATABASE_URL: `file:${db.file}`, LOG_LEVEL: "silent" });
  return createApp(config, { clock: () => clock.now, log: pino({ level: "info" }, sink) });
}

beforeEach(async () => {
  db = freshDatabaseFile();
  clock = { now: new Date("2026-11-26T02:00:00Z") };
  logged = [];
  app = await start();
});
afterEach(async () => {
  await app.close();
  db.cleanup();
});

async function tryCode(senderId: string, code: string, options: { platform?: Platform; eventId?: string } = {}) {
  const platform = options.platform ?? "telegram";
  const event: InboundEvent = { platform, eventId: options.eventId ?? String(nextEvent++), senderId, conversation: `${platform}:${senderId}`, replyAddress: senderId, seenByOthers: false, text: `/start ${code}` };
  const outcome = await handleInbound(app.unitOfWork, event, "zh-CN");
  const replies = outcome.kind === "handled" ? outcome.result.replies : outcome.kind === "stranger" ? outcome.replies : [];
  return replies.map(cardToPlainText).join("\n");
}

const boundTo = async (platform: Platform, senderId: string) => (await app.directory.findMemberByIdentity(platform, senderId))?.id;
const refusalLogs = () => logged.filter((line) => line.msg === "invite code refused");

describe("guessing invite codes", () => {
  it("refuses an account for the rest of the hour after five refused codes, even with a right code, and says to wait and ask", async () => {
    const { code } = await issueInvite(app.core, { memberId: "ma.jun", platform: "telegram" });
    for (const wrong of WRONG_CODES.slice(0, 5)) expect(await tryCode("555", wrong)).toContain("邀请码无效");
    expectToWait(await tryCode("555", code));
    expect(await boundTo("telegram", "555")).toBeUndefined();
    expect((await app.db.invite.findFirstOrThrow()).usedAt).toBeNull(); // the code was not even looked at

    // The limit is the account's: the same id on another platform, and another account, are still heard.
    expect(await tryCode("555", "WRONGCODE7", { platform: "slack" })).toContain("邀请码无效");
    clock.now = new Date("2026-11-26T02:59:00Z");
    expectToWait(await tryCode("555", code));
    clock.now = new Date("2026-11-26T03:00:01Z"); // an hour after the refusals
    expect(await tryCode("555", code)).toContain("欢迎，马骏");
    expect(await boundTo("telegram", "555")).toBe("ma.jun");
  });

  it("allows four mistakes and then the right code", async () => {
    const { code } = await issueInvite(app.core, { memberId: "ma.jun", platform: "telegram" });
    for (const wrong of WRONG_CODES.slice(0, 4)) await tryCode("556", wrong);
    expect(await tryCode("556", code)).toContain("欢迎，马骏");
  });

  it("counts refusals in the database, so a restart forgets none, and a redelivered try counts once", async () => {
    const { code } = await issueInvite(app.core, { memberId: "ma.jun", platform: "telegram", ttlMinutes: 10 });
    for (const wrong of WRONG_CODES.slice(0, 3)) await tryCode("557", wrong);
    await tryCode("557", "WRONGCODE4", { eventId: "redelivered" });
    await tryCode("557", "WRONGCODE4", { eventId: "redelivered" });
    const rows = await app.db.inviteRefusal.findMany({ orderBy: { eventId: "asc" } });
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.platform === "telegram" && row.externalId === "557" && row.reason === "unknown")).toBe(true);
    expect(JSON.stringify(rows)).not.toMatch(/WRONGCODE/);

    await app.close();
    app = await start();
    clock.now = new Date("2026-11-26T02:30:00Z"); // the code has expired: a fifth refusal of another kind
    expect(await tryCode("557", code)).toContain("已过期");
    expectToWait(await tryCode("557", code));
    expect(await app.db.inviteRefusal.count()).toBe(5); // refusals unchecked are not stored
  });

  it("logs each refusal with the platform, the account and the reason, never the code", async () => {
    const { code: used } = await issueInvite(app.core, { memberId: "ma.jun", platform: "telegram" });
    expect(await tryCode("558", used)).toContain("欢迎");
    const { code } = await issueInvite(app.core, { memberId: "wu.lei", platform: "telegram" });
    await tryCode("559", used);
    for (const wrong of WRONG_CODES.slice(0, 4)) await tryCode("559", wrong);
    await tryCode("559", code);
    expect(refusalLogs().map(({ platform, account, reason, module }) => ({ platform, account, reason, module }))).toEqual([
      { platform: "telegram", account: "559", reason: "used", module: "invites" },
      ...WRONG_CODES.slice(0, 4).map(() => ({ platform: "telegram", account: "559", reason: "unknown", module: "invites" })),
      { platform: "telegram", account: "559", reason: "too_many_attempts", module: "invites" },
    ]);
    const everything = JSON.stringify(logged);
    for (const secret of [used, code, ...WRONG_CODES]) expect(everything).not.toContain(secret);
  });
});
