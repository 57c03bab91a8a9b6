import { organisationTerms } from "../directory/organisation-terms.js";
import { t, type MessageKey } from "../messages/catalog.js";
import { pick } from "../messages/locale.js";
import type { DailyRecordData, DayTicket } from "../reports/report-data.js";
import { formatLocalTime } from "../time/business-time.js";
import { departmentName, memberName, serviceCenterName, severityText, type CardContext } from "../tickets/ticket-card.js";
import { maskPhone, TICKET_SOURCES } from "../tickets/ticket.js";
import { count, text, time, type RecordDocument, type RecordField, type RecordSection, type RecordTable, type RecordValue } from "./record-document.js";
import { formTitle } from "./ticket-record.js";

/**
 * The manual's daily records (§4): 售后服务电话接听日报表, every call and report of the day;
 * 售后E-mail(传真或信件)接收处理记录, each item that came by mail, fax or letter and its handling; and
 * 售后服务部重大质量问题日报告, each open major problem and where it stands.
 */
export const DAILY_RECORDS = ["hotline_call_log", "mail_log", "major_problems_daily"] as const;
export type DailyRecord = (typeof DAILY_RECORDS)[number];

export interface DailyRecordOptions {
  /** The business day, `YYYY-MM-DD`. */
  day: string;
  madeAt: Date;
}

/** The day's three records as documents' content, in the reader's language. The customer's phone is masked: these go to whole departments. */
export function dailyRecords(data: DailyRecordData, ctx: CardContext, options: DailyRecordOptions): Record<DailyRecord, RecordDocument> {
  const env: Env = { ctx, options, label: (key) => t(ctx.locale, key) };
  return { hotline_call_log: callLog(env, data), mail_log: mailLog(env, data), major_problems_daily: majorProblems(env, data) };
}

interface Env {
  ctx: CardContext;
  options: DailyRecordOptions;
  label: (key: MessageKey) => string;
}

/** A record's frame: its title from the organisation file, the period and when it was made. */
export function periodDocument(kind: Parameters<typeof formTitle>[0], ctx: CardContext, period: string, madeAt: Date, content: Pick<RecordDocument, "sections" | "tables">): RecordDocument {
  return {
    kind,
    title: formTitle(kind, ctx),
    organisation: pick(ctx.org.name, ctx.locale),
    subtitle: t(ctx.locale, "document.made_for_period", { period, at: formatLocalTime(madeAt, ctx.timeZone), zone: ctx.timeZone }),
    locale: ctx.locale,
    timeZone: ctx.timeZone,
    madeAt,
    landscape: true,
    none: t(ctx.locale, "document.none"),
    ...content,
  };
}

const field = (env: Env, key: string, value: RecordValue | string): RecordField => ({
  key,
  label: env.label(`document.field.${key}` as MessageKey),
  value: typeof value === "string" ? text(value) : value,
});

/** A table with columns labelled from the catalog (`document.column.<key>`). */
export function columnsTable(ctx: Pick<CardContext, "locale">, key: string, columns: readonly string[], rows: RecordValue[][]): RecordTable {
  return {
    key,
    heading: t(ctx.locale, `document.table.${key}` as MessageKey),
    columns: columns.map((column) => ({ key: column, label: t(ctx.locale, `document.column.${column}` as MessageKey) })),
    rows,
  };
}

const cell = (value: string | Date | null | undefined): RecordValue =>
  value instanceof Date ? time(value) : text(value === null || value === undefined || value === "" ? "-" : value);

const isPending = (ticket: DayTicket) => ticket.status !== "resolved" && ticket.status !== "closed";

/** Who reported it, and from where: the member and their service center or department. */
function reporterText(env: Env, ticket: DayTicket): string {
  const reporter = env.ctx.members.get(ticket.reporterId);
  const unit = reporter?.serviceCenterId ? serviceCenterName(reporter.serviceCenterId, env.ctx) : reporter?.departmentId ? departmentName(reporter.departmentId, env.ctx) : "";
  return [memberName(ticket.reporterId, env.ctx), unit].filter(Boolean).join(" · ");
}

/** How a log's row starts: the number, when it came in, from whom (the phone masked), and who entered or reported it. */
const cameIn = (env: Env, ticket: DayTicket): RecordValue[] => [
  text(ticket.number),
  time(ticket.createdAt),
  cell(ticket.customerName),
  text(maskPhone(ticket.customerPhone)),
  text(reporterText(env, ticket)),
];

const topic = (env: Env, ticket: DayTicket) => `${env.label(`kind.${ticket.kind}`)}：${ticket.description}`;

/**
 * What was done so far, as one line: the status, then the result once resolved, else the newest of
 * the work on record and the center's feedback, else where after-sales sent it.
 */
function doneText(env: Env, ticket: DayTicket): string {
  const status = env.label(`status.${ticket.status}`);
  const latest = [...ticket.records.map((r) => ({ at: r.at, text: r.text })), ...ticket.feedback].sort((a, b) => a.at.getTime() - b.at.getTime()).at(-1);
  const terms = organisationTerms(env.ctx.org, env.ctx.locale);
  // A center other than the reporter's own was assigned by after-sales (§4 委派).
  const assigned = ticket.serviceCenterId !== null && ticket.serviceCenterId !== env.ctx.members.get(ticket.reporterId)?.serviceCenterId;
  const handedOver =
    assigned && ticket.serviceCenterId
      ? t(env.ctx.locale, "document.handling.assigned", { center: serviceCenterName(ticket.serviceCenterId, env.ctx) })
      : ticket.transferredAt
        ? t(env.ctx.locale, "document.handling.transferred", terms)
        : undefined;
  const detail = ticket.result ?? latest?.text ?? handedOver;
  return detail ? `${status}：${detail}` : status;
}

const yesNo = (env: Env, yes: boolean) => text(env.label(yes ? "yes" : "no"));

function listText(env: Env, counts: [string, number][]): string {
  const shown = counts.filter(([, n]) => n > 0).map(([label, n]) => `${label} ${n}`);
  return shown.length ? shown.join("，") : env.label("document.none");
}

/** 售后服务电话接听日报表: every call and report of the day, oldest first. */
function callLog(env: Env, data: DailyRecordData): RecordDocument {
  const { ctx } = env;
  const tickets = data.reported;
  const pending = tickets.filter(isPending).length;
  const summary: RecordSection = {
    key: "summary",
    heading: env.label("document.section.summary"),
    fields: [
      field(env, "day", { type: "date", date: env.options.day }),
      field(env, "total", count(tickets.length)),
      field(env, "by_source", listText(env, TICKET_SOURCES.map((source) => [env.label(`source.${source}`), tickets.filter((t) => t.source === source).length]))),
      field(env, "by_category", listText(env, severityCounts(env, tickets))),
      field(env, "handled", count(tickets.length - pending)),
      field(env, "pending", count(pending)),
    ],
  };
  const rows = tickets.map((ticket) => [
    ...cameIn(env, ticket),
    cell(ticket.serviceCenterId ? serviceCenterName(ticket.serviceCenterId, ctx) : null),
    text(env.label(`source.${ticket.source}`)),
    text(topic(env, ticket)),
    text(severityText(ticket, ctx.locale)),
    text(doneText(env, ticket)),
    yesNo(env, isPending(ticket)),
  ]);
  const columns = ["number", "reported_at", "caller", "phone", "reporter", "center", "source", "topic", "severity", "done", "pending"];
  return periodDocument("hotline_call_log", ctx, env.options.day, env.options.madeAt, { sections: [summary], tables: [columnsTable(ctx, "calls", columns, rows)] });
}

function severityCounts(env: Env, tickets: readonly DayTicket[]): [string, number][] {
  const general = tickets.filter((t) => t.category === "general").length;
  const levels = ([1, 2, 3, null] as const).map((level): [string, number] => [
    severityText({ category: "major", level }, env.ctx.locale),
    tickets.filter((t) => t.category === "major" && t.level === level).length,
  ]);
  return [[severityText({ category: "general", level: null }, env.ctx.locale), general], ...levels];
}

/** 售后E-mail(传真或信件)接收处理记录: each item received by mail, fax or letter that day, and its handling (§4: 委派、监督、回执). */
function mailLog(env: Env, data: DailyRecordData): RecordDocument {
  const { ctx } = env;
  const items = data.reported.filter((t) => t.source === "mail");
  const pending = items.filter(isPending).length;
  const summary: RecordSection = {
    key: "summary",
    heading: env.label("document.section.summary"),
    fields: [field(env, "day", { type: "date", date: env.options.day }), field(env, "mail_items", count(items.length)), field(env, "handled", count(items.length - pending)), field(env, "pending", count(pending))],
  };
  const rows = items.map((item) => [
    ...cameIn(env, item),
    text(topic(env, item)),
    cell(item.serviceCenterId ? serviceCenterName(item.serviceCenterId, ctx) : null),
    text(doneText(env, item)),
    cell(item.result),
    cell(item.resolvedAt),
  ]);
  const columns = ["number", "received_at", "sender", "phone", "entered_by", "topic", "center", "handling", "result", "resolved_at"];
  return periodDocument("mail_log", ctx, env.options.day, env.options.madeAt, { sections: [summary], tables: [columnsTable(ctx, "mail", columns, rows)] });
}

/** The newest measures (or, for level 1, the technical support sent): what QA and after-sales are doing about it (§4). */
function measuresText(ticket: DayTicket): string | undefined {
  return ticket.records.findLast((r) => r.kind === "measures" || r.kind === "support")?.text;
}

/** 售后服务部重大质量问题日报告: each major problem still open, and those finished today, the most severe first. */
function majorProblems(env: Env, data: DailyRecordData): RecordDocument {
  const { ctx } = env;
  const problems = [...data.major].sort((a, b) => (a.level ?? 9) - (b.level ?? 9) || a.createdAt.getTime() - b.createdAt.getTime());
  const open = problems.filter(isPending).length;
  const newToday = data.reported.filter((t) => t.category === "major");
  const summary: RecordSection = {
    key: "summary",
    heading: env.label("document.section.summary"),
    fields: [
      field(env, "day", { type: "date", date: env.options.day }),
      field(env, "new_major", listText(env, severityCounts(env, newToday).slice(1))),
      field(env, "open_major", count(open)),
      field(env, "finished_major", count(problems.length - open)),
    ],
  };
  const rows = problems.map((p) => [
    text(p.number),
    time(p.createdAt),
    text(severityText(p, ctx.locale)),
    text(topic(env, p)),
    cell(measuresText(p)),
    text(env.label(`status.${p.status}`)),
    cell(p.holderIds.map((id) => memberName(id, ctx)).join("、")),
    cell(p.result),
    cell(p.resolvedAt),
  ]);
  const columns = ["number", "reported_at", "severity", "topic", "measures", "status", "holders", "result", "resolved_at"];
  return periodDocument("major_problems_daily", ctx, env.options.day, env.options.madeAt, { sections: [summary], tables: [columnsTable(ctx, "major", columns, rows)] });
}
