/**
 * `npm run soak`: the crash and chaos soak. The real bot, compiled as `npm start` runs it, in a
 * process of its own on a fresh SQLite file and Redis prefix, gets Telegram by webhook from the
 * fake Bot API in this process. Staff walk whole reports, leads acknowledge pings, and meanwhile
 * the bot is killed with SIGKILL and started again, its Redis keys are flushed and the fake floods
 * it with 429s, at seeded moments. Then the bot is left running until it is quiet and the soak
 * checks that nothing was lost or doubled (see invariants.ts), prints a summary and exits 1 when
 * an invariant failed (2 when the soak itself could not run).
 *
 * Everything it starts is stopped and everything it writes is removed at the end, also on a
 * failure or Ctrl-C; all traffic stays on 127.0.0.1.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeRedis } from "../../bot/http/redis-probe.js";
import { SLACK_EVENTS_PATH } from "../../bot/slack/slack-adapter.js";
import { FakeSlackApi } from "../fakes/slack-web-api.js";
import { FakeBotApi } from "../fakes/telegram-bot-api.js";
import { deleteKeys, TEST_REDIS_URL } from "../support/redis.js";
import { BotProcess, freePort } from "./bot-process.js";
import { ChaosRunner, planChaos, workThroughChaos } from "./chaos.js";
import { slackInbox, telegramInbox, type Inbox } from "./inbox.js";
import { chatKey, checkInvariants, percentile, type Invariant } from "./invariants.js";
import { parseOptions, type SoakOptions } from "./options.js";
import { Random } from "./random.js";
import { DatabaseReader } from "./snapshot.js";
import { ESCALATION_GROUP_ID, writeSoakOrganisation } from "./soak-organisation.js";
import { directChannelOf, SLACK_ESCALATION_CHANNEL, SLACK_LEADS, slackDesk, type SlackTraffic } from "./slack.js";
import { Leads, Reporter, Sends, telegramChannel, telegramDesk } from "./users.js";

/** The bot is quiet once nothing was left to send or fire for this long. */
const QUIET_FOR_MS = 3_000;
/** A deadline may be this far past its time while its timer's transaction runs. */
const OVERDUE_GRACE_MS = 5_000;
/** The bot reconciles lost timers every minute (jobs/deadline-timers.ts); a little slack beside it. */
const FLUSH_RECONCILE_MS = 70_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function loopbackOnly(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) throw new Error(`REDIS_URL: the soak only talks to a Redis on this machine (127.0.0.1), not ${host}`);
}

interface Resources {
  dir?: string;
  bot?: BotProcess;
  fake?: FakeBotApi;
  slack?: FakeSlackApi | undefined;
  inboxes: Inbox[];
  chaos?: ChaosRunner;
  reader?: DatabaseReader;
  redisPrefix?: string;
  keep: boolean;
  released?: Promise<void>;
}

/** Stops and removes everything the soak started or wrote; once, whoever calls first. */
function release(resources: Resources): Promise<void> {
  resources.released ??= releaseNow(resources);
  return resources.released;
}

async function releaseNow(resources: Resources): Promise<void> {
  resources.chaos?.close();
  await resources.reader?.close().catch(() => undefined);
  await resources.bot?.close().catch(() => resources.bot?.killNow());
  for (const inbox of resources.inboxes) inbox.close();
  await resources.fake?.close().catch(() => undefined);
  await resources.slack?.close().catch(() => undefined);
  if (resources.redisPrefix) await deleteKeys(resources.redisPrefix).catch(() => undefined);
  if (resources.dir && !resources.keep) rmSync(resources.dir, { recursive: true, force: true });
  else if (resources.dir) console.log(`kept ${resources.dir} (the database, the organisation file and the bot's log)`);
}

async function soak(options: SoakOptions, resources: Resources): Promise<Invariant[]> {
  const began = Date.now();
  loopbackOnly(TEST_REDIS_URL);
  const redis = await probeRedis(TEST_REDIS_URL);
  if (!redis.ok) throw new Error(`Redis is not reachable at ${TEST_REDIS_URL} (${redis.error}): the soak needs it (redis-server --daemonize yes)`);

  const random = new Random(options.seed);
  const chaosRandom = random.fork("chaos");
  const usersRandom = random.fork("users");
  const leadsRandom = random.fork("leads");
  const dir = mkdtempSync(join(tmpdir(), "hotline-soak-"));
  resources.dir = dir;
  const redisPrefix = `hotline-soak-${process.pid}-${options.seed}`;
  resources.redisPrefix = redisPrefix;
  const databaseUrl = `file:${join(dir, "soak.db")}`;
  const withSlack = options.platforms.includes("slack");
  const org = writeSoakOrganisation(dir, { staff: options.users, acknowledgeMinutes: options.ackMinutes, slackLeads: withSlack ? SLACK_LEADS : [] });

  const fake = await FakeBotApi.start({ webhookRetryMs: 100 });
  resources.fake = fake;
  const slack = withSlack ? await FakeSlackApi.start({ channels: [{ id: SLACK_ESCALATION_CHANNEL, name: "escalations" }] }) : undefined;
  resources.slack = slack;
  const secret = randomBytes(16).toString("hex");
  const signingSecret = randomBytes(16).toString("hex");
  const slackEnv: Record<string, string> = slack ? { SLACK_BOT_TOKEN: slack.token, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.apiUrl } : {};
  const bot = new BotProcess({
    port: await freePort(),
    logFile: join(dir, "bot.log"),
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      ORG_CONFIG: org.file,
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: secret,
      ...slackEnv,
      LOG_LEVEL: "info",
    },
  });
  resources.bot = bot;
  const firstStartMs = await bot.start(60_000);
  const reader = await DatabaseReader.open(databaseUrl);
  resources.reader = reader;
  // What `hotline telegram set-webhook` does, but to http://127.0.0.1 (the command insists on https).
  const setWebhook = await fetch(`${fake.apiRoot}/bot${fake.token}/setWebhook`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: `${bot.url}/telegram/webhook`, secret_token: secret, allowed_updates: ["message", "callback_query"] }),
  });
  if (!setWebhook.ok) throw new Error(`setWebhook: ${await setWebhook.text()}`);

  const inbox = telegramInbox(fake);
  const slackMessages = slack ? slackInbox(slack, [SLACK_ESCALATION_CHANNEL, ...[...org.slackIds.values()].map(directChannelOf)]) : undefined;
  resources.inboxes = [inbox, ...(slackMessages ? [slackMessages] : [])];
  const pace = { thinkMs: [300, 1_200] as [number, number], replyTimeoutMs: options.replyTimeout * 1000 };
  const sends = new Sends();
  const reporters = org.staff.map((staff) => new Reporter(telegramChannel(fake, inbox, staff), staff, usersRandom.fork(staff.memberId), pace, options.seed, sends));
  const staffIds = new Set(org.staff.map((staff) => staff.telegramId));
  const slackTraffic: SlackTraffic = { requests: 0, retried: 0, gaveUp: 0 };
  const desks = [telegramDesk(fake, inbox, org.members, staffIds)];
  if (slackMessages) desks.push(slackDesk(slackMessages, { eventsUrl: `${bot.url}${SLACK_EVENTS_PATH}`, signingSecret, slackIds: org.slackIds, traffic: slackTraffic }));
  const leads = new Leads(desks, leadsRandom, { ackProbability: 0.5, ackDelayMs: [2_000, options.ackMinutes * 40_000], replyTimeoutMs: options.replyTimeout * 1000 });

  const plan = planChaos(chaosRandom, { kills: options.kills, aims: options.aims, flushes: options.flushes, storms: options.storms, durationMs: options.duration * 1000 });
  const reminderMs = org.reminderMinutesBefore * 60_000;
  const chaos = new ChaosRunner(bot, { telegram: fake, slack }, redisPrefix, {
    nextSend: (submitOnly) => sends.next(submitOnly),
    nextFiring: () => reader.nextDeadlineFiring(reminderMs, Date.now() + 200),
    workInHand: (target) => (target.pid === undefined ? Promise.resolve(false) : reader.workInHand(target.pid)),
  });
  resources.chaos = chaos;
  const startedAt = Date.now();
  const endAt = startedAt + options.duration * 1000;
  console.log(`soak: seed ${options.seed}, ${options.users} users, ${options.duration} s of chaos (${plan.map((event) => `${event.kind}@${seconds(event.atMs)}`).join(", ")})`);
  const reportsDoneAt = await workThroughChaos(chaos, plan, startedAt, () => Promise.all(reporters.map((reporter) => reporter.work(options.reports, () => Date.now() > endAt))));
  await leads.finish();

  console.log(`soak: reports done after ${seconds(reportsDoneAt - startedAt)}; waiting for the bot to go quiet (at most ${options.quietTimeout} s)`);
  const quiet = await waitForQuiet(bot, fake, reader, reminderMs, options.quietTimeout * 1000);
  for (const each of resources.inboxes) each.sync();
  const snapshot = await reader.snapshot();
  const runs = reporters.flatMap((reporter) => reporter.runs);
  const checked = checkInvariants({
    runs,
    leadActions: leads.actions,
    chaos: chaos.done,
    startedAt,
    snapshot,
    inboxes: { telegram: inbox, ...(slackMessages ? { slack: slackMessages } : {}) },
    checkedChats: new Set([
      ...[...org.members.keys()].map((chat) => chatKey("telegram", chat)),
      chatKey("telegram", ESCALATION_GROUP_ID),
      ...(slackMessages ? [SLACK_ESCALATION_CHANNEL, ...[...org.slackIds.values()].map(directChannelOf)].map((chat) => chatKey("slack", chat)) : []),
    ]),
    unexpectedExits: bot.unexpectedExits.length,
    deadlines: { acknowledgeMinutes: org.acknowledgeMinutes, reminderMinutesBefore: org.reminderMinutesBefore },
    thresholds: { lateMs: options.lateAfter * 1000, flushReconcileMs: FLUSH_RECONCILE_MS, duplicatesPerKill: options.duplicatesPerKill, overdueGraceMs: OVERDUE_GRACE_MS },
  });

  const restarts = chaos.done.flatMap((record) => (record.restartMs === undefined ? [] : [record.restartMs]));
  const aims = new Map<string, number>();
  for (const record of chaos.done) {
    if (record.event.kind !== "kill") continue;
    const aim = record.unaimed ? "unaimed" : record.event.aim;
    aims.set(aim, (aims.get(aim) ?? 0) + 1);
  }
  const storms = chaos.done.filter((record) => record.event.kind === "storm");
  const refused = fake.deliveries.filter((delivery) => delivery.status < 200 || delivery.status >= 300);
  const floods = fake.calls.filter((call) => call.response && !call.response.ok && call.response.error_code === 429).length;
  const levels = new Map<string, number>();
  for (const ticket of snapshot.tickets) {
    const label = ticket.level === null ? "general" : `level ${ticket.level}`;
    levels.set(label, (levels.get(label) ?? 0) + 1);
  }
  console.log(`\n## Crash and chaos soak: seed ${options.seed}, ${options.users} users, ${options.duration} s of chaos, Node ${process.version}\n`);
  console.log(`- chaos: ${restarts.length} SIGKILLs (${[...aims].map(([aim, n]) => `${n} ${aim}`).join(", ")}; bot back on /healthz after p50 ${seconds(percentile(restarts, 50))}, max ${seconds(Math.max(0, ...restarts))}; first start ${seconds(firstStartMs)}), ` +
    `${chaos.done.filter((record) => record.event.kind === "flush").map((record) => `Redis flush of ${record.keys} keys`).join(", ") || "no Redis flush"}, ` +
    `${storms.length} 429 storms (${seconds(storms.reduce((sum, record) => sum + (record.event.kind === "storm" ? record.event.durationMs : 0), 0))} in all, ${floods} calls refused with 429)`);
  const sentBy = (messages: Inbox) => messages.chatIds().reduce((n: number, chat) => n + messages.messages(chat).length, 0);
  console.log(
    `- traffic: Telegram ${fake.deliveries.length} webhook deliveries, ${refused.length} refused or cut (the fake delivered those again), ${sentBy(inbox)} messages from the bot` +
      (slackMessages ? `; Slack ${slackTraffic.requests} button presses, ${slackTraffic.retried} tries again, ${slackTraffic.gaveUp} given up, ${sentBy(slackMessages)} messages from the bot` : ""),
  );
  console.log(`- tickets: ${snapshot.tickets.length} (${[...levels].sort().map(([label, n]) => `${n} ${label}`).join(", ")}) from ${runs.length} reports, ${runs.filter((run) => run.abandoned).length} given up`);
  console.log(`- quiet: ${quiet.quiet ? `after ${seconds(quiet.waitedMs)}` : `not within ${options.quietTimeout} s (${quiet.deliveries} deliveries still to send, ${quiet.overdueDeadlines} deadlines overdue)`}; soak took ${seconds(Date.now() - began)}\n`);
  console.log("| invariant | result | figures |\n|---|---|---|");
  for (const check of checked.invariants) console.log(`| ${check.name} | ${check.ok ? "ok" : "**FAILED**"} | ${check.figures} |`);
  const failed = checked.invariants.filter((check) => !check.ok);
  for (const check of failed) console.log(`\n${check.name}, e.g.:\n${check.examples.map((example) => `  - ${example}`).join("\n")}`);
  if (failed.length && options.keep) console.log(`\nthe bot's log: ${join(dir, "bot.log")}`);
  return checked.invariants;
}

async function waitForQuiet(bot: BotProcess, fake: FakeBotApi, reader: DatabaseReader, reminderMs: number, timeoutMs: number) {
  const started = Date.now();
  let quietSince: number | undefined;
  let last = { deliveries: 0, overdueDeadlines: 0 };
  while (Date.now() - started < timeoutMs) {
    last = await reader.pendingWork({ reminderMs }, OVERDUE_GRACE_MS);
    const idle = bot.running && fake.pendingUpdates().length === 0 && last.deliveries === 0 && last.overdueDeadlines === 0;
    quietSince = idle ? (quietSince ?? Date.now()) : undefined;
    if (quietSince !== undefined && Date.now() - quietSince >= QUIET_FOR_MS) return { quiet: true, waitedMs: Date.now() - started, ...last };
    await sleep(250);
  }
  return { quiet: false, waitedMs: Date.now() - started, ...last };
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const resources: Resources = { keep: options.keep, inboxes: [] };
  // Whatever happens, the bot does not outlive the soak.
  process.once("exit", () => resources.bot?.killNow());
  const abort = (why: string, code: number) => {
    console.error(`soak: ${why}; cleaning up`);
    void release(resources).finally(() => process.exit(code));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => abort(signal, 130));
  process.once("uncaughtException", (error) => abort(`failed: ${error.stack ?? error.message}`, 2));
  process.once("unhandledRejection", (error) => abort(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 2));
  try {
    const invariants = await soak(options, resources);
    return invariants.every((check) => check.ok) ? 0 : 1;
  } catch (error) {
    console.error(`soak: could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 2;
  } finally {
    await release(resources);
  }
}

process.exit(await main());
