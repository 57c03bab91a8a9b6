import type { CoreContext } from "../../core/ports.js";
import { CHARTED_RECORDS, DAILY_RECORDS, prepareDailyRecords, prepareMeasures, weekEnding, type PeriodRecordFiler } from "../../core/records/daily-record-flows.js";
import { RECORD_FORMATS, type ArchivedDocument, type DocumentArchive, type NewDocument, type RecordFormat } from "../../core/records/document-archive.js";
import type { Locale } from "../../core/messages/locale.js";
import type { Chart } from "../../core/reports/report-charts.js";
import type { RecordDocument } from "../../core/records/record-document.js";
import { periodText } from "../../core/reports/measures.js";
import { renderChartsPng, type ChartFont, type ChartPicture } from "./chart-png.js";
import { renderRecordPdf, type PdfFont } from "./record-pdf.js";
import { renderRecordXlsx } from "./record-xlsx.js";

/** A record and its picture as the files the archive keeps: XLSX, and PDF with the picture printed in it when there is one. */
export async function renderPeriodRecord(record: RecordDocument, font: PdfFont, picture: Promise<ChartPicture> | undefined): Promise<Record<RecordFormat, Buffer>> {
  const xlsx = await renderRecordXlsx(record);
  // The workbook does not wait for the picture, which is drawn off the main thread meanwhile.
  const pdf = await renderRecordPdf(record, font, { pictures: picture ? [await picture] : [] });
  return { xlsx, pdf };
}

/** A file to keep: the rest of its description is the period's. */
type KeptFile = Pick<NewDocument, "kind" | "format" | "content">;

/** The fonts the period records are set and drawn in. */
export interface DocumentFonts {
  pdf: PdfFont;
  chart: ChartFont;
}

/** The day's records and the week's measures as files, each kept in the archive as its next version. */
export class PeriodDocuments implements PeriodRecordFiler {
  constructor(private readonly deps: { core: CoreContext; archive: DocumentArchive; fonts: DocumentFonts }) {}

  /** The day's chart is drawn once, printed in the call log and the major problems report, and kept beside them. */
  async fileDailyRecords(request: { day: string; locale: Locale }): Promise<ArchivedDocument[]> {
    const prepared = await prepareDailyRecords(this.deps.core, request.day, request.locale);
    const picture = this.picture(prepared.charts);
    // Avoids an unhandled rejection while the records drawn before it are made; awaited below.
    picture.catch(() => {});
    const rendered = new Map<string, Record<RecordFormat, Buffer>>();
    // The records without the chart first, so that its drawing overlaps them.
    for (const kind of [...DAILY_RECORDS].sort((a, b) => Number(CHARTED_RECORDS.includes(a)) - Number(CHARTED_RECORDS.includes(b)))) {
      rendered.set(kind, await renderPeriodRecord(prepared.records[kind], this.deps.fonts.pdf, CHARTED_RECORDS.includes(kind) ? picture : undefined));
    }
    const files: KeptFile[] = DAILY_RECORDS.flatMap((kind) => RECORD_FORMATS.map((format) => ({ kind, format, content: rendered.get(kind)![format] })));
    files.push({ kind: "daily_charts", format: "png", content: (await picture).png });
    return this.keep(request.day, request.locale, files);
  }

  async fileWeeklyMeasures(request: { day: string; locale: Locale }): Promise<ArchivedDocument[]> {
    const prepared = await prepareMeasures(this.deps.core, weekEnding(request.day), request.locale);
    const picture = this.picture(prepared.charts);
    picture.catch(() => {});
    const rendered = await renderPeriodRecord(prepared.record, this.deps.fonts.pdf, picture);
    return this.keep(periodText(prepared.measures.period), request.locale, [
      ...RECORD_FORMATS.map((format) => ({ kind: "weekly_measures", format, content: rendered[format] })),
      { kind: "weekly_trend", format: "png" as const, content: (await picture).png },
    ]);
  }

  private picture(charts: readonly Chart[]): Promise<ChartPicture> {
    return renderChartsPng(charts, this.deps.fonts.chart);
  }

  private async keep(period: string, locale: Locale, files: KeptFile[]): Promise<ArchivedDocument[]> {
    const kept: ArchivedDocument[] = [];
    for (const file of files) kept.push(await this.deps.archive.keep({ ...file, subject: period, period, ticketId: null, madeFor: null, locale }));
    return kept;
  }
}
