import { actsOnAllTickets, hasRole, localeOf, type Member } from "../directory/member.js";
import { memberRecipient, type Notification, type Recipient } from "../escalation/notification.js";
import type { Organisation } from "../directory/organisation.js";
import type { ArchivedDocument } from "../records/document-archive.js";
import { documentTitle } from "../records/document-files.js";
import { HotlineError } from "../errors.js";
import { card, type Card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import type { CoreContext } from "../ports.js";
import type { FlowResult } from "../tickets/flow-support.js";
import { localDate, startOfLocalDate } from "../time/business-time.js";
import { buildHotlineReport, buildMajorProblemsReport, type HotlineReport, type MajorProblemsReport } from "./build-reports.js";
import { hotlineCard, majorProblemsCard } from "./report-cards.js";
import { reportCharts, type BarChart } from "./report-charts.js";
import type { ReportKind, ReportPeriod } from "./report-data.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** `today` (so far), `week` (the last seven local days) or one `YYYY-MM-DD`; undefined if unreadable. */
export function reportPeriod(arg: string | undefined, now: Date, timeZone: string): ReportPeriod | undefined {
  const today = localDate(now, timeZone);
  const wanted = (arg ?? "today").trim().toLowerCase();
  if (wanted === "today" || wanted === "今天") return { from: today, to: today };
  if (wanted === "week" || wanted === "本周") return { from: addDays(today, -6), to: today };
  if (DATE.test(wanted) && !Number.isNaN(Date.parse(wanted)) && addDays(wanted, 0) === wanted) return { from: wanted, to: wanted };
  return undefined;
}

export interface Reports {
  majorProblems: MajorProblemsReport;
  hotline: HotlineReport;
}

/** Both daily reports for a period, from the store's few indexed queries. */
export async function buildReports(ctx: CoreContext, period: ReportPeriod): Promise<Reports> {
  const range = { start: startOfLocalDate(period.from, ctx.timeZone), end: startOfLocalDate(addDays(period.to, 1), ctx.timeZone) };
  const data = await ctx.reports.load(period, range);
  return { majorProblems: buildMajorProblemsReport(data, period, ctx.clock(), ctx.org), hotline: buildHotlineReport(data, period, ctx.org) };
}

async function cardsFor(ctx: CoreContext, reports: Reports, locale: Locale) {
  const members = new Map((await ctx.directory.listMembers()).map((m) => [m.id, m]));
  const cardCtx = { locale, org: ctx.org, members, timeZone: ctx.timeZone };
  return { majorProblems: majorProblemsCard(reports.majorProblems, cardCtx), hotline: hotlineCard(reports.hotline, cardCtx) };
}

const mayReadReports = (member: Member, ctx: CoreContext) => actsOnAllTickets(member, ctx.org);

/**
 * Both reports for `today`, `week` or a date, as cards and charts in the reader's language;
 * undefined when the period cannot be read. Only for those who oversee every ticket.
 */
export async function readReports(ctx: CoreContext, actor: Member, arg: string | undefined): Promise<{ period: ReportPeriod; cards: Card[]; charts: BarChart[] } | undefined> {
  if (!mayReadReports(actor, ctx)) throw new HotlineError("not_allowed", `${actor.id} may not read reports`, { refusal: "reports" });
  const locale = localeOf(actor, ctx.defaultLocale);
  const period = reportPeriod(arg, ctx.clock(), ctx.timeZone);
  if (!period) return undefined;
  const reports = await buildReports(ctx, period);
  const cards = await cardsFor(ctx, reports, locale);
  return { period, cards: [cards.majorProblems, cards.hotline], charts: reportCharts(reports, ctx.org, locale) };
}

/** `/report [today|week|YYYY-MM-DD]`: the same content as the scheduled reports, in the asker's language. */
export async function showReports(ctx: CoreContext, actor: Member, arg: string | undefined): Promise<FlowResult> {
  const read = await readReports(ctx, actor, arg);
  return { replies: read ? read.cards : [card(t(localeOf(actor, ctx.defaultLocale), "report.usage"))], notifications: [] };
}

/** The kept documents each evening report carries (§4): the records it sums up, and their charts. */
const REPORT_DOCUMENTS: Record<ReportKind, readonly string[]> = {
  major_problems: ["major_problems_daily", "daily_charts", "weekly_measures", "weekly_trend"],
  hotline_daily: ["hotline_call_log", "mail_log", "daily_charts"],
};

/**
 * The evening reports: the major-problems report to the managers and the after-sales lead, the
 * hotline report to after-sales; each kept as a record, and sent once per day however often the
 * schedule fires. `documents`, the day's records as kept in the archive, follow each report as
 * files: the records it sums up (and on Sundays the week's measures), each captioned in the
 * reader's language.
 */
export async function sendDailyReports(ctx: CoreContext, date: string, documents: readonly ArchivedDocument[] = []): Promise<{ sent: number }> {
  const period = { from: date, to: date };
  const reports = await buildReports(ctx, period);
  const members = await ctx.directory.listMembers();
  const cards = new Map<Locale, Awaited<ReturnType<typeof cardsFor>>>();
  const cardsIn = async (locale: Locale) => cards.get(locale) ?? cards.set(locale, await cardsFor(ctx, reports, locale)).get(locale)!;
  const afterSalesLead = ctx.org.departments.find((d) => d.id === ctx.org.afterSalesDepartment)?.lead;
  const audiences: Record<ReportKind, Member[]> = {
    major_problems: members.filter((m) => hasRole(m, "manager") || m.id === afterSalesLead),
    hotline_daily: members.filter((m) => m.departmentId === ctx.org.afterSalesDepartment),
  };
  let sent = 0;
  for (const kind of ["major_problems", "hotline_daily"] as const) {
    const attached = documents.filter((d) => REPORT_DOCUMENTS[kind].includes(d.kind));
    const outbox: Notification[] = [];
    for (const member of audiences[kind]) {
      const locale = localeOf(member, ctx.defaultLocale);
      const recipient = memberRecipient(member, locale);
      const report = (await cardsIn(locale))[kind === "major_problems" ? "majorProblems" : "hotline"];
      outbox.push({ recipient, card: report, ticketNumber: null }, ...attached.map((document) => documentNotice(recipient, document, { org: ctx.org, locale })));
    }
    const content = kind === "major_problems" ? reports.majorProblems : reports.hotline;
    if (await ctx.reports.archive({ kind, period, content }, outbox)) sent += outbox.length;
  }
  return { sent };
}

/** A kept document as a file message, captioned with its title and what it records. */
function documentNotice(recipient: Recipient, document: ArchivedDocument, ctx: { org: Organisation; locale: Locale }): Notification {
  const caption = card(t(ctx.locale, "document.caption", { title: documentTitle(document.kind, ctx), subject: document.subject }));
  return { recipient, card: caption, ticketNumber: null, file: { kind: "document", documentId: document.id } };
}
