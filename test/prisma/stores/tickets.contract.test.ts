import { describe, expect, it } from "vitest";
import type { Member } from "../../../core/directory/member.js";
import type { Notification } from "../../../core/escalation/notification.js";
import type { NewDeadline, NewPing } from "../../../core/ports.js";
import type { Ticket } from "../../../core/tickets/ticket.js";
import { localDate } from "../../../core/time/business-time.js";
import { PrismaDirectory } from "../../../prisma/stores/directory-store.js";
import { LiveViewStore } from "../../../prisma/stores/live-view-store.js";
import { OutboxStore } from "../../../prisma/stores/outbox-store.js";
import { PrismaTicketStore } from "../../../prisma/stores/ticket-store.js";
import { defaultOrganisation } from "../../support/organisation.js";
import { DIALECTS, messageTo, newTicket, ticketDraft, useStorage } from "./contract-support.js";

const NOW = new Date("2026-11-26T02:00:00Z"); // 10:00 in Shanghai
const minutes = (n: number, from = NOW) => new Date(from.getTime() + n * 60_000);

const PINGS: NewPing[] = [
  { departmentId: "after_sales", memberId: "zhou.min", duty: "handle", needsAck: true },
  { departmentId: "quality_assurance", memberId: "chen.jie", duty: "informed", needsAck: false, acknowledged: { by: "chen.jie", at: NOW } },
];
const DEADLINES: NewDeadline[] = [
  { kind: "acknowledge", dueAt: minutes(480), pingIndex: 0, chain: ["zhou.min", "qian.hao"] },
  { kind: "acknowledge", dueAt: minutes(480), pingIndex: 1, chain: ["chen.jie"] },
  { kind: "receipt", dueAt: minutes(4320), pingIndex: null, chain: ["zhou.min"] },
];

describe.each(DIALECTS)("the ticket store on %s", (dialect) => {
  const scene = useStorage(dialect);
  const clock = { now: NOW };
  const tickets = () => new PrismaTicketStore(scene.storage, () => clock.now);
  const messages = async () => (await new OutboxStore(scene.storage, "reader").messagesAfter(0)).map((m) => JSON.parse(m.payload).lines[0] as string);
  const member = async (id: string) => (await new PrismaDirectory(scene.storage, defaultOrganisation()).findMember(id)) as Member;

  async function reported(extras: Parameters<typeof ticketDraft>[1] = {}, outbox: (ticket: Ticket) => Notification[] = () => []): Promise<Ticket> {
    clock.now = NOW;
    return tickets().create(ticketDraft("2026-11-26", extras), outbox);
  }

  it("keeps a new ticket with its pings, deadlines, files, timeline and messages, and reads it back as created", async () => {
    const attachments = [{ platform: "telegram", fileId: "photo-1", kind: "photo" as const }, { platform: "telegram", fileId: "doc-1", kind: "document" as const, name: "故障码.pdf" }];
    let seen: Ticket | undefined;
    const created = await reported(
      {
        ticket: newTicket({ attachments, answers: { breakdown: true, claimAmountCny: 8000 }, matched: [{ rule: "breakdown", level: null }] }),
        pings: PINGS,
        deadlines: DEADLINES,
        events: [{ type: "created", actorId: "wang.fang", data: { kind: "fault" } }, { type: "classified", actorId: null }],
      },
      (ticket) => {
        seen = ticket;
        return [messageTo("zhou.min", `new ${ticket.number}, ping ${ticket.pings[0]!.id}`)];
      },
    );
    expect(created).toMatchObject({ number: "HL-20261126-0001", localDate: "2026-11-26", createdAt: NOW, status: "open", resolvedAt: null, closedAt: null, result: null, gradings: [], team: [], records: [] });
    expect(created.pings.map((p) => [p.memberId, p.acknowledgedBy, p.acknowledgedAt, p.cancelledAt])).toEqual([["zhou.min", null, null, null], ["chen.jie", "chen.jie", NOW, null]]);
    // The deadline of a ping answered as it was created is met already.
    expect(created.deadlines.map((d) => [d.kind, d.pingId, d.status, d.step])).toEqual([
      ["acknowledge", created.pings[0]!.id, "pending", 0],
      ["acknowledge", created.pings[1]!.id, "met", 0],
      ["receipt", null, "pending", 0],
    ]);
    expect(seen).toEqual(created);
    // Read back as created (rows may carry columns the port does not name).
    expect(await tickets().findByNumber(created.number)).toMatchObject(created);
    expect(await tickets().findById(created.id)).toMatchObject(created);
    expect((await tickets().timeline(created.id)).map((e) => [e.type, e.actorId, e.data, e.at])).toEqual([["created", "wang.fang", { kind: "fault" }, NOW], ["classified", null, {}, NOW]]);
    expect(await messages()).toEqual([`new HL-20261126-0001, ping ${created.pings[0]!.id}`]);
  });

  it("finds no ticket by a number or an id it does not have", async () => {
    await reported();
    expect(await tickets().findByNumber("HL-20261126-0002")).toBeUndefined();
    expect(await tickets().findById(999_999)).toBeUndefined();
    expect(await tickets().timeline(999_999)).toEqual([]);
  });

  it("numbers each business day's tickets from 0001, the day read in the business time zone", async () => {
    const zone = "Asia/Shanghai";
    const numberAt = async (instant: Date) => {
      clock.now = instant;
      return (await tickets().create(ticketDraft(localDate(instant, zone)), () => [])).number;
    };
    expect(await numberAt(new Date("2026-11-26T01:00:00Z"))).toBe("HL-20261126-0001");
    expect(await numberAt(new Date("2026-11-26T15:59:59Z"))).toBe("HL-20261126-0002"); // 23:59:59 in Shanghai
    // Midnight in Shanghai, still the 26th in UTC: a new day, from 0001.
    expect(await numberAt(new Date("2026-11-26T16:00:00Z"))).toBe("HL-20261127-0001");
    expect(await numberAt(new Date("2026-11-27T03:00:00Z"))).toBe("HL-20261127-0002");
  });

  it("gives reports made at once in two processes unique numbers, with no gaps, per day", async () => {
    const days = (i: number) => (i % 4 === 3 ? "2026-11-27" : "2026-11-26");
    const numbers = await scene.race(40, (process, i) => process.run("createTicket", ticketDraft(days(i), { ticket: newTicket({ description: `report ${i}` }) })));
    const expected = (day: string, count: number) => Array.from({ length: count }, (_, i) => `HL-${day.replaceAll("-", "")}-${String(i + 1).padStart(4, "0")}`);
    expect(numbers.filter((n) => n.includes("20261126")).sort()).toEqual(expected("2026-11-26", 30));
    expect(numbers.filter((n) => n.includes("20261127")).sort()).toEqual(expected("2026-11-27", 10));
    // Each number is the ticket its report made.
    for (const [i, number] of numbers.entries()) expect((await tickets().findByNumber(number))?.description).toBe(`report ${i}`);
  });

  it("leaves no gap in the numbers, and nothing else, when a report's transaction rolls back", async () => {
    await reported();
    const crash = new Error("the process stopped half-way");
    await expect(
      scene.storage.transaction(async (tx) => {
        await new PrismaTicketStore(tx, () => NOW).create(ticketDraft("2026-11-26", { pings: PINGS, deadlines: DEADLINES }), () => [messageTo("zhou.min", "lost")]);
        throw crash;
      }),
    ).rejects.toBe(crash);
    await expect(
      tickets().create(ticketDraft("2026-11-26"), () => {
        throw crash;
      }),
    ).rejects.toBe(crash);
    const next = await tickets().create(ticketDraft("2026-11-26", { ticket: newTicket({ description: "after the crash" }) }), () => []);
    expect(next.number).toBe("HL-20261126-0002");
    expect(await tickets().findByNumber("HL-20261126-0003")).toBeUndefined();
    expect(await messages()).toEqual([]);
    expect(await scene.storage.prisma.ping.count()).toBe(0);
    expect(await scene.storage.prisma.ticket.count()).toBe(2);
  });

  it("applies a change with its pings, deadlines, team, timeline and messages", async () => {
    const ticket = await reported({ pings: PINGS, deadlines: DEADLINES });
    const [zhou] = ticket.pings;
    const [acknowledge] = ticket.deadlines;
    clock.now = minutes(20);
    const grading = { from: { category: "general" as const, level: null }, to: { category: "major" as const, level: 2 as const }, by: "zhou.min", reason: "索赔超过五万元", at: minutes(20) };
    await tickets().apply(ticket.id, {
      status: "acknowledged",
      fields: { category: "major", level: 2, releasedAt: minutes(20) },
      addGrading: grading,
      acknowledgePings: { ids: [zhou!.id], by: "zhou.min", at: minutes(20) },
      meetDeadlines: { ids: [acknowledge!.id], at: minutes(20) },
      addPings: [{ departmentId: "quality_assurance", memberId: "gao.feng", duty: "propose_measures", needsAck: true }],
      addDeadlines: [{ kind: "measures", dueAt: minutes(1440), pingIndex: 0, chain: ["gao.feng", "chen.jie"] }],
      addTeamSeats: [{ departmentId: "after_sales", leader: true, memberId: "zhou.min", appointedBy: null, appointedAt: null, confirmedAt: null }],
      events: [{ type: "acknowledged", actorId: "zhou.min" }, { type: "graded", actorId: "zhou.min", data: { level: 2 } }],
      outbox: [messageTo("wang.fang", "acknowledged")],
      outboxFor: (after) => [messageTo("gao.feng", `measures, ping ${after.pings.at(-1)!.id}, level ${after.level}`)],
    });
    const after = (await tickets().findById(ticket.id))!;
    expect(after).toMatchObject({ status: "acknowledged", category: "major", level: 2, releasedAt: minutes(20), gradings: [grading] });
    expect(after.pings[0]).toMatchObject({ acknowledgedBy: "zhou.min", acknowledgedAt: minutes(20) });
    const added = after.pings[2]!;
    expect(added).toMatchObject({ memberId: "gao.feng", duty: "propose_measures", needsAck: true, acknowledgedAt: null, cancelledAt: null });
    expect(after.deadlines.map((d) => [d.kind, d.status, d.pingId])).toEqual([
      ["acknowledge", "met", zhou!.id],
      ["acknowledge", "met", ticket.pings[1]!.id],
      ["receipt", "pending", null],
      ["measures", "pending", added.id],
    ]);
    expect(after.team).toEqual([{ departmentId: "after_sales", leader: true, memberId: "zhou.min", appointedBy: null, appointedAt: null, confirmedAt: null }]);
    expect((await tickets().timeline(ticket.id)).map((e) => [e.type, e.at])).toEqual([["created", NOW], ["acknowledged", minutes(20)], ["graded", minutes(20)]]);
    expect(await messages()).toEqual(["acknowledged", `measures, ping ${added.id}, level 2`]);
  });

  it("keeps cancelled pings and deadlines on record, and changes and removes team seats", async () => {
    const ticket = await reported({ pings: PINGS, deadlines: DEADLINES });
    const seats = ["after_sales", "quality_assurance", "legal_counsel"].map((departmentId, i) => ({ departmentId, leader: i === 0, memberId: null, appointedBy: null, appointedAt: null, confirmedAt: null }));
    await tickets().apply(ticket.id, { status: "team_forming", addTeamSeats: seats, events: [{ type: "team_formed", actorId: "zhou.min" }], outbox: [] });
    await tickets().apply(ticket.id, {
      cancelPings: { ids: [ticket.pings[0]!.id], at: minutes(30) },
      cancelDeadlines: { ids: [ticket.deadlines[0]!.id, ticket.deadlines[1]!.id] },
      updateTeamSeat: { departmentId: "quality_assurance", seat: { memberId: "gao.feng", appointedBy: "chen.jie", appointedAt: minutes(30) } },
      removeTeamSeats: ["legal_counsel"],
      events: [{ type: "ping_cancelled", actorId: null }],
      outbox: [],
    });
    const after = (await tickets().findById(ticket.id))!;
    expect(after.pings.map((p) => p.cancelledAt)).toEqual([minutes(30), null]);
    // A met deadline stays met: only pending ones are cancelled.
    expect(after.deadlines.map((d) => d.status)).toEqual(["cancelled", "met", "pending"]);
    expect(after.team.map((s) => [s.departmentId, s.memberId, s.appointedBy, s.appointedAt])).toEqual([
      ["after_sales", null, null, null],
      ["quality_assurance", "gao.feng", "chen.jie", minutes(30)],
    ]);
    expect(after.status).toBe("team_forming");
  });

  it("keeps work records with their own files, apart from the ticket's", async () => {
    const ticket = await reported({ ticket: newTicket({ attachments: [{ platform: "telegram", fileId: "report-photo", kind: "photo" }] }) });
    await tickets().apply(ticket.id, {
      addAttachments: [{ platform: "telegram", fileId: "later-photo", kind: "photo" }],
      addRecords: [
        { kind: "agreement", text: "赔偿 5,000 元", amountFen: 500_000, override: null, by: "zhou.min", at: minutes(60), attachments: [{ platform: "slack", fileId: "draft", kind: "document", name: "协议草稿.pdf" }] },
        { kind: "measures", text: "更换发动机支架", amountFen: null, override: null, by: "gao.feng", at: minutes(61), attachments: [] },
      ],
      events: [{ type: "work_recorded", actorId: "zhou.min" }],
      outbox: [],
    });
    const agreement = (await tickets().findById(ticket.id))!.records[0]!;
    await tickets().apply(ticket.id, { attachToRecord: { recordId: agreement.id, attachments: [{ platform: "slack", fileId: "signed", kind: "document", name: "协议.pdf" }] }, events: [], outbox: [] });
    const after = (await tickets().findById(ticket.id))!;
    expect(after.attachments.map((a) => a.fileId)).toEqual(["report-photo", "later-photo"]);
    expect(after.records.map((r) => [r.kind, r.text, r.amountFen, r.by, r.at, r.attachments.map((a) => a.fileId)])).toEqual([
      ["agreement", "赔偿 5,000 元", 500_000, "zhou.min", minutes(60), ["draft", "signed"]],
      ["measures", "更换发动机支架", null, "gao.feng", minutes(61), []],
    ]);
  });

  it("resolves and closes a ticket with its result", async () => {
    const ticket = await reported();
    await tickets().apply(ticket.id, { status: "resolved", resolvedAt: minutes(90), fields: { result: "已更换支架", resolvedBy: "wang.fang" }, events: [{ type: "resolved", actorId: "wang.fang" }], outbox: [] });
    await tickets().apply(ticket.id, { status: "closed", closedAt: minutes(120), events: [{ type: "closed", actorId: "zhou.min" }], outbox: [] });
    expect(await tickets().findById(ticket.id)).toMatchObject({ status: "closed", resolvedAt: minutes(90), closedAt: minutes(120), result: "已更换支架", resolvedBy: "wang.fang" });
  });

  it("applies none of a change when part of it fails", async () => {
    const ticket = await reported({ pings: PINGS, deadlines: DEADLINES });
    await expect(
      tickets().apply(ticket.id, {
        status: "acknowledged",
        acknowledgePings: { ids: [ticket.pings[0]!.id], by: "zhou.min", at: minutes(5) },
        updateTeamSeat: { departmentId: "no_such_seat", seat: { memberId: "zhou.min" } },
        events: [{ type: "acknowledged", actorId: "zhou.min" }],
        outbox: [messageTo("wang.fang", "never sent")],
      }),
    ).rejects.toThrow();
    expect(await tickets().findById(ticket.id)).toMatchObject(ticket);
    expect((await tickets().timeline(ticket.id)).map((e) => e.type)).toEqual(["created"]);
    expect(await messages()).toEqual([]);
  });

  it("asks once per platform that posted a ticket for its messages to be edited after a change", async () => {
    const ticket = await reported();
    await new LiveViewStore(scene.storage, "telegram").recordPosted(ticket.id, { address: "200000001", messageId: "11", view: "ticket" });
    await new LiveViewStore(scene.storage, "slack").recordPosted(ticket.id, { address: "C0000ESCAL", messageId: "1.0001", view: "ticket" });
    for (const note of ["first", "second"]) await tickets().apply(ticket.id, { events: [{ type: "note", actorId: "zhou.min", data: { text: note } }], outbox: [] });
    const refreshes = await scene.storage.prisma.delivery.findMany({ where: { kind: "refresh" }, orderBy: { platform: "asc" } });
    expect(refreshes.map((r) => [r.platform, r.ticketId, r.status])).toEqual([["slack", ticket.id, "pending"], ["telegram", ticket.id, "pending"]]);
  });

  it("orders a timeline by time, and within one change in the order written", async () => {
    const ticket = await reported({ events: [{ type: "created", actorId: "wang.fang" }, { type: "classified", actorId: null }, { type: "pinged", actorId: null }] });
    clock.now = minutes(1);
    await tickets().apply(ticket.id, { events: [{ type: "taken", actorId: "zhou.min" }, { type: "note", actorId: "zhou.min" }, { type: "info_requested", actorId: "zhou.min" }], outbox: [] });
    const timeline = await tickets().timeline(ticket.id);
    expect(timeline.map((e) => e.type)).toEqual(["created", "classified", "pinged", "taken", "note", "info_requested"]);
    expect(new Set(timeline.map((e) => e.id)).size).toBe(6);
  });

  it("lists the unfinished tickets that concern a member: reported, their center's, or pinged to them or their department", async () => {
    const report = async (description: string, reporterId: string, serviceCenterId: string | null, pings: NewPing[] = []) =>
      (await tickets().create({ ...ticketDraft("2026-11-26", { pings }), ticket: newTicket({ description, reporterId, serviceCenterId }) }, () => [])).id;
    const shenyang = await report("shenyang", "wang.fang", "sc-shenyang");
    const toZhou = await report("to zhou", "guo.tao", "sc-beijing", [{ departmentId: null, memberId: "zhou.min", duty: "handle", needsAck: true }]);
    const toQa = await report("to QA", "guo.tao", "sc-beijing", [{ departmentId: "quality_assurance", memberId: "chen.jie", duty: "technical_support", needsAck: true }]);
    const cancelled = await report("cancelled", "guo.tao", "sc-beijing", [{ departmentId: null, memberId: "zhou.min", duty: "handle", needsAck: true }]);
    const resolved = await report("resolved", "wang.fang", "sc-shenyang");
    const pingId = (await tickets().findById(cancelled))!.pings[0]!.id;
    await tickets().apply(cancelled, { cancelPings: { ids: [pingId], at: minutes(1) }, events: [], outbox: [] });
    await tickets().apply(resolved, { status: "resolved", resolvedAt: minutes(1), events: [], outbox: [] });
    const concerning = async (id: string) => (await tickets().listConcerning(await member(id))).map((t) => t.id).sort((a, b) => a - b);
    expect(await concerning("wang.fang")).toEqual([shenyang]);
    expect(await concerning("ma.jun")).toEqual([shenyang]); // the same center
    expect(await concerning("guo.tao")).toEqual([toZhou, toQa, cancelled]);
    expect(await concerning("zhou.min")).toEqual([toZhou]);
    expect(await concerning("gao.feng")).toEqual([toQa]); // the department pinged
    expect(await concerning("sun.li")).toEqual([]);
  });
  it("finds a caller's history: tickets for the vehicle or the phone, newest first, as many as asked", async () => {
    const report = async (vin: string, customerPhone: string) => (await tickets().create({ ...ticketDraft(), ticket: newTicket({ vin, customerPhone }) }, () => [])).id;
    const first = await report("LSJA24U67MS000001", "138 1234 5678");
    const samePhone = await report("LSJA24U67MS000002", "138 1234 5678");
    const sameVin = await report("LSJA24U67MS000001", "139 0000 0000");
    await report("LSJA24U67MS000003", "137 0000 0000");
    const history = async (of: { vin?: string; customerPhone?: string }, limit = 5) => (await tickets().history(of, limit)).map((ticket) => ticket.id);
    expect(await history({ vin: "LSJA24U67MS000001" })).toEqual([sameVin, first]);
    expect(await history({ customerPhone: "138 1234 5678" })).toEqual([samePhone, first]);
    expect(await history({ vin: "LSJA24U67MS000001", customerPhone: "138 1234 5678" })).toEqual([sameVin, samePhone, first]);
    expect(await history({ vin: "LSJA24U67MS000001", customerPhone: "138 1234 5678" }, 2)).toEqual([sameVin, samePhone]);
    expect(await history({})).toEqual([]);
  });
});
