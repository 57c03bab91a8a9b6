import { describe, expect, it } from "vitest";
import type { ReplyRecipient } from "../../../core/escalation/notification.js";
import type { InboundRef } from "../../../core/ports.js";
import { SqlInboundLog } from "../../../prisma/stores/inbound-log.js";
import { OutboxStore } from "../../../prisma/stores/outbox-store.js";
import { DIALECTS, useStorage } from "./contract-support.js";

const EVENT: InboundRef = { platform: "telegram", eventId: "update-5001" };
const SENDER: ReplyRecipient = { kind: "reply", memberId: "wang.fang", name: "王芳", platform: "telegram", address: "200000001" };
const cards = (...texts: string[]) => texts.map((text) => ({ lines: [text] }));

describe.each(DIALECTS)("the inbound log on %s", (dialect) => {
  const scene = useStorage(dialect, { organisation: false });
  /** One inbound event's unit of work, as `processId` handles it. */
  const unit = <T>(processId: string, work: (log: SqlInboundLog) => Promise<T>) => scene.storage.transaction((tx) => work(new SqlInboundLog(tx, processId)));
  const deliveries = () => scene.storage.prisma.delivery.findMany({ orderBy: { id: "asc" } });

  it("records an event once: a redelivery is told it was handled", async () => {
    expect(await unit("p1", (log) => log.markHandled("telegram", "update-5001"))).toBe(true);
    expect(await unit("p1", (log) => log.markHandled("telegram", "update-5001"))).toBe(false);
    expect(await unit("p1", (log) => log.markHandled("slack", "update-5001"))).toBe(true); // another platform's id
  });

  it("records nothing for an event whose handling rolled back: its redelivery is handled afresh", async () => {
    const failure = new Error("the handling failed");
    await expect(
      unit("p1", async (log) => {
        expect(await log.markHandled("telegram", "update-5001")).toBe(true);
        await log.keepReplies(EVENT, SENDER, cards("never sent"));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await deliveries()).toEqual([]);
    expect(await unit("p1", (log) => log.markHandled("telegram", "update-5001"))).toBe(true);
  });

  it("keeps an event's replies in the outbox, claimed for sending by the process handling it", async () => {
    const first = await scene.first();
    const kept = await unit(first.id, (log) => log.keepReplies(EVENT, SENDER, cards("收到", "请输入 VIN")));
    expect(kept.map((r) => [r.recipient, r.card, r.mayHaveArrived])).toEqual([[SENDER, { lines: ["收到"] }, false], [SENDER, { lines: ["请输入 VIN"] }, false]]);
    const rows = await deliveries();
    expect(rows.map((d) => [d.id, d.status, d.claimedBy, d.platform, JSON.parse(d.recipient), JSON.parse(d.payload)])).toEqual(
      kept.map((r) => [r.deliveryId, "sending", first.id, "telegram", SENDER, r.card]),
    );
    // Being sent by a process that is alive, they are nobody else's to send, nor its own again.
    expect(await unit("another process", (log) => log.claimUnsentReplies(EVENT))).toEqual([]);
    expect(await unit(first.id, (log) => log.claimUnsentReplies(EVENT))).toEqual([]);
  });

  it("hands a redelivery the replies not sent: those of a process that is gone (which may have arrived) and those put back", async () => {
    const gone = await scene.silentProcess();
    const kept = await unit(gone, (log) => log.keepReplies(EVENT, SENDER, cards("one", "two", "three")));
    const outbox = new OutboxStore(scene.storage, gone);
    await outbox.markSent(kept[0]!.deliveryId);
    const first = await scene.first();
    const claimed = await unit(first.id, (log) => log.claimUnsentReplies(EVENT));
    expect(claimed.map((r) => [r.deliveryId, r.card.lines[0], r.mayHaveArrived])).toEqual([[kept[1]!.deliveryId, "two", true], [kept[2]!.deliveryId, "three", true]]);
    expect((await deliveries()).map((d) => [d.status, d.claimedBy])).toEqual([["sent", null], ["sending", first.id], ["sending", first.id]]);
    // Put back for a later try (the platform asked to wait): claimed again, not taken for arrived.
    await new OutboxStore(scene.storage, first.id).release(kept[2]!.deliveryId, "429 Too Many Requests");
    const again = await unit("a third process", (log) => log.claimUnsentReplies(EVENT));
    expect(again.map((r) => [r.deliveryId, r.mayHaveArrived])).toEqual([[kept[2]!.deliveryId, true]]);
    expect(await unit("a third process", (log) => log.claimUnsentReplies({ platform: "telegram", eventId: "another" }))).toEqual([]);
  });

  it("marks a released reply that never went out as not arrived", async () => {
    const first = await scene.first();
    const [reply] = await unit(first.id, (log) => log.keepReplies(EVENT, SENDER, cards("released")));
    await new OutboxStore(scene.storage, first.id).release(reply!.deliveryId, "429 Too Many Requests");
    expect((await unit("another process", (log) => log.claimUnsentReplies(EVENT))).map((r) => r.mayHaveArrived)).toEqual([false]);
  });

  it("records an event once when two processes handle its deliveries at once", async () => {
    const handled = await scene.race(20, (process) => process.run("markHandled", "telegram", "update-5001"));
    expect(handled.filter(Boolean)).toHaveLength(1);
    expect(await scene.storage.prisma.inboundEvent.count()).toBe(1);
  });

  it("hands a gone process's replies to one of two processes claiming them at once", async () => {
    const gone = await scene.silentProcess();
    const kept = await unit(gone, (log) => log.keepReplies(EVENT, SENDER, cards("a", "b", "c")));
    const claims = await scene.race(10, (process) => process.run("claimUnsentReplies", EVENT));
    expect(claims.flat().sort((a, b) => a - b)).toEqual(kept.map((r) => r.deliveryId));
  });
});
