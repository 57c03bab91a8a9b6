import type { Notification } from "../../core/escalation/notification.js";
import type { Clock } from "../../core/ports.js";
import type {
  DailyRecordData, DayTicket, ExportedTicket, MeasuredTicket, ReportData, ReportKind, ReportPeriod, ReportStore, TicketExportFilter, TicketSummary,
} from "../../core/reports/report-data.js";
import { TICKET_STATUSES, type Brand, type Deadline, type DeadlineKind, type TicketKind, type TicketSource, type TicketStatus, type WorkRecordKind } from "../../core/tickets/ticket.js";
import type { Level } from "../../core/triage/rules.js";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Storage } from "../storage/storage.js";
import { OutboxWrites } from "./outbox-store.js";

const SUMMARY = {
  number: true, kind: true, source: true, category: true, level: true, status: true, serviceCenterId: true, createdAt: true,
  localDate: true, brand: true, saleDate: true, mileageKm: true, result: true, resolvedBy: true,
} as const;
type SummaryRow = Prisma.TicketGetPayload<{ select: typeof SUMMARY }>;

const toSummary = (row: SummaryRow): TicketSummary => ({
  ...row,
  brand: row.brand as Brand,
  kind: row.kind as TicketKind,
  source: row.source as TicketSource,
  category: row.category as TicketSummary["category"],
  level: row.level as Level | null,
  status: row.status as TicketStatus,
});

const FINISHED = ["resolved", "closed"];
/** Spelled out, so the status index serves an `IN` instead of the table scanned for a `NOT IN`. */
const UNFINISHED = TICKET_STATUSES.filter((status) => !FINISHED.includes(status));

/** A day's ticket with what the records say was done: its work records and its centers' feedback. */
const DAY_TICKET = {
  ...SUMMARY,
  description: true, customerName: true, customerPhone: true, reporterId: true, firstLine: true, transferredAt: true, resolvedAt: true,
  records: { select: { kind: true, text: true, by: true, at: true }, orderBy: { id: "asc" } },
  events: { where: { type: { in: ["feedback", "taken"] } }, select: { type: true, actorId: true, data: true, at: true }, orderBy: { id: "asc" } },
} as const satisfies Prisma.TicketSelect;
type DayTicketRow = Prisma.TicketGetPayload<{ select: typeof DAY_TICKET }>;

function toDayTicket({ records, events, description, customerName, customerPhone, reporterId, firstLine, transferredAt, resolvedAt, ...row }: DayTicketRow): DayTicket {
  return {
    ...toSummary(row),
    description, customerName, customerPhone, reporterId, firstLine, transferredAt, resolvedAt,
    records: records.map((r) => ({ ...r, kind: r.kind as WorkRecordKind })),
    feedback: events.filter((e) => e.type === "feedback").flatMap((e) => {
      const text = (JSON.parse(e.data) as { text?: unknown }).text;
      return typeof text === "string" ? [{ text, at: e.at }] : [];
    }),
  };
}

export class PrismaReportStore implements ReportStore {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock = () => new Date(),
  ) {}

  /** Five queries, each on an index (local date, category and status, event type and time, due time, finish times). */
  async load(period: ReportPeriod, range: { start: Date; end: Date }): Promise<ReportData> {
    const db = this.storage.prisma;
    const within = { gte: range.start, lt: range.end };
    const [created, openMajor, missed, teams, finished] = await Promise.all([
      db.ticket.findMany({ where: { localDate: { gte: period.from, lte: period.to } }, select: SUMMARY, orderBy: { id: "asc" } }),
      db.ticket.findMany({
        where: { category: "major", status: { notIn: FINISHED } },
        select: {
          ...SUMMARY,
          pings: { select: { memberId: true, needsAck: true, acknowledgedBy: true } },
          events: { where: { type: "taken" }, select: { actorId: true } },
        },
        orderBy: { id: "asc" },
      }),
      db.ticketEvent.findMany({ where: { type: "deadline_missed", at: within }, select: { at: true, data: true, ticket: { select: { number: true } } }, orderBy: { id: "asc" } }),
      db.deadline.findMany({ where: { kind: "on_site", dueAt: within }, select: { dueAt: true, status: true, ticket: { select: { number: true } } }, orderBy: { id: "asc" } }),
      db.ticket.findMany({ where: { OR: [{ resolvedAt: within }, { closedAt: within }] }, select: SUMMARY, orderBy: { id: "asc" } }),
    ]);
    return {
      created: created.map(toSummary),
      openMajor: openMajor.map(({ pings, events, ...row }) => ({ ...toSummary(row), holderIds: holdersOf(pings, events) })),
      missed: missed.map((e) => ({ number: e.ticket.number, kind: (JSON.parse(e.data) as { kind: DeadlineKind }).kind, at: e.at })),
      teams: teams.map((d) => ({ number: d.ticket.number, dueAt: d.dueAt, status: d.status as ReportData["teams"][number]["status"] })),
      finished: finished.map(toSummary),
    };
  }

  /**
   * Two queries (and Prisma's one per relation, each by ticket id): the day's tickets by their local
   * date, and the major ones open (by status) or finished within the day (by their finish times).
   */
  async loadDailyRecords(day: string, range: { start: Date; end: Date }): Promise<DailyRecordData> {
    const db = this.storage.prisma;
    const within = { gte: range.start, lt: range.end };
    const [reported, major] = await Promise.all([
      db.ticket.findMany({ where: { localDate: day }, select: DAY_TICKET, orderBy: { id: "asc" } }),
      db.ticket.findMany({
        where: { category: "major", OR: [{ status: { in: UNFINISHED } }, { resolvedAt: within }, { closedAt: within }] },
        select: { ...DAY_TICKET, pings: { select: { memberId: true, needsAck: true, acknowledgedBy: true } } },
        orderBy: { id: "asc" },
      }),
    ]);
    return {
      reported: reported.map(toDayTicket),
      major: major.map(({ pings, ...row }) => ({ ...toDayTicket(row), holderIds: holdersOf(pings, row.events.filter((e) => e.type === "taken")) })),
    };
  }

  /** The period's tickets by their local date, with their pings that asked for an acknowledgement and their deadlines. */
  async loadMeasures(period: ReportPeriod): Promise<MeasuredTicket[]> {
    const rows = await this.storage.prisma.ticket.findMany({
      where: { localDate: { gte: period.from, lte: period.to } },
      select: {
        number: true, category: true, level: true, serviceCenterId: true, localDate: true, createdAt: true, resolvedAt: true, resolvedBy: true,
        pings: { where: { needsAck: true }, select: { departmentId: true, createdAt: true, acknowledgedAt: true }, orderBy: { id: "asc" } },
        deadlines: { select: { kind: true, status: true, dueAt: true, metAt: true }, orderBy: { id: "asc" } },
      },
      orderBy: { id: "asc" },
    });
    return rows.map((row) => ({
      ...row,
      category: row.category as MeasuredTicket["category"],
      level: row.level as Level | null,
      deadlines: row.deadlines.map((d) => ({ ...d, kind: d.kind as DeadlineKind, status: d.status as Deadline["status"] })),
    }));
  }

  /** One query on the local date (with the severity's index where a level is asked for). */
  async exportTickets(filter: TicketExportFilter): Promise<ExportedTicket[]> {
    const severity = filter.level === undefined ? {} : filter.level === "general" ? { category: "general" } : { category: "major", level: filter.level };
    const rows = await this.storage.prisma.ticket.findMany({
      where: { localDate: { gte: filter.from, lte: filter.to }, ...severity },
      select: { ...SUMMARY, vin: true, description: true, customerName: true, customerPhone: true, reporterId: true, resolvedAt: true, closedAt: true },
      orderBy: { id: "asc" },
    });
    return rows.map(({ vin, description, customerName, customerPhone, reporterId, resolvedAt, closedAt, ...row }) => ({
      ...toSummary(row), vin, description, customerName, customerPhone, reporterId, resolvedAt, closedAt,
    }));
  }

  archive(record: { kind: ReportKind; period: ReportPeriod; content: unknown }, outbox: Notification[]): Promise<boolean> {
    return this.storage.transaction(async ({ sql }) => {
      // The unique key (kind, period) says whether this report was kept, and sent, already.
      const kept = await sql.run(
        `INSERT INTO "ReportRecord" ("kind", "periodFrom", "periodTo", "content", "createdAt") VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        record.kind, record.period.from, record.period.to, JSON.stringify(record.content), this.clock(),
      );
      if (kept === 0) return false;
      await new OutboxWrites(sql).add(outbox, null, this.clock());
      return true;
    });
  }
}

/** Who holds an open ticket: who took it, else who acknowledged it, else who is still pinged. */
function holdersOf(pings: { memberId: string | null; needsAck: boolean; acknowledgedBy: string | null }[], taken: { actorId: string | null }[]): string[] {
  const unique = (ids: (string | null)[]) => [...new Set(ids.filter((id): id is string => id !== null))];
  const takers = unique(taken.map((e) => e.actorId));
  if (takers.length) return takers;
  const acknowledged = unique(pings.map((p) => p.acknowledgedBy));
  if (acknowledged.length) return acknowledged;
  return unique(pings.filter((p) => p.needsAck).map((p) => p.memberId));
}
