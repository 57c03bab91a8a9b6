/**
 * The chaos of a soak, drawn from its seed before it starts: when the bot is killed with SIGKILL
 * (and how long it stays down), when the soak's Redis keys are flushed, and when the fake Bot API
 * floods the bot with 429s. Events are spread over the run, one slot each, so they do not bunch.
 */
import type { FakeSlackApi } from "../fakes/slack-web-api.js";
import type { FakeBotApi } from "../fakes/telegram-bot-api.js";
import { deleteKeys } from "../support/redis.js";
import type { BotProcess } from "./bot-process.js";
import type { Random } from "./random.js";

/**
 * Where a kill is aimed: any moment, a few milliseconds after a person sent something or pressed
 * Submit (between the bot's commit and its reply, or a send and its record), at the instant a
 * deadline's timer fires (a timer in hand), or when the database shows the process with work in
 * hand (a message it claimed and has not marked sent, a Slack or WeCom request it has not finished).
 */
export const KILL_AIMS = ["any moment", "after an update", "after a Submit", "at a deadline", "with work in hand"] as const;
export type KillAim = (typeof KILL_AIMS)[number];

export type ChaosEvent =
  /** `target`: the name of the process to kill, where several run (the first when unset). */
  | { kind: "kill"; atMs: number; downMs: number; aim: KillAim; offsetMs: number; target?: string }
  | { kind: "flush"; atMs: number }
  | { kind: "storm"; atMs: number; durationMs: number };

export interface ChaosPlan {
  kills: number;
  /** The aims kills take in turn. */
  aims: readonly KillAim[];
  flushes: number;
  storms: number;
  durationMs: number;
}

/**
 * How far past its moment an aimed kill may land: a unit of work commits within a few ms of an
 * update's arrival and a timer's transaction within a few ms of its instant.
 */
const OFFSET_MS: Record<KillAim, number> = { "any moment": 0, "after an update": 30, "after a Submit": 30, "at a deadline": 15, "with work in hand": 0 };

/** Nothing happens in the first seconds (the users start) nor in the last (their reports end). */
const QUIET_START_MS = 8_000;
const QUIET_END_MS = 5_000;

/** Times spread over the window: one random instant in each of `count` equal slots. */
function spread(random: Random, count: number, durationMs: number): number[] {
  const window = Math.max(0, durationMs - QUIET_START_MS - QUIET_END_MS);
  const slot = window / Math.max(1, count);
  return Array.from({ length: count }, (_, i) => QUIET_START_MS + slot * i + random.between(0.1, 0.9) * slot);
}

export function planChaos(random: Random, plan: ChaosPlan): ChaosEvent[] {
  const kills = spread(random.fork("kills"), plan.kills, plan.durationMs).map((atMs, i) => ({
    kind: "kill" as const,
    atMs,
    downMs: random.between(200, 2_000),
    aim: plan.aims[i % plan.aims.length]!,
    offsetMs: random.between(0, OFFSET_MS[plan.aims[i % plan.aims.length]!]),
  }));
  const flushes = spread(random.fork("flushes"), plan.flushes, plan.durationMs).map((atMs) => ({ kind: "flush" as const, atMs }));
  const storms = spread(random.fork("storms"), plan.storms, plan.durationMs).map((atMs) => ({ kind: "storm" as const, atMs, durationMs: random.between(3_000, 8_000) }));
  return [...kills, ...flushes, ...storms].sort((a, b) => a.atMs - b.atMs);
}

/** What the runner needs to aim kills. */
export interface Aiming {
  /** Resolves once the next update (or Submit) has been handed to the fake, or, where it can tell, to `target`. */
  nextSend(submitOnly: boolean, target: BotProcess): Promise<void>;
  /** The next instant a pending deadline's timer must fire, if one is due soon. */
  nextFiring(): Promise<number | undefined>;
  /** Whether `target` has work in hand now (see KILL_AIMS); looked at again and again until it has. */
  workInHand?(target: BotProcess): Promise<boolean>;
}

/** Posts the Slack fake refuses with 429 in each storm. */
const SLACK_STORM_POSTS = 3;

/** How long an aimed kill waits for its moment before it falls back to killing at once. */
const AIM_WAIT_MS = 15_000;
/** How often the database is looked at for a process's work in hand. */
const WORK_IN_HAND_POLL_MS = 5;

export interface ChaosRecord {
  event: ChaosEvent;
  /** When it happened (epoch ms). */
  at: number;
  /** For an aimed kill that found no moment to aim at in time. */
  unaimed?: boolean;
  /** For a kill: the process killed. */
  target?: string;
  /** For a kill: how long the bot took to be ready again. */
  restartMs?: number;
  /** For a flush: keys deleted. */
  keys?: number;
}

/**
 * Runs the plan against the bot's processes and the fake. A kill waits for the restart before the
 * next event, so events may run a little late; a process that exits by itself is started again and
 * counted.
 */
export class ChaosRunner {
  readonly done: ChaosRecord[] = [];
  private readonly restarting = new Set<BotProcess>();
  private watchdog: NodeJS.Timeout | undefined;
  private stopped = false;
  private closed = false;
  private readonly bots: readonly BotProcess[];

  constructor(
    bots: BotProcess | readonly BotProcess[],
    private readonly fakes: { telegram: FakeBotApi; slack?: FakeSlackApi | undefined },
    private readonly redisPrefix: string,
    private readonly aiming: Aiming,
  ) {
    this.bots = Array.isArray(bots) ? bots : [bots as BotProcess];
  }

  async run(events: ChaosEvent[], startedAt: number): Promise<void> {
    this.watch();
    for (const event of events) {
      const wait = startedAt + event.atMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.stopped) return;
      await this.apply(event);
      if (this.closed) return;
    }
  }

  /** No more events; the watchdog still restarts a bot that dies while the soak waits for quiet. */
  stop(): void {
    this.stopped = true;
  }

  close(): void {
    this.stopped = true;
    this.closed = true;
    clearInterval(this.watchdog);
  }

  private async apply(event: ChaosEvent): Promise<void> {
    const record: ChaosRecord = { event, at: Date.now() };
    this.done.push(record);
    switch (event.kind) {
      case "kill": {
        const bot = this.targetOf(event);
        record.target = bot.name;
        this.restarting.add(bot);
        try {
          record.unaimed = !(await this.aim(event.aim, bot));
          await new Promise((resolve) => setTimeout(resolve, event.offsetMs));
          record.at = Date.now();
          await bot.kill();
          await new Promise((resolve) => setTimeout(resolve, event.downMs));
          if (this.closed) return; // the soak is cleaning up
          record.restartMs = await bot.start();
        } finally {
          this.restarting.delete(bot);
        }
        return;
      }
      case "flush":
        record.keys = await deleteKeys(this.redisPrefix);
        return;
      case "storm":
        this.fakes.telegram.floodFor("sendMessage", event.durationMs);
        // The Slack fake refuses by count: the next few posts, each told to wait 2 s.
        this.fakes.slack?.failNext("chat.postMessage", { status: 429, retryAfter: 2 }, SLACK_STORM_POSTS);
        return;
    }
  }

  private targetOf(event: Extract<ChaosEvent, { kind: "kill" }>): BotProcess {
    const bot = event.target === undefined ? this.bots[0] : this.bots.find((each) => each.name === event.target);
    if (!bot) throw new Error(`the chaos plan kills ${event.target}, which is not one of ${this.bots.map((each) => each.name).join(", ")}`);
    return bot;
  }

  /** Waits for the kill's moment; false when none came within AIM_WAIT_MS. */
  private async aim(aim: KillAim, bot: BotProcess): Promise<boolean> {
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), AIM_WAIT_MS));
    switch (aim) {
      case "any moment":
        return true;
      case "after an update":
      case "after a Submit":
        return Promise.race([this.aiming.nextSend(aim === "after a Submit", bot).then(() => true), timeout]);
      case "with work in hand": {
        const until = Date.now() + AIM_WAIT_MS;
        while (Date.now() < until && !this.closed && bot.running) {
          if (await this.aiming.workInHand?.(bot)) return true;
          await new Promise((resolve) => setTimeout(resolve, WORK_IN_HAND_POLL_MS));
        }
        return false;
      }
      case "at a deadline": {
        const at = await this.aiming.nextFiring();
        if (at === undefined || at - Date.now() > AIM_WAIT_MS) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
        return true;
      }
    }
  }

  /** A process that died without being killed is a finding; it is started again so the soak goes on. */
  private watch(): void {
    this.watchdog = setInterval(() => {
      for (const bot of this.bots) {
        if (this.restarting.has(bot) || this.closed || bot.running) continue;
        this.restarting.add(bot);
        bot
          .start()
          .catch((error: unknown) => console.error(`soak: could not restart ${bot.name}: ${String(error)}`))
          .finally(() => this.restarting.delete(bot));
      }
    }, 500);
  }
}

/**
 * Runs `work` (the reporters) while the chaos plays its plan from `startedAt`, then stops the
 * chaos; a kill or restart that failed fails the run. Resolves to when the work was done.
 */
export async function workThroughChaos(chaos: ChaosRunner, plan: ChaosEvent[], startedAt: number, work: () => Promise<unknown>): Promise<number> {
  // Held until the work is done; a restart that fails must not go unhandled meanwhile.
  const chaosDone = chaos.run(plan, startedAt).then(
    () => undefined,
    (error: unknown) => error,
  );
  await work();
  const doneAt = Date.now();
  chaos.stop();
  const chaosFailed = await chaosDone;
  if (chaosFailed) throw chaosFailed;
  return doneAt;
}
