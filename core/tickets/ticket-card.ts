import { organisationTerms } from "../directory/organisation-terms.js";
import { needsConfirmation } from "../escalation/plan-escalation.js";
import type { Member } from "../directory/member.js";
import type { Organisation } from "../directory/organisation.js";
import type { Card, CardField } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import { formatLocalTime } from "../time/business-time.js";
import { findRule } from "../triage/rules.js";
import { formatFen } from "../validation/amount.js";
import type { TriageThresholds } from "../triage/rules.js";
import { activePings, maskPhone, type Deadline, type Severity, type Ticket, type WorkRecordKind } from "./ticket.js";
import { vehicleReturnLines } from "./vehicle-return.js";
import { warrantyLine } from "./warranty-line.js";

export interface CardContext {
  locale: Locale;
  org: Organisation;
  timeZone: string;
  members: ReadonlyMap<string, Member>;
}

export function severityText(severity: Severity, locale: Locale): string {
  if (severity.level !== null) return t(locale, "category.level", { level: severity.level });
  return t(locale, severity.category === "major" ? "category.ungraded" : "category.general");
}

/** §4 定级: each grading beside the criteria, from → to, who, when and why. */
export function gradingLines(ticket: Pick<Ticket, "gradings">, ctx: CardContext): string[] {
  if (ticket.gradings.length === 0) return [];
  return [
    `${t(ctx.locale, "field.grading")}:`,
    ...ticket.gradings.map((g) =>
      t(ctx.locale, "grading.line", {
        from: severityText(g.from, ctx.locale),
        to: severityText(g.to, ctx.locale),
        who: memberName(g.by, ctx),
        at: formatLocalTime(g.at, ctx.timeZone),
        reason: g.reason,
      }),
    ),
  ];
}

/** The records as a card shows them, oldest first: what, who, when, the amount, an override, the files. */
export function recordLines(ticket: Pick<Ticket, "records">, ctx: CardContext, kinds?: readonly WorkRecordKind[]): string[] {
  const records = ticket.records.filter((r) => kinds === undefined || kinds.includes(r.kind));
  if (records.length === 0) return [];
  const { locale } = ctx;
  return [
    `${t(locale, "field.records")}:`,
    ...records.map((r) => {
      const what = [t(locale, `record.${r.kind}`), ...(r.amountFen === null ? [] : [formatFen(r.amountFen, locale)])].join(" ");
      const text = r.text.replace(/\s*[\r\n]+\s*/g, " ");
      const override = r.override === null ? "" : t(locale, "record.override", { reason: r.override });
      const files = r.attachments.length ? t(locale, "record.files", { count: r.attachments.length }) : "";
      return `${t(locale, "record.line", { what, who: memberName(r.by, ctx), at: formatLocalTime(r.at, ctx.timeZone), text })}${override}${files}`;
    }),
  ];
}

/** One criterion a ticket met, in the reader's language; a rule this version no longer has reads as its id. */
export function reasonText(rule: string, thresholds: TriageThresholds, locale: Locale): string {
  const found = findRule(rule);
  return found ? pick(found.text(thresholds), locale) : rule;
}

/** The reasons a ticket has its level, in the reader's language. */
export function reasonLines(matched: readonly { rule: string }[], thresholds: TriageThresholds, locale: Locale): string[] {
  return matched.map(({ rule }) => `• ${reasonText(rule, thresholds, locale)}`);
}

export function memberName(id: string | null, ctx: CardContext): string {
  if (id === null) return "-";
  const member = ctx.members.get(id);
  return member ? pick(member.name, ctx.locale) : id;
}

export function departmentName(id: string | null, ctx: CardContext): string {
  const department = ctx.org.departments.find((d) => d.id === id);
  return department ? pick(department.name, ctx.locale) : (id ?? "-");
}

export function serviceCenterName(id: string | null, ctx: Pick<CardContext, "org" | "locale">): string {
  const center = ctx.org.serviceCenters.find((c) => c.id === id);
  return center ? pick(center.name, ctx.locale) : "-";
}

export type TicketFieldKey = "kind" | "status" | "vehicle" | "description" | "serviceCenter" | "customerName" | "reporter" | "created";

/** The facts every reader of a ticket needs (or `only` some); the customer's phone is masked unless asked otherwise. */
export function ticketFields(ticket: Ticket, ctx: CardContext, options: { fullPhone?: boolean; only?: TicketFieldKey[] } = {}): CardField[] {
  const { locale } = ctx;
  const vehicle = [t(locale, `brand.${ticket.brand}`), ticket.vin ?? ""].filter(Boolean).join(" ");
  const values: Record<TicketFieldKey, string> = {
    kind: `${t(locale, `kind.${ticket.kind}`)} · ${t(locale, `source.${ticket.source}`)}`,
    status: t(locale, `status.${ticket.status}`),
    vehicle: vehicle + (ticket.mileageKm === null ? "" : ` · ${ticket.mileageKm.toLocaleString("en")} km`),
    description: ticket.description,
    serviceCenter: serviceCenterName(ticket.serviceCenterId, ctx),
    customerName: `${ticket.customerName} ${options.fullPhone ? ticket.customerPhone : maskPhone(ticket.customerPhone)}`,
    reporter: memberName(ticket.reporterId, ctx),
    created: formatLocalTime(ticket.createdAt, ctx.timeZone),
  };
  const keys = options.only ?? (Object.keys(values) as TicketFieldKey[]);
  return keys.map((key) => ({ label: t(locale, `field.${key}`), value: values[key] }));
}

/** Who was pinged and where each ping stands, with overdue and escalated marks. */
export function pingLines(ticket: Ticket, ctx: CardContext): string[] {
  const ackDeadline = new Map(ticket.deadlines.filter((d) => d.pingId !== null).map((d) => [d.pingId, d]));
  return activePings(ticket).map((ping) => {
    const who = ping.departmentId ? `${departmentName(ping.departmentId, ctx)} ${memberName(ping.memberId, ctx)}` : memberName(ping.memberId, ctx);
    const duty = t(ctx.locale, `duty.${ping.duty}`);
    if (!ping.needsAck) return `• ${who}: ${duty}`;
    const deadline = ackDeadline.get(ping.id);
    return `• ${who}: ${duty} (${pingState(ping, deadline, ticket, ctx)})`;
  });
}

function pingState(ping: Ticket["pings"][number], deadline: Deadline | undefined, ticket: Ticket, ctx: CardContext): string {
  if (ping.acknowledgedAt) return t(ctx.locale, "ping.acknowledged", { who: memberName(ping.acknowledgedBy, ctx), at: formatLocalTime(ping.acknowledgedAt, ctx.timeZone) });
  if (deadline?.status === "missed") return `⚠ ${t(ctx.locale, "ping.missed")}`;
  const pending = t(ctx.locale, "ping.pending", { due: formatLocalTime(deadline?.dueAt ?? ticket.createdAt, ctx.timeZone) });
  if (deadline && deadline.step > 0) return `⚠ ${t(ctx.locale, "ping.escalated", { who: memberName(deadline.chain[deadline.step] ?? null, ctx) })}, ${pending}`;
  return pending;
}

export function deadlineLines(ticket: Ticket, ctx: CardContext): string[] {
  return ticket.deadlines
    .filter((d) => d.kind !== "acknowledge" && d.status === "pending")
    .map((d) => `• ${t(ctx.locale, `deadline.${d.kind}`)}: ${formatLocalTime(d.dueAt, ctx.timeZone)}`);
}

/**
 * A confirmation released on its deadline rather than by after-sales: every message that shows the
 * ticket says so until after-sales confirms it (§4 asks for its confirmation, so readers must know).
 */
export function awaitsConfirmation(ticket: Ticket): boolean {
  return activePings(ticket).some((p) => p.duty === "confirm" && p.acknowledgedAt === null);
}

export function unconfirmedLine(ticket: Ticket, cardCtx: CardContext): string[] {
  const unconfirmed = ticket.releasedAt !== null && needsConfirmation(ticket, cardCtx.org) && awaitsConfirmation(ticket);
  return unconfirmed ? [t(cardCtx.locale, "notify.unconfirmed", organisationTerms(cardCtx.org, cardCtx.locale))] : [];
}

/** What was done and who resolved it, once it is resolved. */
export function resultLines(ticket: Ticket, ctx: CardContext): string[] {
  if (ticket.result === null || ticket.resolvedAt === null) return [];
  return [t(ctx.locale, "ticket.result", { result: ticket.result, who: memberName(ticket.resolvedBy, ctx), at: formatLocalTime(ticket.resolvedAt, ctx.timeZone) })];
}

/** `/status`: the whole ticket as its reader may see it. */
export function ticketCard(ticket: Ticket, ctx: CardContext, options: { fullPhone?: boolean } = {}): Card {
  const { locale } = ctx;
  const deadlines = deadlineLines(ticket, ctx);
  return {
    title: `${ticket.number} · ${severityText(ticket, locale)}`,
    lines: [
      ...unconfirmedLine(ticket, ctx),
      ...resultLines(ticket, ctx),
      ...(ticket.matched.length ? [`${t(locale, "summary.reasons")}:`, ...reasonLines(ticket.matched, ctx.org.triage, locale)] : []),
      ...gradingLines(ticket, ctx),
      // §5: repairs within the warranty follow its rules; a returned vehicle's transport and storage.
      warrantyLine(ticket, ctx.org, locale),
      ...vehicleReturnLines(ticket, ctx),
      ...recordLines(ticket, ctx),
      ...(ticket.pings.length ? [`${t(locale, "field.pings")}:`, ...pingLines(ticket, ctx)] : []),
      ...(deadlines.length ? [`${t(locale, "field.deadlines")}:`, ...deadlines] : []),
    ],
    fields: ticketFields(ticket, ctx, options),
    tone: "info",
  };
}
