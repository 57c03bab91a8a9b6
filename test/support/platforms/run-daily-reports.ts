import type { App } from "../../../bot/app.js";
import { DailyReports } from "../../../jobs/daily-reports.js";
import { TEST_REDIS_URL } from "../redis.js";
import { silent } from "./adapter-rig.js";

/** Longer than making a day's documents takes on a loaded machine. */
const JOB_TIMEOUT_MS = 30_000;

/**
 * Runs the evening reports' job once, on the real BullMQ worker, as its schedule does at
 * `reports.dailyAt`: the day's records are made and kept, and the reports are written to the outbox
 * with them. Resolves once they are written; the delivery queue sends them.
 */
export async function runDailyReports(app: App, prefix: string): Promise<void> {
  let written!: () => void;
  const done = new Promise<void>((resolve) => (written = resolve));
  const reports = new DailyReports(app, { redisUrl: TEST_REDIS_URL, prefix, onSent: () => written(), log: silent });
  let timer: NodeJS.Timeout | undefined;
  try {
    reports.startWorker();
    await reports.queue.add("send", {});
    await Promise.race([done, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the daily reports' job wrote nothing in ${JOB_TIMEOUT_MS} ms`)), JOB_TIMEOUT_MS)))]);
  } finally {
    clearTimeout(timer);
    await reports.close();
  }
}
