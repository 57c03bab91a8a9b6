/**
 * Complete report dialogs from many simulated Telegram users through the real adapter (grammY,
 * runner, exactly-once transactions on SQLite) against the fake Bot API; the baseline is a bare
 * grammY echo bot on the same fake, driven the same way, in the same run.
 *
 * The fake and the users run in child processes (telegram-users.ts), so this process holds the
 * bots alone: their CPU time, latency and memory. Each simulated user sends a message, waits for
 * the bot's reply, and sends the next, like a person; many users at once. Latency is from pushing
 * the update to the fake until the reply's sendMessage reaches it, and, inside the bot, from the
 * getUpdates answer that delivered the update until the reply reaches the fake.
 *
 * Two loads. Throughput: the users send as fast as the bot answers, in rounds alternating between
 * the two bots (the machine's noise falls on both), and the median ratio counts. Latency: the
 * users together send a steady number of updates per second, well under either bot's capacity,
 * which is how a hotline is loaded; at full throughput the latency is the queue's length.
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
import { migrateDatabase, transactionStatsOf } from "../../prisma/database.js";
import { LEVEL2_FAULT } from "../support/report-script.js";

const USERS = Number(process.env.BENCH_TELEGRAM_USERS ?? 40);
const REPORTS_PER_USER = Number(process.env.BENCH_TELEGRAM_REPORTS ?? 2);
const ROUNDS = Number(process.env.BENCH_TELEGRAM_ROUNDS ?? 3);
const STEADY_RATE = Number(process.env.BENCH_TELEGRAM_RATE ?? 200);
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
  drive(texts: string[], ratePerSecond?: number): Promise<Omit<Result, "updates" | "peakRssMb" | "botCpuSeconds">>;
  close(): Promise<void>;
}

/** The fake Bot API and the simulated users, in their own process. */
async function startUsers(): Promise<Users> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./telegram-users.ts", import.meta.url)), { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const [ready] = (await once(child, "message")) as [{ apiRoot: string; token: string; botInfo: UserFromGetMe }];
  return {
    ...ready,
    drive: async (texts, ratePerSecond) => {
      child.send({ type: "drive", users: USERS, firstUserId: FIRST_USER_ID, texts, ratePerSecond });
      const [result] = (await once(child, "message")) as [Omit<Result, "updates" | "peakRssMb" | "botCpuSeconds">];
      return result;
    },
    close: async () => {
      child.send({ type: "close" });
      await once(child, "exit");
    },
  };
}

/** A bot under test with its own users: what each user sends in one run, and how to stop it all. */
interface Contender {
  users: Users;
  texts: string[];
  /** Units of work per commit, where the bot has a database. */
  commitsShared?: () => number;
  /** Checks the bot did all it should have (Hotline: one ticket per report). */
  verify(runs: number): Promise<void>;
  close(): Promise<void>;
}

/** Drives the users while sampling this process's memory. */
async function measure({ users, texts }: Contender, ratePerSecond?: number): Promise<Result> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const cpuBefore = process.cpuUsage();
  try {
    const result = await users.drive(texts, ratePerSecond);
    const cpu = process.cpuUsage(cpuBefore);
    return { ...result, updates: result.latenciesMs.length, peakRssMb: Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20, botCpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    clearInterval(sampler);
  }
}

async function startEcho(): Promise<Contender> {
  const users = await startUsers();
  const bot = new Bot(users.token, { client: { apiRoot: users.apiRoot }, botInfo: users.botInfo });
  bot.use(sequentialize((ctx) => String(ctx.chat?.id)));
  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
  const runner = run(bot);
  return {
    users,
    texts: Array.from({ length: SCRIPT.length * REPORTS_PER_USER }, (_, i) => `echo ${i}`),
    verify: async () => {},
    close: async () => {
      await runner.stop();
      await users.close();
    },
  };
}

async function startHotline(): Promise<Contender> {
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
  return {
    users,
    texts: Array.from({ length: REPORTS_PER_USER }, () => SCRIPT).flat(),
    commitsShared: () => {
      const { units, commits } = transactionStatsOf(app.db);
      return units / commits;
    },
    verify: async (runs) => {
      const tickets = await app.db.ticket.count();
      if (tickets !== runs * USERS * REPORTS_PER_USER) throw new Error(`expected ${runs * USERS * REPORTS_PER_USER} tickets, got ${tickets}`);
    },
    close: async () => {
      await adapter.stop();
      await app.close();
      await users.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const median = (values: number[]) => percentile(values, 50);
const rate = (r: Result) => r.updates / r.seconds;
const ms = (values: number[]) => `${percentile(values, 50).toFixed(1)} / ${percentile(values, 99).toFixed(1)}`;

export async function benchTelegram(): Promise<void> {
  // Hotline first, so its memory is measured before the echo bot is loaded beside it.
  const hotline = await startHotline();
  const echo = await startEcho();
  try {
    // One round each first, not counted: the compiler is still warming up to either bot's code.
    await measure(hotline);
    await measure(echo);
    const rounds: { hotline: Result; echo: Result }[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push({ hotline: await measure(hotline), echo: await measure(echo) });
    const steady = { hotline: await measure(hotline, STEADY_RATE), echo: await measure(echo, STEADY_RATE) };
    await hotline.verify(ROUNDS + 2);

    console.log(`\n## Telegram: ${USERS} users at once, ${REPORTS_PER_USER} whole reports each (${SCRIPT.length} messages a report)\n`);
    console.log(`### Throughput: users send as fast as the bot answers (${ROUNDS} rounds, alternating, after a warm-up round each)\n`);
    console.log("| round | echo updates/s | Hotline updates/s | ratio | echo in-bot p50 / p99 ms | Hotline in-bot p50 / p99 ms | CPU busy: echo / Hotline |\n|---:|---:|---:|---:|---:|---:|---:|");
    for (const [i, r] of rounds.entries()) {
      const busy = (x: Result) => `${((100 * x.botCpuSeconds) / x.seconds).toFixed(0)}%`;
      console.log(`| ${i + 1} | ${rate(r.echo).toFixed(0)} | ${rate(r.hotline).toFixed(0)} | ${(rate(r.hotline) / rate(r.echo)).toFixed(2)} | ${ms(r.echo.handlingMs)} | ${ms(r.hotline.handlingMs)} | ${busy(r.echo)} / ${busy(r.hotline)} |`);
    }
    const ratio = median(rounds.map((r) => rate(r.hotline) / rate(r.echo)));
    console.log(`\nthroughput ratio (Hotline / echo), median of ${ROUNDS}: ${ratio.toFixed(2)} (goal ≥ 0.5); units of work per commit: ${hotline.commitsShared!().toFixed(1)}`);

    console.log(`\n### Latency: a steady ${STEADY_RATE} updates/s from the same users\n`);
    console.log("| bot | updates | updates/s | user to reply p50 / p99 ms | in the bot p50 / p99 ms |\n|---|---:|---:|---:|---:|");
    for (const [name, r] of [["baseline: bare grammY echo", steady.echo], ["Hotline adapter (dialog, SQLite, exactly once)", steady.hotline]] as const) {
      console.log(`| ${name} | ${r.updates} | ${rate(r).toFixed(0)} | ${ms(r.latenciesMs)} | ${ms(r.handlingMs)} |`);
    }
    console.log(`\nHotline in-bot p99 at ${STEADY_RATE} updates/s: ${percentile(steady.hotline.handlingMs, 99).toFixed(1)} ms (goal < 50 ms)`);
    const peakRss = Math.max(...rounds.map((r) => r.hotline.peakRssMb), steady.hotline.peakRssMb);
    console.log(`peak RSS of the process while Hotline ran (the echo bot loaded beside it): ${peakRss.toFixed(0)} MB (goal < 250 MB)`);
  } finally {
    await hotline.close();
    await echo.close();
  }
}
