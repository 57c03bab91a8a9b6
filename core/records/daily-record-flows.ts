import type { Locale } from "../messages/locale.js";
import type { CoreContext } from "../ports.js";
import { buildMeasures, measuresRecord, trendChart, type Measures } from "../reports/measures.js";
import { dailyCharts, type Chart } from "../reports/report-charts.js";
import type { ReportPeriod } from "../reports/report-data.js";
import { addDays } from "../reports/report-flows.js";
import { startOfLocalDate } from "../time/business-time.js";
import { cardContext } from "../tickets/flow-support.js";
import type { ArchivedDocument } from "./document-archive.js";
import { dailyRecords, DAILY_RECORDS, type DailyRecord } from "./daily-records.js";
import type { RecordDocument } from "./record-document.js";

/** A day's three records and the charts drawn for them. */
export interface PreparedDailyRecords {
  day: string;
  records: Record<DailyRecord, RecordDocument>;
  charts: Chart[];
}

/** The day's records (§4) from the report store, in the reader's language; a quiet day gets them too, short. */
export async function prepareDailyRecords(ctx: CoreContext, day: string, locale: Locale): Promise<PreparedDailyRecords> {
  const range = { start: startOfLocalDate(day, ctx.timeZone), end: startOfLocalDate(addDays(day, 1), ctx.timeZone) };
  const data = await ctx.reports.loadDailyRecords(day, range);
  const cards = await cardContext(ctx, locale);
  return {
    day,
    records: dailyRecords(data, cards, { day, madeAt: ctx.clock() }),
    charts: dailyCharts(data, ctx.org, locale).map((chart) => ({ type: "bar" as const, ...chart })),
  };
}

/** The records the day's charts are printed with: the call log and the major problems report. */
export const CHARTED_RECORDS: readonly DailyRecord[] = ["hotline_call_log", "major_problems_daily"];
export { DAILY_RECORDS };

export interface PreparedMeasures {
  measures: Measures;
  record: RecordDocument;
  charts: Chart[];
}

/** The measures (§2.2.3 考核) of the tickets reported in the period, as data, as a record and as the trend chart. */
export async function prepareMeasures(ctx: CoreContext, period: ReportPeriod, locale: Locale): Promise<PreparedMeasures> {
  const tickets = await ctx.reports.loadMeasures(period);
  const cards = await cardContext(ctx, locale);
  const measures = buildMeasures(tickets, period, { members: cards.members, serviceCenterIds: ctx.org.serviceCenters.map((c) => c.id), timeZone: ctx.timeZone });
  return { measures, record: measuresRecord(measures, cards, ctx.clock()), charts: [{ type: "trend", ...trendChart(measures, locale) }] };
}

/** The seven local days that end on `day`. */
export const weekEnding = (day: string): ReportPeriod => ({ from: addDays(day, -6), to: day });

/**
 * Makes the day's records (and the weekly measures) as files and keeps each in the archive as its
 * next version, the charts beside them as PNG; the renderers live outside core.
 */
export interface PeriodRecordFiler {
  /** The three daily records as XLSX and PDF, and the day's chart. */
  fileDailyRecords(request: { day: string; locale: Locale }): Promise<ArchivedDocument[]>;
  /** The measures of the seven days ending on `day`, as XLSX and PDF, and the trend chart. */
  fileWeeklyMeasures(request: { day: string; locale: Locale }): Promise<ArchivedDocument[]>;
}
