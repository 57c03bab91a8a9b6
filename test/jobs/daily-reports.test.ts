import { dirname, join } from "node:path";
import { pino } from "pino";
import type { Card } from "../../core/messages/card.js";
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

/** The app at `now` (a Thursday unless given), with the daily reports' job on the test's prefix. */
async function start(file: string, now = new Date("2026-11-26T10:00:00Z"), env: Record<string, string> = {}) {
  const app = await startTestApp(file, { now }, env);
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
    // The day's records are kept for the archive, with their chart: 26 November 2026 is a Thursday, so no weekly measures.
    const documents = await app.documents.list();
    expect(documents.map((d) => `${d.kind}.${d.format}`).sort()).toEqual([
      "daily_charts.png", "hotline_call_log.pdf", "hotline_call_log.xlsx", "mail_log.pdf", "mail_log.xlsx", "major_problems_daily.pdf", "major_problems_daily.xlsx",
    ]);
    expect(new Set(documents.map((d) => d.subject))).toEqual(new Set(["2026-11-26"]));
    // Each report is followed, to each of its readers, by the records it sums up and the chart.
    const kept = new Map(documents.map((d) => [d.id, `${d.kind}.${d.format}`]));
    const byReader = new Map<string, string[]>();
    for (const d of await app.db.delivery.findMany({ where: { ticketId: null }, orderBy: { id: "asc" } })) {
      const reader = JSON.parse(d.recipient).memberId as string;
      byReader.set(reader, [...(byReader.get(reader) ?? []), d.kind === "document" ? kept.get(d.documentId!)! : (JSON.parse(d.payload) as Card).title!]);
    }
    const hotline = [expect.stringContaining("售后服务电话接听日报"), "hotline_call_log.pdf", "hotline_call_log.xlsx", "mail_log.pdf", "mail_log.xlsx", "daily_charts.png"];
    const majorProblems = [expect.stringContaining("重大质量问题日报"), "major_problems_daily.pdf", "major_problems_daily.xlsx", "daily_charts.png"];
    // The after-sales lead reads both; the department reads its hotline report, the managers the major problems.
    expect(byReader.get("zhou.min")).toEqual([...majorProblems, ...hotline]);
    expect(byReader.get("wu.lei")).toEqual(hotline);
    expect(byReader.get("feng.gang")).toEqual(majorProblems);
    expect([...byReader.keys()].sort()).toEqual(["feng.gang", "qian.hao", "wu.lei", "zhao.ming", "zhou.min"]);
  });

  it("keeps the week's measures too when the day is a Sunday", async () => {
    const db = freshDatabaseFile();
    cleanups.push(db.cleanup);
    const { app, reports } = await start(db.file, new Date("2026-11-29T10:00:00Z"));
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
    // The managers' report carries them, after the day's.
    while ((await app.db.reportRecord.count()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const kept = new Map((await app.documents.list()).map((d) => [d.id, `${d.kind}.${d.format}`]));
    const toManager = await app.db.delivery.findMany({ where: { ticketId: null, kind: "document", recipient: { contains: `"memberId":"feng.gang"` } }, orderBy: { id: "asc" } });
    expect(toManager.map((d) => kept.get(d.documentId!))).toEqual(["major_problems_daily.pdf", "major_problems_daily.xlsx", "daily_charts.png", "weekly_measures.pdf", "weekly_measures.xlsx", "weekly_trend.png"]);
  });

  it("sends the reports without documents when they cannot be made", async () => {
    const db = freshDatabaseFile();
    cleanups.push(db.cleanup);
    const { app, reports } = await start(db.file, undefined, { DOCUMENT_FONT: join(dirname(db.file), "no-such-font.ttc") });
    reports.startWorker();
    await reports.queue.add("send", {});
    const deadline = Date.now() + 10_000;
    while ((await app.db.reportRecord.count()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const sent = await app.db.delivery.findMany({ where: { ticketId: null } });
    expect(sent.map((d) => d.kind)).toEqual(Array(6).fill("message"));
    expect(await app.db.document.count()).toBe(0);
  });
});
