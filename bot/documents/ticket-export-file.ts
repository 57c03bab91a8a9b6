import { z } from "zod";
import type { Locale } from "../../core/messages/locale.js";
import type { CoreContext } from "../../core/ports.js";
import { CONTENT_TYPES } from "../../core/records/document-files.js";
import type { TicketExportFilter } from "../../core/reports/report-data.js";
import { ticketExport } from "../../core/reports/ticket-export.js";
import { cardContext } from "../../core/tickets/flow-support.js";
import { renderTableCsv } from "./record-csv.js";
import { renderRecordXlsx } from "./record-xlsx.js";

/** An export comes as a workbook, or as CSV for Excel. */
export const EXPORT_FORMATS = ["xlsx", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** An export's severity as typed or chosen (`general`, `1`…`3`), as the filter takes it. */
export const exportLevel = z
  .enum(["general", "1", "2", "3"], { error: "must be general, 1, 2 or 3" })
  .transform((level): NonNullable<TicketExportFilter["level"]> => (level === "general" ? level : (Number(level) as 1 | 2 | 3)));

/** An export as a file: not kept in the archive, made afresh each time it is asked for. */
export interface TicketExportFile {
  content: Buffer;
  /** `tickets-<from>-<to>[-general|-level<n>].<format>`: ASCII, so every platform and browser keeps it whole. */
  name: string;
  contentType: string;
  /** How many tickets it lists. */
  tickets: number;
}

/**
 * The tickets reported on the filter's business days as a workbook or as CSV for Excel (UTF-8 with
 * a BOM, CRLF, RFC 4180 quoting), labelled in `locale`, the customer's phone masked: what
 * `hotline export tickets` writes and the console's reports page downloads.
 */
export async function makeTicketExport(core: CoreContext, request: { filter: TicketExportFilter; format: ExportFormat; locale: Locale }): Promise<TicketExportFile> {
  const { filter, format } = request;
  const tickets = await core.reports.exportTickets(filter);
  const ctx = await cardContext(core, request.locale);
  const record = ticketExport(tickets, filter, ctx, core.clock());
  const content = format === "csv" ? renderTableCsv(record.tables[0]!, ctx.timeZone) : await renderRecordXlsx(record);
  const level = filter.level === undefined ? "" : `-${filter.level === "general" ? "general" : `level${filter.level}`}`;
  return {
    content,
    name: `tickets-${filter.from}-${filter.to}${level}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : CONTENT_TYPES.xlsx,
    tickets: tickets.length,
  };
}
