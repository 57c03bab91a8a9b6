import { z } from "zod";
import { organisationTerms } from "../directory/organisation-terms.js";
import { t, type MessageKey } from "../messages/catalog.js";
import { pick } from "../messages/locale.js";
import { formatLocalTime } from "../time/business-time.js";
import { departmentName, memberName, reasonText, serviceCenterName, severityText, type CardContext } from "../tickets/ticket-card.js";
import { maskEmail, maskPhone, type Ticket, type WorkRecord, type WorkRecordKind } from "../tickets/ticket.js";
import { timelineSentence, type TimelineEntry } from "../tickets/timeline.js";
import { vehicleReturnLines } from "../tickets/vehicle-return.js";
import { warrantyParts } from "../tickets/warranty-line.js";
import { text, time, type RecordDocument, type RecordField, type RecordSection, type RecordTable, type RecordValue } from "./record-document.js";

/**
 * The manual's per-ticket forms: 重大售后质量信息报告单 for a major fault (§4: after-sales confirms it
 * and files the report to the leaders and QA), 重大投诉报告单 for a major complaint (§5), and
 * 顾客待处理工单 for what the hotline could not settle and handed to after-sales (§4 客服中心).
 */
export const TICKET_FORMS = ["major_quality_report", "major_complaint_report", "customer_work_order"] as const;
export type TicketForm = (typeof TICKET_FORMS)[number];

/**
 * The form a ticket is filed on, or undefined where the manual has none: a general item a service
 * center reported (it reaches the daily reports only), and a call the hotline still handles itself.
 * A hotline or mail item after-sales handles is a pending work order, transferred or reported to
 * after-sales directly.
 */
export function ticketFormOf(ticket: Pick<Ticket, "category" | "kind" | "source" | "firstLine" | "transferredAt">): TicketForm | undefined {
  if (ticket.category === "major") return ticket.kind === "complaint" ? "major_complaint_report" : "major_quality_report";
  if (ticket.transferredAt !== null) return "customer_work_order";
  const toAfterSales = (ticket.source === "hotline" || ticket.source === "mail") && !ticket.firstLine;
  return toAfterSales ? "customer_work_order" : undefined;
}

/** A record the organisation file may title: a per-ticket form, a daily or weekly record, an export. */
export type TitledRecord = keyof CardContext["org"]["records"]["titles"];

/** The record's title: the organisation file's, else the manual's name. */
export function formTitle(form: TitledRecord, ctx: Pick<CardContext, "org" | "locale">): string {
  const own = ctx.org.records.titles[form];
  // The manual names one record after its department (售后服务部…日报告): the organisation's name for it.
  return own ? pick(own, ctx.locale) : t(ctx.locale, `document.form.${form}`, organisationTerms(ctx.org, ctx.locale));
}

export interface TicketRecordOptions {
  /** The reader may call the customer (see `mayCallCustomer`): their phone and e-mail in full. */
  fullContact: boolean;
  madeAt: Date;
}

/**
 * A ticket's form as a document's content, for `form` (see `ticketFormOf`): every field the manual's
 * forms ask for, the lists of who graded it, who was told and who acknowledged, what was done, and
 * the ticket's whole timeline, in the reader's language and the business time zone.
 */
export function ticketRecord(form: TicketForm, ticket: Ticket, timeline: readonly TimelineEntry[], ctx: CardContext, options: TicketRecordOptions): RecordDocument {
  const env: Env = { ticket, timeline, ctx, options, label: (key) => t(ctx.locale, key) };
  const sections: RecordSection[] = [
    ticketSection(env, form),
    sourceSection(env),
    vehicleSection(env),
    customerSection(env),
    eventSection(env),
    ...(form === "customer_work_order" ? [workOrderSection(env)] : [severitySection(env)]),
    ...(form === "major_quality_report" ? [handlingSection(env, ["support", "measures", "appraisal"])] : []),
    ...(form === "major_complaint_report" ? [handlingSection(env, ["measures", "appraisal"]), teamSection(env)] : []),
    resultSection(env),
  ];
  const tables: RecordTable[] = [
    ...(form === "customer_work_order" ? [] : [gradingTable(env)]),
    pingTable(env),
    deadlineTable(env),
    ...(form === "major_complaint_report" ? [teamTable(env)] : []),
    recordTable(env),
    receiptTable(env),
    timelineTable(env),
  ];
  return {
    kind: form,
    title: formTitle(form, ctx),
    organisation: pick(ctx.org.name, ctx.locale),
    subtitle: t(ctx.locale, "document.made", { number: ticket.number, at: formatLocalTime(options.madeAt, ctx.timeZone), zone: ctx.timeZone }),
    locale: ctx.locale,
    timeZone: ctx.timeZone,
    madeAt: options.madeAt,
    sections,
    tables,
    none: t(ctx.locale, "document.none"),
  };
}

interface Env {
  ticket: Ticket;
  timeline: readonly TimelineEntry[];
  ctx: CardContext;
  options: TicketRecordOptions;
  label: (key: MessageKey) => string;
}

/** A field labelled from the catalog (`document.field.<key>`); a value not known reads as `无`. */
function field(env: Env, key: string, value: RecordValue | string | null | undefined): RecordField {
  const shown = value === null || value === undefined || value === "" ? text(env.label("document.none")) : typeof value === "string" ? text(value) : value;
  return { key, label: env.label(`document.field.${key}` as MessageKey), value: shown };
}

const timeOrNone = (at: Date | null | undefined) => (at ? time(at) : null);

/** The first timeline entry of a type, with its data as the flow wrote it (undefined if none, or of another shape). */
function firstEntry<S extends z.ZodType>(env: Env, type: string, schema: S): { entry: TimelineEntry; data: z.infer<S> } | undefined {
  for (const entry of env.timeline) {
    if (entry.type !== type) continue;
    const parsed = schema.safeParse(entry.data);
    if (parsed.success) return { entry, data: parsed.data };
  }
  return undefined;
}

/** The newest record of a kind, as the form's field shows it. */
const latestRecord = (env: Env, kind: WorkRecordKind): WorkRecord | undefined => env.ticket.records.findLast((r) => r.kind === kind);

/** The dates: a major item's confirmation and release to the leaders and QA (§4), a work order's transfer. */
function ticketSection(env: Env, form: TicketForm): RecordSection {
  const { ticket } = env;
  const handedOver =
    form === "customer_work_order"
      ? [field(env, "transferred_at", timeOrNone(ticket.transferredAt))]
      : [field(env, "confirmed_at", timeOrNone(firstEntry(env, "confirmed", z.object({}))?.entry.at)), field(env, "released_at", timeOrNone(ticket.releasedAt))];
  return {
    key: "ticket",
    heading: env.label("document.section.ticket"),
    fields: [
      field(env, "number", ticket.number),
      field(env, "kind", env.label(`kind.${ticket.kind}`)),
      field(env, "status", env.label(`status.${ticket.status}`)),
      field(env, "reported_at", time(ticket.createdAt)),
      ...handedOver,
      field(env, "resolved_at", timeOrNone(ticket.resolvedAt)),
      field(env, "closed_at", timeOrNone(ticket.closedAt)),
    ],
  };
}

/** The reporter's department or service center, the way people name where a report came from. */
function reporterUnit(env: Env): string | null {
  const reporter = env.ctx.members.get(env.ticket.reporterId);
  if (reporter?.serviceCenterId) return serviceCenterName(reporter.serviceCenterId, env.ctx);
  if (reporter?.departmentId) return departmentName(reporter.departmentId, env.ctx);
  return null;
}

function sourceSection(env: Env): RecordSection {
  const { ticket } = env;
  return {
    key: "source",
    heading: env.label("document.section.source"),
    fields: [
      field(env, "source", env.label(`source.${ticket.source}`)),
      field(env, "channel", ticket.originPlatform ? env.label(`platform.${ticket.originPlatform}`) : null),
      field(env, "reporter", memberName(ticket.reporterId, env.ctx)),
      field(env, "reporter_unit", reporterUnit(env)),
      field(env, "service_center", ticket.serviceCenterId ? serviceCenterName(ticket.serviceCenterId, env.ctx) : null),
    ],
  };
}

function vehicleSection(env: Env): RecordSection {
  const { ticket, ctx } = env;
  const warranty = warrantyParts(ticket, ctx.org, ctx.locale);
  return {
    key: "vehicle",
    heading: env.label("document.section.vehicle"),
    fields: [
      field(env, "brand", env.label(`brand.${ticket.brand}`)),
      field(env, "vin", ticket.vin),
      field(env, "mileage", ticket.mileageKm === null ? null : { type: "number", value: ticket.mileageKm, unit: "km" }),
      field(env, "sale_date", ticket.saleDate === null ? null : { type: "date", date: ticket.saleDate }),
      field(env, "warranty", warranty.facts === undefined ? warranty.verdict : t(ctx.locale, "document.with_facts", { verdict: warranty.verdict, facts: warranty.facts })),
    ],
  };
}

function customerSection(env: Env): RecordSection {
  const { ticket, options } = env;
  const email = ticket.customerEmail === null ? null : options.fullContact ? ticket.customerEmail : maskEmail(ticket.customerEmail);
  return {
    key: "customer",
    heading: env.label("document.section.customer"),
    fields: [
      field(env, "customer_name", ticket.customerName),
      field(env, "customer_phone", options.fullContact ? ticket.customerPhone : maskPhone(ticket.customerPhone)),
      field(env, "customer_email", email),
      field(env, "contact_customer", env.label(ticket.doNotContact ? "no" : "yes")),
    ],
  };
}

function eventSection(env: Env): RecordSection {
  const { ticket } = env;
  const { casualties, media, claimAmountCny } = ticket.answers;
  return {
    key: "event",
    heading: env.label("document.section.event"),
    fields: [
      field(env, "description", ticket.description),
      field(env, "casualties", casualties === undefined ? env.label("document.unknown") : env.label(casualties ? "yes" : "no")),
      field(env, "media", media === undefined ? env.label("document.unknown") : env.label(`media.${media}`)),
      field(env, "claim", claimAmountCny === undefined ? null : { type: "number", value: claimAmountCny, unit: "cny" }),
      field(env, "attachments", { type: "number", value: ticket.attachments.length, unit: "count" }),
    ],
  };
}

function severitySection(env: Env): RecordSection {
  const { ticket, ctx } = env;
  const criteria = ticket.matched.map(({ rule }) => reasonText(rule, ctx.org.triage, ctx.locale));
  return {
    key: "severity",
    heading: env.label("document.section.severity"),
    fields: [field(env, "severity", severityText(ticket, ctx.locale)), field(env, "criteria", criteria.join("\n"))],
  };
}

/** §4 客服中心: why the hotline handed it over, and what the center after-sales assigned reported back. */
function workOrderSection(env: Env): RecordSection {
  const transfer = firstEntry(env, "transferred", z.object({ reason: z.string().default("") }));
  const feedback = env.timeline.filter((e) => e.type === "feedback").flatMap((e) => (typeof e.data.text === "string" ? [e.data.text] : []));
  return {
    key: "work_order",
    heading: env.label("document.section.work_order"),
    fields: [
      field(env, "transfer_reason", transfer?.data.reason),
      field(env, "feedback", feedback.join("\n")),
    ],
  };
}

/** §4: QA's support (level 1), measures (level 2) and technical appraisal; the newest of each. */
function handlingSection(env: Env, kinds: readonly ("support" | "measures" | "appraisal")[]): RecordSection {
  return {
    key: "handling",
    heading: env.label("document.section.handling"),
    fields: kinds.map((kind) => field(env, kind, latestRecord(env, kind)?.text)),
  };
}

/** §5: the complaint team, its day on site, the split of responsibility, the agreement and its money. */
function teamSection(env: Env): RecordSection {
  const { ctx } = env;
  const agreement = latestRecord(env, "agreement");
  const signed = firstEntry(env, "agreement_signed", z.object({}));
  return {
    key: "team",
    heading: env.label("document.section.team"),
    fields: [
      field(env, "team_leader", departmentName(ctx.org.complaintTeam.leader, ctx)),
      field(env, "on_site_at", timeOrNone(firstEntry(env, "team_on_site", z.object({}))?.entry.at)),
      field(env, "responsibility", latestRecord(env, "responsibility")?.text),
      field(env, "agreement", agreement?.text),
      field(env, "agreement_amount", agreement?.amountFen == null ? null : { type: "number", value: agreement.amountFen / 100, unit: "cny" }),
      field(env, "agreement_signed_at", timeOrNone(signed?.entry.at ?? agreement?.at)),
      field(env, "finance", latestRecord(env, "finance")?.text),
      field(env, "vehicle_return", vehicleReturnLines(env.ticket, ctx)[0]),
    ],
  };
}

function resultSection(env: Env): RecordSection {
  const { ticket } = env;
  return {
    key: "result",
    heading: env.label("document.section.result"),
    fields: [
      field(env, "result", ticket.result),
      field(env, "resolved_by", ticket.resolvedBy === null ? null : memberName(ticket.resolvedBy, env.ctx)),
    ],
  };
}

/** A table with columns labelled from the catalog (`document.column.<key>`). */
function table(env: Env, key: string, columns: string[], rows: RecordValue[][]): RecordTable {
  return {
    key,
    heading: env.label(`document.table.${key}` as MessageKey),
    columns: columns.map((column) => ({ key: column, label: env.label(`document.column.${column}` as MessageKey) })),
    rows,
  };
}

/** A table's cell: a time as a time, a missing value as `-`. */
const cell = (value: string | Date | null | undefined): RecordValue =>
  value instanceof Date ? time(value) : text(value === null || value === undefined || value === "" ? "-" : value);

function gradingTable(env: Env): RecordTable {
  const { ctx } = env;
  const rows = env.ticket.gradings.map((g) => [
    time(g.at),
    text(severityText(g.from, ctx.locale)),
    text(severityText(g.to, ctx.locale)),
    text(memberName(g.by, ctx)),
    cell(g.reason),
  ]);
  return table(env, "gradings", ["at", "from", "to", "by", "reason"], rows);
}

/**
 * Who was told, when, what they were asked, and who acknowledged. A ping carries no time of its
 * own: it is the time of the `pinged` entry the same change wrote for it, taken in order.
 */
function pingTable(env: Env): RecordTable {
  const { ctx } = env;
  const pingedData = z.object({ memberId: z.string().nullable(), departmentId: z.string().nullable(), duty: z.string() });
  const told = env.timeline.flatMap((entry) => {
    const parsed = entry.type === "pinged" ? pingedData.safeParse(entry.data) : undefined;
    return parsed?.success ? [{ at: entry.at, ...parsed.data, used: false }] : [];
  });
  const rows = [...env.ticket.pings]
    .sort((a, b) => a.id - b.id)
    .map((ping) => {
      const entry = told.find((e) => !e.used && e.memberId === ping.memberId && e.departmentId === ping.departmentId && e.duty === ping.duty);
      if (entry) entry.used = true;
      const whom = [ping.departmentId ? departmentName(ping.departmentId, ctx) : "", ping.memberId ? memberName(ping.memberId, ctx) : ""].filter(Boolean).join(" ");
      return [
        cell(entry?.at),
        cell(whom),
        text(t(ctx.locale, `duty.${ping.duty}`)),
        text(env.label(ping.needsAck ? "yes" : "no")),
        cell(ping.acknowledgedAt),
        cell(ping.acknowledgedBy === null ? null : memberName(ping.acknowledgedBy, ctx)),
        cell(ping.cancelledAt),
      ];
    });
  return table(env, "pings", ["at", "whom", "duty", "must_acknowledge", "acknowledged_at", "acknowledged_by", "cancelled_at"], rows);
}

function deadlineTable(env: Env): RecordTable {
  const rows = env.ticket.deadlines.map((d) => [text(env.label(`deadline.${d.kind}`)), time(d.dueAt), text(env.label(`document.deadline.${d.status}`))]);
  return table(env, "deadlines", ["deadline", "due_at", "state"], rows);
}

function teamTable(env: Env): RecordTable {
  const { ctx } = env;
  const rows = env.ticket.team.map((seat) => [
    text(departmentName(seat.departmentId, ctx)),
    text(env.label(seat.leader ? "yes" : "no")),
    cell(seat.memberId === null ? null : memberName(seat.memberId, ctx)),
    cell(seat.appointedBy === null ? null : memberName(seat.appointedBy, ctx)),
    cell(seat.appointedAt),
    cell(seat.confirmedAt),
  ]);
  return table(env, "team", ["department", "leader", "member", "appointed_by", "appointed_at", "confirmed_at"], rows);
}

function recordTable(env: Env): RecordTable {
  const { ctx } = env;
  const rows = env.ticket.records.map((r): RecordValue[] => [
    time(r.at),
    text(env.label(RECORD_FIELDS[r.kind])),
    text(memberName(r.by, ctx)),
    text(r.text),
    r.amountFen === null ? text("-") : { type: "number", value: r.amountFen / 100, unit: "cny" },
    cell(r.override),
    { type: "number", value: r.attachments.length, unit: "count" },
  ]);
  return table(env, "records", ["at", "what", "by", "text", "amount", "override", "files"], rows);
}

/** Each kind of work record under the form's own label for it. */
const RECORD_FIELDS: Record<WorkRecordKind, MessageKey> = {
  support: "document.field.support",
  measures: "document.field.measures",
  appraisal: "document.field.appraisal",
  responsibility: "document.field.responsibility",
  agreement: "document.field.agreement",
  finance: "document.field.finance",
  transported: "record.transported",
  stored: "record.stored",
  phone_receipt: "record.phone_receipt",
};

/** The receipt (回执, §4): each message that carried the result, sent or failed, and receipts given by phone. */
function receiptTable(env: Env): RecordTable {
  const receipt = z.object({ channel: z.string(), error: z.string().optional() });
  const channel = (name: string) => t(env.ctx.locale, `receipt_channel.${name}` as MessageKey);
  const sent = env.timeline.flatMap((entry) => {
    if (entry.type !== "receipt_sent" && entry.type !== "receipt_failed") return [];
    const parsed = receipt.safeParse(entry.data);
    if (!parsed.success) return [];
    const outcome = env.label(entry.type === "receipt_sent" ? "document.receipt.sent" : "document.receipt.failed");
    return [{ at: entry.at, row: [time(entry.at), text(channel(parsed.data.channel)), text(parsed.data.error ? `${outcome}: ${parsed.data.error}` : outcome)] }];
  });
  const byPhone = env.ticket.records
    .filter((r) => r.kind === "phone_receipt")
    .map((r) => ({ at: r.at, row: [time(r.at), text(channel("phone")), text(`${memberName(r.by, env.ctx)}: ${r.text}`)] }));
  const rows = [...sent, ...byPhone].sort((a, b) => a.at.getTime() - b.at.getTime()).map((r) => r.row);
  return table(env, "receipts", ["at", "channel", "outcome"], rows);
}

/** The whole timeline (§4: after-sales keeps every record), each entry's time in a column of its own. */
function timelineTable(env: Env): RecordTable {
  const rows = env.timeline.map((entry) => [time(entry.at), text(timelineSentence(entry, env.ctx, env.ticket))]);
  return table(env, "timeline", ["at", "entry"], rows);
}
