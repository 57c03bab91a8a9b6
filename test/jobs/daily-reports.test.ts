import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAILY_REPORTS_SCHEDULER, DailyReports } from "../../jobs/daily-reports.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";
import { freshDatabaseFile, startTestApp } from "../support/test-app.js";

const silent = pino({ level: "silent" });
let cleanups: (() => unknown)[];
let prefix: string;

beforeEach(() => {
  cleanups = [];
  prefix = uniquePrefix();
  cleanups.push(() => deleteKeys(prefix));
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function start(file: string) {
  const app = await startTestApp(file, { now: new Date("2026-11-26T10:00:00Z") });
  const reports = new DailyReports(app, { redisUrl: TEST_REDIS_URL, prefix, log: silent });
  cleanups.push(async () => {
    await reports.close();
    await app.close();
  });
  return { app, reports };
}

describe("the daily reports' schedule", () => {
  it("is registered once, at 18:00 in the business time zone, however often the bot starts", async () => {
    const db = freshDatabaseFile();
    cleanups.push(db.cleanup);
    for (let restart = 0; restart < 3; restart++) await (await start(db.file)).reports.register();
    const { reports } = await start(db.file);
    const schedulers = await reports.queue.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ key: DAILY_REPORTS_SCHEDULER, pattern: "0 18 * * *", tz: "Asia/Shanghai" });
    expect(await reports.queue.getDelayedCount()).toBe(1);
  });

  it("sends and archives the day's reports when its job runs", async () => {
    const db = freshDatabaseFile();
    cleanups.push(db.cleanup);
    const { app, reports } = await start(db.file);
    reports.startWorker();
    await reports.queue.add("send", {});
    const deadline = Date.now() + 5_000;
    while ((await app.db.reportRecord.count()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const records = await app.db.reportRecord.findMany({ orderBy: { id: "asc" } });
    expect(records.map((r) => [r.kind, r.periodFrom])).toEqual([
      ["major_problems", "2026-11-26"],
      ["hotline_daily", "2026-11-26"],
    ]);
    expect(await app.db.delivery.count({ where: { ticketId: null } })).toBe(6);
    // Then the day's records for the archive, with their chart: 26 November 2026 is a Thursday, so no weekly measures.
    while ((await app.db.document.count()) < 7 && Date.now() < deadline + 20_000) await new Promise((r) => setTimeout(r, 100));
    const documents = await app.documents.list();
    expect(documents.map((d) => `${d.kind}.${d.format}`).sort()).toEqual([
      "daily_charts.png", "hotline_call_log.pdf", "hotline_call_log.xlsx", "mail_log.pdf", "mail_log.xlsx", "major_problems_daily.pdf", "major_problems_daily.xlsx",
    ]);
    expect(new Set(documents.map((d) => d.subject))).toEqual(new Set(["2026-11-26"]));
  });

  it("keeps the week's measures too when the day is a Sunday", async () => {
    const db = freshDatabaseFile();
    cleanups.push(db.cleanup);
    const app = await startTestApp(db.file, { now: new Date("2026-11-29T10:00:00Z") });
    const reports = new DailyReports(app, { redisUrl: TEST_REDIS_URL, prefix, log: silent });
    cleanups.push(async () => {
      await reports.close();
      await app.close();
    });
    reports.startWorker();
    await reports.queue.add("send", {});
    const deadline = Date.now() + 30_000;
    while ((await app.db.document.count()) < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const weekly = (await app.documents.list()).filter((d) => d.kind.startsWith("weekly_"));
    expect(weekly.map((d) => [d.kind, d.format, d.subject]).sort()).toEqual([
      ["weekly_measures", "pdf", "2026-11-23 ~ 2026-11-29"],
      ["weekly_measures", "xlsx", "2026-11-23 ~ 2026-11-29"],
      ["weekly_trend", "png", "2026-11-23 ~ 2026-11-29"],
    ]);
  });
});
