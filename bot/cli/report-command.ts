import { cardToPlainText } from "../../core/messages/card.js";
import { buildReports, reportPeriod } from "../../core/reports/report-flows.js";
import { hotlineCard, majorProblemsCard } from "../../core/reports/report-cards.js";
import { createApp } from "../app.js";
import { loadConfig } from "../config/env.js";
import { UsageError } from "./usage-error.js";

/** `hotline report [--date YYYY-MM-DD | --week] [--json]`: the daily reports, today's by default. */
export async function reportCommand(options: { date?: string; week?: boolean; json?: boolean }): Promise<string> {
  const app = await createApp(loadConfig());
  try {
    const period = reportPeriod(options.week ? "week" : options.date, app.core.clock(), app.core.timeZone);
    if (!period) throw new UsageError("--date: must be a date as YYYY-MM-DD");
    const reports = await buildReports(app.core, period);
    if (options.json) return JSON.stringify(reports, null, 2);
    const members = new Map((await app.core.directory.listMembers()).map((m) => [m.id, m]));
    const ctx = { locale: app.config.DEFAULT_LOCALE, org: app.org, members, timeZone: app.config.TZ };
    return [majorProblemsCard(reports.majorProblems, ctx), hotlineCard(reports.hotline, ctx)].map(cardToPlainText).join("\n\n");
  } finally {
    await app.close();
  }
}
