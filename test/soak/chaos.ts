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
 * Submit (between the bot's commit and its reply, or a send and its record), or at the instant a
 * deadline's timer fires (a timer in hand).
 */
export const KILL_AIMS = ["any moment", "after an update", "after a Submit", "at a deadline"] as const;
export type KillAim = (typeof KILL_AIMS)[number];

export type ChaosEvent =
  | { kind: "kill"; atMs: number; downMs: number; aim: KillAim; offsetMs: number }
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
const OFFSET_MS: Record<KillAim, number> = { "any moment": 0, "after an update": 30, "after a Submit": 30, "at a deadline": 15 };

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
  /** Resolves once the next update (or Submit) has been handed to the fake. */
  nextSend(submitOnly: boolean): Promise<void>;
  /** The next instant a pending deadline's timer must fire, if one is due soon. */
  nextFiring(): number | undefined;
}

/** Posts the Slack fake refuses with 429 in each storm. */
const SLACK_STORM_POSTS = 3;

/** How long an aimed kill waits for its moment before it falls back to killing at once. */
const AIM_WAIT_MS = 15_000;

export interface ChaosRecord {
  event: ChaosEvent;
  /** When it happened (epoch ms). */
  at: number;
  /** For an aimed kill that found no moment to aim at in time. */
  unaimed?: boolean;
  /** For a kill: how long the bot took to answer /healthz again. */
  restartMs?: number;
  /** For a flush: keys deleted. */
  keys?: number;
}

/**
 * Runs the plan against the bot and the fake. A kill waits for the restart before the next event,
 * so events may run a little late; a bot that exits by itself is started again and counted.
 */
export class ChaosRunner {
  readonly done: ChaosRecord[] = [];
  private restarting = false;
  private watchdog: NodeJS.Timeout | undefined;
  private stopped = false;
  private closed = false;

  constructor(
    private readonly bot: BotProcess,
    private readonly fakes: { telegram: FakeBotApi; slack?: FakeSlackApi | undefined },
    private readonly redisPrefix: string,
    private readonly aiming: Aiming,
  ) {}

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
      case "kill":
        this.restarting = true;
        try {
          record.unaimed = !(await this.aim(event.aim));
          await new Promise((resolve) => setTimeout(resolve, event.offsetMs));
          record.at = Date.now();
          await this.bot.kill();
          await new Promise((resolve) => setTimeout(resolve, event.downMs));
          if (this.closed) return; // the soak is cleaning up
          record.restartMs = await this.bot.start();
        } finally {
          this.restarting = false;
        }
        return;
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

  /** Waits for the kill's moment; false when none came within AIM_WAIT_MS. */
  private async aim(aim: KillAim): Promise<boolean> {
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), AIM_WAIT_MS));
    switch (aim) {
      case "any moment":
        return true;
      case "after an update":
      case "after a Submit":
        return Promise.race([this.aiming.nextSend(aim === "after a Submit").then(() => true), timeout]);
      case "at a deadline": {
        const at = this.aiming.nextFiring();
        if (at === undefined || at - Date.now() > AIM_WAIT_MS) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
        return true;
      }
    }
  }

  /** A bot that died without being killed is a finding; it is started again so the soak goes on. */
  private watch(): void {
    this.watchdog = setInterval(() => {
      if (this.restarting || this.closed || this.bot.running) return;
      this.restarting = true;
      this.bot
        .start()
        .catch((error: unknown) => console.error(`soak: could not restart the bot: ${String(error)}`))
        .finally(() => (this.restarting = false));
    }, 500);
  }
}
