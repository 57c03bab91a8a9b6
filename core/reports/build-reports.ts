import type { Organisation } from "../directory/organisation.js";
import { TICKET_KINDS, TICKET_SOURCES } from "../tickets/ticket.js";
import { warrantyOf, type WarrantyStatus } from "../tickets/warranty.js";
import type { ReportData, ReportPeriod, TicketSummary } from "./report-data.js";

/** Tickets in, out of and of unknown warranty (§5 质量担保), each read on the day it was reported. */
export type WarrantyCounts = Record<WarrantyStatus, number>;

/** 售后服务部重大质量问题日报告: the daily report of major quality problems (manual §4). */
export interface MajorProblemsReport {
  period: ReportPeriod;
  /** New major tickets by level; `ungraded`: important (§4) but not yet graded by after-sales. */
  newByLevel: { 1: string[]; 2: string[]; 3: string[]; ungraded: string[] };
  /** The new major tickets by warranty. */
  newByWarranty: WarrantyCounts;
  open: { number: string; level: number | null; ageHours: number; status: string; holderIds: string[] }[];
  missed: { number: string; kind: string }[];
  teams: { number: string; onSite: boolean; dueAt: Date }[];
  /** Resolved or closed in the period, with what was done and by whom. */
  closed: { number: string; result: string | null; resolvedBy: string | null }[];
}

/** 售后服务电话接听日报表: the daily hotline report — tickets in, by source, kind, category and center. */
export interface HotlineReport {
  period: ReportPeriod;
  total: number;
  bySource: Record<string, number>;
  byKind: Record<string, number>;
  byCategory: { general: number; major: number };
  byCenter: Record<string, number>;
  byWarranty: WarrantyCounts;
  handled: number;
  pending: number;
}

const countBy = <K extends string>(tickets: TicketSummary[], key: (t: TicketSummary) => K, keys: readonly K[] = []): Record<K, number> => {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const ticket of tickets) counts[key(ticket)] = (counts[key(ticket)] ?? 0) + 1;
  return counts;
};

function countWarranty(tickets: TicketSummary[], org: Pick<Organisation, "warranty">): WarrantyCounts {
  const counts: WarrantyCounts = { in: 0, out: 0, unknown: 0 };
  for (const ticket of tickets) counts[warrantyOf(ticket, org, ticket.localDate).status] += 1;
  return counts;
}

export function buildMajorProblemsReport(data: ReportData, period: ReportPeriod, now: Date, org: Pick<Organisation, "warranty">): MajorProblemsReport {
  const major = data.created.filter((t) => t.category === "major");
  const atLevel = (level: 1 | 2 | 3 | null) => major.filter((t) => t.level === level).map((t) => t.number);
  return {
    period,
    newByLevel: { 1: atLevel(1), 2: atLevel(2), 3: atLevel(3), ungraded: atLevel(null) },
    newByWarranty: countWarranty(major, org),
    open: data.openMajor
      .map((t) => ({ number: t.number, level: t.level, ageHours: Math.floor((now.getTime() - t.createdAt.getTime()) / 3_600_000), status: t.status, holderIds: t.holderIds }))
      .sort((a, b) => (a.level ?? 9) - (b.level ?? 9) || b.ageHours - a.ageHours),
    missed: data.missed.map((m) => ({ number: m.number, kind: m.kind })),
    teams: data.teams.map((team) => ({ number: team.number, onSite: team.status === "met", dueAt: team.dueAt })),
    closed: data.finished.map(({ number, result, resolvedBy }) => ({ number, result, resolvedBy })),
  };
}

export function buildHotlineReport(data: ReportData, period: ReportPeriod, org: Pick<Organisation, "warranty">): HotlineReport {
  const pending = data.created.filter((t) => t.status !== "resolved" && t.status !== "closed").length;
  return {
    period,
    total: data.created.length,
    bySource: countBy(data.created, (t) => t.source, TICKET_SOURCES),
    byKind: countBy(data.created, (t) => t.kind, TICKET_KINDS),
    byCategory: { general: data.created.filter((t) => t.category === "general").length, major: data.created.filter((t) => t.category === "major").length },
    byCenter: countBy(data.created, (t) => t.serviceCenterId ?? "none"),
    byWarranty: countWarranty(data.created, org),
    handled: data.created.length - pending,
    pending,
  };
}
