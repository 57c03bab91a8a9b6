/**
 * Deadlines and reports at volume, each beside a baseline from the same run:
 * - 10,000 deadlines due within one minute: how late each fires (fired − due), against raw
 *   BullMQ delayed no-op jobs spread over the same minute;
 * - reconciling 10,000 pending deadlines after Redis lost every timer;
 * - the daily reports over 100,000 tickets.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import BetterSqlite3 from "better-sqlite3";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { createApp } from "../../bot/app.js";
import { loadConfig } from "../../bot/config/env.js";
import { buildReports } from "../../core/reports/report-flows.js";
import { DeadlineTimers } from "../../jobs/deadline-timers.js";
import { migrateDatabase } from "../../prisma/sqlite/sqlite-database.js";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";

const DEADLINES = Number(process.env.BENCH_DEADLINES ?? 10_000);
const WINDOW_MS = Number(process.env.BENCH_DEADLINE_WINDOW_S ?? 60) * 1000;
const REPORT_TICKETS = Number(process.env.BENCH_REPORT_TICKETS ?? 100_000);
const silent = pino({ level: process.env.BENCH_LOG ?? "silent" });

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

/** Seeds tickets (and optionally one pending deadline each) straight into SQLite, in one transaction. */
function seed(file: string, tickets: number, options: { deadlineDue?: (i: number) => Date; days?: number }) {
  const sqlite = new BetterSqlite3(file);
  const insertTicket = sqlite.prepare(`INSERT INTO "Ticket" ("number","localDate","kind","source","category","level","matchedRules","answers","status","brand","description","customerName","customerPhone","reporterId","serviceCenterId","createdAt","updatedAt") VALUES (?,?,?,?,?,?,'[]','{}',?,'zhonghua','bench','张先生','138 1234 5678','wang.fang','sc-shenyang',?,?)`);
  const insertDeadline = sqlite.prepare(`INSERT INTO "Deadline" ("ticketId","kind","dueAt","status","chain") VALUES (?,'acknowledge',?,'pending','["zhou.min"]')`);
  const statuses = ["open", "acknowledged", "in_progress", "resolved", "closed"];
  sqlite.transaction(() => {
    for (let i = 0; i < tickets; i++) {
      const day = new Date(Date.UTC(2026, 10, 26) - (i % (options.days ?? 1)) * 86_400_000);
      const date = day.toISOString().slice(0, 10);
      const level = [null, 1, 2, 3][i % 4] ?? null;
      const at = new Date(day.getTime() + 3_600_000).toISOString();
      // A realistic history: today's tickets in every state; older ones closed but for 1% left open.
      const daysAgo = i % (options.days ?? 1);
      const status = daysAgo === 0 ? statuses[i % 5] : i % 100 === 1 ? "in_progress" : "closed";
      const { lastInsertRowid } = insertTicket.run(`B-${i}`, date, i % 3 ? "fault" : "complaint", ["service_center", "hotline", "customer"][i % 3], level === null ? "general" : "major", level, status, at, at);
      if (options.deadlineDue) insertDeadline.run(lastInsertRowid, options.deadlineDue(i).toISOString());
    }
  })();
  sqlite.close();
}

async function rawBullmqLag(prefix: string): Promise<number[]> {
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue("raw", { connection, prefix });
  const lags: number[] = [];
  const worker = new Worker("raw", async (job) => void lags.push(Date.now() - (job.timestamp + (job.opts.delay ?? 0))), { connection: connection.duplicate(), prefix, concurrency: 50 });
  const start = Date.now();
  for (let i = 0; i < DEADLINES; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, DEADLINES - i) }, (_, j) => ({ name: "noop", data: {}, opts: { delay: Math.max(0, start + ((i + j) / DEADLINES) * WINDOW_MS - Date.now()), removeOnComplete: true } })));
  }
  while (lags.length < DEADLINES) await new Promise((r) => setTimeout(r, 100));
  await worker.close();
  await queue.close();
  connection.disconnect();
  return lags;
}

async function hotlineTimerLag(dir: string, prefix: string): Promise<{ lags: number[]; reconcileMs: number }> {
  const file = join(dir, "timers.db");
  await migrateDatabase(`file:${file}`);
  const app = await createApp(loadConfig({ DATABASE_URL: `file:${file}`, LOG_LEVEL: "silent" }));
  const start = Date.now() + 3_000; // time to seed and queue before the first is due
  seed(file, DEADLINES, { deadlineDue: (i) => new Date(start + (i / DEADLINES) * WINDOW_MS) });
  const timers = new DeadlineTimers(app, { redisUrl: TEST_REDIS_URL, prefix, log: silent });
  // As after a Redis flush: every deadline pending in the database, no timer in Redis.
  const began = performance.now();
  await timers.reconcile();
  const reconcileMs = performance.now() - began;
  timers.startWorker();
  const missed = () => app.db.ticketEvent.count({ where: { type: "deadline_missed" } });
  while ((await missed()) < DEADLINES) await new Promise((r) => setTimeout(r, 500));
  const rows = await app.db.$queryRawUnsafe<{ fired: Date | string; due: Date | string }[]>(
    `SELECT e."at" AS fired, d."dueAt" AS due FROM "TicketEvent" e JOIN "Deadline" d ON d."ticketId" = e."ticketId" WHERE e."type" = 'deadline_missed'`,
  );
  await timers.close();
  await app.close();
  return { lags: rows.map((r) => new Date(r.fired).getTime() - new Date(r.due).getTime()), reconcileMs };
}

async function reportOverManyTickets(dir: string): Promise<{ reportMs: number; bareQueryMs: number }> {
  const file = join(dir, "reports.db");
  await migrateDatabase(`file:${file}`);
  const app = await createApp(loadConfig({ DATABASE_URL: `file:${file}`, LOG_LEVEL: "silent" }));
  seed(file, REPORT_TICKETS, { days: 100 });
  const period = { from: "2026-11-26", to: "2026-11-26" };
  await buildReports(app.core, period); // warm up
  let began = performance.now();
  const reports = await buildReports(app.core, period);
  const reportMs = performance.now() - began;
  began = performance.now();
  await app.db.ticket.count({ where: { localDate: "2026-11-26" } });
  const bareQueryMs = performance.now() - began;
  if (reports.hotline.total !== REPORT_TICKETS / 100) throw new Error(`expected ${REPORT_TICKETS / 100} tickets that day, got ${reports.hotline.total}`);
  await app.close();
  return { reportMs, bareQueryMs };
}

export async function benchDeadlines(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-deadlines-"));
  const prefix = uniquePrefix();
  try {
    const raw = await rawBullmqLag(`${prefix}-raw`);
    const hotline = await hotlineTimerLag(dir, prefix);
    const report = await reportOverManyTickets(dir);
    console.log(`\n## Deadlines: ${DEADLINES.toLocaleString("en")} due within ${WINDOW_MS / 1000} s\n`);
    console.log("| timers | lag p50 ms | lag p99 ms |\n|---|---:|---:|");
    console.log(`| baseline: raw BullMQ delayed no-op jobs | ${percentile(raw, 50).toFixed(0)} | ${percentile(raw, 99).toFixed(0)} |`);
    console.log(`| Hotline deadline timers (claim, timeline, outbox in a transaction) | ${percentile(hotline.lags, 50).toFixed(0)} | ${percentile(hotline.lags, 99).toFixed(0)} |`);
    console.log(`\np99 difference: ${(percentile(hotline.lags, 99) - percentile(raw, 99)).toFixed(0)} ms (goal ≤ 50 ms)`);
    console.log(`reconcile ${DEADLINES.toLocaleString("en")} pending deadlines with no timer in Redis: ${hotline.reconcileMs.toFixed(0)} ms (goal < 2,000 ms)`);
    console.log(
      `daily reports over ${REPORT_TICKETS.toLocaleString("en")} tickets (100 days; older days closed but 1%): ${report.reportMs.toFixed(0)} ms (goal < 1,000 ms); baseline, one indexed count: ${report.bareQueryMs.toFixed(1)} ms`,
    );
  } finally {
    await deleteKeys(prefix);
    await deleteKeys(`${prefix}-raw`);
    rmSync(dir, { recursive: true, force: true });
  }
}
