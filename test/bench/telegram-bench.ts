/**
 * Complete report dialogs from many simulated Telegram users through the real adapter (grammY,
 * runner, exactly-once transactions on SQLite) against the fake Bot API; the baseline is a bare
 * grammY echo bot on the same fake, driven the same way, in the same run.
 *
 * Each simulated user sends a message, waits for the bot's reply, and sends the next, like a
 * person; many users at once. Latency is from pushing the update to the fake until the reply's
 * sendMessage reaches it.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { run, sequentialize } from "@grammyjs/runner";
import { Bot } from "grammy";
import { pino } from "pino";
import { createApp } from "../../bot/app.js";
import { loadConfig } from "../../bot/config/env.js";
import { TelegramAdapter } from "../../bot/telegram/telegram-adapter.js";
import { migrateDatabase } from "../../prisma/database.js";
import { FakeBotApi } from "../fakes/telegram-bot-api.js";
import { LEVEL2_FAULT } from "../support/report-script.js";

const USERS = Number(process.env.BENCH_TELEGRAM_USERS ?? 40);
const REPORTS_PER_USER = Number(process.env.BENCH_TELEGRAM_REPORTS ?? 2);
const FIRST_USER_ID = 700_000;
const SCRIPT = [...LEVEL2_FAULT, "1"];

interface Result {
  updates: number;
  seconds: number;
  /** From pushing the update to the fake until the reply reaches it. */
  latenciesMs: number[];
  /** From the bot receiving the update (the getUpdates answer that carried it) until the reply reaches the fake. */
  handlingMs: number[];
  peakRssMb: number;
}

/** Replies arrive as sendMessage calls; each waiting user is resolved by its chat id. */
function replyWaiter(fake: FakeBotApi) {
  const waiting = new Map<number, () => void>();
  let nextId = 1;
  fake.stub("sendMessage", (params) => {
    const chatId = Number(params.chat_id);
    waiting.get(chatId)?.();
    waiting.delete(chatId);
    return { message_id: nextId++, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: "private" }, text: String(params.text) };
  });
  return (chatId: number) => new Promise<void>((resolve) => waiting.set(chatId, resolve));
}

async function drive(fake: FakeBotApi, script: (user: number) => string[]): Promise<Result> {
  const nextReply = replyWaiter(fake);
  const latenciesMs: number[] = [];
  const replied: { updateId: number; at: number }[] = [];
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      const from = { id: FIRST_USER_ID + i, first_name: `user${i}` };
      for (const text of script(i)) {
        const reply = nextReply(from.id);
        const pushed = performance.now();
        const update = fake.pushUpdate(fake.textMessage({ from, text }));
        await reply;
        latenciesMs.push(performance.now() - pushed);
        replied.push({ updateId: update.update_id, at: performance.timeOrigin + performance.now() });
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { updates: latenciesMs.length, seconds, latenciesMs, handlingMs: handlingTimes(fake, replied), peakRssMb: peakRss / 2 ** 20 };
}

/** Each update's time in the bot: from the getUpdates answer that delivered it to its reply. */
function handlingTimes(fake: FakeBotApi, replied: { updateId: number; at: number }[]): number[] {
  const received = new Map<number, number>();
  for (const call of fake.callsOf("getUpdates")) {
    if (!call.response?.ok || call.answeredAt === undefined) continue;
    for (const update of call.response.result as { update_id: number }[]) if (!received.has(update.update_id)) received.set(update.update_id, call.answeredAt);
  }
  return replied.flatMap(({ updateId, at }) => (received.has(updateId) ? [at - received.get(updateId)!] : []));
}

async function echoBaseline(): Promise<Result> {
  const fake = await FakeBotApi.start();
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: fake.botInfo });
  bot.use(sequentialize((ctx) => String(ctx.chat?.id)));
  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
  const runner = run(bot);
  try {
    return await drive(fake, () => Array.from({ length: SCRIPT.length * REPORTS_PER_USER }, (_, i) => `echo ${i}`));
  } finally {
    await runner.stop();
    await fake.close();
  }
}

async function hotlineAdapter(): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-tg-"));
  const fake = await FakeBotApi.start();
  const template = join(dir, "template.db");
  await migrateDatabase(`file:${template}`);
  copyFileSync(template, join(dir, "bench.db"));
  const app = await createApp(loadConfig({ DATABASE_URL: `file:${join(dir, "bench.db")}`, LOG_LEVEL: "silent" }));
  // Every simulated user is a Telegram account bound to a Shenyang staff member.
  await app.db.identity.createMany({
    data: Array.from({ length: USERS }, (_, i) => ({ platform: "telegram", externalId: String(FIRST_USER_ID + i), memberId: i % 2 ? "wang.fang" : "ma.jun", source: "invite" })),
  });
  const adapter = new TelegramAdapter(app, { token: fake.token, apiRoot: fake.apiRoot, botInfo: fake.botInfo, log: pino({ level: "silent" }) });
  await adapter.start();
  try {
    const result = await drive(fake, () => Array.from({ length: REPORTS_PER_USER }, () => SCRIPT).flat());
    const tickets = await app.db.ticket.count();
    if (tickets !== USERS * REPORTS_PER_USER) throw new Error(`expected ${USERS * REPORTS_PER_USER} tickets, got ${tickets}`);
    return result;
  } finally {
    await adapter.stop();
    await app.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export async function benchTelegram(): Promise<void> {
  const echo = await echoBaseline();
  const hotline = await hotlineAdapter();
  const rate = (r: Result) => r.updates / r.seconds;
  console.log(`\n## Telegram: ${USERS} users at once, ${REPORTS_PER_USER} whole reports each (${SCRIPT.length} messages a report)\n`);
  console.log("| bot | updates | updates/s | p50 ms | p99 ms | received → replied p50 / p99 ms | peak RSS MB |\n|---|---:|---:|---:|---:|---:|---:|");
  for (const [name, r] of [["baseline: bare grammY echo", echo], ["Hotline adapter (dialog, SQLite, exactly once)", hotline]] as const) {
    const handling = `${percentile(r.handlingMs, 50).toFixed(1)} / ${percentile(r.handlingMs, 99).toFixed(1)}`;
    console.log(`| ${name} | ${r.updates} | ${rate(r).toFixed(0)} | ${percentile(r.latenciesMs, 50).toFixed(1)} | ${percentile(r.latenciesMs, 99).toFixed(1)} | ${handling} | ${r.peakRssMb.toFixed(0)} |`);
  }
  console.log(`\nthroughput ratio (Hotline / echo): ${(rate(hotline) / rate(echo)).toFixed(2)} (goal ≥ 0.5); p99 goal < 50 ms; RSS goal < 250 MB`);
}
