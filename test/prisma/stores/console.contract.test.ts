import { describe, expect, it } from "vitest";
import { ConsoleStore } from "../../../prisma/stores/console-store.js";
import { DIALECTS, useStorage } from "./contract-support.js";

const NOW = new Date("2026-11-26T02:00:00Z");
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

describe.each(DIALECTS)("the console store on %s", (dialect) => {
  const scene = useStorage(dialect);
  const store = () => new ConsoleStore(scene.storage);

  it("redeems a link once, however many try at once", async () => {
    await store().createLink({ codeHash: "h1", memberId: "zhou.min", expiresAt: minutes(60) });
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store().redeemLink("h1", NOW)));
    expect(outcomes.filter((o) => "memberId" in o)).toEqual([{ memberId: "zhou.min" }]);
    expect(outcomes.filter((o) => "refused" in o && o.refused === "used")).toHaveLength(7);
  });

  it("tells an unknown link from an expired one", async () => {
    await store().createLink({ codeHash: "old", memberId: "zhou.min", expiresAt: NOW });
    expect(await store().redeemLink("old", NOW)).toEqual({ refused: "expired" });
    expect(await store().redeemLink("never", NOW)).toEqual({ refused: "unknown" });
  });

  it("counts wrong passwords that arrive together, each once", async () => {
    await store().setPassword("zhou.min", "scrypt$hash");
    const counts = await Promise.all(Array.from({ length: 6 }, () => store().countFailedSignIn("zhou.min", (n) => (n >= 5 ? minutes(n) : null))));
    expect(counts.sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const account = await store().account("zhou.min");
    expect(account.failedSignIns).toBe(6);
    expect(account.lockedUntil).toEqual(minutes(6));
    await store().clearFailedSignIns("zhou.min");
    expect(await store().account("zhou.min")).toMatchObject({ failedSignIns: 0, lockedUntil: null, passwordHash: "scrypt$hash" });
  });

  it("finds a session until it ends or expires; it ends once", async () => {
    const session = { tokenHash: "t1", memberId: "zhou.min", csrfToken: "c1", createdAt: NOW, expiresAt: minutes(60) };
    await store().openSession(session);
    expect(await store().findSession("t1", minutes(59))).toEqual(session);
    expect(await store().findSession("t1", minutes(60))).toBeUndefined();
    expect(await store().endSession("t1", minutes(1))).toBe(true);
    expect(await store().endSession("t1", minutes(2))).toBe(false);
    expect(await store().findSession("t1", minutes(3))).toBeUndefined();
  });

  it("keeps the access records, newest first", async () => {
    await store().record({ memberId: "zhou.min", event: "sign-in", method: "link", address: "127.0.0.1", at: NOW });
    await store().record({ memberId: "zhou.min", event: "sign-out", at: minutes(5) });
    expect(await store().records("zhou.min")).toEqual([
      { memberId: "zhou.min", event: "sign-out", at: minutes(5), address: undefined },
      { memberId: "zhou.min", event: "sign-in", method: "link", address: "127.0.0.1", at: NOW },
    ]);
  });
});
