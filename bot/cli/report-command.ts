import { writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { z } from "zod";
import { cardToPlainText } from "../../core/messages/card.js";
import { LOCALES } from "../../core/messages/locale.js";
import { prepareMeasures, weekEnding } from "../../core/records/daily-record-flows.js";
import type { ArchivedDocument } from "../../core/records/document-archive.js";
import { versionedFileName } from "../../core/records/document-files.js";
import { hotlineCard, majorProblemsCard } from "../../core/reports/report-cards.js";
import { buildReports, reportPeriod } from "../../core/reports/report-flows.js";
import { localDate } from "../../core/time/business-time.js";
import { createApp, type App } from "../app.js";
import { loadConfig } from "../config/env.js";
import { DocumentFontMissing } from "../documents/record-pdf.js";
import { businessDay, outFile, parseWith } from "./arg-schemas.js";
import { CommandFailure } from "./command-failure.js";
import { UsageError } from "./usage-error.js";

/** As `hotline report --help` shows it (bot/cli/main.ts). */
export const REPORT_USAGE = "hotline report [--date YYYY-MM-DD] [--week] [--format text|json|xlsx|pdf] [--out FILE] [--locale zh-CN|en]";

const reportArgs = z.object({
  "--date": businessDay.optional(),
  "--week": z.boolean().default(false),
  "--format": z.enum(["text", "json", "xlsx", "pdf"], { error: "must be text, json, xlsx or pdf" }).default("text"),
  "--out": outFile.optional(),
  "--locale": z.enum(LOCALES, { error: `must be ${LOCALES.join(" or ")}` }).optional(),
});

export interface ReportArgs {
  date?: string | undefined;
  week?: boolean;
  json?: boolean;
  format?: string | undefined;
  out?: string | undefined;
  locale?: string | undefined;
}

/**
 * `hotline report`: the daily reports for a day (today's so far by default), or the seven days
 * ending on it with `--week`. As text or JSON on the terminal; as XLSX or PDF, the day's three
 * records (or the week's measures) are made, kept in the archive as their next version, and written out.
 */
export async function reportCommand(raw: ReportArgs): Promise<string> {
  const args = parseWith("hotline report", REPORT_USAGE, reportArgs, {
    "--date": raw.date, "--week": raw.week === true, "--format": raw.json ? "json" : raw.format, "--out": raw.out, "--locale": raw.locale,
  });
  if (args["--out"] !== undefined && args["--format"] === "text") {
    throw new UsageError(`hotline report: --out writes a file, which text is not: give --format json, xlsx or pdf. Usage: ${REPORT_USAGE}`);
  }
  const app = await createApp(loadConfig());
  try {
    const day = args["--date"] ?? localDate(app.core.clock(), app.core.timeZone);
    const locale = args["--locale"] ?? app.config.DEFAULT_LOCALE;
    if (args["--format"] === "xlsx" || args["--format"] === "pdf") return await writeDocuments(app, { day, week: args["--week"], format: args["--format"], out: args["--out"], locale });
    const period = args["--week"] ? weekEnding(day) : reportPeriod(day, app.core.clock(), app.core.timeZone)!;
    const reports = await buildReports(app.core, period);
    if (args["--format"] === "json") {
      const measures = args["--week"] ? { measures: (await prepareMeasures(app.core, period, locale)).measures } : {};
      const json = JSON.stringify({ ...reports, ...measures }, null, 2);
      if (args["--out"] === undefined) return json;
      writeFileSync(args["--out"], `${json}\n`);
      return `Written to ${args["--out"]}.`;
    }
    const members = new Map((await app.core.directory.listMembers()).map((m) => [m.id, m]));
    const ctx = { locale, org: app.org, members, timeZone: app.config.TZ };
    return [majorProblemsCard(reports.majorProblems, ctx), hotlineCard(reports.hotline, ctx)].map(cardToPlainText).join("\n\n");
  } finally {
    await app.close();
  }
}

/**
 * Makes and keeps the day's records (or the week's measures), then writes those of the format and
 * the chart: each to `<kind>-<period>-v<version>.<format>` here, or, with `--out FILE`, to FILE when
 * there is one document and beside it as FILE's name with the kind added when there are several.
 */
async function writeDocuments(app: App, options: { day: string; week: boolean; format: "xlsx" | "pdf"; out: string | undefined; locale: App["config"]["DEFAULT_LOCALE"] }): Promise<string> {
  let kept: ArchivedDocument[];
  try {
    kept = options.week
      ? await app.periodRecords.fileWeeklyMeasures({ day: options.day, locale: options.locale })
      : await app.periodRecords.fileDailyRecords({ day: options.day, locale: options.locale });
  } catch (error) {
    if (error instanceof DocumentFontMissing) throw new CommandFailure(`hotline report: ${error.message}`);
    throw error;
  }
  const wanted = kept.filter((d) => d.format === options.format || d.format === "png");
  const records = wanted.filter((d) => d.format === options.format);
  const lines: string[] = [];
  for (const document of wanted) {
    const own = versionedFileName(document);
    const file = options.out === undefined ? own : outName(options.out, document, records.length === 1 && document.format === options.format);
    writeFileSync(file, (await app.documents.read(document.id))!.content);
    lines.push(`#${document.id}  ${document.kind}  v${document.version}  ${document.byteSize.toLocaleString("en")} bytes  → ${file}`);
  }
  const what = options.week ? `the measures of ${kept[0]!.subject}` : `the records of ${options.day}`;
  return [`Made ${what} and kept them in the archive:`, ...lines].join("\n");
}

/** FILE itself for the one record; FILE's name with the kind before the extension for the rest (`day.pdf` → `day-daily_charts.png`). */
function outName(out: string, document: ArchivedDocument, alone: boolean): string {
  if (alone) return out;
  const extension = extname(out);
  return join(dirname(out), `${basename(out, extension)}-${document.kind}.${document.format}`);
}
