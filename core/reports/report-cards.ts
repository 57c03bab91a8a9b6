import type { Organisation } from "../directory/organisation.js";
import { organisationTerms } from "../directory/organisation-terms.js";
import type { Member } from "../directory/member.js";
import type { Card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import { TICKET_KINDS, TICKET_SOURCES } from "../tickets/ticket.js";
import { formatLocalTime } from "../time/business-time.js";
import { severityText } from "../tickets/ticket-card.js";
import { truncate } from "../messages/truncate.js";
import type { HotlineReport, MajorProblemsReport } from "./build-reports.js";
import type { ReportPeriod } from "./report-data.js";

export interface ReportCardContext {
  locale: Locale;
  org: Organisation;
  members: ReadonlyMap<string, Member>;
  timeZone: string;
}

const periodText = (p: ReportPeriod) => (p.from === p.to ? p.from : `${p.from} ~ ${p.to}`);
const listOrNone = (items: string[], ctx: ReportCardContext) => (items.length ? items.join("、") : t(ctx.locale, "report.none"));

export function majorProblemsCard(report: MajorProblemsReport, ctx: ReportCardContext): Card {
  const { locale } = ctx;
  const title = t(locale, "report.major.title", { ...organisationTerms(ctx.org, locale), period: periodText(report.period) });
  const newCount = report.newByLevel[1].length + report.newByLevel[2].length + report.newByLevel[3].length + report.newByLevel.ungraded.length;
  if (newCount === 0 && report.open.length === 0 && report.missed.length === 0 && report.closed.length === 0) {
    return { title, lines: [t(locale, "report.nothing_new")], tone: "info" };
  }
  const name = (id: string) => {
    const member = ctx.members.get(id);
    return member ? pick(member.name, locale) : id;
  };
  const lines = [
    t(locale, "report.new_by_level", {
      l1: listOrNone(report.newByLevel[1], ctx),
      l2: listOrNone(report.newByLevel[2], ctx),
      l3: listOrNone(report.newByLevel[3], ctx),
      ungraded: listOrNone(report.newByLevel.ungraded, ctx),
    }),
    t(locale, "report.new_by_warranty", report.newByWarranty),
    t(locale, "report.open", { count: report.open.length }),
    ...report.open.map((o) =>
      t(locale, "report.open_line", {
        number: o.number,
        severity: severityText({ category: "major", level: o.level as 1 | 2 | 3 | null }, locale),
        status: t(locale, `status.${o.status as "open"}`),
        age: o.ageHours,
        holders: listOrNone(o.holderIds.map(name), ctx),
      }),
    ),
    t(locale, "report.missed", { list: listOrNone(report.missed.map((m) => `${m.number}(${t(locale, `deadline.${m.kind as "acknowledge"}`)})`), ctx) }),
    ...(report.teams.length
      ? [
          t(locale, "report.teams"),
          ...report.teams.map((team) =>
            t(locale, "report.team_line", {
              number: team.number,
              state: team.onSite ? t(locale, "report.team_on_site") : t(locale, "report.team_not_on_site", { due: formatLocalTime(team.dueAt, ctx.timeZone) }),
            }),
          ),
        ]
      : []),
    t(locale, "report.closed", { count: report.closed.length }),
    ...report.closed.map((c) =>
      c.result === null ? `• ${c.number}` : t(locale, "report.closed_line", { number: c.number, result: truncate(c.result, 80), who: c.resolvedBy ? name(c.resolvedBy) : "-" }),
    ),
  ];
  return { title, lines, tone: report.missed.length ? "warning" : "info" };
}

export function hotlineCard(report: HotlineReport, ctx: ReportCardContext): Card {
  const { locale } = ctx;
  const centerName = (id: string) => {
    const center = ctx.org.serviceCenters.find((c) => c.id === id);
    return center ? pick(center.name, locale) : "-";
  };
  const entries = (counts: Record<string, number>, label: (key: string) => string) =>
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([key, n]) => `${label(key)} ${n}`)
      .join("，") || t(locale, "report.none");
  return {
    title: t(locale, "report.hotline.title", { period: periodText(report.period) }),
    lines: [
      t(locale, "report.total", { total: report.total, handled: report.handled, pending: report.pending }),
      t(locale, "report.by_source", { list: entries(report.bySource, (k) => (TICKET_SOURCES.includes(k as never) ? t(locale, `source.${k as "hotline"}`) : k)) }),
      t(locale, "report.by_kind", { list: entries(report.byKind, (k) => (TICKET_KINDS.includes(k as never) ? t(locale, `kind.${k as "fault"}`) : k)) }),
      t(locale, "report.by_category", report.byCategory),
      t(locale, "report.by_center", { list: entries(report.byCenter, centerName) }),
      t(locale, "report.by_warranty", report.byWarranty),
    ],
    tone: "info",
  };
}
