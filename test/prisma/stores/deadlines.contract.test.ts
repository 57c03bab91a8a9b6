import { describe, expect, it } from "vitest";
import type { Ticket } from "../../../core/tickets/ticket.js";
import { PrismaDeadlineStore } from "../../../prisma/stores/deadline-store.js";
import { LiveViewStore } from "../../../prisma/stores/live-view-store.js";
import { OutboxStore } from "../../../prisma/stores/outbox-store.js";
import { PrismaTicketStore } from "../../../prisma/stores/ticket-store.js";
import { DIALECTS, messageTo, newTicket, ticketDraft, useStorage } from "./contract-support.js";

const NOW = new Date("2026-11-26T02:00:00Z");
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

describe.each(DIALECTS)("the deadline store on %s", (dialect) => {
  const scene = useStorage(dialect);
  const deadlines = () => new PrismaDeadlineStore(scene.storage, () => minutes(30));
  const timeline = async (ticketId: number) => (await new PrismaTicketStore(scene.storage).timeline(ticketId)).map((e) => [e.type, e.at]);
  const messages = async () => (await new OutboxStore(scene.storage, "reader").messagesAfter(0)).map((m) => JSON.parse(m.payload).lines[0] as string);

  /** A level 2 major ticket held for confirmation: zhou.min must acknowledge it within 30 minutes. */
  async function ticketWithDeadline(): Promise<Ticket> {
    const draft = ticketDraft("2026-11-26", {
      ticket: newTicket({ category: "major", level: 2, kind: "complaint", reporterId: "guo.tao", serviceCenterId: "sc-beijing" }),
      pings: [{ departmentId: "after_sales", memberId: "zhou.min", duty: "confirm", needsAck: true }],
      deadlines: [
        { kind: "acknowledge", dueAt: minutes(30), pingIndex: 0, chain: ["zhou.min", "qian.hao", "zhao.ming"] },
        { kind: "feedback", dueAt: minutes(2880), pingIndex: null, chain: ["guo.tao"] },
      ],
    });
    return new PrismaTicketStore(scene.storage, () => NOW).create(draft, () => []);
  }

  it("finds a deadline with what its timer needs to know about the ticket", async () => {
    const ticket = await ticketWithDeadline();
    const [acknowledge, feedback] = ticket.deadlines;
    expect(await deadlines().find(acknowledge!.id)).toEqual({
      id: acknowledge!.id,
      pingId: ticket.pings[0]!.id,
      kind: "acknowledge",
      dueAt: minutes(30),
      status: "pending",
      chain: ["zhou.min", "qian.hao", "zhao.ming"],
      step: 0,
      ticketId: ticket.id,
      ticketNumber: "HL-20261126-0001",
      ticketLevel: 2,
      ticketCategory: "major",
      ticketReleased: false,
      reporterId: "guo.tao",
      remindersSent: 0,
      fireSeq: 0,
      duty: "confirm",
    });
    expect(await deadlines().find(feedback!.id)).toMatchObject({ kind: "feedback", pingId: null, duty: null, ticketLevel: 2 });
    await new PrismaTicketStore(scene.storage).apply(ticket.id, { fields: { releasedAt: minutes(5), level: null, category: "general" }, events: [], outbox: [] });
    expect(await deadlines().find(acknowledge!.id)).toMatchObject({ ticketReleased: true, ticketLevel: null, ticketCategory: "general" });
    expect(await deadlines().find(999_999)).toBeUndefined();
  });

  it("applies a timer's effect at the sequence it read, with its timeline and messages, and moves the sequence on", async () => {
    const ticket = await ticketWithDeadline();
    const id = ticket.deadlines[0]!.id;
    expect(await deadlines().advance(id, 0, { remindersSent: 1 }, [{ type: "reminded", actorId: null }], [messageTo("zhou.min", "reminder")])).toBe(true);
    expect(await deadlines().find(id)).toMatchObject({ fireSeq: 1, remindersSent: 1, step: 0, dueAt: minutes(30), status: "pending" });
    expect(await deadlines().advance(id, 1, { step: 1, dueAt: minutes(60) }, [{ type: "escalated", actorId: null }], [messageTo("qian.hao", "escalated")])).toBe(true);
    expect(await deadlines().find(id)).toMatchObject({ fireSeq: 2, remindersSent: 1, step: 1, dueAt: minutes(60), status: "pending" });
    expect(await deadlines().advance(id, 2, { status: "missed" }, [{ type: "deadline_missed", actorId: null, data: { kind: "acknowledge" } }], [])).toBe(true);
    expect(await deadlines().find(id)).toMatchObject({ fireSeq: 3, status: "missed", step: 1 });
    expect(await timeline(ticket.id)).toEqual([["created", NOW], ["reminded", minutes(30)], ["escalated", minutes(30)], ["deadline_missed", minutes(30)]]);
    expect(await messages()).toEqual(["reminder", "escalated"]);
  });

  it("does nothing for a timer that read an older sequence, or a deadline no longer pending", async () => {
    const ticket = await ticketWithDeadline();
    const [acknowledge, feedback] = ticket.deadlines;
    expect(await deadlines().advance(acknowledge!.id, 0, { remindersSent: 1 }, [{ type: "reminded", actorId: null }], [])).toBe(true);
    expect(await deadlines().advance(acknowledge!.id, 0, { step: 1 }, [{ type: "escalated", actorId: null }], [messageTo("qian.hao", "late")])).toBe(false);
    await new PrismaTicketStore(scene.storage).apply(ticket.id, { meetDeadlines: { ids: [feedback!.id], at: minutes(10) }, events: [], outbox: [] });
    expect(await deadlines().advance(feedback!.id, 0, { status: "missed" }, [{ type: "deadline_missed", actorId: null }], [])).toBe(false);
    expect(await deadlines().advance(999_999, 0, { status: "missed" }, [], [])).toBe(false);
    expect(await deadlines().find(acknowledge!.id)).toMatchObject({ fireSeq: 1, step: 0, remindersSent: 1 });
    expect(await deadlines().find(feedback!.id)).toMatchObject({ fireSeq: 0, status: "met" });
    expect((await timeline(ticket.id)).map(([type]) => type)).toEqual(["created", "reminded"]);
    expect(await messages()).toEqual([]);
  });

  it("fires once when two processes' timers fire the same deadline at once", async () => {
    const ticket = await ticketWithDeadline();
    const id = ticket.deadlines[0]!.id;
    const fired = await scene.race(20, (process, i) => process.run("advanceDeadline", id, 0, { step: 1, dueAt: minutes(60 + i) }, [{ type: "escalated", actorId: null, data: { by: i } }]));
    expect(fired.filter(Boolean)).toHaveLength(1);
    const winner = fired.indexOf(true);
    expect(await deadlines().find(id)).toMatchObject({ fireSeq: 1, step: 1, dueAt: minutes(60 + winner) });
    const events = await new PrismaTicketStore(scene.storage).timeline(ticket.id);
    expect(events.filter((e) => e.type === "escalated").map((e) => e.data)).toEqual([{ by: winner }]);
  });

  it("asks for the ticket's messages to be edited after an escalation or a miss, not after a reminder", async () => {
    const ticket = await ticketWithDeadline();
    const id = ticket.deadlines[0]!.id;
    await new LiveViewStore(scene.storage, "slack").recordPosted(ticket.id, { address: "C0000ESCAL", messageId: "1.0001", view: "ticket" });
    const refreshes = () => scene.storage.prisma.delivery.count({ where: { kind: "refresh", ticketId: ticket.id } });
    await deadlines().advance(id, 0, { remindersSent: 1 }, [], []);
    expect(await refreshes()).toBe(0);
    await deadlines().advance(id, 1, { step: 1 }, [], []);
    expect(await refreshes()).toBe(1);
  });
});
