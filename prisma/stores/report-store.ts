import type { Notification } from "../../core/escalation/notification.js";
import type { Clock } from "../../core/ports.js";
import type { ReportData, ReportKind, ReportPeriod, ReportStore, TicketSummary } from "../../core/reports/report-data.js";
import type { Brand, DeadlineKind, TicketKind, TicketSource, TicketStatus } from "../../core/tickets/ticket.js";
import type { Level } from "../../core/triage/rules.js";
import { Prisma } from "../../generated/prisma/client.ts";
import { sqliteOf, transact, type Database } from "../database.js";
import { addOutbox } from "./ticket-store.js";

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

export class PrismaReportStore implements ReportStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock = () => new Date(),
  ) {}

  /** Five queries, each on an index (local date, category and status, event type and time, due time, finish times). */
  async load(period: ReportPeriod, range: { start: Date; end: Date }): Promise<ReportData> {
    const within = { gte: range.start, lt: range.end };
    const [created, openMajor, missed, teams, finished] = await Promise.all([
      this.db.ticket.findMany({ where: { localDate: { gte: period.from, lte: period.to } }, select: SUMMARY, orderBy: { id: "asc" } }),
      this.db.ticket.findMany({
        where: { category: "major", status: { notIn: FINISHED } },
        select: {
          ...SUMMARY,
          pings: { select: { memberId: true, needsAck: true, acknowledgedBy: true } },
          events: { where: { type: "taken" }, select: { actorId: true } },
        },
        orderBy: { id: "asc" },
      }),
      this.db.ticketEvent.findMany({ where: { type: "deadline_missed", at: within }, select: { at: true, data: true, ticket: { select: { number: true } } }, orderBy: { id: "asc" } }),
      this.db.deadline.findMany({ where: { kind: "on_site", dueAt: within }, select: { dueAt: true, status: true, ticket: { select: { number: true } } }, orderBy: { id: "asc" } }),
      this.db.ticket.findMany({ where: { OR: [{ resolvedAt: within }, { closedAt: within }] }, select: SUMMARY, orderBy: { id: "asc" } }),
    ]);
    return {
      created: created.map(toSummary),
      openMajor: openMajor.map(({ pings, events, ...row }) => ({ ...toSummary(row), holderIds: holdersOf(pings, events) })),
      missed: missed.map((e) => ({ number: e.ticket.number, kind: (JSON.parse(e.data) as { kind: DeadlineKind }).kind, at: e.at })),
      teams: teams.map((d) => ({ number: d.ticket.number, dueAt: d.dueAt, status: d.status as ReportData["teams"][number]["status"] })),
      finished: finished.map(toSummary),
    };
  }

  archive(record: { kind: ReportKind; period: ReportPeriod; content: unknown }, outbox: Notification[]): Promise<boolean> {
    return transact(this.db, async (tx) => {
      try {
        await tx.reportRecord.create({
          data: { kind: record.kind, periodFrom: record.period.from, periodTo: record.period.to, content: JSON.stringify(record.content), createdAt: this.clock() },
        });
      } catch (error) {
        // The unique key (kind, period) says this report was kept, and sent, already.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return false;
        throw error;
      }
      addOutbox(sqliteOf(tx), outbox, null, this.clock());
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
