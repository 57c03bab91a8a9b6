import type { Notification } from "../../core/escalation/notification.js";
import type { Clock } from "../../core/ports.js";
import type { ReportData, ReportKind, ReportPeriod, ReportStore, TicketSummary } from "../../core/reports/report-data.js";
import type { Brand, DeadlineKind, TicketKind, TicketSource, TicketStatus } from "../../core/tickets/ticket.js";
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
