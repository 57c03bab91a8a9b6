import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { handleInbound, type InboundEvent } from "../../core/conversation/handle-inbound.js";
import { issueInvite } from "../../core/directory/invites.js";
import { cardToPlainText } from "../../core/messages/card.js";
import { LEVEL2_FAULT } from "../support/report-script.js";
import { freshDatabaseFile, say, startTestApp, type TestClock } from "../support/test-app.js";

let app: App;
let db: ReturnType<typeof freshDatabaseFile>;
let clock: TestClock;
let nextUpdate = 1;

beforeEach(async () => {
  db = freshDatabaseFile();
  clock = { now: new Date("2026-11-26T02:00:00Z") };
  app = await startTestApp(db.file, clock);
});
afterEach(async () => {
  await app.close();
  db.cleanup();
});

function event(senderId: string, text: string, eventId = String(nextUpdate++)): InboundEvent {
  return { platform: "telegram", eventId, senderId, conversation: `telegram:${senderId}`, replyAddress: senderId, seenByOthers: false, text };
}

const inbound = async (e: InboundEvent) => {
  const outcome = await handleInbound(app.unitOfWork, e, "zh-CN");
  const replies = outcome.kind === "handled" ? outcome.result.replies : outcome.kind === "stranger" ? outcome.replies : [];
  return { outcome, text: replies.map(cardToPlainText).join("\n") };
};

async function countRows() {
  const [identities, inboundEvents, sessions, tickets] = await Promise.all([
    app.db.identity.count(),
    app.db.inboundEvent.count(),
    app.db.dialogSession.count(),
    app.db.ticket.count(),
  ]);
  return { identities, inboundEvents, sessions, tickets };
}

describe("handling platform events exactly once, from known people only", () => {
  it("keeps the event's record and its effects in one transaction: a failure leaves neither", async () => {
    const failing = app.unitOfWork.run(async ({ core, inbound: log }) => {
      expect(await log.markHandled("telegram", "900")).toBe(true);
      await core.dialogs.save({ memberId: "wang.fang", conversation: "telegram:x", dialog: "report", step: "kind", state: { draft: {} } });
      await core.tickets.findByNumber("HL-20261126-0001"); // a Prisma statement in between, on the same transaction
      throw new Error("the effect failed half-way");
    });
    await expect(failing).rejects.toThrow("half-way");
    expect(await countRows()).toMatchObject({ inboundEvents: 0, sessions: 0 });

    // Committed, both are there, and the redelivery is recognised.
    await app.unitOfWork.run(async ({ core, inbound: log }) => {
      await log.markHandled("telegram", "900");
      await core.dialogs.save({ memberId: "wang.fang", conversation: "telegram:x", dialog: "report", step: "kind", state: { draft: {} } });
    });
    expect(await countRows()).toMatchObject({ inboundEvents: 1, sessions: 1 });
    expect(await app.unitOfWork.run(({ inbound: log }) => log.markHandled("telegram", "900"))).toBe(false);
    const stored = await app.db.inboundEvent.findFirstOrThrow();
    expect(stored.receivedAt).toBeInstanceOf(Date); // written by the raw path, read back by Prisma
  });

  it("refuses a stranger with one polite sentence and records nothing", async () => {
    const before = await countRows();
    const { outcome, text } = await inbound(event("999", "/new", "s1"));
    expect(outcome.kind).toBe("stranger");
    expect(text).toContain("请向管理员索取邀请码（系统管理员 / Administrator）");
    expect(text).toContain("ask your administrator for an invite code");
    expect(await countRows()).toEqual(before);
    expect(await app.db.delivery.count()).toBe(0); // a stranger's answer is kept nowhere
  });

  it("binds a new account with an invite code, once, and then treats it as the member", async () => {
    const { code } = await issueInvite(app.core, { memberId: "guo.tao", platform: "telegram" });
    const welcome = await inbound(event("777", `/start ${code}`));
    expect(welcome.text).toContain("Welcome, Guo Tao!"); // guo.tao chose English in the organisation file
    expect((await app.directory.findMemberByIdentity("telegram", "777"))?.id).toBe("guo.tao");
    expect((await inbound(event("777", "/new"))).text).toContain("What are you reporting?");
    const reuse = await inbound(event("778", `/start ${code}`));
    expect(reuse.text).toBe("该邀请码已被使用。请向管理员索取新的邀请码。");
    expect(await app.directory.findMemberByIdentity("telegram", "778")).toBeUndefined();
  });

  it("refuses expired and unknown codes without binding", async () => {
    const { code } = await issueInvite(app.core, { memberId: "ma.jun", platform: "telegram", ttlMinutes: 60 });
    clock.now = new Date("2026-11-26T03:00:01Z");
    expect((await inbound(event("555", `/start ${code}`))).text).toContain("已过期");
    expect((await inbound(event("555", "/start NOTACODE42"))).text).toContain("邀请码无效");
    expect(await app.directory.findMemberByIdentity("telegram", "555")).toBeUndefined();
    const { code: slackCode } = await issueInvite(app.core, { memberId: "ma.jun", platform: "slack" });
    expect((await inbound(event("555", `/start ${slackCode}`))).text).toContain("邀请码无效");
  });

  it("stores invite codes hashed, never as given", async () => {
    const { code } = await issueInvite(app.core, { memberId: "ma.jun", platform: "telegram" });
    const stored = await app.db.invite.findMany();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.codeHash).not.toContain(code);
    expect(stored[0]!.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives a redelivered event no second effect", async () => {
    await inbound(event("200000001", "/new", "100"));
    await inbound(event("200000001", "1", "101"));
    const again = await inbound(event("200000001", "1", "101"));
    expect(again.outcome.kind).toBe("duplicate");
    const session = await app.db.dialogSession.findFirstOrThrow();
    expect(JSON.parse(session.state).draft).toMatchObject({ kind: "fault" });
    expect(JSON.parse(session.state).draft.source).toBeUndefined();
    expect(await app.db.inboundEvent.count()).toBe(2);
  });

  it("keeps an event's replies in the outbox with its effects, claimed by this process", async () => {
    const { outcome } = await inbound(event("200000001", "/new", "k1"));
    if (outcome.kind !== "handled") throw new Error(`expected handled, got ${outcome.kind}`);
    expect(outcome.replies).toHaveLength(1);
    const row = await app.db.delivery.findUniqueOrThrow({ where: { id: outcome.replies[0]!.deliveryId } });
    expect(row).toMatchObject({ status: "sending", replyTo: "telegram:k1", claimedBy: app.processes.id, platform: "telegram" });
    expect(JSON.parse(row.recipient)).toEqual({ kind: "reply", memberId: "wang.fang", name: "王芳", platform: "telegram", address: "200000001" });
    expect(cardToPlainText(JSON.parse(row.payload))).toContain("请选择上报类型");
  });

  it("gives a redelivered event the replies its sender never got, and none that were sent", async () => {
    const first = await inbound(event("200000001", "/new", "k2"));
    if (first.outcome.kind !== "handled") throw new Error("expected handled");
    const [reply] = first.outcome.replies;

    // The process that claimed the reply is alive: a redelivery meanwhile does not send it twice.
    expect((await inbound(event("200000001", "/new", "k2"))).outcome).toEqual({ kind: "duplicate", unsent: [] });

    // Its process died before the reply went out: the redelivery claims it, as possibly delivered.
    await app.db.delivery.update({ where: { id: reply!.deliveryId }, data: { claimedBy: "a-process-that-died" } });
    const again = await inbound(event("200000001", "/new", "k2"));
    expect(again.outcome).toMatchObject({ kind: "duplicate", unsent: [{ deliveryId: reply!.deliveryId, mayHaveArrived: true }] });
    expect(await app.db.delivery.findUniqueOrThrow({ where: { id: reply!.deliveryId } })).toMatchObject({ status: "sending", claimedBy: app.processes.id });

    // Once sent, a redelivery has nothing to send.
    await app.outbox.markSent(reply!.deliveryId);
    expect((await inbound(event("200000001", "/new", "k2"))).outcome).toEqual({ kind: "duplicate", unsent: [] });
    expect(await app.db.dialogSession.count()).toBe(1);
  });

  it("records a whole report with one inbound event per message and one ticket", async () => {
    for (const [i, text] of [...LEVEL2_FAULT, "1"].entries()) await inbound(event("200000001", text, `r${i}`));
    await inbound(event("200000001", "1", `r${LEVEL2_FAULT.length}`)); // the confirm, redelivered
    expect(await app.db.ticket.count()).toBe(1);
    expect(await app.db.inboundEvent.count()).toBe(LEVEL2_FAULT.length + 1);
  });

  it("unbinds an account so it is a stranger again", async () => {
    expect(await app.core.invites.unbind("wang.fang", "telegram")).toBe(1);
    expect((await inbound(event("200000001", "/mine"))).outcome.kind).toBe("stranger");
  });
});

describe("asking the reporter for more information", () => {
  it("lets a pinged lead ask, records it, and tells the reporter how to answer", async () => {
    for (const text of [...LEVEL2_FAULT, "1"]) await say(app, "wang.fang", text);
    await say(app, "zhou.min", "/confirm HL-20261126-0001");
    const asked = await say(app, "chen.jie", "/ask HL-20261126-0001 制动液是否更换过？");
    expect(asked.text).toBe("已请上报人补充 HL-20261126-0001 的信息。");
    expect(asked.notifications[0]!.recipient).toMatchObject({ memberId: "wang.fang", platform: "telegram" });
    expect(asked.notifications[0]!.card.lines[0]).toContain("制动液是否更换过？");
    expect(asked.notifications[0]!.card.lines[0]).toContain("/note HL-20261126-0001");
    const event = await app.db.ticketEvent.findFirstOrThrow({ where: { type: "info_requested" } });
    expect(event.actorId).toBe("chen.jie");
    expect((await say(app, "sun.li", "/ask HL-20261126-0001 ?")).text).toContain("你无权");
  });
});

describe("members with several accounts on one platform", () => {
  it("recognises every bound account, and writes to the one bound last", async () => {
    const { code } = await issueInvite(app.core, { memberId: "wang.fang", platform: "telegram" });
    await inbound(event("888", `/start ${code}`));
    expect((await inbound(event("200000001", "/mine"))).outcome.kind).toBe("handled");
    expect((await inbound(event("888", "/mine"))).outcome.kind).toBe("handled");
    expect((await app.directory.findMember("wang.fang"))?.identities.telegram).toBe("888");
  });
});
