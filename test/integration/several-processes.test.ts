/**
 * Several processes on one PostgreSQL and one Redis, as README "Running on several machines" runs
 * them: two `--role web` and two `--role worker`, the real bot compiled as `npm start` runs it.
 * Staff report at once on Telegram (by webhook), Slack (signed requests) and WeCom (encrypted
 * callbacks), each request to either web process and some to both, leads acknowledge pings, and
 * meanwhile each of the four is killed once with SIGKILL and started again. Then, from
 * the database and the fakes, with the soak's own invariants (test/soak/invariants.ts): no report
 * confirmed to its reporter is lost, ticket numbers are unique and gapless per day, every reply
 * and every message in the outbox arrives, nothing arrives twice beyond what README "What survives
 * a crash" admits, and each deadline fires once, on time.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { FakeSlackApi } from "../fakes/slack-web-api.js";
import { FakeBotApi } from "../fakes/telegram-bot-api.js";
import { FakeWecomApi } from "../fakes/wecom-api.js";
import { BotProcess, freePort, type BotRole } from "../soak/bot-process.js";
import { ChaosRunner, workThroughChaos, type ChaosEvent } from "../soak/chaos.js";
import { slackInbox, telegramInbox, wecomInbox, type Inbox } from "../soak/inbox.js";
import { chatKey, checkInvariants, type Invariant } from "../soak/invariants.js";
import { Random } from "../soak/random.js";
import { DatabaseReader } from "../soak/snapshot.js";
import { ESCALATION_GROUP_ID, writeSoakOrganisation } from "../soak/soak-organisation.js";
import { directChannelOf, slackChannel } from "../soak/slack.js";
import { Leads, Reporter, Sends, telegramChannel, telegramDesk, Together, type ReportChannel } from "../soak/users.js";
import { SOAK_WECOM, wecomChannel, wecomEnv } from "../soak/wecom.js";
import { WebFront } from "../soak/web-front.js";
import { freshPostgresDatabase } from "../support/postgres.js";
import { deleteKeys, TEST_REDIS_URL } from "../support/redis.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SEED = Number(process.env.SEVERAL_PROCESSES_SEED ?? 1);
/** Set to keep the processes' logs (the folder is named in the failure). */
const KEEP = process.env.SEVERAL_PROCESSES_KEEP === "1";

/**
 * The load: staff reporting at once (the last on Slack and WeCom), for this long; Submits held
 * until four reporters are at theirs (at most 1.5 s), so tickets are numbered at the same instant.
 */
const LOAD = { telegramStaff: 10, slackStaff: 3, wecomStaff: 3, reportsEach: 8, durationMs: 30_000, submitTogether: 4, submitWaitMs: 1_500 };
/** Minutes to acknowledge at every level: reminders, escalations and misses all fall within the run. */
const ACKNOWLEDGE_MINUTES = 0.15;
/**
 * The chaos, each process once: a web process and then a worker killed while the database shows
 * them holding work (a reply or delivery claimed and not yet marked sent, a Slack or WeCom request
 * not yet handled), then the other web process just after a Submit reached it and the other worker
 * at a deadline's instant. Each is started again a second later; the next kill waits until it is
 * ready (5 to 10 s on two busy cores), so one process at a time is down.
 */
const KILLS: ChaosEvent[] = [
  { kind: "kill", atMs: 6_000, downMs: 1_000, aim: "with work in hand", offsetMs: 0, target: "web-1" },
  { kind: "kill", atMs: 10_000, downMs: 1_000, aim: "with work in hand", offsetMs: 0, target: "worker-1" },
  { kind: "kill", atMs: 14_000, downMs: 1_000, aim: "after a Submit", offsetMs: 10, target: "web-2" },
  { kind: "kill", atMs: 18_000, downMs: 1_000, aim: "at a deadline", offsetMs: 5, target: "worker-2" },
];
/** The soak's thresholds (test/soak/options.ts defaults), unchanged. */
const THRESHOLDS = { lateMs: 10_000, flushReconcileMs: 70_000, duplicatesPerKill: 5, overdueGraceMs: 5_000 };
/**
 * A message in flight at a kill goes again once its process is seen to be gone (its heartbeat 5 s
 * old) or restarted: its duplicate arrives within seconds of the kill.
 */
const DUPLICATE_AFTER_KILL_MS = 30_000;
/** Nothing left to send or fire for this long, and nothing in flight at the front: quiet. */
const QUIET_FOR_MS = 3_000;
/**
 * How long the outbox may take to drain after the load: the tickets' forms follow their posts as
 * files, and Slack takes about one and a half a second (its file methods' limit), so the last
 * reports' forms reach Slack up to a minute after the reports.
 */
const QUIET_TIMEOUT_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Everything the test starts, stopped and removed in reverse order, also when it fails. */
const cleanups: (() => unknown)[] = [];

// Only when stale: other suites run the compiled bot and CLI at the same time.
beforeAll(() => promisify(execFile)(process.execPath, ["bin/build.js", "--if-stale"], { cwd: ROOT }), 120_000);
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch((error: unknown) => console.error("cleanup failed:", error));
}, 60_000);

describe("two web and two worker processes on one PostgreSQL and one Redis", () => {
  it("lose nothing confirmed and send nothing twice through SIGKILLs, with every request at either web process", async () => {
    const began = Date.now();
    const random = new Random(SEED);
    const dir = mkdtempSync(join(tmpdir(), "hotline-several-"));
    cleanups.push(() => (KEEP ? console.log(`kept ${dir}`) : rmSync(dir, { recursive: true, force: true })));
    const redisPrefix = `hotline-several-${process.pid}-${randomBytes(4).toString("hex")}`;
    cleanups.push(() => deleteKeys(redisPrefix));
    const database = await freshPostgresDatabase(inject("postgresTemplate"));
    cleanups.push(database.cleanup);
    const staffCount = LOAD.telegramStaff + LOAD.slackStaff + LOAD.wecomStaff;
    const org = writeSoakOrganisation(dir, { staff: staffCount, acknowledgeMinutes: ACKNOWLEDGE_MINUTES, slackLeads: [], slackStaff: LOAD.slackStaff, wecomStaff: LOAD.wecomStaff });

    const telegram = await FakeBotApi.start();
    cleanups.push(() => telegram.close());
    const slack = await FakeSlackApi.start();
    cleanups.push(() => slack.close());
    const wecom = await FakeWecomApi.start({ corpId: SOAK_WECOM.corpId, corpSecret: SOAK_WECOM.secret, agentId: SOAK_WECOM.agentId });
    cleanups.push(() => wecom.close());
    const webhookSecret = randomBytes(16).toString("hex");
    const signingSecret = randomBytes(16).toString("hex");
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      ORG_CONFIG: org.file,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: webhookSecret,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      ...wecomEnv(wecom.baseUrl),
      LOG_LEVEL: "info",
    };
    const processOf = async (name: string, role: BotRole) => {
      const bot = new BotProcess({ name, role, port: await freePort(), logFile: join(dir, `${name}.log`), env });
      cleanups.push(() => bot.close().catch(() => bot.killNow()));
      return bot;
    };
    const webs = [await processOf("web-1", "web"), await processOf("web-2", "web")];
    const workers = [await processOf("worker-1", "worker"), await processOf("worker-2", "worker")];
    const all = [...webs, ...workers];
    // All four at once, as a deployment starts them: each applies the migrations and loads the organisation.
    const startMs = await Promise.all(all.map((bot) => bot.start(60_000)));
    const reader = await DatabaseReader.open(database.url);
    cleanups.push(() => reader.close());

    const front = new WebFront(webs, random.fork("front"), { redeliverShare: 0.1, concurrentShare: 0.05 });
    cleanups.push(() => front.close());
    const updates = front.telegram(telegram, webhookSecret);
    const postSlack = front.slack(signingSecret);
    const postWecom = front.wecom();
    const slackStaff = org.staff.filter((staff) => staff.platform === "slack");
    const wecomStaff = org.staff.filter((staff) => staff.platform === "wecom");
    const inboxes = {
      telegram: telegramInbox(telegram),
      slack: slackInbox(slack, slackStaff.map((staff) => directChannelOf(staff.slackId!))),
      wecom: wecomInbox(wecom, wecomStaff.map((staff) => staff.wecomId!)),
    };
    for (const inbox of Object.values(inboxes) as Inbox[]) cleanups.push(() => inbox.close());
    const channelOf = (staff: (typeof org.staff)[number]): ReportChannel => {
      if (staff.platform === "slack") return slackChannel(inboxes.slack, staff, postSlack);
      if (staff.platform === "wecom") return wecomChannel(inboxes.wecom, staff, postWecom);
      return telegramChannel(updates, inboxes.telegram, staff);
    };
    const together = new Together(LOAD.submitTogether, LOAD.submitWaitMs);
    const pace = { thinkMs: [150, 600] as [number, number], replyTimeoutMs: 30_000, beforeSubmit: together.wait };
    const sends = new Sends();
    const usersRandom = random.fork("users");
    const reporters = org.staff.map((staff) => new Reporter(channelOf(staff), staff, usersRandom.fork(staff.memberId), pace, SEED, sends));
    const staffIds = new Set(org.staff.map((staff) => staff.telegramId));
    const leads = new Leads([telegramDesk(updates, inboxes.telegram, org.members, staffIds)], random.fork("leads"), {
      ackProbability: 0.5,
      ackDelayMs: [2_000, ACKNOWLEDGE_MINUTES * 40_000],
      replyTimeoutMs: pace.replyTimeoutMs,
    });

    const reminderMs = org.reminderMinutesBefore * 60_000;
    const chaos = new ChaosRunner(all, { telegram, slack }, redisPrefix, {
      nextSend: (submitOnly, target) => front.nextSend(submitOnly, target),
      nextFiring: () => reader.nextDeadlineFiring(reminderMs, Date.now() + 200),
      workInHand: (target) => (target.pid === undefined ? Promise.resolve(false) : reader.workInHand(target.pid)),
    });
    cleanups.push(() => chaos.close());
    const startedAt = Date.now();
    const endAt = startedAt + LOAD.durationMs;
    const reportsDoneAt = await workThroughChaos(chaos, KILLS, startedAt, () => Promise.all(reporters.map((reporter) => reporter.work(LOAD.reportsEach, () => Date.now() > endAt))));
    await leads.finish();

    // Quiet: every process up, nothing in flight at the front, nothing left to send or fire.
    const quietStarted = Date.now();
    let quietSince: number | undefined;
    let work = { deliveries: 0, overdueDeadlines: 0 };
    while (Date.now() - quietStarted < QUIET_TIMEOUT_MS) {
      work = await reader.pendingWork({ reminderMs }, THRESHOLDS.overdueGraceMs);
      const idle = all.every((bot) => bot.running) && front.pending === 0 && work.deliveries === 0 && work.overdueDeadlines === 0;
      quietSince = idle ? (quietSince ?? Date.now()) : undefined;
      if (quietSince !== undefined && Date.now() - quietSince >= QUIET_FOR_MS) break;
      await sleep(250);
    }
    const quietAfterMs = Date.now() - quietStarted;
    for (const inbox of Object.values(inboxes) as Inbox[]) inbox.sync();
    const snapshot = await reader.snapshot();
    const runs = reporters.flatMap((reporter) => reporter.runs);
    const { invariants, duplicatesByKind, duplicates } = checkInvariants({
      runs,
      leadActions: leads.actions,
      chaos: chaos.done,
      startedAt,
      snapshot,
      inboxes,
      checkedChats: new Set([
        ...[...org.members.keys()].map((chat) => chatKey("telegram", chat)),
        chatKey("telegram", ESCALATION_GROUP_ID),
        ...slackStaff.map((staff) => chatKey("slack", directChannelOf(staff.slackId!))),
        ...wecomStaff.map((staff) => chatKey("wecom", staff.wecomId!)),
      ]),
      unexpectedExits: all.reduce((n, bot) => n + bot.unexpectedExits.length, 0),
      deadlines: { acknowledgeMinutes: org.acknowledgeMinutes, reminderMinutesBefore: org.reminderMinutesBefore },
      thresholds: THRESHOLDS,
    });
    const quiet: Invariant = {
      name: "the outbox drained and every deadline due fired",
      ok: work.deliveries === 0 && work.overdueDeadlines === 0,
      figures: `quiet after ${seconds(quietAfterMs)}: ${work.deliveries} deliveries left, ${work.overdueDeadlines} deadlines overdue`,
      examples: [],
    };
    // README "What survives a crash", more closely than a count per kill: Slack posts are looked
    // for before being posted again, so none is doubled; Telegram and WeCom messages may be, when
    // a kill fell between the platform taking one and its mark, so every duplicate follows a kill.
    const killedAt = chaos.done.map((record) => record.at);
    const slackTwice = duplicates.filter((duplicate) => duplicate.platform === "slack");
    const unexplained = duplicates.filter((duplicate) => !killedAt.some((at) => at <= duplicate.at && duplicate.at <= at + DUPLICATE_AFTER_KILL_MS));
    const closer: Invariant[] = [
      {
        name: "no Slack post twice",
        ok: slackTwice.length === 0,
        figures: `${slackTwice.length} of ${duplicates.length} duplicates on Slack`,
        examples: slackTwice.map((duplicate) => duplicate.described),
      },
      {
        name: `every duplicate within ${seconds(DUPLICATE_AFTER_KILL_MS)} after a kill`,
        ok: unexplained.length === 0,
        figures: `${duplicates.length} duplicates (${countOf(duplicates.map((duplicate) => duplicate.platform))}), ${unexplained.length} with no kill before them`,
        examples: unexplained.map((duplicate) => `${duplicate.described} (${duplicate.kind}) at ${seconds(duplicate.at - startedAt)}`),
      },
    ];
    const traffic = front.traffic;
    const kills = chaos.done.map((record) => `${record.target} ${record.unaimed ? "unaimed" : record.event.kind === "kill" ? record.event.aim : ""} at ${seconds(record.at - startedAt)}, ready again after ${seconds(record.restartMs ?? 0)}`);
    console.log(
      [
        `several processes: seed ${SEED}, ${staffCount} staff (${LOAD.telegramStaff} Telegram, ${LOAD.slackStaff} Slack, ${LOAD.wecomStaff} WeCom), ${seconds(LOAD.durationMs)} of load; started in ${startMs.map(seconds).join(", ")}`,
        `- kills: ${kills.join("; ")}`,
        `- requests: ${traffic.requests.telegram} Telegram, ${traffic.requests.slack} Slack, ${traffic.requests.wecom} WeCom; ${traffic.tries} tries (${[...traffic.byProcess].map(([name, n]) => `${n} first to ${name}`).join(", ")}), ` +
          `${traffic.retried} retried elsewhere, ${traffic.redelivered} sent again after their 200, ${traffic.concurrent} to both at once, ${traffic.gaveUp} given up`,
        `- reports: ${runs.length} (${runs.filter((run) => run.ticketNumber).length} told their number; Submits in bursts of ${burstSizes(together.bursts)}), ${snapshot.tickets.length} tickets, ` +
          `${snapshot.deliveries.length} outbox rows (${snapshot.deliveries.filter((row) => row.attempts > 1).length} sent after more than one attempt); duplicates: ${[...duplicatesByKind].map(([kind, n]) => `${n} ${kind}`).join(", ") || "none"}`,
        `- reports done after ${seconds(reportsDoneAt - startedAt)}, quiet after ${seconds(quietAfterMs)} more; ${seconds(Date.now() - began)} in all`,
        ...[...invariants, ...closer, quiet].map((check) => `  ${check.ok ? "ok    " : "FAILED"} ${check.name}: ${check.figures}${check.ok ? "" : `\n${check.examples.map((example) => `           - ${example}`).join("\n")}`}`),
      ].join("\n"),
    );
    const failed = [...invariants, ...closer, quiet].filter((check) => !check.ok).map((check) => `${check.name}: ${check.figures}\n${check.examples.join("\n")}`);
    expect(failed, `the processes' logs: ${dir} (kept with SEVERAL_PROCESSES_KEEP=1)`).toEqual([]);
    // The run must have done what it claims: both kills landed, and every platform carried reports.
    expect(chaos.done.map((record) => record.target)).toEqual(["web-1", "worker-1", "web-2", "worker-2"]);
    for (const platform of ["telegram", "slack", "wecom"] as const) expect(runs.filter((run) => run.ticketNumber && channelPlatform(org.staff, run.who) === platform).length).toBeGreaterThan(0);
  }, 180_000);
});

/** "3 telegram, 1 wecom". */
function countOf(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, n]) => `${n} ${value}`).join(", ") || "none";
}

/** "4×12, 3×2, 1×1": how many bursts of each size. */
function burstSizes(bursts: number[]): string {
  const counts = new Map<number, number>();
  for (const size of bursts) counts.set(size, (counts.get(size) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => b - a).map(([size, n]) => `${size}×${n}`).join(", ");
}

function channelPlatform(staff: { memberId: string; platform: string }[], who: string): string | undefined {
  return staff.find((each) => each.memberId === who)?.platform;
}
