import { z } from "zod";
import { actsOnAllTickets } from "../../../core/directory/member.js";
import { card } from "../../../core/messages/card.js";
import type { ArchivedDocument } from "../../../core/records/document-archive.js";
import { documentTitle, versionedFileName } from "../../../core/records/document-files.js";
import { periodText } from "../../../core/reports/measures.js";
import type { ReportPeriod } from "../../../core/reports/report-data.js";
import { readReports, reportPeriod } from "../../../core/reports/report-flows.js";
import { formatLocalTime } from "../../../core/time/business-time.js";
import { asOutboundFile } from "../../documents/outbound-files.js";
import { DocumentFontMissing } from "../../documents/record-pdf.js";
import { EXPORT_FORMATS, exportLevel, makeTicketExport } from "../../documents/ticket-export-file.js";
import type { ConsoleForms } from "../console-forms.js";
import type { ConsoleContext, ConsoleHono, ConsoleKit } from "../console-kit.js";
import { notice, reportsPage, type PeriodDocumentView } from "../console-pages.js";
import { text } from "../console-text.js";
import { downloadHeaders } from "../download-headers.js";

const periodQuery = {
  period: z.enum(["today", "week"]).catch("today").default("today"),
  // Longer than a date is not one: cut to 11 characters, it is still refused, and never echoed at length.
  date: z.string().optional().transform((date) => date?.slice(0, 11) || undefined).catch(undefined),
};
const reportsQuery = z.object(periodQuery);
const exportQuery = z.object({
  ...periodQuery,
  format: z.enum(EXPORT_FORMATS),
  level: z.union([z.literal("").transform(() => undefined), exportLevel]).optional(),
});
/** A document's id as the archive numbers them; nine digits at most, well inside the column's 32 bits. */
const DOCUMENT_ID = /^[1-9]\d{0,8}$/;

/** The kinds in the order the page lists them: the day's records and their chart, the week's measures and their trend. */
const KIND_ORDER = ["hotline_call_log", "mail_log", "major_problems_daily", "daily_charts", "weekly_measures", "weekly_trend"];
const FORMAT_ORDER = ["pdf", "xlsx", "png"];
const rank = (order: string[], value: string) => (order.includes(value) ? order.indexOf(value) : order.length);

/** The newest version of each kind and format, the records first, each record's PDF before its workbook. */
export function newestOfEach(documents: readonly ArchivedDocument[]): ArchivedDocument[] {
  const newest = new Map<string, ArchivedDocument>();
  for (const document of documents) {
    const key = `${document.kind}.${document.format}`;
    if ((newest.get(key)?.version ?? 0) < document.version) newest.set(key, document);
  }
  return [...newest.values()].sort((a, b) => rank(KIND_ORDER, a.kind) - rank(KIND_ORDER, b.kind) || rank(FORMAT_ORDER, a.format) - rank(FORMAT_ORDER, b.format));
}

/** A size as people read it: bytes, then KB and MB (of 1,024). */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A period's page address: the day asked for, or today's or the week's. */
const reportsAddress = (wanted: string) => `/console/reports?${/^\d{4}-\d{2}-\d{2}$/.test(wanted) ? "date" : "period"}=${encodeURIComponent(wanted)}`;

/**
 * The daily reports with their charts, for those who oversee every ticket (as /report); beside
 * them the period's documents from the archive, made again on request, and its tickets' export.
 */
export function reportsRoutes(app: ConsoleHono, kit: ConsoleKit, forms: ConsoleForms): void {
  const { deps } = kit;
  const mayRead = (c: ConsoleContext) => actsOnAllTickets(c.get("member"), deps.core.org);
  const noPage = (c: ConsoleContext) => kit.refuse(c, "noPage", 404);
  const badPeriod = (c: ConsoleContext, wanted: string) =>
    c.html(reportsPage(kit.signedInPage(c), { wanted, cards: [], charts: [] }, notice(text(c.get("locale"), "badPeriod"), "error")), 400);
  const periodOf = (wanted: string) => reportPeriod(wanted, deps.core.clock(), deps.core.timeZone);
  const documentsOf = async (c: ConsoleContext, period: ReportPeriod): Promise<PeriodDocumentView[]> => {
    const ctx = { org: deps.core.org, locale: c.get("locale") };
    return newestOfEach(await deps.archive.list({ period: periodText(period) })).map((d) => ({
      id: d.id, title: documentTitle(d.kind, ctx), format: d.format, version: d.version, madeAt: formatLocalTime(d.createdAt, deps.core.timeZone), size: sizeText(d.byteSize),
    }));
  };

  app.get("/reports", async (c) => {
    if (!mayRead(c)) return noPage(c);
    const asked = reportsQuery.parse(c.req.query());
    const wanted = asked.date ?? asked.period;
    const read = await readReports(deps.core, c.get("member"), wanted);
    if (!read) return badPeriod(c, wanted);
    const files = { documents: await documentsOf(c, read.period), timeZone: deps.core.timeZone };
    return c.html(reportsPage(kit.signedInPage(c), { wanted, cards: read.cards, charts: read.charts, results: await forms.resultShown(c), files }));
  });

  // A day gets its three records and its chart, the week its measures and their trend, as the
  // evening's and `hotline report --format` make them: in the organisation's language, the next
  // version of each. The form's key is claimed first, so a double click makes them once.
  app.post("/reports/documents", async (c) => {
    if (!mayRead(c)) return noPage(c);
    const body = await c.req.parseBody();
    const asked = reportsQuery.parse(body);
    const wanted = asked.date ?? asked.period;
    const key = forms.keyOf(body);
    if (!key) return kit.refuse(c, "forbidden", 400);
    const period = periodOf(wanted);
    if (!period) return badPeriod(c, wanted);
    const member = c.get("member"), locale = c.get("locale");
    const claimed = await deps.unitOfWork.run(({ core, submissions }) => submissions.claim(key, member.id, core.clock()));
    if (claimed) {
      const request = { day: period.to, locale: deps.core.defaultLocale };
      let made;
      try {
        made = period.from === period.to ? await deps.periodRecords.fileDailyRecords(request) : await deps.periodRecords.fileWeeklyMeasures(request);
      } catch (error) {
        if (!(error instanceof DocumentFontMissing)) throw error;
        deps.log.error({ err: error, period: periodText(period) }, "console: the period's documents could not be made");
        return c.html(notice(text(locale, "documentsFailed"), "error"), 503);
      }
      const outcome = { ticketNumber: null, replies: [card(text(locale, "documentsMade", { count: made.length }), { tone: "success" })] };
      await deps.unitOfWork.run(({ submissions }) => submissions.settle(key, outcome));
    }
    return c.redirect(`${reportsAddress(wanted)}&result=${key}`, 303);
  });

  // The period's tickets as `hotline export tickets --from --to [--level]` writes them, in the reader's language.
  app.get("/reports/export", async (c) => {
    if (!mayRead(c)) return noPage(c);
    const asked = exportQuery.safeParse(c.req.query());
    const wanted = asked.success ? (asked.data.date ?? asked.data.period) : "today";
    const period = asked.success ? periodOf(wanted) : undefined;
    if (!asked.success || !period) return badPeriod(c, wanted);
    const made = await makeTicketExport(deps.core, { filter: { ...period, level: asked.data.level }, format: asked.data.format, locale: c.get("locale") });
    return c.body(new Uint8Array(made.content), 200, downloadHeaders(made));
  });

  // A period's document as the archive keeps it, byte for byte; a ticket's form is served on its ticket's page only.
  app.get("/documents/:id", async (c) => {
    const id = c.req.param("id");
    if (!mayRead(c) || !DOCUMENT_ID.test(id)) return noPage(c);
    const kept = await deps.archive.read(Number(id));
    if (!kept || kept.document.ticketId !== null || kept.document.period === null) return noPage(c);
    const file = asOutboundFile(kept.document, kept.content, deps.core.org);
    return c.body(new Uint8Array(file.bytes), 200, downloadHeaders({ ...file, fallback: versionedFileName(kept.document) }));
  });
}
