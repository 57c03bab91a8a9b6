import type { Member } from "../../core/directory/member.js";
import { platformSchema, type Duty } from "../../core/directory/organisation.js";
import type { Notification } from "../../core/escalation/notification.js";
import type { Clock, NewDeadline, NewPing, TicketChange, TicketDraft, TicketStore } from "../../core/ports.js";
import {
  formatTicketNumber,
  type AttachmentRef,
  type Brand,
  type Deadline,
  type DeadlineKind,
  type Grading,
  type MatchedRuleRef,
  type Ping,
  type Ticket,
  type TicketKind,
  type TicketSource,
  type TicketStatus,
  type WorkRecord,
  type WorkRecordKind,
} from "../../core/tickets/ticket.js";
import type { TimelineEntry } from "../../core/tickets/timeline.js";
import type { Level } from "../../core/triage/rules.js";
import { Prisma } from "../../generated/prisma/client.ts";
import type { Sql, Storage } from "../storage/storage.js";
import { OutboxWrites } from "./outbox-store.js";

const WITH_DETAILS = {
  pings: { orderBy: { id: "asc" } },
  deadlines: { orderBy: { id: "asc" } },
  attachments: { orderBy: { id: "asc" } },
  teamSeats: { orderBy: { id: "asc" } },
  records: { orderBy: { id: "asc" } },
} as const;
type TicketRow = Prisma.TicketGetPayload<{ include: typeof WITH_DETAILS }>;

/**
 * Tickets on Prisma. Times are the app's clock (the one that numbered the ticket and set its
 * deadlines), so a ticket, its timeline and its messages agree on when things happened.
 */
export class PrismaTicketStore implements TicketStore {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock = () => new Date(),
  ) {}

  /**
   * A report's ticket with its pings, deadlines, timeline and messages: plain statements on the
   * connection inside one transaction (through Prisma's query builder this was most of a report's
   * cost), and the ticket built from what was written rather than read back.
   */
  async create(draft: TicketDraft, outboxFor: (ticket: Ticket) => Notification[]): Promise<Ticket> {
    return this.storage.transaction(async ({ sql }) => {
      // The day's row is locked until the commit: concurrent reports take the next numbers in turn, none twice, none skipped.
      const { last } = (await sql.get<{ last: number }>(
        `INSERT INTO "TicketDaySequence" ("localDate", "last") VALUES (?, 1) ON CONFLICT ("localDate") DO UPDATE SET "last" = "TicketDaySequence"."last" + 1 RETURNING "last"`,
        draft.localDate,
      ))!;
      const now = this.clock();
      const t = draft.ticket;
      const number = formatTicketNumber(draft.localDate, last);
      const id = await sql.insert(
        `INSERT INTO "Ticket" ("number", "localDate", "kind", "source", "category", "level", "matchedRules", "answers", "status", "brand", "vin", "mileageKm",
           "description", "customerName", "customerPhone", "reporterId", "originPlatform", "serviceCenterId", "releasedAt", "firstLine", "transferredAt",
           "customerEmail", "doNotContact", "saleDate", "createdAt", "updatedAt")
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        number, draft.localDate, t.kind, t.source, t.category, t.level, JSON.stringify(t.matched), JSON.stringify(t.answers), t.status, t.brand, t.vin, t.mileageKm,
        t.description, t.customerName, t.customerPhone, t.reporterId, t.originPlatform, t.serviceCenterId, t.releasedAt, t.firstLine, t.transferredAt,
        t.customerEmail, t.doNotContact, t.saleDate, now, now,
      );
      for (const a of t.attachments) {
        await sql.run(`INSERT INTO "Attachment" ("ticketId", "platform", "fileId", "kind", "name", "at") VALUES (?, ?, ?, ?, ?, ?)`, id, a.platform, a.fileId, a.kind, a.name ?? null, now);
      }
      const pings = await insertPings(sql, id, draft.pings, now);
      const deadlines = await insertDeadlines(sql, id, draft.deadlines, pings);
      await addEvents(sql, id, draft.events, now);
      const ticket: Ticket = {
        ...t, id, number, localDate: draft.localDate, createdAt: now, resolvedAt: null, closedAt: null, result: null, resolvedBy: null,
        pings, deadlines, team: [], gradings: [], records: [],
      };
      await new OutboxWrites(sql).add(outboxFor(ticket), id, now);
      return ticket;
    });
  }

  async findByNumber(number: string): Promise<Ticket | undefined> {
    const row = await this.storage.prisma.ticket.findUnique({ where: { number }, include: WITH_DETAILS });
    return row ? toTicket(row) : undefined;
  }

  async findById(id: number): Promise<Ticket | undefined> {
    const row = await this.storage.prisma.ticket.findUnique({ where: { id }, include: WITH_DETAILS });
    return row ? toTicket(row) : undefined;
  }

  /** Entries of one change share their time: the id keeps them in the order they were written. */
  async timeline(ticketId: number): Promise<TimelineEntry[]> {
    const rows = await this.storage.prisma.ticketEvent.findMany({ where: { ticketId }, orderBy: [{ at: "asc" }, { id: "asc" }] });
    return rows.map((row) => ({ id: row.id, type: row.type, actorId: row.actorId, data: eventData(row.data), at: row.at }));
  }

  async listConcerning(member: Member): Promise<Ticket[]> {
    const rows = await this.storage.prisma.ticket.findMany({
      where: {
        status: { notIn: ["resolved", "closed"] },
        OR: [
          { reporterId: member.id },
          ...(member.serviceCenterId ? [{ serviceCenterId: member.serviceCenterId }] : []),
          { pings: { some: { memberId: member.id, cancelledAt: null } } },
          ...(member.departmentId ? [{ pings: { some: { departmentId: member.departmentId, cancelledAt: null } } }] : []),
        ],
      },
      include: WITH_DETAILS,
      orderBy: { createdAt: "desc" },
      take: 50,
    });
    return rows.map(toTicket);
  }

  async history(of: { vin?: string | undefined; customerPhone?: string | undefined }, limit: number): Promise<Ticket[]> {
    const matches = [...(of.vin ? [{ vin: of.vin }] : []), ...(of.customerPhone ? [{ customerPhone: of.customerPhone }] : [])];
    if (matches.length === 0) return [];
    const rows = await this.storage.prisma.ticket.findMany({ where: { OR: matches }, include: WITH_DETAILS, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit });
    return rows.map(toTicket);
  }

  async apply(ticketId: number, change: TicketChange): Promise<void> {
    await this.storage.transaction(async ({ prisma: tx, sql }) => {
      const data: Prisma.TicketUncheckedUpdateInput = { ...change.fields };
      if (change.status) data.status = change.status;
      if (change.resolvedAt) data.resolvedAt = change.resolvedAt;
      if (change.closedAt) data.closedAt = change.closedAt;
      const row = await tx.ticket.update({ where: { id: ticketId }, data, select: { gradings: true } });
      if (change.addGrading) {
        const gradings = [...(JSON.parse(row.gradings) as unknown[]), change.addGrading];
        await tx.ticket.update({ where: { id: ticketId }, data: { gradings: JSON.stringify(gradings) } });
      }
      const now = this.clock();
      const cancelled = change.cancelPings;
      if (cancelled?.ids.length) await tx.ping.updateMany({ where: { id: { in: cancelled.ids }, cancelledAt: null }, data: { cancelledAt: cancelled.at } });
      if (change.cancelDeadlines?.ids.length) {
        await tx.deadline.updateMany({ where: { id: { in: change.cancelDeadlines.ids }, status: "pending" }, data: { status: "cancelled" } });
      }
      if (change.addPings?.length || change.addDeadlines?.length) {
        await insertDeadlines(sql, ticketId, change.addDeadlines ?? [], await insertPings(sql, ticketId, change.addPings ?? [], now));
      }
      const ack = change.acknowledgePings;
      if (ack?.ids.length) {
        await tx.ping.updateMany({ where: { id: { in: ack.ids }, acknowledgedAt: null }, data: { acknowledgedAt: ack.at, acknowledgedBy: ack.by } });
      }
      const met = change.meetDeadlines;
      if (met?.ids.length) {
        await tx.deadline.updateMany({ where: { id: { in: met.ids }, status: "pending" }, data: { status: "met", metAt: met.at } });
      }
      if (change.removeTeamSeats?.length) await tx.teamSeat.deleteMany({ where: { ticketId, departmentId: { in: change.removeTeamSeats } } });
      if (change.addTeamSeats?.length) await tx.teamSeat.createMany({ data: change.addTeamSeats.map((seat) => ({ ticketId, ...seat })) });
      const seat = change.updateTeamSeat;
      if (seat) await tx.teamSeat.update({ where: { ticketId_departmentId: { ticketId, departmentId: seat.departmentId } }, data: seat.seat });
      const files = change.addAttachments ?? [];
      if (files.length) await tx.attachment.createMany({ data: files.map((a) => attachmentRow(ticketId, a, null, now)) });
      const toRecord = change.attachToRecord;
      if (toRecord?.attachments.length) {
        await tx.attachment.createMany({ data: toRecord.attachments.map((a) => attachmentRow(ticketId, a, toRecord.recordId, now)) });
      }
      for (const { attachments, ...record } of change.addRecords ?? []) {
        const { id: recordId } = await tx.workRecord.create({ data: { ticketId, ...record }, select: { id: true } });
        if (attachments.length) await tx.attachment.createMany({ data: attachments.map((a) => attachmentRow(ticketId, a, recordId, now)) });
      }
      await addEvents(sql, ticketId, change.events, now);
      const after = change.outboxFor ? await tx.ticket.findUnique({ where: { id: ticketId }, include: WITH_DETAILS }) : null;
      const outbox = new OutboxWrites(sql);
      await outbox.add([...change.outbox, ...(after && change.outboxFor ? change.outboxFor(toTicket(after)) : [])], ticketId, now);
      await outbox.refreshViews(ticketId, now);
    });
  }
}

const attachmentRow = (ticketId: number, a: AttachmentRef, recordId: number | null, at: Date) =>
  ({ ticketId, platform: a.platform, fileId: a.fileId, kind: a.kind, name: a.name ?? null, recordId, at });

/** A ticket's pings, as plain statements: a report writes several. An acknowledged one is answered at once. */
async function insertPings(sql: Sql, ticketId: number, pings: readonly NewPing[], now: Date): Promise<Ping[]> {
  const inserted: Ping[] = [];
  for (const { acknowledged, ...ping } of pings) {
    const id = await sql.insert(
      `INSERT INTO "Ping" ("ticketId", "departmentId", "memberId", "duty", "needsAck", "acknowledgedAt", "acknowledgedBy", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ticketId, ping.departmentId, ping.memberId, ping.duty, ping.needsAck, acknowledged?.at ?? null, acknowledged?.by ?? null, now,
    );
    inserted.push({ id, ...ping, acknowledgedAt: acknowledged?.at ?? null, acknowledgedBy: acknowledged?.by ?? null, cancelledAt: null });
  }
  return inserted;
}

/** Deadlines with their pings' ids (`pingIndex` points into `pings`); an answered ping's deadline is met already. */
async function insertDeadlines(sql: Sql, ticketId: number, deadlines: readonly NewDeadline[], pings: readonly Ping[]): Promise<Deadline[]> {
  const inserted: Deadline[] = [];
  for (const d of deadlines) {
    const ping = d.pingIndex === null ? undefined : pings[d.pingIndex];
    const pingId = ping?.id ?? null;
    const status = ping?.acknowledgedAt ? "met" : "pending";
    const id = await sql.insert(
      `INSERT INTO "Deadline" ("ticketId", "pingId", "kind", "dueAt", "chain", "status", "metAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ticketId, pingId, d.kind, d.dueAt, JSON.stringify(d.chain), status, ping?.acknowledgedAt ?? null,
    );
    inserted.push({ id, pingId, kind: d.kind, dueAt: d.dueAt, status, chain: d.chain, step: 0 });
  }
  return inserted;
}

/*
 * Timeline entries are written with every change, on the hot paths of reports and timers: plain
 * statements, inside the caller's transaction.
 */

export function addEvents(sql: Sql, ticketId: number, events: TicketChange["events"], at: Date): Promise<void> {
  return sql.insertRows("TicketEvent", ["ticketId", "type", "actorId", "data", "at"], events.map((e) => [ticketId, e.type, e.actorId, JSON.stringify(e.data ?? {}), at]));
}

/** An entry's data as written; a row that is not a JSON object reads as no data (a type that needs some then reads as a generic line). */
function eventData(json: string): Record<string, unknown> {
  try {
    const data: unknown = JSON.parse(json);
    return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const toAttachmentRef = (a: TicketRow["attachments"][number]): AttachmentRef => ({ platform: a.platform, fileId: a.fileId, kind: a.kind as AttachmentRef["kind"], name: a.name ?? undefined });

function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    number: row.number,
    localDate: row.localDate,
    kind: row.kind as TicketKind,
    source: row.source as TicketSource,
    category: row.category as Ticket["category"],
    level: row.level as Level | null,
    matched: JSON.parse(row.matchedRules) as MatchedRuleRef[],
    answers: JSON.parse(row.answers) as Ticket["answers"],
    status: row.status as TicketStatus,
    brand: row.brand as Brand,
    vin: row.vin,
    mileageKm: row.mileageKm,
    description: row.description,
    customerName: row.customerName,
    customerPhone: row.customerPhone,
    reporterId: row.reporterId,
    originPlatform: platformSchema.safeParse(row.originPlatform).data ?? null,
    serviceCenterId: row.serviceCenterId,
    releasedAt: row.releasedAt,
    firstLine: row.firstLine,
    transferredAt: row.transferredAt,
    customerEmail: row.customerEmail,
    doNotContact: row.doNotContact,
    saleDate: row.saleDate,
    result: row.result,
    resolvedBy: row.resolvedBy,
    gradings: (JSON.parse(row.gradings) as (Omit<Grading, "at"> & { at: string })[]).map((g) => ({ ...g, at: new Date(g.at) })),
    createdAt: row.createdAt,
    resolvedAt: row.resolvedAt,
    closedAt: row.closedAt,
    pings: row.pings.map((p) => ({ ...p, duty: p.duty as Duty })),
    deadlines: row.deadlines.map((d) => ({
      id: d.id,
      pingId: d.pingId,
      kind: d.kind as DeadlineKind,
      dueAt: d.dueAt,
      status: d.status as Deadline["status"],
      chain: JSON.parse(d.chain) as string[],
      step: d.step,
    })),
    attachments: row.attachments.filter((a) => a.recordId === null).map(toAttachmentRef),
    records: row.records.map((r): WorkRecord => ({
      id: r.id,
      kind: r.kind as WorkRecordKind,
      text: r.text,
      amountFen: r.amountFen,
      override: r.override,
      by: r.by,
      at: r.at,
      attachments: row.attachments.filter((a) => a.recordId === r.id).map(toAttachmentRef),
    })),
    team: row.teamSeats.map(({ departmentId, leader, memberId, appointedBy, appointedAt, confirmedAt }) => ({ departmentId, leader, memberId, appointedBy, appointedAt, confirmedAt })),
  };
}
