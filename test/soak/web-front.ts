/**
 * The platforms' side of several web processes, as a load balancer in front of them makes it:
 * Telegram, Slack and WeCom send each request to one web process, picked at random, and when it
 * gets no 200 (the process was killed, or did not answer in time) they send it again, to another.
 * Now and then a request is also sent to another web process though it was answered, as a
 * platform's retry after an answer that got lost on the way, and now and then to two at once, as a
 * retry after a timeout while the first is still being handled. Whatever reaches which process,
 * each must have one effect.
 */
import type { Update } from "grammy/types";
import { SLACK_EVENTS_PATH } from "../../bot/slack/slack-adapter.js";
import { TELEGRAM_WEBHOOK_PATH } from "../../bot/telegram/telegram-adapter.js";
import { WECOM_CALLBACK_PATH } from "../../bot/wecom/wecom-adapter.js";
import type { SlackRequest } from "../fakes/slack-web-api.js";
import type { FakeBotApi } from "../fakes/telegram-bot-api.js";
import type { EncryptedCallback } from "../fakes/wecom-api.js";
import type { BotProcess } from "./bot-process.js";
import type { Platform } from "./inbox.js";
import type { Random } from "./random.js";
import { SLACK_RETRY_DELAYS_MS, trySlack } from "./slack.js";
import type { TelegramUpdates } from "./users.js";

export interface FrontOptions {
  /** Share of requests sent once more, to another web process, after their 200. */
  redeliverShare: number;
  /** Share of requests sent to two web processes at once. */
  concurrentShare: number;
}

export interface FrontTraffic {
  /** Requests the people made, per platform. */
  requests: Record<Platform, number>;
  /** Tries in all (first tries, retries and the copies below). */
  tries: number;
  /** Tries that got no 200 (refused, cut or not answered in time) and were made again elsewhere. */
  retried: number;
  /** Requests no try got a 200 for: the platform gave up on them. */
  gaveUp: number;
  /** Requests sent again to another web process after their 200. */
  redelivered: number;
  /** Requests sent to two web processes at once. */
  concurrent: number;
  /** First tries per web process. */
  byProcess: Map<string, number>;
}

/** Telegram sends an update again and again until a 200, waiting longer each time up to 2 s (as the fake Bot API does). */
const TELEGRAM_RETRY_MS = { first: 100, max: 2_000 };
/** Telegram waits for the webhook's answer (the bot answers within 10 s, handled or not). */
const TELEGRAM_TIMEOUT_MS = 15_000;
/** WeCom gives the callback 5 s, then tries again; three tries again at most. */
const WECOM_TIMEOUT_MS = 5_000;
const WECOM_RETRY_DELAYS_MS = [1_000, 5_000, 5_000];
/** The second of two tries sent at once leaves this long after the first at most. */
const CONCURRENT_SPREAD_MS = 20;

/** One try of a request at one web process: the HTTP status, 0 when there was no answer. */
type Try = (web: BotProcess, attempt: number) => Promise<number>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WebFront {
  readonly traffic: FrontTraffic = {
    requests: { telegram: 0, slack: 0, wecom: 0 },
    tries: 0,
    retried: 0,
    gaveUp: 0,
    redelivered: 0,
    concurrent: 0,
    byProcess: new Map(),
  };
  private readonly inFlight = new Set<Promise<void>>();
  private waiters: { submitOnly: boolean; target: BotProcess; resolve: () => void }[] = [];
  private closed = false;

  constructor(
    private readonly webs: readonly BotProcess[],
    private readonly random: Random,
    private readonly options: FrontOptions,
  ) {
    if (webs.length < 2) throw new Error("a front for several web processes needs two at least");
  }

  /** Telegram by webhook, with the secret token: the people's updates, as the fake Bot API knows them. */
  telegram(fake: FakeBotApi, secretToken: string): TelegramUpdates {
    return {
      textMessage: (options) => fake.textMessage(options),
      callbackQuery: (options) => fake.callbackQuery(options),
      pushUpdate: (raw: Omit<Update, "update_id">, submit = false): Update => {
        const update = fake.recordUpdate(raw);
        const body = JSON.stringify(update);
        const retryMs = (attempt: number) => Math.min(TELEGRAM_RETRY_MS.max, TELEGRAM_RETRY_MS.first * 2 ** attempt);
        this.deliver("telegram", submit, (web) => postJson(`${web.url}${TELEGRAM_WEBHOOK_PATH}`, body, secretToken), retryMs);
        return update;
      },
    };
  }

  /** Slack's Events API and interactivity: signed requests, retried with X-Slack-Retry-Num. */
  slack(signingSecret: string): (request: SlackRequest, submit: boolean) => void {
    return (request, submit) =>
      this.deliver("slack", submit, (web, attempt) => trySlack(`${web.url}${SLACK_EVENTS_PATH}`, signingSecret, request, attempt), (attempt) => SLACK_RETRY_DELAYS_MS[attempt]);
  }

  /** WeCom's callbacks: the same encrypted request each try. */
  wecom(): (callback: EncryptedCallback, submit: boolean) => void {
    return (callback, submit) =>
      this.deliver(
        "wecom",
        submit,
        async (web) => {
          try {
            const response = await fetch(`${web.url}${WECOM_CALLBACK_PATH}?${new URLSearchParams(callback.query)}`, { method: "POST", body: callback.body, signal: AbortSignal.timeout(WECOM_TIMEOUT_MS) });
            await response.arrayBuffer();
            return response.status;
          } catch {
            return 0;
          }
        },
        (attempt) => WECOM_RETRY_DELAYS_MS[attempt],
      );
  }

  /** Resolves once the next request (or Submit) has been sent to `target` first. */
  nextSend(submitOnly: boolean, target: BotProcess): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ submitOnly, target, resolve }));
  }

  /** Requests still being sent or retried. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** No more tries; those in hand are dropped. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  /**
   * Sends a request: first to a web process at random, then, while no try got a 200, to another
   * after `retryDelay(attempt)` ms (undefined: the platform gives up). Some are also sent to
   * another at once, or once more after their 200.
   */
  private deliver(platform: Platform, submit: boolean, tryOnce: Try, retryDelay: (attempt: number) => number | undefined): void {
    this.traffic.requests[platform] += 1;
    const task = this.send(submit, tryOnce, retryDelay);
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  private async send(submit: boolean, tryOnce: Try, retryDelay: (attempt: number) => number | undefined): Promise<void> {
    let web = this.random.pick(this.webs);
    this.traffic.byProcess.set(web.name, (this.traffic.byProcess.get(web.name) ?? 0) + 1);
    const counted: Try = (target, attempt) => {
      this.traffic.tries += 1;
      return tryOnce(target, attempt);
    };
    const first = counted(web, 0);
    this.sent(web, submit);
    const copies: Promise<unknown>[] = [];
    if (this.random.chance(this.options.concurrentShare)) {
      this.traffic.concurrent += 1;
      const other = this.otherThan(web);
      copies.push(sleep(this.random.between(0, CONCURRENT_SPREAD_MS)).then(() => counted(other, 1)));
    }
    let status = await first;
    for (let attempt = 0; status !== 200; attempt++) {
      const delay = retryDelay(attempt);
      if (delay === undefined) {
        this.traffic.gaveUp += 1;
        break;
      }
      this.traffic.retried += 1;
      await sleep(delay);
      if (this.closed) return;
      web = this.otherThan(web);
      status = await counted(web, attempt + 1);
    }
    if (status === 200 && !this.closed && this.random.chance(this.options.redeliverShare)) {
      this.traffic.redelivered += 1;
      await counted(this.otherThan(web), 1);
    }
    await Promise.all(copies);
  }

  private otherThan(web: BotProcess): BotProcess {
    return this.random.pick(this.webs.filter((each) => each !== web));
  }

  private sent(target: BotProcess, submit: boolean): void {
    const due = this.waiters.filter((waiter) => waiter.target === target && (submit || !waiter.submitOnly));
    this.waiters = this.waiters.filter((waiter) => !due.includes(waiter));
    for (const waiter of due) waiter.resolve();
  }
}

/** POSTs JSON as Telegram does, with its secret token: the status, 0 when there was no answer. */
async function postJson(url: string, body: string, secretToken: string): Promise<number> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secretToken },
      body,
      signal: AbortSignal.timeout(TELEGRAM_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}
