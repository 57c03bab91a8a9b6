import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Platform } from "../../../core/directory/organisation.js";
import type { InviteRedemption } from "../../../core/ports.js";
import { PrismaDirectory } from "../../../prisma/stores/directory-store.js";
import { PrismaInviteStore } from "../../../prisma/stores/invite-store.js";
import { defaultOrganisation } from "../../support/organisation.js";
import { DIALECTS, useStorage } from "./contract-support.js";

const NOW = new Date("2026-11-26T02:00:00Z");
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const hash = (code: string) => createHash("sha256").update(code).digest("hex");

/** A try at `code` from a Telegram account, refused unchecked after 3 refusals in the hour. */
const attempt = (code: string, externalId: string, eventId: string, overrides: Partial<InviteRedemption> = {}): InviteRedemption => ({
  codeHash: hash(code),
  platform: "telegram",
  externalId,
  eventId,
  now: NOW,
  refusals: { max: 3, since: minutes(-60) },
  ...overrides,
});

describe.each(DIALECTS)("the invite store on %s", (dialect) => {
  const scene = useStorage(dialect);
  const warnings: unknown[] = [];
  let bindingsChanged = 0;
  const invites = () => {
    warnings.length = 0;
    bindingsChanged = 0;
    return new PrismaInviteStore(scene.storage, { onBindingsChanged: () => void bindingsChanged++, log: { warn: (entry: unknown) => void warnings.push(entry) } });
  };
  const directory = () => new PrismaDirectory(scene.storage, defaultOrganisation());
  const invite = (code: string, memberId = "liu.fang", platform: Platform = "telegram", expiresAt = minutes(60)) =>
    new PrismaInviteStore(scene.storage).create({ codeHash: hash(code), memberId, platform, expiresAt });

  it("binds the account to the invite's member, once", async () => {
    await invite("K7Q2-9XPA");
    const store = invites();
    expect(await store.redeem(attempt("K7Q2-9XPA", "300000001", "update-1"))).toEqual({ memberId: "liu.fang" });
    expect(bindingsChanged).toBe(1);
    expect((await directory().findMemberByIdentity("telegram", "300000001"))?.id).toBe("liu.fang");
    expect(await store.redeem(attempt("K7Q2-9XPA", "300000002", "update-2"))).toEqual({ refused: "used" });
    expect(await directory().findMemberByIdentity("telegram", "300000002")).toBeUndefined();
  });

  it("refuses a code it does not know, one for another platform, and an expired one", async () => {
    await invite("SLACK-ONLY", "liu.fang", "slack");
    await invite("EXPIRED", "liu.fang", "telegram", NOW);
    const store = invites();
    expect(await store.redeem(attempt("NO-SUCH-CODE", "300000001", "e1"))).toEqual({ refused: "unknown" });
    expect(await store.redeem(attempt("SLACK-ONLY", "300000001", "e2"))).toEqual({ refused: "unknown" });
    expect(await store.redeem(attempt("EXPIRED", "300000001", "e3", { refusals: { max: 5, since: minutes(-60) } }))).toEqual({ refused: "expired" });
    expect(bindingsChanged).toBe(0);
    // Each refusal is logged with the account and the reason, never the code.
    expect(warnings).toEqual(["unknown", "unknown", "expired"].map((reason) => ({ platform: "telegram", account: "300000001", reason })));
    expect(JSON.stringify(warnings)).not.toContain(hash("SLACK-ONLY"));
  });

  it("refuses an account with too many recent refusals without looking at its code", async () => {
    await invite("GOOD-CODE");
    const store = invites();
    for (const eventId of ["e1", "e2", "e3"]) expect(await store.redeem(attempt("WRONG", "300000001", eventId))).toEqual({ refused: "unknown" });
    expect(await store.redeem(attempt("GOOD-CODE", "300000001", "e4"))).toEqual({ refused: "too_many_attempts" });
    // The good code is still unused, and other accounts are not held back.
    expect(await store.redeem(attempt("GOOD-CODE", "300000002", "e5"))).toEqual({ memberId: "liu.fang" });
  });

  it("counts a redelivered attempt once, and forgets refusals older than the window", async () => {
    await invite("GOOD-CODE", "liu.fang", "telegram", minutes(24 * 60));
    const store = invites();
    for (let i = 0; i < 3; i++) await store.redeem(attempt("WRONG", "300000001", "the same update"));
    expect(await store.redeem(attempt("WRONG", "300000001", "e2", { now: minutes(1) }))).toEqual({ refused: "unknown" });
    expect(await store.redeem(attempt("WRONG", "300000001", "e3", { now: minutes(2) }))).toEqual({ refused: "unknown" });
    expect(await store.redeem(attempt("GOOD-CODE", "300000001", "e4", { now: minutes(3) }))).toEqual({ refused: "too_many_attempts" });
    // Later, only the refusals within the window count; the older ones are forgotten with the next refusal.
    const later = { refusals: { max: 3, since: minutes(1.5) } };
    expect(await store.redeem(attempt("WRONG", "300000001", "e5", { now: minutes(62), ...later }))).toEqual({ refused: "unknown" });
    expect(await scene.storage.prisma.inviteRefusal.count({ where: { externalId: "300000001" } })).toBe(2);
    expect(await store.redeem(attempt("GOOD-CODE", "300000001", "e6", { now: minutes(63), ...later }))).toEqual({ memberId: "liu.fang" });
  });

  it("moves an account bound by the organisation file to the invite's member", async () => {
    await invite("MOVE-ME", "ma.jun");
    expect((await directory().findMemberByIdentity("telegram", "200000001"))?.id).toBe("wang.fang");
    expect(await invites().redeem(attempt("MOVE-ME", "200000001", "e1"))).toEqual({ memberId: "ma.jun" });
    expect((await directory().findMemberByIdentity("telegram", "200000001"))?.id).toBe("ma.jun");
  });

  it("unbinds a member's accounts on one platform", async () => {
    await invite("SECOND-PHONE", "wang.fang");
    await invites().redeem(attempt("SECOND-PHONE", "300000009", "e1"));
    const store = invites();
    expect(await store.unbind("wang.fang", "telegram")).toBe(2);
    expect(bindingsChanged).toBe(1);
    expect(await store.unbind("wang.fang", "telegram")).toBe(0);
    const member = await directory().findMember("wang.fang");
    expect(member?.identities).toEqual({ wecom: "wangfang" });
  });

  it("binds one account when one code is tried by many at once in two processes", async () => {
    await invite("RACE-CODE");
    const results = await scene.race(12, (process, i) => process.run("redeemInvite", attempt("RACE-CODE", `30000010${i}`, `race-${i}`, { refusals: { max: 100, since: minutes(-60) } })));
    const winners = results.flatMap((result, i) => ("memberId" in result ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => "refused" in r)).toEqual(Array(11).fill({ refused: "used" }));
    const bound = await scene.storage.prisma.identity.findMany({ where: { source: "invite" } });
    expect(bound.map((b) => [b.externalId, b.memberId])).toEqual([[`30000010${winners[0]}`, "liu.fang"]]);
  });

  it("checks one account's codes one at a time across processes: no more than the limit are looked at", async () => {
    const results = await scene.race(10, (process, i) => process.run("redeemInvite", attempt(`WRONG-${i}`, "300000001", `try-${i}`)));
    expect(results.filter((r) => "refused" in r && r.refused === "unknown")).toHaveLength(3);
    expect(results.filter((r) => "refused" in r && r.refused === "too_many_attempts")).toHaveLength(7);
    expect(await scene.storage.prisma.inviteRefusal.count({ where: { externalId: "300000001" } })).toBe(3);
  });
});
