import { t } from "../messages/catalog.js";
import { columnsTable, periodDocument } from "../records/daily-records.js";
import { count, text, time, type RecordDocument, type RecordValue } from "../records/record-document.js";
import { memberName, serviceCenterName, severityText, type CardContext } from "../tickets/ticket-card.js";
import { maskPhone } from "../tickets/ticket.js";
import { periodText } from "./measures.js";
import type { ExportedTicket, TicketExportFilter } from "./report-data.js";

/** The columns of an export, in order: what a spreadsheet reader filters and sums by. */
export const EXPORT_COLUMNS = [
  "number", "reported_at", "kind", "source", "severity", "status", "brand", "vin", "mileage", "description",
  "caller", "phone", "reporter", "center", "resolved_at", "closed_at", "result",
] as const;

const orNone = (value: string | null): RecordValue => text(value === null || value === "" ? "-" : value);
const timeOrNone = (at: Date | null): RecordValue => (at ? time(at) : text("-"));

/**
 * Tickets as a record of one list, for an export (XLSX or CSV): one row per ticket, oldest first,
 * the customer's phone masked (an export leaves the system, §5's 顾客信息 with it).
 */
export function ticketExport(tickets: readonly ExportedTicket[], filter: TicketExportFilter, ctx: CardContext, madeAt: Date): RecordDocument {
  const label = (key: Parameters<typeof t>[1]) => t(ctx.locale, key);
  const period = periodText(filter);
  const severity =
    filter.level === undefined ? label("document.field.all") : severityText(filter.level === "general" ? { category: "general", level: null } : { category: "major", level: filter.level }, ctx.locale);
  const rows = tickets.map((ticket): RecordValue[] => [
    text(ticket.number),
    time(ticket.createdAt),
    text(label(`kind.${ticket.kind}`)),
    text(label(`source.${ticket.source}`)),
    text(severityText(ticket, ctx.locale)),
    text(label(`status.${ticket.status}`)),
    text(label(`brand.${ticket.brand}`)),
    orNone(ticket.vin),
    ticket.mileageKm === null ? text("-") : { type: "number", value: ticket.mileageKm, unit: "km" },
    text(ticket.description),
    orNone(ticket.customerName),
    text(maskPhone(ticket.customerPhone)),
    text(memberName(ticket.reporterId, ctx)),
    ticket.serviceCenterId ? text(serviceCenterName(ticket.serviceCenterId, ctx)) : text("-"),
    timeOrNone(ticket.resolvedAt),
    timeOrNone(ticket.closedAt),
    orNone(ticket.result),
  ]);
  return periodDocument("ticket_export", ctx, period, madeAt, {
    sections: [
      {
        key: "summary",
        heading: label("document.section.summary"),
        fields: [
          { key: "period", label: label("document.field.period"), value: text(period) },
          { key: "severity_filter", label: label("document.field.severity_filter"), value: text(severity) },
          { key: "total", label: label("document.field.total"), value: count(tickets.length) },
        ],
      },
    ],
    tables: [columnsTable(ctx, "tickets", EXPORT_COLUMNS, rows)],
  });
}
