/**
 * How fast Slack gets its answer while many requests arrive at once: 200 signed button presses and
 * events sent concurrently to the real adapter (Bolt's receiver on the shared HTTP server, the
 * exactly-once inbound log, SQLite) and, in the same run, to a bare Bolt app that only
 * acknowledges. Slack gives up on a request after 3 seconds; the goal is p99 under 100 ms.
 *
 * Latency is from sending the request to its HTTP answer. The adapter answers first and handles
 * after; the time until every request's effect is stored is printed beside it.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { App as BoltApp, HTTPReceiver, LogLevel } from "@slack/bolt";
import { pino } from "pino";
import { adapterDeps } from "../../bot/adapter-deps.js";
import { createApp, type App } from "../../bot/app.js";
import { loadConfig } from "../../bot/config/env.js";
import { createHttpServer } from "../../bot/http/server.js";
import { SLACK_EVENTS_PATH, SlackAdapter } from "../../bot/slack/slack-adapter.js";
import { handleMessage } from "../../core/conversation/handle-message.js";
import { migrateDatabase } from "../../prisma/sqlite/sqlite-database.js";
import { appMentionEvent, blockActions, eventCallback, FakeSlackApi, messageEvent, slackSignature, type SlackRequest } from "../fakes/slack-web-api.js";
import { LEVEL1_FAULT } from "../support/report-script.js";

const REQUESTS = Number(process.env.BENCH_SLACK_REQUESTS ?? 200);

const TICKETS = 20;
const SECRET = "8f742231b10e8888abcd990000aaa85a";
const ZHOU = "U0000000AS1";
const CHEN = "U0000000QA1";

/** Two ways 200 requests arrive: all in the same instant, and spread over one second. */
const ARRIVALS = [
  { name: "at once", intervalMs: 0 },
  { name: "over 1 s", intervalMs: 1000 / REQUESTS },
] as const;

interface Run {
  latenciesMs: number[];
  /** From the first request until every effect is stored (the adapter handles after answering). */
  settledMs?: number;
}

type Result = Run[];

/** Half button presses (acknowledge, take), half events (mentions asking for a status, DMs): all real work. */
function requests(numbers: string[], count = REQUESTS, firstId = 0): SlackRequest[] {
  return Array.from({ length: count }, (_, n) => {
    const i = firstId + n;
    const number = numbers[i % numbers.length]!;
    switch (i % 4) {
      case 0:
        return blockActions({ userId: ZHOU, actionId: "choice-0", value: `/ack ${number}`, channelId: "C0000ESCAL" });
      case 1:
        return blockActions({ userId: CHEN, actionId: "choice-1", value: `/take ${number}`, channelId: "C0000ESCAL" });
      case 2:
        return eventCallback({ eventId: `Ev${i}`, event: appMentionEvent({ user: CHEN, channel: "C0000ESCAL", text: `<@U0000BOT> status ${number}` }) });
      default:
        return eventCallback({ eventId: `Ev${i}`, event: messageEvent({ user: ZHOU, channel: "D0ZHOU", channelType: "im", text: "mine" }) });
    }
  });
}

/**
 * Sends the batch all at once from a worker thread, so the load generator does not share the
 * server's event loop, and returns each request's time to its answer.
 */
async function fire(url: string, batch: SlackRequest[], intervalMs = 0): Promise<number[]> {
  const timestamp = Math.floor(Date.now() / 1000);
  const signed = batch.map((r) => ({
    body: r.rawBody,
    headers: { "content-type": r.contentType, "x-slack-request-timestamp": String(timestamp), "x-slack-signature": slackSignature(SECRET, timestamp, r.rawBody) },
  }));
  const worker = new Worker(LOAD_CLIENT, { eval: true, workerData: { url, requests: signed, intervalMs } });
  const [latencies] = (await once(worker, "message")) as [number[] | { error: string }];
  if (!Array.isArray(latencies)) throw new Error(latencies.error);
  return latencies;
}

const LOAD_CLIENT = `
const { parentPort, workerData } = require("node:worker_threads");
const { url, requests, intervalMs } = workerData;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const origin = performance.now();
Promise.all(requests.map(async (request, i) => {
  if (intervalMs) await sleep(origin + i * intervalMs - performance.now());
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: request.headers, body: request.body });
  await response.text();
  if (response.status !== 200) throw new Error("HTTP " + response.status);
  return performance.now() - started;
})).then((latencies) => parentPort.postMessage(latencies), (error) => parentPort.postMessage({ error: String(error) }));
`;

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
}

/** A few requests first, with ids of their own, so neither side is measured cold. */
const warmUp = (numbers: string[]) => requests(numbers, 20, 100_000);

async function bareBolt(fake: FakeSlackApi, numbers: string[]): Promise<Result> {
  const receiver = new HTTPReceiver({ signingSecret: SECRET, endpoints: [SLACK_EVENTS_PATH], logLevel: LogLevel.ERROR });
  const bolt = new BoltApp({ token: fake.token, receiver, botId: fake.botId, botUserId: fake.botUserId, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: fake.apiUrl } });
  bolt.action(/.*/, async ({ ack }) => ack());
  bolt.event("app_mention", async () => {});
  bolt.message(async () => {});
  const server = createServer((req, res) => receiver.requestListener(req, res));
  try {
    const url = await listen(server);
    await fire(url, warmUp(numbers));
    const runs: Run[] = [];
    for (const [i, arrival] of ARRIVALS.entries()) runs.push({ latenciesMs: await fire(url, requests(numbers, REQUESTS, i * REQUESTS), arrival.intervalMs) });
    return runs;
  } finally {
    server.close();
  }
}

async function openTickets(app: App): Promise<string[]> {
  const reporter = (await app.directory.findMember("wang.fang"))!;
  const numbers: string[] = [];
  for (let i = 0; i < TICKETS; i++) {
    const conversation = `bench:${i}`;
    for (const text of [...LEVEL1_FAULT, "1"]) await app.unitOfWork.run(({ core }) => handleMessage(core, { member: reporter, conversation, text }));
    numbers.push((await app.db.ticket.findFirstOrThrow({ orderBy: { id: "desc" } })).number);
  }
  return numbers;
}

async function hotlineAdapter(fake: FakeSlackApi): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-slack-"));
  const template = join(dir, "template.db");
  await migrateDatabase(`file:${template}`);
  copyFileSync(template, join(dir, "bench.db"));
  const app = await createApp(loadConfig({ DATABASE_URL: `file:${join(dir, "bench.db")}`, LOG_LEVEL: "silent" }));
  const adapter = new SlackAdapter(adapterDeps(app), { token: fake.token, signingSecret: SECRET, apiUrl: fake.apiUrl, log: pino({ level: "silent" }) });
  await adapter.start();
  const server = createHttpServer({ db: app.db, redisUrl: "" }, adapter.routes());
  try {
    const numbers = await openTickets(app);
    const url = await listen(server);
    await fire(url, warmUp(numbers));
    await settle(app, 20);
    const runs: Run[] = [];
    for (const [i, arrival] of ARRIVALS.entries()) {
      const handledBefore = await app.db.inboundEvent.count();
      const started = performance.now();
      const latenciesMs = await fire(url, requests(numbers, REQUESTS, i * REQUESTS), arrival.intervalMs);
      await settle(app, handledBefore + REQUESTS);
      runs.push({ latenciesMs, settledMs: performance.now() - started });
    }
    return runs;
  } finally {
    server.close();
    await adapter.stop();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until the inbound log holds `count` handled requests: every effect is stored. */
async function settle(app: App, count: number): Promise<void> {
  const until = Date.now() + 60_000;
  while ((await app.db.inboundEvent.count()) < count) {
    if (Date.now() > until) throw new Error("requests were not all handled within a minute");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export async function benchSlack(): Promise<void> {
  const fake = await FakeSlackApi.start({ token: "xoxb-bench" });
  try {
    const bare = await bareBolt(fake, ["HL-20261126-0001"]);
    const hotline = await hotlineAdapter(fake);
    console.log(`\n## Slack: ${REQUESTS} button presses and events, answered while they are handled\n`);
    console.log("| app | arrival | p50 ms | p99 ms | max ms | all effects stored after |\n|---|---|---:|---:|---:|---:|");
    for (const [i, arrival] of ARRIVALS.entries()) {
      for (const [name, runs] of [["baseline: bare Bolt app, ack only", bare], ["Hotline adapter (queued, then exactly once on SQLite)", hotline]] as const) {
        const r = runs[i]!;
        const settled = r.settledMs === undefined ? "-" : `${r.settledMs.toFixed(0)} ms`;
        console.log(`| ${name} | ${arrival.name} | ${percentile(r.latenciesMs, 50).toFixed(1)} | ${percentile(r.latenciesMs, 99).toFixed(1)} | ${Math.max(...r.latenciesMs).toFixed(1)} | ${settled} |`);
      }
    }
    const ratios = ARRIVALS.map((arrival, i) => `${arrival.name} ${(percentile(hotline[i]!.latenciesMs, 99) / percentile(bare[i]!.latenciesMs, 99)).toFixed(2)}`);
    console.log(`\np99 ratio (Hotline / bare Bolt): ${ratios.join(", ")}; goal: p99 < 100 ms (Slack gives up after 3 s)`);
  } finally {
    await fake.close();
  }
}
