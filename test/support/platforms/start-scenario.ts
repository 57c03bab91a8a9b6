import { dirname } from "node:path";
import type { App } from "../../../bot/app.js";
import { deleteKeys, uniquePrefix } from "../redis.js";
import { freshDatabaseFile, startTestApp } from "../test-app.js";
import { describeMessages, replyOf, type BotMessage, type Reply } from "./bot-message.js";
import { fireDueDeadlines } from "./fire-due-deadlines.js";
import { runDailyReports } from "./run-daily-reports.js";
import type { PlatformDriver } from "./platform-driver.js";
import { ScenarioClock } from "./scenario-clock.js";
import { writeScenarioOrganisation, type ScenarioPlatform } from "./scenario-organisation.js";
import type { Step } from "./scripted-reports.js";
import { SlackDriver } from "./slack-driver.js";
import { TelegramDriver } from "./telegram-driver.js";
import { TerminalDriver } from "./terminal-driver.js";
import { waitFor } from "./wait-for.js";
import { WecomDriver } from "./wecom-driver.js";

/** When a scenario starts unless it says otherwise: a Thursday, 10:00 in Shanghai. */
export const SCENARIO_START = new Date("2026-11-26T02:00:00Z");

export interface ScenarioOptions {
  platform: ScenarioPlatform;
  /** Changes the organisation file (as written, before validation) after the harness moved everyone to the platform. */
  orgEdit?: (raw: any) => void;
  /**
   * When the scenario starts; its clock stands still there until advanced. Default SCENARIO_START.
   * Not for the terminal: its chats open their own app on the wall clock, so the scenario's clock
   * runs with the wall clock there, plus what it was advanced by.
   */
  clock?: Date;
}

export interface WaitOptions {
  /** Said in the failure message: what the scenario waited for. */
  what?: string;
  timeoutMs?: number;
}

export interface Scenario {
  readonly platform: ScenarioPlatform;
  /** The real app the adapter runs on: for reading tickets, the timeline, the outbox. */
  readonly app: App;
  readonly clock: ScenarioClock;
  /** A member types `text` (a command or an answer); resolves with the bot's answer once it was sent. */
  say(memberId: string, text: string): Promise<Reply>;
  /**
   * A member presses a button (or picks an option) by its command id, on the latest message in
   * their inbox that shows it, or in channel `options.in`. A button whose id the platform does not
   * show (see Button.command) is found by its label.
   */
  press(memberId: string, command: string, options?: { in?: string }): Promise<Reply>;
  /** A member sends a file (a document named `name`, such as a signed agreement's scan) in their private chat; resolves with the answer. */
  sendFile(memberId: string, name: string): Promise<Reply>;
  /** Steps one after another (a scripted report); resolves with the last answer. */
  walk(memberId: string, steps: readonly Step[]): Promise<Reply>;
  /** Every message the bot sent the member directly so far, in order, as it shows now. */
  inbox(memberId: string): Promise<BotMessage[]>;
  waitForInbox(memberId: string, match: (message: BotMessage) => boolean, options?: WaitOptions): Promise<BotMessage>;
  /** The messages in an escalation channel (by its id in the organisation), each as it shows now. */
  channel(channelId: string): Promise<BotMessage[]>;
  waitForChannel(channelId: string, match: (message: BotMessage) => boolean, options?: WaitOptions): Promise<BotMessage>;
  /** Runs the evening reports' job (the day's reports with their documents), then waits for what it sent. */
  sendDailyReports(): Promise<void>;
  /** Fires the deadline timers due at the scenario's clock, then waits for what they sent: returns how many fired. */
  fireDueDeadlines(): Promise<number>;
  /** Waits until everything the bot has to send on the platform went out (edits of live messages too). */
  settle(): Promise<void>;
  /** Stops the adapter, the queues and the app, and deletes the database and the Redis keys. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A fresh database, the organisation with everyone on `platform`, the real app with the real
 * adapter (or terminal chats) against the platform's fake, and the delivery queue on a Redis prefix
 * of its own. Call `stop()` after (in afterEach).
 */
export async function startScenario(options: ScenarioOptions): Promise<Scenario> {
  const { platform } = options;
  if (platform === "terminal" && options.clock) throw new Error("the terminal's chats run on the wall clock: a terminal scenario cannot start at a given time (advance the clock instead)");
  const cleanups: (() => unknown)[] = [];
  const stop = once(async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch((error: unknown) => errors.push(error));
    if (errors.length) throw errors[0];
  });
  try {
    const db = freshDatabaseFile();
    cleanups.push(db.cleanup);
    const orgFile = writeScenarioOrganisation(dirname(db.file), platform, options.orgEdit);
    const clock = platform === "terminal" ? ScenarioClock.wall() : ScenarioClock.at(options.clock ?? SCENARIO_START);
    const app = await startTestApp(db.file, clock.asTestClock(), { ORG_CONFIG: orgFile });
    cleanups.push(() => app.close());
    const prefix = uniquePrefix();
    cleanups.push(() => deleteKeys(prefix));
    const driver = await startDriver(platform, app, { prefix, databaseUrl: `file:${db.file}`, orgFile });
    cleanups.push(() => driver.stop());
    return scenarioOn(platform, app, clock, driver, prefix, stop);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

function startDriver(platform: ScenarioPlatform, app: App, settings: { prefix: string; databaseUrl: string; orgFile: string }): Promise<PlatformDriver> {
  switch (platform) {
    case "telegram":
      return TelegramDriver.start(app, settings.prefix);
    case "slack":
      return SlackDriver.start(app, settings.prefix);
    case "wecom":
      return WecomDriver.start(app, settings.prefix);
    case "terminal":
      return TerminalDriver.start(app, settings);
  }
}

/** Long enough for the evening's files to every reader under the slowest platform's file limit. */
const DAILY_FILES_WAIT_MS = 60_000;

function scenarioOn(platform: ScenarioPlatform, app: App, clock: ScenarioClock, driver: PlatformDriver, prefix: string, stop: () => Promise<void>): Scenario {
  const press = async (memberId: string, command: string, options: { in?: string } = {}) => {
    const messages = options.in ? await driver.channel(options.in) : await driver.inbox(memberId);
    for (const message of [...messages].reverse()) {
      const button = message.buttons.find((b) => b.command === command) ?? message.buttons.find((b) => b.command === undefined && b.label === command);
      if (button) return replyOf(await driver.press(memberId, message, button));
    }
    const where = options.in ? `channel ${options.in}` : `${memberId}'s inbox`;
    throw new Error(`${platform}: ${where} shows no button "${command}"; it shows:\n${describeMessages(messages)}`);
  };
  const say = async (memberId: string, text: string) => replyOf(await driver.say(memberId, text));
  const waitIn = (what: string, read: () => Promise<BotMessage[]>, match: (message: BotMessage) => boolean, options: WaitOptions) =>
    waitFor(`${platform}: ${options.what ?? `a matching message in ${what}`}`, async () => (await read()).find(match), async () => describeMessages(await read()), options.timeoutMs);
  return {
    platform,
    app,
    clock,
    say,
    press,
    sendFile: async (memberId, name) => replyOf(await driver.sendFile(memberId, name)),
    walk: async (memberId, steps) => {
      let last: Reply | undefined;
      for (const [i, step] of steps.entries()) {
        try {
          last = "press" in step ? await press(memberId, step.press) : await say(memberId, step.say);
        } catch (error) {
          throw new Error(`step ${i + 1} of ${steps.length} (${JSON.stringify(step)}) failed: ${(error as Error).message}`, { cause: error });
        }
      }
      if (!last) throw new Error("walk() needs at least one step");
      return last;
    },
    inbox: (memberId) => driver.inbox(memberId),
    waitForInbox: (memberId, match, options = {}) => waitIn(`${memberId}'s inbox`, () => driver.inbox(memberId), match, options),
    channel: (channelId) => driver.channel(channelId),
    waitForChannel: (channelId, match, options = {}) => waitIn(`channel ${channelId}`, () => driver.channel(channelId), match, options),
    sendDailyReports: async () => {
      await runDailyReports(app, prefix);
      // A file each for every reader: Slack shares a few every two seconds.
      await driver.settle(DAILY_FILES_WAIT_MS);
    },
    fireDueDeadlines: async () => {
      const fired = await fireDueDeadlines(app);
      await driver.settle();
      return fired;
    },
    settle: () => driver.settle(),
    stop,
  };
}

function once(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= run());
}
