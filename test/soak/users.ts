/**
 * The people of the soak. Service-center staff walk whole reports through the guided dialog, one
 * typed answer at a time, each waiting for its reply as a person would; leads answer the pings they
 * get, pressing the Acknowledge button or typing the command. On Telegram everything goes through
 * the fake Bot API, which delivers it to the bot's webhook (again, if the bot did not take it); on
 * Slack it is a signed request to the bot (slack.ts), on WeCom an encrypted callback (wecom.ts).
 */
import { setMaxListeners } from "node:events";
import type { Update } from "grammy/types";
import type { FakeBotApi } from "../fakes/telegram-bot-api.js";
import type { Inbox, InboxMessage, Platform } from "./inbox.js";
import { noticeKind } from "./notices.js";
import type { Random } from "./random.js";
import { DESCRIPTION_STEP, isCancelReply, isReply, SCRIPTS, ticketNumberIn, type SoakScript } from "./scripts.js";
import type { SoakStaff } from "./soak-organisation.js";

export interface SentUpdate {
  who: string;
  platform: Platform;
  chatId: number | string;
  text: string;
  /** Telegram's update_id, Slack's event_id or trigger_id, or WeCom's MsgId. */
  updateId: number | string;
  sentAt: number;
  /** The reply, when it came within the wait. */
  reply?: InboxMessage;
  /** What the reply had to be: a catalog key, or "a reply" (any) for a lead's command. */
  expected: string;
  /** The chat's length when it was sent: its reply comes after. */
  fromIndex: number;
}

export interface ReportRun {
  who: string;
  tag: string;
  script: string;
  updates: SentUpdate[];
  /** Submit was sent (the summary's first button). */
  submitted: boolean;
  /** The number the "ticket created" reply gave. */
  ticketNumber?: string;
  /** Why the report was given up before Submit: its replies stopped making sense. */
  abandoned?: string;
}

export interface LeadAction {
  who: string;
  number: string;
  via: "button" | "command";
  platform: Platform;
  update: SentUpdate;
}

export interface Pace {
  /** Think time between a reply and the next answer, in ms. */
  thinkMs: [number, number];
  /** How long a person waits for a reply before taking it as lost. */
  replyTimeoutMs: number;
  /** Waited for before pressing Submit (see Together). */
  beforeSubmit?: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A sleep that ends early when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** Lets the chaos aim a kill at the instant after a person sent something (or pressed Submit). */
export class Sends {
  private waiting: { submitOnly: boolean; resolve: () => void }[] = [];

  /** Resolves when the next update (or the next Submit) has been handed to the fake. */
  next(submitOnly = false): Promise<void> {
    return new Promise((resolve) => this.waiting.push({ submitOnly, resolve }));
  }

  sent(submit: boolean): void {
    const due = this.waiting.filter((waiter) => submit || !waiter.submitOnly);
    this.waiting = this.waiting.filter((waiter) => !due.includes(waiter));
    for (const waiter of due) waiter.resolve();
  }
}

/**
 * Reports submitted at the same instant: each reporter at their Submit waits until `size` are
 * (or `maxWaitMs` after the first), then all press it at once, so their tickets take their
 * numbers at the same time.
 */
export class Together {
  private waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** How many went at once, each time. */
  readonly bursts: number[] = [];

  constructor(
    private readonly size: number,
    private readonly maxWaitMs: number,
  ) {}

  wait = (): Promise<void> =>
    new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length >= this.size) this.release();
      else this.timer ??= setTimeout(() => this.release(), this.maxWaitMs);
    });

  private release(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const going = this.waiting.splice(0);
    this.bursts.push(going.length);
    for (const resolve of going) resolve();
  }
}

/** Replies that did not come in a row before a report is cancelled and started again. */
const LOST_IN_A_ROW_BEFORE_GIVING_UP = 2;

/** A tag unique to one report, typed into its description so its ticket can be found and counted. */
export const REPORT_TAG = /\[soak:[^\]]+\]/;

/** What the people need of Telegram (the fake Bot API, or a front before several web processes): updates built and delivered. */
export interface TelegramUpdates {
  textMessage: FakeBotApi["textMessage"];
  callbackQuery: FakeBotApi["callbackQuery"];
  /** Hands an update over for delivery to the bot; `submit`: it is a report's Submit. */
  pushUpdate(update: Omit<Update, "update_id">, submit?: boolean): Update;
}

/** Where a reporter types: a chat on one platform, and how what they type gets to the bot. */
export interface ReportChannel {
  platform: Platform;
  chatId: number | string;
  inbox: Inbox;
  /**
   * Hands the text to the platform, which delivers it to the bot; returns the platform's id for it.
   * `submit`: it is the report's Submit, which a kill may be aimed after.
   */
  send(text: string, submit: boolean): number | string;
}

/** A staff member's private chat with the bot on Telegram. */
export function telegramChannel(updates: TelegramUpdates, inbox: Inbox, staff: SoakStaff): ReportChannel {
  const chatId = staff.telegramId;
  return {
    platform: "telegram",
    chatId,
    inbox,
    send: (text, submit) => updates.pushUpdate(updates.textMessage({ from: { id: chatId, first_name: staff.memberId }, text }), submit).update_id,
  };
}

export class Reporter {
  readonly runs: ReportRun[] = [];

  constructor(
    private readonly channel: ReportChannel,
    private readonly staff: SoakStaff,
    private readonly random: Random,
    private readonly pace: Pace,
    private readonly seed: number,
    private readonly sends: Sends,
  ) {}

  /** Reports one after another until `stopped()` or `maxReports`; the report in hand is finished. */
  async work(maxReports: number, stopped: () => boolean): Promise<void> {
    while (this.runs.length < maxReports && !stopped()) await this.report(this.random.pick(SCRIPTS));
  }

  private async report(script: SoakScript): Promise<void> {
    const run: ReportRun = { who: this.staff.memberId, tag: `[soak:${this.seed}:${this.staff.memberId}:${this.runs.length + 1}]`, script: script.name, updates: [], submitted: false };
    this.runs.push(run);
    let lostInARow = 0;
    for (const [step, answer] of script.answers.entries()) {
      await sleep(this.random.between(...this.pace.thinkMs));
      const text = step === DESCRIPTION_STEP ? `${answer} ${run.tag}` : answer;
      const expected = script.replies[step]!;
      const last = step === script.answers.length - 1;
      if (last && this.pace.beforeSubmit) await this.pace.beforeSubmit();
      if (last) run.submitted = true;
      const update = await this.send(text, expected, (message) => isReply(expected, message.text), last);
      run.updates.push(update);
      if (update.reply) {
        lostInARow = 0;
        if (last) run.ticketNumber = ticketNumberIn(update.reply.text);
        continue;
      }
      lostInARow += 1;
      if (lostInARow >= LOST_IN_A_ROW_BEFORE_GIVING_UP && !last) {
        run.abandoned = `no reply to ${lostInARow} answers in a row (step ${step + 1} of ${script.answers.length})`;
        run.updates.push(await this.send("/cancel", "dialog.cancelled", (message) => isCancelReply(message.text)));
        return;
      }
    }
  }

  private async send(text: string, expected: string, match: (message: InboxMessage) => boolean, submit = false): Promise<SentUpdate> {
    const { chatId, inbox, platform } = this.channel;
    const from = inbox.mark(chatId);
    const updateId = this.channel.send(text, submit);
    this.sends.sent(submit);
    const sent: SentUpdate = { who: this.staff.memberId, platform, chatId, text, updateId, sentAt: Date.now(), expected, fromIndex: from };
    const reply = await inbox.waitFor(chatId, from, match, this.pace.replyTimeoutMs);
    if (reply) sent.reply = reply;
    return sent;
  }
}

/** Notices that hand someone a deadline, with Acknowledge / Take / Resolve buttons. */
const ACTIONABLE = new Set(["notify.new_ticket", "deadline.escalated_to_you"]);

/** Where some leads read their pings and how they answer them: one chat platform. */
export interface LeadDesk {
  inbox: Inbox;
  /** Private chat → member id, for the people who answer pings there. */
  members: Map<number | string, string>;
  /** Share of acknowledgements typed as a command rather than pressed. */
  commandShare: number;
  /** Sends the acknowledgement as the person would; returns the platform's id of the request. */
  acknowledge(who: string, notice: InboxMessage, command: string, via: LeadAction["via"]): Promise<number | string>;
}

/**
 * The leads and managers: each ping with an Acknowledge button is acknowledged with probability
 * `ackProbability`, after a while (some in time, some after a reminder, some after it escalated);
 * the rest are left to climb their chain. One person does one thing at a time.
 */
export class Leads {
  readonly actions: LeadAction[] = [];
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private acting = true;
  private readonly finished = new AbortController();

  constructor(
    desks: LeadDesk[],
    private readonly random: Random,
    private readonly options: { ackProbability: number; ackDelayMs: [number, number]; replyTimeoutMs: number },
  ) {
    setMaxListeners(0, this.finished.signal);
    for (const desk of desks) desk.inbox.onMessage((message) => this.consider(desk, message));
  }

  /** No more acknowledgements are started; those already begun finish. */
  async finish(): Promise<void> {
    this.acting = false;
    this.finished.abort();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private consider(desk: LeadDesk, message: InboxMessage): void {
    const who = desk.members.get(message.chatId);
    if (!this.acting || who === undefined) return;
    const kind = noticeKind(message.text);
    const ack = message.buttons.find((data) => data.startsWith("/ack "));
    if (!kind || !ACTIONABLE.has(kind) || !ack || !this.random.chance(this.options.ackProbability)) return;
    const at = message.at + this.random.between(...this.options.ackDelayMs);
    const via = this.random.chance(desk.commandShare) ? "command" : "button";
    const key = `${message.platform}:${message.chatId}`;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const task = previous.then(async () => {
      await pause(at - Date.now(), this.finished.signal);
      if (this.acting) await this.acknowledge(desk, who, message, ack, via);
    });
    this.queues.set(key, task);
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  private async acknowledge(desk: LeadDesk, who: string, notice: InboxMessage, command: string, via: LeadAction["via"]): Promise<void> {
    const chatId = notice.chatId;
    const from = desk.inbox.mark(chatId);
    const sentAt = Date.now();
    const updateId = await desk.acknowledge(who, notice, command, via);
    const sent: SentUpdate = { who, platform: desk.inbox.platform, chatId, text: command, updateId, sentAt, expected: "a reply", fromIndex: from };
    // A lead has no dialog: the first message after the command that is not a notice is its reply.
    const reply = await desk.inbox.waitFor(chatId, from, (message) => noticeKind(message.text) === undefined, this.options.replyTimeoutMs - (Date.now() - sentAt));
    if (reply) sent.reply = reply;
    this.actions.push({ who, number: command.slice("/ack ".length), via, update: sent, platform: notice.platform });
  }
}

/** Telegram: a press on the notice's button (a callback query) or the typed command. */
export function telegramDesk(fake: TelegramUpdates, inbox: Inbox, members: Map<number, string>, staffIds: Set<number>): LeadDesk {
  return {
    inbox,
    members: new Map([...members].filter(([chat]) => !staffIds.has(chat))),
    commandShare: 0.3,
    acknowledge: async (who, notice, command, via) => {
      const chatId = Number(notice.chatId);
      const user = { id: chatId, first_name: who };
      const update = fake.pushUpdate(
        via === "button" ? fake.callbackQuery({ from: user, message: { chatId, messageId: Number(notice.messageId) }, data: command }) : fake.textMessage({ from: user, text: command }),
      );
      return update.update_id;
    },
  };
}
