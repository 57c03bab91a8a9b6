import { describe, expect, it } from "vitest";
import { InboundRequestStore } from "../../../prisma/stores/inbound-request-store.js";
import { DIALECTS, useStorage } from "./contract-support.js";

const SLACK = "inbound-slack";

describe.each(DIALECTS)("the inbound request store on %s", (dialect) => {
  const scene = useStorage(dialect, { organisation: false });
  const requests = (processId: string) => new InboundRequestStore(scene.storage, processId);
  const rows = () => scene.storage.prisma.inboundRequest.findMany({ orderBy: { id: "asc" } });

  it("keeps a request claimed by the process that took it, until it is done", async () => {
    const first = await scene.first();
    const id = await requests(first.id).add(SLACK, "U0000000AS1", '{"text":"/status"}');
    expect(await rows()).toMatchObject([{ id, queue: SLACK, orderKey: "U0000000AS1", payload: '{"text":"/status"}', status: "handling", claimedBy: first.id, attempts: 0 }]);
    // Being handled by a process that is alive, it is nobody else's, nor its own again.
    expect(await requests("another process").claimWaiting(SLACK)).toEqual([]);
    expect(await requests(first.id).claimWaiting(SLACK)).toEqual([]);
    await requests(first.id).done(id);
    expect(await rows()).toEqual([]);
    await requests(first.id).done(id); // done twice: nothing to do
  });

  it("puts a failed handling back for another try, or keeps it as failed with its error", async () => {
    const first = await scene.first();
    const retried = await requests(first.id).add(SLACK, "U1", "{}");
    const failed = await requests(first.id).add(SLACK, "U2", "{}");
    await requests(first.id).failed(retried, { error: "timeout", final: false });
    await requests(first.id).failed(failed, { error: "invalid payload", final: true });
    expect((await rows()).map((r) => [r.status, r.attempts, r.lastError, r.claimedBy])).toEqual([["pending", 1, "timeout", null], ["failed", 1, "invalid payload", null]]);
    expect(await requests(first.id).claimWaiting(SLACK)).toEqual([{ id: retried, orderKey: "U1", payload: "{}", attempts: 1 }]);
    expect((await rows())[0]).toMatchObject({ status: "handling", claimedBy: first.id });
  });

  it("takes over, oldest first, the requests of processes that are gone, on its own queue only", async () => {
    const first = await scene.first();
    const silent = await scene.silentProcess();
    const a = await requests(silent).add(SLACK, "U1", "a");
    const other = await requests(silent).add("inbound-wecom", "wangfang", "w");
    const b = await requests("a process that left").add(SLACK, "U2", "b");
    const live = await requests(first.id).add(SLACK, "U3", "c");
    const claimed = await requests("the taker").claimWaiting(SLACK);
    expect(claimed.map((r) => r.id)).toEqual([a, b]);
    const byId = new Map((await rows()).map((r) => [r.id, r.claimedBy]));
    expect([byId.get(a), byId.get(b), byId.get(live), byId.get(other)]).toEqual(["the taker", "the taker", first.id, silent]);
  });

  it("hands each waiting request to one of two processes taking them at once", async () => {
    const silent = await scene.silentProcess();
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) ids.push(await requests(silent).add(SLACK, `U${i}`, `${i}`));
    const claims = await scene.race(8, (process) => process.run("claimWaitingRequests", SLACK));
    expect(claims.flat().sort((x, y) => x - y)).toEqual(ids);
  });
});
