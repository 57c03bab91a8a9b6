import type { Member } from "../directory/member.js";
import { t, type MessageKey } from "../messages/catalog.js";
import { columnsTable, periodDocument } from "../records/daily-records.js";
import { count, text, type RecordDocument, type RecordValue } from "../records/record-document.js";
import { localDate } from "../time/business-time.js";
import { departmentName, serviceCenterName, severityText, type CardContext } from "../tickets/ticket-card.js";
import { DEADLINE_KINDS, type DeadlineKind } from "../tickets/ticket.js";
import type { TrendChart } from "./report-charts.js";
import type { MeasuredTicket, ReportPeriod } from "./report-data.js";

/** A ticket's severity as the measures group it. */
export type SeverityKey = "general" | "1" | "2" | "3" | "ungraded";
const SEVERITIES: readonly SeverityKey[] = ["1", "2", "3", "ungraded", "general"];

/** Durations in minutes: how many, the median and the 90th percentile (nearest rank); null when there are none. */
export interface DurationStats {
  count: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
}

/** Who resolved tickets: the resolver's department or service center. */
export interface Unit {
  kind: "department" | "service_center" | "none";
  id: string | null;
}

/**
 * The measures after-sales manages by (manual §2.2.3 考核: 服务中心的反馈及时性), for the tickets
 * reported in a period: how fast departments acknowledge and units resolve, by level; which
 * deadlines were met; what each service center reported and whether its feedback came on time;
 * and the days of the period one by one.
 */
export interface Measures {
  period: ReportPeriod;
  reported: number;
  acknowledge: { departmentId: string | null; severity: SeverityKey; stats: DurationStats }[];
  resolve: { unit: Unit; severity: SeverityKey; stats: DurationStats }[];
  deadlines: { kind: DeadlineKind; met: number; missed: number; pending: number }[];
  centers: { centerId: string; reports: number; feedbackMet: number; feedbackMissed: number; missedDeadlines: number }[];
  trend: { day: string; reported: number; resolved: number; missedDeadlines: number }[];
}

/** The nearest-rank percentile of sorted values: the smallest value at least `p` of them do not exceed. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

export function durationStats(minutes: readonly number[]): DurationStats {
  const sorted = [...minutes].sort((a, b) => a - b);
  return { count: sorted.length, medianMinutes: nearestRank(sorted, 0.5), p90Minutes: nearestRank(sorted, 0.9) };
}

const severityOf = (ticket: Pick<MeasuredTicket, "category" | "level">): SeverityKey =>
  ticket.category === "general" ? "general" : ticket.level === null ? "ungraded" : (String(ticket.level) as SeverityKey);

const minutesBetween = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 6_000) / 10;

/** Groups durations by a key, keeping the order keys first appear in after sorting by `order`. */
function grouped<K>(items: { key: K; id: string; minutes: number }[], order: (a: K, b: K) => number): { key: K; stats: DurationStats }[] {
  const groups = new Map<string, { key: K; minutes: number[] }>();
  for (const item of items) {
    const group = groups.get(item.id) ?? { key: item.key, minutes: [] };
    group.minutes.push(item.minutes);
    groups.set(item.id, group);
  }
  return [...groups.values()].sort((a, b) => order(a.key, b.key)).map((g) => ({ key: g.key, stats: durationStats(g.minutes) }));
}

function daysOf(period: ReportPeriod): string[] {
  const days: string[] = [];
  for (let day = new Date(`${period.from}T00:00:00Z`); day.toISOString().slice(0, 10) <= period.to; day = new Date(day.getTime() + 86_400_000)) days.push(day.toISOString().slice(0, 10));
  return days;
}

export interface MeasuresContext {
  members: ReadonlyMap<string, Member>;
  serviceCenterIds: readonly string[];
  timeZone: string;
}

export function buildMeasures(tickets: readonly MeasuredTicket[], period: ReportPeriod, ctx: MeasuresContext): Measures {
  const bySeverity = (a: SeverityKey, b: SeverityKey) => SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);

  const acknowledged = tickets.flatMap((ticket) =>
    ticket.pings.flatMap((ping) =>
      ping.acknowledgedAt ? [{ key: { departmentId: ping.departmentId, severity: severityOf(ticket) }, id: `${ping.departmentId}|${severityOf(ticket)}`, minutes: minutesBetween(ping.createdAt, ping.acknowledgedAt) }] : [],
    ),
  );
  const unitOf = (memberId: string | null): Unit => {
    const member = memberId === null ? undefined : ctx.members.get(memberId);
    if (member?.serviceCenterId) return { kind: "service_center", id: member.serviceCenterId };
    if (member?.departmentId) return { kind: "department", id: member.departmentId };
    return { kind: "none", id: null };
  };
  const resolved = tickets.flatMap((ticket) => {
    if (!ticket.resolvedAt) return [];
    const unit = unitOf(ticket.resolvedBy);
    return [{ key: { unit, severity: severityOf(ticket) }, id: `${unit.kind}|${unit.id}|${severityOf(ticket)}`, minutes: minutesBetween(ticket.createdAt, ticket.resolvedAt) }];
  });

  const deadlines = DEADLINE_KINDS.map((kind) => {
    const of = tickets.flatMap((ticket) => ticket.deadlines.filter((d) => d.kind === kind));
    return { kind, met: of.filter((d) => d.status === "met").length, missed: of.filter((d) => d.status === "missed").length, pending: of.filter((d) => d.status === "pending").length };
  }).filter((row) => row.met + row.missed + row.pending > 0);

  const reportedCenters = tickets.flatMap((ticket) => (ticket.serviceCenterId ? [ticket.serviceCenterId] : []));
  const centers = [...new Set([...ctx.serviceCenterIds, ...reportedCenters])].map((centerId) => {
    const own = tickets.filter((ticket) => ticket.serviceCenterId === centerId);
    const feedback = own.flatMap((ticket) => ticket.deadlines.filter((d) => d.kind === "feedback"));
    return {
      centerId,
      reports: own.length,
      feedbackMet: feedback.filter((d) => d.status === "met").length,
      feedbackMissed: feedback.filter((d) => d.status === "missed").length,
      missedDeadlines: own.reduce((n, ticket) => n + ticket.deadlines.filter((d) => d.status === "missed").length, 0),
    };
  });

  const trend = daysOf(period).map((day) => ({
    day,
    reported: tickets.filter((ticket) => ticket.localDate === day).length,
    resolved: tickets.filter((ticket) => ticket.resolvedAt && localDate(ticket.resolvedAt, ctx.timeZone) === day).length,
    missedDeadlines: tickets.reduce((n, ticket) => n + ticket.deadlines.filter((d) => d.status === "missed" && localDate(d.dueAt, ctx.timeZone) === day).length, 0),
  }));

  return {
    period,
    reported: tickets.length,
    acknowledge: grouped(acknowledged, (a, b) => String(a.departmentId).localeCompare(String(b.departmentId)) || bySeverity(a.severity, b.severity)).map(({ key, stats }) => ({ ...key, stats })),
    resolve: grouped(resolved, (a, b) => `${a.unit.kind}|${a.unit.id}`.localeCompare(`${b.unit.kind}|${b.unit.id}`) || bySeverity(a.severity, b.severity)).map(({ key, stats }) => ({ ...key, stats })),
    deadlines,
    centers,
    trend,
  };
}

const minutes = (value: number | null): RecordValue => (value === null ? text("-") : { type: "number", value, unit: "minutes" });
const share = (part: number, whole: number): RecordValue => (whole === 0 ? text("-") : { type: "number", value: part / whole, unit: "share" });

function severityLabel(severity: SeverityKey, ctx: CardContext): string {
  if (severity === "general") return severityText({ category: "general", level: null }, ctx.locale);
  return severityText({ category: "major", level: severity === "ungraded" ? null : (Number(severity) as 1 | 2 | 3) }, ctx.locale);
}

function unitName(unit: Unit, ctx: CardContext): string {
  if (unit.kind === "service_center") return serviceCenterName(unit.id, ctx);
  if (unit.kind === "department") return departmentName(unit.id, ctx);
  return t(ctx.locale, "document.unit.none");
}

export const periodText = (period: ReportPeriod) => (period.from === period.to ? period.from : `${period.from} ~ ${period.to}`);

/** The measures as a record: the weekly document's sheets and sections. */
export function measuresRecord(measures: Measures, ctx: CardContext, madeAt: Date): RecordDocument {
  const label = (key: MessageKey) => t(ctx.locale, key);
  const met = measures.deadlines.reduce((n, d) => n + d.met, 0);
  const missed = measures.deadlines.reduce((n, d) => n + d.missed, 0);
  const stats = (s: DurationStats): RecordValue[] => [count(s.count), minutes(s.medianMinutes), minutes(s.p90Minutes)];
  return periodDocument("weekly_measures", ctx, periodText(measures.period), madeAt, {
    sections: [
      {
        key: "summary",
        heading: label("document.section.summary"),
        fields: [
          { key: "period", label: label("document.field.period"), value: text(periodText(measures.period)) },
          { key: "total", label: label("document.field.total"), value: count(measures.reported) },
          { key: "deadlines_met", label: label("document.field.deadlines_met"), value: count(met) },
          { key: "deadlines_missed", label: label("document.field.deadlines_missed"), value: count(missed) },
        ],
      },
    ],
    tables: [
      columnsTable(ctx, "acknowledge_times", ["department", "level", "count", "median_minutes", "p90_minutes"], measures.acknowledge.map((row) => [text(departmentName(row.departmentId, ctx)), text(severityLabel(row.severity, ctx)), ...stats(row.stats)])),
      columnsTable(ctx, "resolve_times", ["unit", "level", "count", "median_minutes", "p90_minutes"], measures.resolve.map((row) => [text(unitName(row.unit, ctx)), text(severityLabel(row.severity, ctx)), ...stats(row.stats)])),
      columnsTable(ctx, "deadline_kinds", ["deadline", "met", "missed", "open", "on_time"], measures.deadlines.map((row) => [text(label(`deadline.${row.kind}`)), count(row.met), count(row.missed), count(row.pending), share(row.met, row.met + row.missed)])),
      columnsTable(ctx, "centers", ["center", "reports", "feedback_on_time", "feedback_late", "on_time", "missed_deadlines"], measures.centers.map((row) => [
        text(serviceCenterName(row.centerId, ctx)), count(row.reports), count(row.feedbackMet), count(row.feedbackMissed), share(row.feedbackMet, row.feedbackMet + row.feedbackMissed), count(row.missedDeadlines),
      ])),
      columnsTable(ctx, "trend", ["day", "reports", "resolved", "missed_deadlines"], measures.trend.map((row) => [{ type: "date", date: row.day }, count(row.reported), count(row.resolved), count(row.missedDeadlines)])),
    ],
  });
}

/** The period day by day: tickets reported, resolved, and deadlines missed. */
export function trendChart(measures: Measures, locale: CardContext["locale"]): TrendChart {
  return {
    title: t(locale, "chart.trend"),
    days: measures.trend.map((row) => row.day.slice(5)),
    series: [
      { label: t(locale, "chart.trend_reported"), values: measures.trend.map((row) => row.reported) },
      { label: t(locale, "chart.trend_resolved"), values: measures.trend.map((row) => row.resolved) },
      { label: t(locale, "chart.trend_missed"), values: measures.trend.map((row) => row.missedDeadlines) },
    ],
  };
}
