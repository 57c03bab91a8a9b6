/**
 * The bot side of the Telegram benchmark, in a process of its own, so its CPU time and memory are
 * its own: the Hotline adapter on a fresh SQLite file or PostgreSQL database, or the bare grammY echo bot. Talks to the
 * parent over IPC, one request and one answer at a time:
 *
 *   → { type: "listening" }   once loaded
 *   ← { type: "start", kind, apiRoot, token, botInfo, users, firstUserId, webhookSecret?, databaseUrl? }
 *                                        → { type: "ready", webhookUrl?, databaseUrl }
 *   ← { type: "begin" }   starts counting CPU time, sampling memory (and profiling) → { type: "begun" }
 *   ← { type: "end" }     → { type: "usage", cpuSeconds, loopBusy, peakRssMb, unitsPerCommit }
 *   ← { type: "count" }   → { type: "counted", tickets }
 *   ← { type: "close" }   stops the bot and exits
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { performance, type EventLoopUtilization } from "node:perf_hooks";
import { join } from "node:path";
import { run, sequentialize } from "@grammyjs/runner";
import { Bot } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { pino } from "pino";
import { adapterDeps } from "../../bot/adapter-deps.js";
import { createApp } from "../../bot/app.js";
import { loadConfig } from "../../bot/config/env.js";
import { createHttpServer, listen } from "../../bot/http/server.js";
import { TELEGRAM_WEBHOOK_PATH, TelegramAdapter } from "../../bot/telegram/telegram-adapter.js";
import { migrateDatabase, transactionStatsOf } from "../../prisma/sqlite/sqlite-database.js";
import { migrateStorage } from "../../prisma/storage/open-storage.js";
import { databaseUrl, dropDatabase, onServer, uniqueDatabaseName } from "../support/postgres.js";

/** Hotline on a fresh SQLite file or a fresh PostgreSQL database, or the bare grammY echo bot. */
export type BotKind = "hotline" | "hotline-postgresql" | "echo";

interface Start {
  type: "start";
  kind: BotKind;
  apiRoot: string;
  token: string;
  botInfo: UserFromGetMe;
  users: number;
  firstUserId: number;
  /** A web process by webhook (with this secret), not long polling: several may share a database. */
  webhookSecret?: string;
  /** The database another web process made, to share; a fresh one of this process's own otherwise. */
  databaseUrl?: string;
}

interface HostedBot {
  /** Where a web process takes Telegram's updates; the database it runs on. */
  webhookUrl?: string;
  databaseUrl?: string;
  ticketCount(): Promise<number>;
  unitsPerCommit(): number | undefined;
  stop(): Promise<void>;
}

async function startEcho({ token, apiRoot, botInfo }: Start): Promise<HostedBot> {
  const bot = new Bot(token, { client: { apiRoot }, botInfo });
  bot.use(sequentialize((ctx) => String(ctx.chat?.id)));
  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
  const runner = run(bot);
  return { ticketCount: async () => 0, unitsPerCommit: () => undefined, stop: () => runner.stop() };
}

/** A database of the bot's own, migrated, and how to remove it. */
interface BenchDatabase {
  url: string;
  remove(): Promise<void>;
}

async function sqliteFile(): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-tg-"));
  const template = join(dir, "template.db");
  await migrateDatabase(`file:${template}`);
  copyFileSync(template, join(dir, "bench.db"));
  return { url: `file:${join(dir, "bench.db")}`, remove: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** On the server TEST_POSTGRES_URL names (the local one by default). */
async function postgresDatabase(): Promise<BenchDatabase> {
  const name = uniqueDatabaseName("bench");
  await onServer(`CREATE DATABASE "${name}"`);
  await migrateStorage(databaseUrl(name));
  return { url: databaseUrl(name), remove: () => dropDatabase(name) };
}

async function startHotline(start: Start): Promise<HostedBot> {
  const { kind, token, apiRoot, botInfo, users, firstUserId, webhookSecret } = start;
  const database = start.databaseUrl
    ? { url: start.databaseUrl, remove: async () => {} } // the process that made it removes it
    : kind === "hotline-postgresql" ? await postgresDatabase() : await sqliteFile();
  const app = await createApp(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: "silent" }), { role: "web" });
  // Every simulated user is a Telegram account bound to a Shenyang staff member.
  if (!start.databaseUrl) {
    await app.db.identity.createMany({
      data: Array.from({ length: users }, (_, i) => ({ platform: "telegram", externalId: String(firstUserId + i), memberId: i % 2 ? "wang.fang" : "ma.jun", source: "invite" })),
    });
  }
  const adapter = new TelegramAdapter(adapterDeps(app), { token, apiRoot, botInfo, webhookSecret, log: pino({ level: "silent" }) });
  await adapter.start();
  const server = webhookSecret ? createHttpServer({ db: app.db, redisUrl: app.config.REDIS_URL }, adapter.webhookRoute()) : undefined;
  const webhookUrl = server && `${(await listen(server, 0, "127.0.0.1")).url}${TELEGRAM_WEBHOOK_PATH}`;
  return {
    webhookUrl,
    databaseUrl: database.url,
    ticketCount: () => app.db.ticket.count(),
    unitsPerCommit: () => {
      if (app.storage.dialect !== "sqlite") return undefined; // PostgreSQL commits each unit itself
      const { units, commits } = transactionStatsOf(app.db);
      return units / commits;
    },
    stop: async () => {
      if (server) await new Promise((resolve) => server.close(resolve));
      await adapter.stop();
      await app.close();
      await database.remove();
    },
  };
}

const send = (message: unknown): void => void process.send!(message);
let bot: HostedBot | undefined;
let kind: BotKind | undefined;

/** With BENCH_CPU_PROFILES=<dir>, each run from begin to end is profiled into <dir>/<kind>-<n>.cpuprofile. */
const profiles = process.env.BENCH_CPU_PROFILES;
const profiler = profiles ? new Session() : undefined;
let profiled = 0;

async function startProfile(): Promise<void> {
  if (!profiler) return;
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.start");
}

async function saveProfile(): Promise<void> {
  if (!profiler) return;
  const { profile } = await profiler.post("Profiler.stop");
  profiler.disconnect();
  writeFileSync(join(profiles!, `${kind}-${++profiled}.cpuprofile`), JSON.stringify(profile));
}

let measuring: { cpu: NodeJS.CpuUsage; loop: EventLoopUtilization; peakRss: number; sampler: NodeJS.Timeout } | undefined;

async function handle(message: Start | { type: "begin" | "end" | "count" | "close" }): Promise<void> {
  switch (message.type) {
    case "start":
      kind = message.kind;
      bot = await (kind === "echo" ? startEcho(message) : startHotline(message));
      return send({ type: "ready", webhookUrl: bot.webhookUrl, databaseUrl: bot.databaseUrl });
    case "begin": {
      const state = { cpu: process.cpuUsage(), loop: performance.eventLoopUtilization(), peakRss: process.memoryUsage().rss, sampler: undefined as unknown as NodeJS.Timeout };
      state.sampler = setInterval(() => (state.peakRss = Math.max(state.peakRss, process.memoryUsage().rss)), 50);
      measuring = state;
      await startProfile();
      return send({ type: "begun" });
    }
    case "end": {
      const { cpu, loop, peakRss, sampler } = measuring!;
      clearInterval(sampler);
      const used = process.cpuUsage(cpu);
      const loopBusy = performance.eventLoopUtilization(loop).utilization;
      await saveProfile();
      const peakRssMb = Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20;
      return send({ type: "usage", cpuSeconds: (used.user + used.system) / 1e6, loopBusy, peakRssMb, unitsPerCommit: bot!.unitsPerCommit() });
    }
    case "count":
      return send({ type: "counted", tickets: await bot!.ticketCount() });
    case "close":
      await bot?.stop();
      process.exit(0);
  }
}

process.on("message", (message: Parameters<typeof handle>[0]) => void handle(message));
send({ type: "listening" }); // messages sent before this would have been lost
