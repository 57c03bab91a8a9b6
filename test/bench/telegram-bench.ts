/**
 * Complete report dialogs from many simulated Telegram users through the real adapter (grammY,
 * runner, exactly-once transactions on SQLite) against the fake Bot API; the baseline is a bare
 * grammY echo bot on the same fake, driven the same way, in the same run.
 *
 * The fake and the users run in a child process (telegram-users.ts), so this process holds the bot
 * alone: its CPU time, its latency and its memory. Each simulated user sends a message, waits for
 * the bot's reply, and sends the next, like a person; many users at once. Latency is from pushing
 * the update to the fake until the reply's sendMessage reaches it, and, inside the bot, from the
 * getUpdates answer that delivered the update until the reply reaches the fake.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run, sequentialize } from "@grammyjs/runner";
import { Bot } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { pino } from "pino";
import { createApp } from "../../bot/app.js";
import { loadConfig } from "../../bot/config/env.js";
import { TelegramAdapter } from "../../bot/telegram/telegram-adapter.js";
import { migrateDatabase } from "../../prisma/database.js";
import { LEVEL2_FAULT } from "../support/report-script.js";

const USERS = Number(process.env.BENCH_TELEGRAM_USERS ?? 40);
const REPORTS_PER_USER = Number(process.env.BENCH_TELEGRAM_REPORTS ?? 2);
const FIRST_USER_ID = 700_000;
const SCRIPT = [...LEVEL2_FAULT, "1"];

interface Result {
  updates: number;
  seconds: number;
  latenciesMs: number[];
  handlingMs: number[];
  peakRssMb: number;
  /** CPU seconds the bot's process and the users' process spent: which side was busy. */
  botCpuSeconds: number;
  cpuSeconds: number;
}

interface Users {
  apiRoot: string;
  token: string;
  botInfo: UserFromGetMe;
  /** Every user sends `texts` in turn; resolves when all had their replies. */
  drive(texts: string[]): Promise<Omit<Result, "updates" | "peakRssMb" | "botCpuSeconds">>;
  close(): Promise<void>;
}

/** The fake Bot API and the simulated users, in their own process. */
async function startUsers(): Promise<Users> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./telegram-users.ts", import.meta.url)), { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const [ready] = (await once(child, "message")) as [{ apiRoot: string; token: string; botInfo: UserFromGetMe }];
  return {
    ...ready,
    drive: async (texts) => {
      child.send({ type: "drive", users: USERS, firstUserId: FIRST_USER_ID, texts });
      const [result] = (await once(child, "message")) as [Omit<Result, "updates" | "peakRssMb" | "botCpuSeconds">];
      return result;
    },
    close: async () => {
      child.send({ type: "close" });
      await once(child, "exit");
    },
  };
}

/** Drives the users while sampling this process's memory: the bot's alone. */
async function measure(users: Users, texts: string[]): Promise<Result> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const cpuBefore = process.cpuUsage();
  try {
    const result = await users.drive(texts);
    const cpu = process.cpuUsage(cpuBefore);
    return { ...result, updates: result.latenciesMs.length, peakRssMb: Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20, botCpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    clearInterval(sampler);
  }
}

async function echoBaseline(): Promise<Result> {
  const users = await startUsers();
  const bot = new Bot(users.token, { client: { apiRoot: users.apiRoot }, botInfo: users.botInfo });
  bot.use(sequentialize((ctx) => String(ctx.chat?.id)));
  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
  const runner = run(bot);
  try {
    return await measure(users, Array.from({ length: SCRIPT.length * REPORTS_PER_USER }, (_, i) => `echo ${i}`));
  } finally {
    await runner.stop();
    await users.close();
  }
}

async function hotlineAdapter(): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-tg-"));
  const users = await startUsers();
  const template = join(dir, "template.db");
  await migrateDatabase(`file:${template}`);
  copyFileSync(template, join(dir, "bench.db"));
  const app = await createApp(loadConfig({ DATABASE_URL: `file:${join(dir, "bench.db")}`, LOG_LEVEL: "silent" }));
  // Every simulated user is a Telegram account bound to a Shenyang staff member.
  await app.db.identity.createMany({
    data: Array.from({ length: USERS }, (_, i) => ({ platform: "telegram", externalId: String(FIRST_USER_ID + i), memberId: i % 2 ? "wang.fang" : "ma.jun", source: "invite" })),
  });
  const adapter = new TelegramAdapter(app, { token: users.token, apiRoot: users.apiRoot, botInfo: users.botInfo, log: pino({ level: "silent" }) });
  await adapter.start();
  try {
    const result = await measure(users, Array.from({ length: REPORTS_PER_USER }, () => SCRIPT).flat());
    const tickets = await app.db.ticket.count();
    if (tickets !== USERS * REPORTS_PER_USER) throw new Error(`expected ${USERS * REPORTS_PER_USER} tickets, got ${tickets}`);
    return result;
  } finally {
    await adapter.stop();
    await app.close();
    await users.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export async function benchTelegram(): Promise<void> {
  // The adapter first, so its memory is not measured on top of the echo's leftovers.
  const hotline = await hotlineAdapter();
  const echo = await echoBaseline();
  const rate = (r: Result) => r.updates / r.seconds;
  console.log(`\n## Telegram: ${USERS} users at once, ${REPORTS_PER_USER} whole reports each (${SCRIPT.length} messages a report)\n`);
  console.log("| bot | updates | updates/s | p50 ms | p99 ms | in the bot p50 / p99 ms | bot's peak RSS MB | CPU busy: bot / users |\n|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const [name, r] of [["baseline: bare grammY echo", echo], ["Hotline adapter (dialog, SQLite, exactly once)", hotline]] as const) {
    const inBot = `${percentile(r.handlingMs, 50).toFixed(1)} / ${percentile(r.handlingMs, 99).toFixed(1)}`;
    const busy = `${((100 * r.botCpuSeconds) / r.seconds).toFixed(0)}% / ${((100 * r.cpuSeconds) / r.seconds).toFixed(0)}%`;
    console.log(`| ${name} | ${r.updates} | ${rate(r).toFixed(0)} | ${percentile(r.latenciesMs, 50).toFixed(1)} | ${percentile(r.latenciesMs, 99).toFixed(1)} | ${inBot} | ${r.peakRssMb.toFixed(0)} | ${busy} |`);
  }
  console.log(`\nthroughput ratio (Hotline / echo): ${(rate(hotline) / rate(echo)).toFixed(2)} (goal ≥ 0.5); p99 goal < 50 ms; RSS goal < 250 MB`);
}
