/**
 * Complete report dialogs from many simulated Telegram users through the real adapter (grammY,
 * runner, exactly-once transactions on SQLite and on PostgreSQL) against the fake Bot API; the baseline is a bare
 * grammY echo bot on the same fake, driven the same way, in the same run.
 *
 * Each bot runs in a process of its own (telegram-bot-host.ts), and so do the fake and its users
 * (telegram-users.ts): a bot's CPU time and memory are its own. Each simulated user sends a message, waits for
 * the bot's reply, and sends the next, like a person; many users at once. Latency is from pushing
 * the update to the fake until the reply's sendMessage reaches it, and, inside the bot, from the
 * getUpdates answer that delivered the update until the reply reaches the fake.
 *
 * Two loads. Throughput: the users send as fast as the bot answers, in rounds alternating between
 * the two bots (the machine's noise falls on both), and the median ratio counts. Latency: the
 * users together send a steady number of updates per second, well under either bot's capacity,
 * which is how a hotline is loaded; at full throughput the latency is the queue's length.
 */
import { fork, type ChildProcess, type Serializable } from "node:child_process";
import { once } from "node:events";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { UserFromGetMe } from "grammy/types";
import { LEVEL2_FAULT } from "../support/report-script.js";
import { withServerCpu } from "./postgres-server-cpu.js";
import type { BotKind } from "./telegram-bot-host.js";

const USERS = Number(process.env.BENCH_TELEGRAM_USERS ?? 40);
const REPORTS_PER_USER = Number(process.env.BENCH_TELEGRAM_REPORTS ?? 2);
const ROUNDS = Number(process.env.BENCH_TELEGRAM_ROUNDS ?? 9);
/** Both bots keep getting faster for a few rounds as the compiler works on their code. */
const WARM_UP_ROUNDS = 3;
const STEADY_RATE = Number(process.env.BENCH_TELEGRAM_RATE ?? 200);
const FIRST_USER_ID = 700_000;
const SCRIPT = [...LEVEL2_FAULT, "1"];

/** What the users measured in one run. */
interface Drive {
  seconds: number;
  latenciesMs: number[];
  handlingMs: number[];
  /** CPU seconds the users' process spent. */
  cpuSeconds: number;
}

/** What the bot's process measured over the same run. */
interface Usage {
  cpuSeconds: number;
  /** The share of the time its event loop was running code rather than waiting. */
  loopBusy: number;
  peakRssMb: number;
  unitsPerCommit?: number;
}

interface Result extends Drive {
  updates: number;
  bot: Usage;
  /** CPU seconds PostgreSQL's server spent over the run, for a bot on PostgreSQL on this machine. */
  serverCpuSeconds?: number;
}

/** The bots run compiled, as `npm start` runs Hotline (`npm run bench` compiles them first). */
const BOT_HOST = new URL("../../dist/test/bench/telegram-bot-host.js", import.meta.url);

/** A child process running a script, asked one thing at a time; TypeScript runs through tsx. */
function child(script: URL) {
  const execArgv = script.pathname.endsWith(".ts") ? ["--import", "tsx"] : [];
  const process: ChildProcess = fork(fileURLToPath(script), { execArgv, stdio: "inherit" });
  return {
    process,
    ask: async <T>(message: Serializable): Promise<T> => {
      process.send(message);
      return ((await once(process, "message")) as [T])[0];
    },
    close: async () => {
      process.send({ type: "close" });
      await once(process, "exit");
    },
  };
}

/** A bot under test, in its own process, with its own fake Bot API and users in another. */
interface Contender {
  run(ratePerSecond?: number): Promise<Result>;
  tickets(): Promise<number>;
  close(): Promise<void>;
}

const WEBHOOK_SECRET = "bench-webhook-secret";

/**
 * A bot under test: its own fake Bot API and users in one process, the bot in another; or, with
 * `webProcesses`, that many web processes on one database taking the updates by webhook in turn.
 */
async function startContender(kind: BotKind, texts: string[], webProcesses = 0): Promise<Contender> {
  const users = child(new URL("./telegram-users.ts", import.meta.url));
  const [{ apiRoot, token, botInfo }] = (await once(users.process, "message")) as [{ apiRoot: string; token: string; botInfo: UserFromGetMe }];
  const bots: ReturnType<typeof child>[] = [];
  const webhookUrls: string[] = [];
  let databaseUrl: string | undefined;
  for (let i = 0; i < Math.max(1, webProcesses); i++) {
    const bot = child(BOT_HOST);
    await once(bot.process, "message"); // listening
    const webhookSecret = webProcesses > 0 ? WEBHOOK_SECRET : undefined;
    const ready = await bot.ask<{ webhookUrl?: string; databaseUrl?: string }>({ type: "start", kind, apiRoot, token, botInfo, users: USERS, firstUserId: FIRST_USER_ID, webhookSecret, databaseUrl });
    databaseUrl ??= ready.databaseUrl;
    if (ready.webhookUrl) webhookUrls.push(ready.webhookUrl);
    bots.push(bot);
  }
  const webhooks = webProcesses > 0 ? { urls: webhookUrls, secretToken: WEBHOOK_SECRET } : undefined;
  return {
    run: async (ratePerSecond) => {
      for (const bot of bots) await bot.ask({ type: "begin" });
      const { result: drive, serverCpuSeconds } = await withServerCpu(() => users.ask<Drive>({ type: "drive", users: USERS, firstUserId: FIRST_USER_ID, texts, ratePerSecond, webhooks }));
      const usages = await Promise.all(bots.map((bot) => bot.ask<Usage>({ type: "end" })));
      return { ...drive, updates: drive.latenciesMs.length, bot: together(usages), serverCpuSeconds: kind === "hotline-postgresql" ? serverCpuSeconds : undefined };
    },
    tickets: async () => (await bots[0]!.ask<{ tickets: number }>({ type: "count" })).tickets,
    close: async () => {
      for (const bot of bots.reverse()) await bot.close(); // the first made the database and removes it
      await users.close();
    },
  };
}

/** Several web processes as one bot: their CPU time added up, the busiest event loop, the largest process. */
function together(usages: Usage[]): Usage {
  if (usages.length === 1) return usages[0]!;
  return {
    cpuSeconds: usages.reduce((sum, u) => sum + u.cpuSeconds, 0),
    loopBusy: Math.max(...usages.map((u) => u.loopBusy)),
    peakRssMb: Math.max(...usages.map((u) => u.peakRssMb)),
  };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const median = (values: number[]) => percentile(values, 50);
const rate = (r: Result) => r.updates / r.seconds;
const ms = (values: number[]) => `${percentile(values, 50).toFixed(1)} / ${percentile(values, 99).toFixed(1)}`;

/** Hotline on each database, beside the echo bot. */
const HOTLINES = [
  { kind: "hotline", name: "SQLite" },
  { kind: "hotline-postgresql", name: "PostgreSQL" },
] as const satisfies readonly { kind: BotKind; name: string }[];

type ContenderName = "echo" | (typeof HOTLINES)[number]["name"];

/** The floor's messages a second, and the CPU seconds PostgreSQL's server spent on each. */
interface FloorRun {
  perSecond: number;
  serverCpuPerMessage?: number;
}

/** One result per contender, and the PostgreSQL floor (postgres-floor.ts), awaited and pipelined. */
type Round = Record<ContenderName, Result> & { floor: { awaited: FloorRun; pipelined: FloorRun } };

const FLOOR_SECONDS = 2;

export async function benchTelegram(): Promise<void> {
  const contenders = new Map<ContenderName, Contender>();
  const floor = child(new URL("./postgres-floor.ts", import.meta.url));
  await once(floor.process, "message"); // listening
  const floorRate = async (pipelined: boolean): Promise<FloorRun> => {
    const { result, serverCpuSeconds } = await withServerCpu(() => floor.ask<{ perSecond: number }>({ type: "measure", seconds: FLOOR_SECONDS, pipelined }));
    const { perSecond } = result;
    return { perSecond, serverCpuPerMessage: serverCpuSeconds === undefined ? undefined : serverCpuSeconds / (perSecond * FLOOR_SECONDS) };
  };
  try {
    contenders.set("echo", await startContender("echo", Array.from({ length: SCRIPT.length * REPORTS_PER_USER }, (_, i) => `echo ${i}`)));
    for (const { kind, name } of HOTLINES) contenders.set(name, await startContender(kind, Array.from({ length: REPORTS_PER_USER }, () => SCRIPT).flat()));
    const runAll = async (ratePerSecond?: number): Promise<Round> => {
      const round: Partial<Round> = {};
      for (const [name, contender] of contenders) round[name] = await contender.run(ratePerSecond);
      if (!ratePerSecond) round.floor = { awaited: await floorRate(false), pipelined: await floorRate(true) };
      return round as Round;
    };
    const warmUp: Round[] = [];
    for (let i = 0; i < WARM_UP_ROUNDS; i++) warmUp.push(await runAll());
    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await runAll());
    const steady = await runAll(STEADY_RATE);
    const expected = (WARM_UP_ROUNDS + ROUNDS + 1) * USERS * REPORTS_PER_USER;
    for (const { name } of HOTLINES) {
      const tickets = await contenders.get(name)!.tickets();
      if (tickets !== expected) throw new Error(`Hotline on ${name}: expected ${expected} tickets, got ${tickets}`);
    }
    reportTelegram(rounds, steady, [...warmUp, ...rounds, steady]);
  } finally {
    for (const contender of contenders.values()) await contender.close();
    await floor.close();
  }
  await benchWebProcesses();
}

const WEB_PROCESS_ROUNDS = Number(process.env.BENCH_TELEGRAM_WEB_ROUNDS ?? 5);

/** Hotline on PostgreSQL by webhook: one web process against two sharing the database, updates sent to each in turn. */
async function benchWebProcesses(): Promise<void> {
  const texts = Array.from({ length: REPORTS_PER_USER }, () => SCRIPT).flat();
  const one = await startContender("hotline-postgresql", texts, 1);
  const two = await startContender("hotline-postgresql", texts, 2);
  try {
    await one.run(), await two.run(); // warm-up
    const rounds: { one: Result; two: Result }[] = [];
    for (let i = 0; i < WEB_PROCESS_ROUNDS; i++) rounds.push({ one: await one.run(), two: await two.run() });
    const expected = (WEB_PROCESS_ROUNDS + 1) * USERS * REPORTS_PER_USER;
    for (const [name, contender] of [["one", one], ["two", two]] as const) {
      const tickets = await contender.tickets();
      if (tickets !== expected) throw new Error(`${name} web process(es): expected ${expected} tickets, got ${tickets}`);
    }
    console.log(`\n### Web processes: Hotline on PostgreSQL by webhook, updates sent to each web process in turn (${WEB_PROCESS_ROUNDS} rounds)\n`);
    console.log("| round | one web process updates/s | two web processes updates/s | two / one | user to reply p50 / p99 ms: one | two | CPU busy (all processes): one / two |\n|---:|---:|---:|---:|---:|---:|---:|");
    const cpu = (r: Result) => `${((100 * r.bot.cpuSeconds) / r.seconds).toFixed(0)}%`;
    for (const [i, r] of rounds.entries()) {
      console.log(`| ${i + 1} | ${rate(r.one).toFixed(0)} | ${rate(r.two).toFixed(0)} | ${(rate(r.two) / rate(r.one)).toFixed(2)} | ${ms(r.one.latenciesMs)} | ${ms(r.two.latenciesMs)} | ${cpu(r.one)} / ${cpu(r.two)} |`);
    }
    console.log(`\ntwo web processes / one, median of ${WEB_PROCESS_ROUNDS}: ${median(rounds.map((r) => rate(r.two) / rate(r.one))).toFixed(2)}`);
  } finally {
    await one.close();
    await two.close();
  }
}

/** The median of per-round figures, or undefined where any round's is unknown. */
function medianOfKnown(values: (number | undefined)[]): number | undefined {
  return values.some((v) => v === undefined) ? undefined : median(values as number[]);
}

const microseconds = (seconds: number | undefined) => (seconds === undefined ? "unknown" : `${(1e6 * seconds).toFixed(0)} µs`);

/** An update's CPU seconds: the bot's, the fake's with its users', PostgreSQL's server's (none for a bot without one). */
function cpuPerUpdate(r: Result, onPostgres: boolean) {
  const server = onPostgres ? r.serverCpuSeconds : 0;
  const bot = r.bot.cpuSeconds / r.updates, fake = r.cpuSeconds / r.updates;
  return { bot, fake, server: server === undefined ? undefined : server / r.updates, all: server === undefined ? undefined : bot + fake + server / r.updates };
}

/**
 * Where an update's CPU goes at full throughput, the medians of the rounds; all of them share the
 * machine's cores, and "the machine busy" is their CPU time over the cores' time.
 */
function reportCpuPerUpdate(rounds: Round[]): void {
  const cores = availableParallelism();
  console.log(`\nCPU per update at full throughput (median of ${rounds.length} rounds; ${cores} cores):\n`);
  console.log("| bot | the bot | the fake and its users | PostgreSQL's server | all | the machine busy |\n|---|---:|---:|---:|---:|---:|");
  for (const name of ["echo", ...HOTLINES.map((h) => h.name)] as const) {
    const onPostgres = name === "PostgreSQL";
    const costs = rounds.map((round) => ({ ...cpuPerUpdate(round[name], onPostgres), rate: rate(round[name]) }));
    const cell = (part: "bot" | "fake" | "server" | "all") => microseconds(medianOfKnown(costs.map((c) => c[part])));
    const busy = medianOfKnown(costs.map((c) => (c.all === undefined ? undefined : (c.all * c.rate) / cores)));
    console.log(`| ${name} | ${cell("bot")} | ${cell("fake")} | ${onPostgres ? cell("server") : "—"} | ${cell("all")} | ${busy === undefined ? "unknown" : `${(100 * busy).toFixed(0)}%`} |`);
  }
}

function reportTelegram(rounds: Round[], steady: Round, all: Round[]): void {
  const busy = (r: Result) => `${((100 * r.bot.cpuSeconds) / r.seconds).toFixed(0)}% (${(100 * r.bot.loopBusy).toFixed(0)}%)`;
  const names = HOTLINES.map((h) => h.name);
  console.log(`\n## Telegram: ${USERS} users at once, ${REPORTS_PER_USER} whole reports each (${SCRIPT.length} messages a report)\n`);
  console.log(`### Throughput: users send as fast as the bot answers (${ROUNDS} rounds, each bot in turn, after ${WARM_UP_ROUNDS} warm-up rounds each)\n`);
  console.log(`| round | echo updates/s | ${names.map((n) => `${n} updates/s | ratio`).join(" | ")} | in-bot p50 / p99 ms: echo | ${names.join(" | ")} | CPU (event loop) busy: echo / ${names.join(" / ")} |`);
  console.log(`|---:|---:|${names.map(() => "---:|---:|").join("")}---:|${names.map(() => "---:|").join("")}---:|`);
  for (const [i, r] of rounds.entries()) {
    const rates = names.map((n) => `${rate(r[n]).toFixed(0)} | ${(rate(r[n]) / rate(r.echo)).toFixed(2)}`).join(" | ");
    const handling = names.map((n) => ms(r[n].handlingMs)).join(" | ");
    console.log(`| ${i + 1} | ${rate(r.echo).toFixed(0)} | ${rates} | ${ms(r.echo.handlingMs)} | ${handling} | ${[busy(r.echo), ...names.map((n) => busy(r[n]))].join(" / ")} |`);
  }
  const goals: Record<string, number> = { SQLite: 0.5, PostgreSQL: 0.4 };
  for (const name of names) {
    const ratio = median(rounds.map((r) => rate(r[name]) / rate(r.echo)));
    console.log(`\nthroughput ratio (Hotline on ${name} / echo), median of ${ROUNDS}: ${ratio.toFixed(2)} (goal ≥ ${goals[name]})`);
  }
  const floorRatio = (mode: "awaited" | "pipelined") => median(rounds.map((r) => r.floor[mode].perSecond / rate(r.echo))).toFixed(2);
  const floorRun = (mode: "awaited" | "pipelined") => `${floorRatio(mode)} (${median(rounds.map((r) => r.floor[mode].perSecond)).toFixed(0)} messages/s, the server's CPU ${microseconds(medianOfKnown(rounds.map((r) => r.floor[mode].serverCpuPerMessage)))} a message)`;
  console.log(`\nthe floor on PostgreSQL (node-postgres alone issuing a message's statements, ${FLOOR_SECONDS} s after each round), median ratio to the echo: awaited ${floorRun("awaited")}, pipelined ${floorRun("pipelined")}`);
  reportCpuPerUpdate(rounds);
  console.log(`units of work per commit on SQLite: ${steady.SQLite.bot.unitsPerCommit?.toFixed(1)}`);

  console.log(`\n### Latency: a steady ${STEADY_RATE} updates/s from the same users\n`);
  console.log("| bot | updates | updates/s | user to reply p50 / p99 ms | in the bot p50 / p99 ms | bot's CPU per update |\n|---|---:|---:|---:|---:|---:|");
  const rows: [string, Result][] = [["baseline: bare grammY echo", steady.echo], ...names.map((n) => [`Hotline adapter on ${n} (dialog, exactly once)`, steady[n]] as [string, Result])];
  const cpuPerUpdate = (r: Result) => `${((1e6 * r.bot.cpuSeconds) / r.updates).toFixed(0)} µs`;
  for (const [name, r] of rows) console.log(`| ${name} | ${r.updates} | ${rate(r).toFixed(0)} | ${ms(r.latenciesMs)} | ${ms(r.handlingMs)} | ${cpuPerUpdate(r)} |`);
  for (const name of names) console.log(`\nHotline on ${name}: in-bot p99 at ${STEADY_RATE} updates/s: ${percentile(steady[name].handlingMs, 99).toFixed(1)} ms (goal < 50 ms)`);
  const peak = (name: ContenderName) => Math.max(...all.map((r) => r[name].bot.peakRssMb)).toFixed(0);
  console.log(`peak RSS of the bot's process: ${names.map((n) => `Hotline on ${n} ${peak(n)} MB`).join(", ")} (goal < 250 MB on SQLite), echo ${peak("echo")} MB`);
}
