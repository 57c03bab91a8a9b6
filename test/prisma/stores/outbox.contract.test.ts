import { describe, expect, it } from "vitest";
import type { Notification } from "../../../core/escalation/notification.js";
import type { Ticket } from "../../../core/tickets/ticket.js";
import { OutboxStore, OutboxWrites } from "../../../prisma/stores/outbox-store.js";
import { PrismaTicketStore } from "../../../prisma/stores/ticket-store.js";
import { DIALECTS, messageTo, ticketDraft, useStorage } from "./contract-support.js";

const NOW = new Date("2026-11-26T02:00:00Z");

const toCustomer = (text: string): Notification => ({
  recipient: { kind: "customer", platform: "sms", address: "+8613812345678", name: "李先生" },
  card: { lines: [text] },
  ticketNumber: "HL-20261126-0001",
  template: { id: "receipt", params: { number: "HL-20261126-0001" } },
  purpose: "receipt",
});

describe.each(DIALECTS)("the outbox on %s", (dialect) => {
  const scene = useStorage(dialect);
  const outbox = (processId = "this-process") => new OutboxStore(scene.storage, processId);
  /** Messages written as a change writes them, in its transaction. */
  const write = async (notifications: Notification[], ticketId: number | null = null) => {
    await scene.storage.transaction((tx) => new OutboxWrites(tx.sql).add(notifications, ticketId, NOW));
    return (await outbox().pending(["telegram", "slack", "wecom", "sms", "email"])).map((row) => row.id);
  };
  const row = (id: number) => scene.storage.prisma.delivery.findUniqueOrThrow({ where: { id } });

  it("keeps messages waiting in order, and one that has no address as failed, never dropped", async () => {
    const unreachable: Notification = { recipient: { kind: "member", memberId: "admin", name: "系统管理员", platform: null, address: null }, card: { lines: ["nowhere"] }, ticketNumber: null };
    const slack: Notification = { recipient: { kind: "channel", channelId: "escalations", name: "重大质量信息", platform: "slack", address: "C0000ESCAL" }, card: { lines: ["to slack"] }, ticketNumber: null, view: "ticket" };
    await write([messageTo("wang.fang", "first"), unreachable, slack, messageTo("ma.jun", "second", "200000002")]);
    const pending = await outbox().pending(["telegram"]);
    expect(pending.map((p) => [p.platform, JSON.parse(p.recipient).memberId, p.attempts])).toEqual([["telegram", "wang.fang", 0], ["telegram", "ma.jun", 0]]);
    expect((await outbox().pending(["telegram", "slack"], 2)).map((p) => p.platform)).toEqual(["telegram", "slack"]);
    expect(await outbox().countWaiting(["telegram", "slack"])).toBe(3);
    const [failed] = await outbox().list({ failed: true });
    expect(failed).toMatchObject({ platform: "none", status: "failed", lastError: "no chat identity for 系统管理员", attempts: 0 });
  });

  it("holds a ticket's form back until the message it follows to the same recipient is sent", async () => {
    const ticket = await new PrismaTicketStore(scene.storage, () => NOW).create(ticketDraft(), () => []);
    const notice = messageTo("chen.jie", "新工单 HL-20261126-0001");
    const form: Notification = { ...messageTo("chen.jie", "重大售后质量信息报告单：HL-20261126-0001"), file: { kind: "ticket_form" } };
    const elsewhere: Notification = { ...form, recipient: { ...form.recipient, address: "200000009" } };
    await scene.storage.transaction((tx) => new OutboxWrites(tx.sql).add([notice, form, elsewhere], ticket.id, NOW));
    const waiting = async () => (await outbox().pending(["telegram"])).map((row) => row.kind);
    expect(await waiting()).toEqual(["message", "form"]); // the form to another chat follows nothing
    const [noticeRow] = await outbox().pending(["telegram"]);
    await outbox("p1").claim(noticeRow!.id);
    expect(await waiting()).toEqual(["form"]); // still being sent: the form waits
    await outbox("p1").markSent(noticeRow!.id);
    expect(await waiting()).toEqual(["form", "form"]);
  });

  it("holds a day's documents back until the report and the documents before them to the same recipient are sent", async () => {
    const report = messageTo("chen.jie", "售后服务电话接听日报");
    const document = (documentId: number): Notification => ({ ...messageTo("chen.jie", "售后服务电话接听日报表：2026-11-26"), file: { kind: "document", documentId } });
    const aboutATicket = (await new PrismaTicketStore(scene.storage, () => NOW).create(ticketDraft(), () => [])).id;
    await scene.storage.transaction(async (tx) => {
      await new OutboxWrites(tx.sql).add([messageTo("chen.jie", "新工单 HL-20261126-0001")], aboutATicket, NOW);
      await new OutboxWrites(tx.sql).add([report, document(7), document(8)], null, NOW);
    });
    const waiting = async () => (await outbox().pending(["telegram"])).map((row) => row.kind);
    expect(await waiting()).toEqual(["message", "message"]);
    const reportRow = (await outbox().pending(["telegram"]))[1]!;
    await outbox("p1").claim(reportRow.id);
    await outbox("p1").markSent(reportRow.id);
    // The ticket's message, still waiting, does not hold the day's files back; they go in order.
    expect(await waiting()).toEqual(["message", "document"]);
    const first = (await outbox().pending(["telegram"]))[1]!;
    expect((await outbox("p1").claim(first.id))?.documentId).toBe(7);
    expect(await waiting()).toEqual(["message"]);
    await outbox("p1").markSent(first.id);
    expect(await waiting()).toEqual(["message", "document"]);
  });

  it("hands a claimed message to one process, with what sending it needs", async () => {
    const [id] = await write([toCustomer("您的问题已处理")]);
    const claimed = await outbox("p1").claim(id!);
    expect(claimed).toEqual({
      id,
      platform: "sms",
      kind: "message",
      recipient: JSON.stringify({ kind: "customer", platform: "sms", address: "+8613812345678", name: "李先生" }),
      payload: JSON.stringify({ lines: ["您的问题已处理"] }),
      ticketId: null,
      view: null,
      attempts: 0,
      mayHaveArrived: false,
      template: JSON.stringify({ id: "receipt", params: { number: "HL-20261126-0001" } }),
      purpose: "receipt",
      createdAt: NOW,
      documentId: null,
    });
    expect(await outbox("p2").claim(id!)).toBeUndefined();
    expect(await outbox("p1").claim(id!)).toBeUndefined();
    expect(await outbox().pending(["sms"])).toEqual([]);
    expect(await outbox().countWaiting(["sms"])).toBe(1);
    expect(await row(id!)).toMatchObject({ status: "sending", claimedBy: "p1" });
  });

  it("marks messages sent, several accepted at once as well as one", async () => {
    const ids = await write([messageTo("wang.fang", "a"), messageTo("wang.fang", "b"), messageTo("wang.fang", "c")]);
    for (const id of ids) await outbox().claim(id);
    const store = outbox();
    const before = Date.now();
    await store.markSent(ids[0]!);
    await Promise.all(ids.slice(1).map((id) => store.markSent(id)));
    for (const id of ids) {
      const sent = await row(id);
      expect(sent).toMatchObject({ status: "sent", attempts: 1, lastError: null, claimedBy: null });
      expect(sent.sentAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    }
    expect(await outbox().countWaiting(["telegram"])).toBe(0);
  });

  it("meets a ticket's receipt deadline when its receipt is sent, and puts each receipt sent on the timeline", async () => {
    const ticket = await receiptTicket();
    const [sms, toReporter] = await write([toCustomer("已处理"), { ...messageTo("wang.fang", "已处理"), purpose: "receipt" }], ticket.id);
    for (const id of [sms!, toReporter!]) await outbox().claim(id);
    await outbox().markSent(sms!);
    await outbox().markSent(toReporter!);
    const after = (await new PrismaTicketStore(scene.storage).findById(ticket.id))!;
    expect(after.deadlines.map((d) => [d.kind, d.status])).toEqual([["receipt", "met"]]);
    const events = await new PrismaTicketStore(scene.storage).timeline(ticket.id);
    expect(events.filter((e) => e.type.startsWith("receipt")).map((e) => [e.type, e.data])).toEqual([["receipt_sent", { channel: "sms" }], ["receipt_sent", { channel: "reporter" }]]);
    // Marked sent again after a crash: nothing more on the timeline.
    await outbox().markSent(sms!);
    expect((await new PrismaTicketStore(scene.storage).timeline(ticket.id)).filter((e) => e.type === "receipt_sent")).toHaveLength(2);
  });

  it("marks a receipt accepted in the same turn as other messages sent, and meets its deadline", async () => {
    const ticket = await receiptTicket();
    const ids = await write([messageTo("wang.fang", "a"), toCustomer("已处理"), messageTo("wang.fang", "b")], ticket.id);
    for (const id of ids) await outbox().claim(id);
    const store = outbox();
    await Promise.all(ids.map((id) => store.markSent(id)));
    for (const id of ids) expect(await row(id)).toMatchObject({ status: "sent", attempts: 1, claimedBy: null });
    const after = (await new PrismaTicketStore(scene.storage).findById(ticket.id))!;
    expect(after.deadlines.map((d) => [d.kind, d.status])).toEqual([["receipt", "met"]]);
    const events = await new PrismaTicketStore(scene.storage).timeline(ticket.id);
    expect(events.filter((e) => e.type.startsWith("receipt")).map((e) => e.type)).toEqual(["receipt_sent"]);
  });

  it("puts a failed attempt back in line with its error, or fails it for good; a receipt failed for good goes on the timeline", async () => {
    const ticket = await receiptTicket();
    const [id] = await write([toCustomer("已处理")], ticket.id);
    await outbox().claim(id!);
    expect(await outbox().markAttemptFailed(id!, { error: "502 Bad Gateway", final: false })).toBe(1);
    expect(await row(id!)).toMatchObject({ status: "pending", attempts: 1, lastError: "502 Bad Gateway", claimedBy: null });
    await outbox().claim(id!);
    expect(await outbox().markAttemptFailed(id!, { error: "invalid mobile number", final: true })).toBe(2);
    expect(await row(id!)).toMatchObject({ status: "failed", attempts: 2, lastError: "invalid mobile number" });
    const events = await new PrismaTicketStore(scene.storage).timeline(ticket.id);
    expect(events.filter((e) => e.type === "receipt_failed").map((e) => e.data)).toEqual([{ channel: "sms", error: "invalid mobile number" }]);
    expect((await new PrismaTicketStore(scene.storage).findById(ticket.id))!.deadlines[0]!.status).toBe("pending");
  });

  it("puts a message back in line without counting the attempt when the platform asks to wait", async () => {
    const [id] = await write([messageTo("wang.fang", "later")]);
    await outbox().claim(id!);
    await outbox().release(id!, "429 Too Many Requests: retry after 3");
    expect(await row(id!)).toMatchObject({ status: "pending", attempts: 0, lastError: "429 Too Many Requests: retry after 3", claimedBy: null });
    // Only a message being sent is put back.
    await outbox().release(id!, "again");
    expect((await row(id!)).lastError).toBe("429 Too Many Requests: retry after 3");
    expect(await outbox().claim(id!)).toMatchObject({ id, attempts: 0, mayHaveArrived: false });
  });

  it("takes back the messages of processes that are gone, as possibly arrived, and leaves the living's alone", async () => {
    const [first, second] = [await scene.first(), await scene.second()];
    const silent = await scene.silentProcess();
    const ids = await write([messageTo("wang.fang", "silent"), messageTo("wang.fang", "never registered"), messageTo("wang.fang", "second"), messageTo("wang.fang", "first"), toCustomer("by sms")]);
    const [bySilent, byUnknown, bySecond, byFirst, smsBySilent] = ids as [number, number, number, number, number];
    await outbox(silent).claim(bySilent);
    await outbox("a process that left").claim(byUnknown);
    expect(await second.run("claimDelivery", bySecond)).toBe(bySecond);
    await outbox(first.id).claim(byFirst);
    await outbox(silent).claim(smsBySilent);
    expect(await outbox(first.id).recoverOrphaned(["telegram"])).toBe(2);
    expect(await outbox(first.id).recoverOrphaned([])).toBe(0);
    const statuses = await Promise.all(ids.map(async (id) => {
      const r = await row(id);
      return [r.status, r.mayHaveArrived, r.attempts];
    }));
    expect(statuses).toEqual([["pending", true, 1], ["pending", true, 1], ["sending", false, 0], ["sending", false, 0], ["sending", false, 0]]);
    expect(await outbox(first.id).claim(bySilent)).toMatchObject({ mayHaveArrived: true, attempts: 1 });
    // Back in line, for any process to send.
    expect(await second.run("claimDelivery", byUnknown)).toBe(byUnknown);
  });

  it("puts a failed message back in line with its attempts counted afresh", async () => {
    const [id, other] = await write([messageTo("wang.fang", "retry me"), messageTo("wang.fang", "still pending")]);
    await outbox().claim(id!);
    await outbox().markAttemptFailed(id!, { error: "403 Forbidden", final: true });
    expect(await outbox().retry(id!)).toBe(true);
    expect(await row(id!)).toMatchObject({ status: "pending", attempts: 0 });
    expect(await outbox().retry(id!)).toBe(false);
    expect(await outbox().retry(other!)).toBe(false);
    expect(await outbox().retry(999_999)).toBe(false);
  });

  it("lists the newest deliveries, or the newest failed, for people to look at", async () => {
    const ids = await write(["one", "two", "three", "four"].map((text) => messageTo("wang.fang", text)));
    for (const id of [ids[0]!, ids[2]!]) {
      await outbox().claim(id);
      await outbox().markAttemptFailed(id, { error: `failed ${id}`, final: true });
    }
    expect((await outbox().list({ failed: false })).map((d) => d.id)).toEqual([...ids].reverse());
    expect((await outbox().list({ failed: false, limit: 2 })).map((d) => d.id)).toEqual([ids[3], ids[2]]);
    expect((await outbox().list({ failed: true })).map((d) => [d.id, d.lastError])).toEqual([[ids[2], `failed ${ids[2]}`], [ids[0], `failed ${ids[0]}`]]);
  });

  it("reads the messages written after an id, oldest first, without the view refreshes", async () => {
    expect(await outbox().lastId()).toBe(0);
    const ticket = await new PrismaTicketStore(scene.storage, () => NOW).create(ticketDraft(), () => []);
    const [before] = await write([messageTo("wang.fang", "before")]);
    expect(await outbox().lastId()).toBe(before);
    await scene.storage.prisma.postedMessage.create({ data: { ticketId: ticket.id, platform: "telegram", address: "200000001", messageId: "7", view: "ticket" } });
    await scene.storage.transaction(async ({ sql }) => {
      await new OutboxWrites(sql).add([messageTo("wang.fang", "after"), messageTo("ma.jun", "also after", "200000002")], ticket.id, NOW);
      await new OutboxWrites(sql).refreshViews(ticket.id, NOW);
    });
    const after = await outbox().messagesAfter(before!);
    expect(after.map((m) => [m.platform, JSON.parse(m.recipient).memberId, JSON.parse(m.payload).lines[0]])).toEqual([["telegram", "wang.fang", "after"], ["telegram", "ma.jun", "also after"]]);
    expect(after[0]!.id).toBeGreaterThan(before!);
    expect(await outbox().lastId()).toBeGreaterThan(after[1]!.id); // the refresh came last
  });

  it("hands each message to one of two processes claiming at once", async () => {
    const ids = await write(Array.from({ length: 8 }, (_, i) => messageTo("wang.fang", `m${i}`)));
    const claims = await scene.race(32, (process, i) => process.run("claimDelivery", ids[i % 8]!));
    const won = claims.filter((id): id is number => id !== null);
    expect(won.sort((a, b) => a - b)).toEqual(ids);
    const [first, second] = [await scene.first(), await scene.second()];
    for (const id of ids) expect([first.id, second.id]).toContain((await row(id)).claimedBy);
  });

  /** A ticket whose receipt is due: the receipt deadline pending. */
  function receiptTicket(): Promise<Ticket> {
    return new PrismaTicketStore(scene.storage, () => NOW).create(ticketDraft("2026-11-26", { deadlines: [{ kind: "receipt", dueAt: new Date("2026-11-29T02:00:00Z"), pingIndex: null, chain: ["zhou.min"] }] }), () => []);
  }
});
