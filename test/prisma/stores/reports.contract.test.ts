import { describe, expect, it } from "vitest";
import type { NewDeadline, NewPing, NewTicket, TicketChange } from "../../../core/ports.js";
import type { Ticket } from "../../../core/tickets/ticket.js";
import { startOfLocalDate } from "../../../core/time/business-time.js";
import { PrismaDeadlineStore } from "../../../prisma/stores/deadline-store.js";
import { OutboxStore } from "../../../prisma/stores/outbox-store.js";
import { PrismaReportStore } from "../../../prisma/stores/report-store.js";
import { PrismaTicketStore } from "../../../prisma/stores/ticket-store.js";
import { DIALECTS, messageTo, newTicket, ticketDraft, useStorage } from "./contract-support.js";

const ZONE = "Asia/Shanghai";
const DAY = { from: "2026-11-26", to: "2026-11-26" };
const RANGE = { start: startOfLocalDate("2026-11-26", ZONE), end: startOfLocalDate("2026-11-27", ZONE) }; // 16:00 UTC to 16:00 UTC
const at = (hoursIntoDay: number) => new Date(RANGE.start.getTime() + hoursIntoDay * 3_600_000);

describe.each(DIALECTS)("the report store on %s", (dialect) => {
  const scene = useStorage(dialect);
  const clock = { now: at(1) };
  const tickets = () => new PrismaTicketStore(scene.storage, () => clock.now);
  const reports = () => new PrismaReportStore(scene.storage, () => clock.now);

  async function report(localDate: string, ticket: Partial<NewTicket>, extras: { pings?: NewPing[]; deadlines?: NewDeadline[] } = {}): Promise<Ticket> {
    return tickets().create({ ...ticketDraft(localDate, extras), ticket: newTicket(ticket) }, () => []);
  }
  const apply = (ticket: Ticket, change: Partial<TicketChange>) => tickets().apply(ticket.id, { events: [], outbox: [], ...change });
  const confirm: NewPing = { departmentId: "after_sales", memberId: "zhou.min", duty: "confirm", needsAck: true };
  const measures: NewPing = { departmentId: "quality_assurance", memberId: "gao.feng", duty: "propose_measures", needsAck: true };
  const informed: NewPing = { departmentId: "sales_leadership", memberId: "feng.gang", duty: "informed", needsAck: false };
  const major = (level: 1 | 2 | 3 | null): Partial<NewTicket> => ({ category: "major", level, kind: "complaint" });

  it("reads a day's report: created, open major with their holders, missed deadlines, team deadlines, finished", async () => {
    const yesterday = await report("2026-11-25", { ...major(2), description: "yesterday's, still open" }, { pings: [confirm, measures] });
    const general = await report("2026-11-26", { description: "general", mileageKm: 80_000, saleDate: "2023-01-10" });
    const taken = await report("2026-11-26", major(1), { pings: [confirm, measures, informed] });
    const acknowledged = await report("2026-11-26", major(3), { pings: [confirm, measures] });
    const resolved = await report("2026-11-26", major(2), { pings: [confirm] });
    await report("2026-11-27", { description: "tomorrow's" });

    // The holders of open major tickets: who took it, else who acknowledged, else who is still pinged.
    await apply(taken, { events: [{ type: "taken", actorId: "wu.lei" }], acknowledgePings: { ids: [taken.pings[0]!.id], by: "zhou.min", at: at(2) } });
    await apply(acknowledged, { acknowledgePings: { ids: [acknowledged.pings[1]!.id], by: "gao.feng", at: at(2) } });
    clock.now = at(5);
    await apply(resolved, { status: "resolved", resolvedAt: at(5), fields: { result: "已赔偿", resolvedBy: "zhou.min" } });
    await apply(general, { status: "resolved", resolvedAt: at(30) }); // the next day: not finished in this one

    // Deadlines: one missed within the day and one after it; a team due on site within the day and one after.
    await apply(taken, {
      addDeadlines: [
        { kind: "measures", dueAt: at(3), pingIndex: null, chain: ["gao.feng"] },
        { kind: "support", dueAt: at(30), pingIndex: null, chain: ["chen.jie"] },
        { kind: "on_site", dueAt: at(12), pingIndex: null, chain: ["zhou.min"] },
        { kind: "on_site", dueAt: at(36), pingIndex: null, chain: ["zhou.min"] },
      ],
    });
    const added = (await tickets().findById(taken.id))!.deadlines.slice(-4);
    const miss = async (id: number, when: Date) => {
      clock.now = when;
      expect(await new PrismaDeadlineStore(scene.storage, () => when).advance(id, 0, { status: "missed" }, [{ type: "deadline_missed", actorId: null, data: { kind: (await new PrismaDeadlineStore(scene.storage).find(id))!.kind } }], [])).toBe(true);
    };
    await miss(added[0]!.id, at(3));
    await miss(added[1]!.id, at(30));

    const data = await reports().load(DAY, RANGE);
    expect(data.created.map((t) => t.number)).toEqual([general.number, taken.number, acknowledged.number, resolved.number]);
    expect(data.created[0]).toEqual({
      number: "HL-20261126-0001", kind: "fault", source: "service_center", category: "general", level: null, status: "resolved", serviceCenterId: "sc-shenyang",
      createdAt: at(1), localDate: "2026-11-26", brand: "haise", saleDate: "2023-01-10", mileageKm: 80_000, result: null, resolvedBy: null,
    });
    expect(data.openMajor.map((t) => [t.number, t.level, t.holderIds])).toEqual([
      [yesterday.number, 2, ["zhou.min", "gao.feng"]],
      [taken.number, 1, ["wu.lei"]],
      [acknowledged.number, 3, ["gao.feng"]],
    ]);
    expect(data.missed).toEqual([{ number: taken.number, kind: "measures", at: at(3) }]);
    expect(data.teams).toEqual([{ number: taken.number, dueAt: at(12), status: "pending" }]);
    expect(data.finished.map((t) => [t.number, t.status, t.result, t.resolvedBy])).toEqual([[resolved.number, "resolved", "已赔偿", "zhou.min"]]);
  });

  it("reads nothing for a day without tickets", async () => {
    await report("2026-11-25", {});
    expect(await reports().load(DAY, RANGE)).toEqual({ created: [], openMajor: [], missed: [], teams: [], finished: [] });
  });

  it("counts a ticket closed within the day among the finished", async () => {
    clock.now = new Date(RANGE.start.getTime() - 3_600_000);
    const ticket = await report("2026-11-25", {});
    await apply(ticket, { status: "resolved", resolvedAt: at(-1) });
    await apply(ticket, { status: "closed", closedAt: at(2) });
    expect((await reports().load(DAY, RANGE)).finished.map((t) => [t.number, t.status])).toEqual([[ticket.number, "closed"]]);
  });

  it("reads a day's records: the day's tickets with their work and feedback, and the major ones open or finished that day with their holders", async () => {
    clock.now = at(1);
    const yesterday = await report("2026-11-25", { ...major(2), description: "yesterday's, still open" }, { pings: [confirm, measures] });
    const closedBefore = await report("2026-11-25", major(3));
    await apply(closedBefore, { status: "resolved", resolvedAt: at(-2) });
    const letter = await report("2026-11-26", { source: "mail", description: "来信：车门漏水", customerPhone: "13911112222", serviceCenterId: "sc-beijing", firstLine: false });
    const fault = await report("2026-11-26", major(1), { pings: [confirm, measures] });
    clock.now = at(2);
    await apply(letter, { events: [{ type: "feedback", actorId: "guo.tao", data: { text: "已更换密封条" } }] });
    await apply(fault, {
      events: [{ type: "taken", actorId: "wu.lei" }],
      addRecords: [{ kind: "measures", text: "排查同批次车辆", amountFen: null, override: null, by: "gao.feng", at: at(2), attachments: [] }],
    });
    clock.now = at(3);
    await apply(letter, { status: "resolved", resolvedAt: at(3), fields: { result: "已修复", resolvedBy: "zhou.min" } });

    const data = await reports().loadDailyRecords("2026-11-26", RANGE);
    expect(data.reported.map((t) => t.number)).toEqual([letter.number, fault.number]);
    expect(data.reported[0]).toMatchObject({
      source: "mail", description: "来信：车门漏水", customerPhone: "13911112222", reporterId: "wang.fang", firstLine: false, transferredAt: null,
      resolvedAt: at(3), result: "已修复", records: [], feedback: [{ text: "已更换密封条", at: at(2) }],
    });
    expect(data.reported[1]!.records).toEqual([{ kind: "measures", text: "排查同批次车辆", by: "gao.feng", at: at(2) }]);
    // Major: open ones (whatever day they came in) and none finished before the day.
    expect(data.major.map((t) => [t.number, t.holderIds])).toEqual([
      [yesterday.number, ["zhou.min", "gao.feng"]],
      [fault.number, ["wu.lei"]],
    ]);
    expect(await reports().loadDailyRecords("2026-11-24", { start: at(-48), end: at(-24) })).toEqual({ reported: [], major: data.major });
  });

  it("reads the measures' tickets of a period with their acknowledged pings and deadlines", async () => {
    clock.now = at(1);
    const ticket = await report("2026-11-26", major(2), { pings: [confirm, informed], deadlines: [{ kind: "acknowledge", dueAt: at(2), pingIndex: 0, chain: ["zhou.min"] }] });
    await report("2026-11-19", {});
    clock.now = at(1.5);
    await apply(ticket, { acknowledgePings: { ids: [ticket.pings[0]!.id], by: "zhou.min", at: at(1.5) }, meetDeadlines: { ids: [ticket.deadlines[0]!.id], at: at(1.5) } });
    const measured = await reports().loadMeasures({ from: "2026-11-20", to: "2026-11-26" });
    expect(measured).toEqual([
      {
        number: ticket.number, category: "major", level: 2, serviceCenterId: "sc-shenyang", localDate: "2026-11-26", createdAt: at(1), resolvedAt: null, resolvedBy: null,
        pings: [{ departmentId: "after_sales", createdAt: at(1), acknowledgedAt: at(1.5) }],
        deadlines: [{ kind: "acknowledge", status: "met", dueAt: at(2), metAt: at(1.5) }],
      },
    ]);
  });

  it("exports the tickets of a span of days, of one severity when asked", async () => {
    const general = await report("2026-11-25", { vin: null, customerPhone: "024-12345678" });
    const level1 = await report("2026-11-26", major(1));
    await report("2026-11-26", major(2));
    await report("2026-11-27", major(1));
    const all = await reports().exportTickets({ from: "2026-11-25", to: "2026-11-26" });
    expect(all.map((t) => t.number)).toEqual([general.number, level1.number, "HL-20261126-0002"]);
    expect(all[0]).toMatchObject({ vin: null, customerPhone: "024-12345678", description: "发动机异响，怠速抖动", customerName: "李先生", reporterId: "wang.fang", resolvedAt: null, closedAt: null });
    expect((await reports().exportTickets({ from: "2026-11-25", to: "2026-11-26", level: 1 })).map((t) => t.number)).toEqual([level1.number]);
    expect((await reports().exportTickets({ from: "2026-11-25", to: "2026-11-26", level: "general" })).map((t) => t.number)).toEqual([general.number]);
  });

  it("keeps a report with its messages once per kind and period", async () => {
    const content = { totals: { created: 3 } };
    expect(await reports().archive({ kind: "hotline_daily", period: DAY, content }, [messageTo("qian.hao", "daily report")])).toBe(true);
    expect(await reports().archive({ kind: "hotline_daily", period: DAY, content }, [messageTo("qian.hao", "sent twice")])).toBe(false);
    expect(await reports().archive({ kind: "major_problems", period: DAY, content }, [messageTo("qian.hao", "major report")])).toBe(true);
    expect(await reports().archive({ kind: "hotline_daily", period: { from: "2026-11-27", to: "2026-11-27" }, content }, [])).toBe(true);
    const sent = await new OutboxStore(scene.storage, "reader").messagesAfter(0);
    expect(sent.map((m) => JSON.parse(m.payload).lines[0])).toEqual(["daily report", "major report"]);
    const kept = await scene.storage.prisma.reportRecord.findMany({ orderBy: { id: "asc" } });
    expect(kept.map((r) => [r.kind, r.periodFrom, JSON.parse(r.content)])).toEqual([["hotline_daily", "2026-11-26", content], ["major_problems", "2026-11-26", content], ["hotline_daily", "2026-11-27", content]]);
  });
});
