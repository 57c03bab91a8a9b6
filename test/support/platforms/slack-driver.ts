import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { adapterDeps } from "../../../bot/adapter-deps.js";
import type { App } from "../../../bot/app.js";
import { createHttpServer } from "../../../bot/http/server.js";
import { ACTION, unescapeMrkdwn } from "../../../bot/slack/render-slack.js";
import { SLACK_EVENTS_PATH, SlackAdapter } from "../../../bot/slack/slack-adapter.js";
import type { DeliveryQueue } from "../../../jobs/delivery-queue.js";
import {
  blockActions,
  eventCallback,
  FakeSlackApi,
  messageEvent,
  sendToSlackApp,
  viewSubmission,
  type FakeSlackMessage,
  type FakeSlackViewObject,
  type SlackRequest,
} from "../../fakes/slack-web-api.js";
import { TEST_REDIS_URL } from "../redis.js";
import { accountOf, channelOf, listen, settleOutbox, silent, startDeliveries, startInSteps } from "./adapter-rig.js";
import { pickAnswer, waitForAnswer } from "./answer-of-event.js";
import { describeMessages, type BotMessage, type Button } from "./bot-message.js";
import type { PlatformDriver } from "./platform-driver.js";

const SIGNING_SECRET = "5f1e2d3c4b5a69788796a5b4c3d2e1f0";

/** A message as Slack has it, with what the harness needs beyond what the member reads. */
interface SlackView {
  message: BotMessage;
  ts: string;
  /** The outbox row a post carries as metadata (every delivery and reply the bot posts). */
  deliveryId?: number | undefined;
}

/** The direct message with a user is channel D… where the user is U… (as the fake opens it). */
const directChannelOf = (slackUserId: string) => `D${slackUserId.slice(1)}`;

/**
 * Members on Slack: the real SlackAdapter (Bolt) behind the HTTP server, sent signed requests as
 * Slack sends them, against the fake Web API. A member's inbox is their direct message with the bot
 * and the answers only they see (ephemeral) wherever they pressed.
 */
export class SlackDriver implements PlatformDriver {
  private sequence = 0;
  /** A form a member's button opened: what they say next is typed into it and submitted. */
  private readonly openForms = new Map<string, FakeSlackViewObject>();

  private constructor(
    private readonly app: App,
    readonly fake: FakeSlackApi,
    private readonly adapter: SlackAdapter,
    private readonly deliveries: DeliveryQueue,
    private readonly server: Server,
    private readonly url: string,
  ) {}

  static start(app: App, prefix: string): Promise<SlackDriver> {
    return startInSteps(async (onFailure) => {
      const fake = await FakeSlackApi.start({ token: "xoxb-scenario-token" });
      onFailure(() => fake.close());
      let deliveries: DeliveryQueue | undefined;
      const adapter = new SlackAdapter(adapterDeps(app), {
        token: fake.token,
        signingSecret: SIGNING_SECRET,
        apiUrl: fake.apiUrl,
        retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 },
        onNotifications: () => deliveries?.kick(),
        log: silent,
      });
      const queue = (deliveries = startDeliveries(app, "slack", adapter.send, { prefix, refresher: adapter.refresh }));
      onFailure(() => queue.stop());
      await adapter.start();
      onFailure(() => adapter.stop());
      const server = await listen(createHttpServer({ db: app.db, redisUrl: TEST_REDIS_URL }, adapter.routes()));
      return new SlackDriver(app, fake, adapter, queue, server, `${server.url}${SLACK_EVENTS_PATH}`);
    });
  }

  async say(memberId: string, text: string): Promise<BotMessage[]> {
    const user = accountOf(this.app, memberId, "slack");
    const form = this.openForms.get(user);
    if (form) {
      this.openForms.delete(user);
      return this.exchange(user, viewSubmission({ userId: user, view: form, values: { form: { text } } }), `view:${form.id}:${form.hash}`);
    }
    const eventId = `Ev0SCN${String(++this.sequence).padStart(6, "0")}`;
    // Slack keeps "/" for its own slash commands: in a direct message, people write Hotline's commands as words.
    const words = text.startsWith("/") ? text.slice(1) : text;
    const request = eventCallback({ eventId, event: messageEvent({ user, channel: directChannelOf(user), channelType: "im", text: words }) });
    return this.exchange(user, request, eventId);
  }

  /** A file shared in the direct message: a `file_share` message with no text, the file known by its Slack id. */
  async sendFile(memberId: string, name: string): Promise<BotMessage[]> {
    const user = accountOf(this.app, memberId, "slack");
    const eventId = `Ev0SCN${String(++this.sequence).padStart(6, "0")}`;
    const shared = { ...messageEvent({ user, channel: directChannelOf(user), channelType: "im", text: "" }), subtype: "file_share", files: [{ id: `F0SCN${this.sequence}`, name, mimetype: "application/pdf" }] };
    return this.exchange(user, eventCallback({ eventId, event: shared }), eventId);
  }

  async press(memberId: string, message: BotMessage, button: Button): Promise<BotMessage[]> {
    const user = accountOf(this.app, memberId, "slack");
    const [channel, ts] = message.id.split(":") as [string, string];
    const posted = this.fake.message(channel, ts);
    if (!posted) throw new Error(`Slack has no message ${message.id} to press on (answers only one member sees cannot be pressed here)`);
    const element = buttonsIn(posted).find((b) => b.value === button.command && b.text.text === button.label);
    if (!element) throw new Error(`Slack message ${message.id} has no button "${button.label}" now:\n${describeMessages([toView(posted, this.sharedBytes).message])}`);
    const triggerId = `${Date.now()}.${++this.sequence}.${randomBytes(8).toString("hex")}`;
    const request = blockActions({
      userId: user,
      actionId: element.action_id,
      value: element.value,
      channelId: channel,
      channelName: channel.startsWith("D") ? "directmessage" : (this.fake.channel(channel)?.name ?? "hotline"),
      message: { ts, text: posted.text, blocks: posted.blocks ?? [] },
      triggerId,
      responseUrl: this.fake.responseUrl({ channel, messageTs: ts }),
    });
    if (element.action_id.startsWith(`${ACTION.form}-`)) return this.openForm(user, request);
    return this.exchange(user, request, `action:${triggerId}`);
  }

  /** A button that opens a form answers with the form: the member reads its label, and types next. */
  private async openForm(user: string, request: SlackRequest): Promise<BotMessage[]> {
    const before = this.fake.views.length;
    const answered = await sendToSlackApp(this.url, SIGNING_SECRET, request);
    if (answered.status !== 200) throw new Error(`the Slack adapter answered ${answered.status} to ${request.kind}: ${answered.body}`);
    const until = Date.now() + 5_000;
    while (this.fake.views.length === before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    const view = this.fake.views[before]?.view;
    if (!view) throw new Error(`the form did not open; Web API calls:\n${this.fake.describeCalls()}`);
    this.openForms.set(user, view);
    const label = (view.blocks as { label?: { text?: string } }[]).map((b) => b.label?.text ?? "").join("\n");
    return [{ id: `modal:${view.id}`, text: label, buttons: [] }];
  }

  async inbox(memberId: string): Promise<BotMessage[]> {
    return this.views(accountOf(this.app, memberId, "slack")).map((v) => v.message);
  }

  async channel(channelId: string): Promise<BotMessage[]> {
    return this.fake.messagesIn(channelOf(this.app, channelId, "slack").externalId).map((m) => toView(m, this.sharedBytes).message);
  }

  settle(timeoutMs?: number): Promise<void> {
    return settleOutbox(this.app, this.deliveries, "slack", timeoutMs);
  }

  async stop(): Promise<void> {
    this.server.close();
    await this.adapter.stop();
    await this.deliveries.stop();
    await this.fake.close();
  }

  /** Sends a signed request and waits for the answer: posts in the DM (known by their delivery ids), or ephemeral ones. */
  private async exchange(user: string, request: SlackRequest, eventId: string): Promise<BotMessage[]> {
    const before = new Set(this.views(user).map((v) => v.message.id));
    const fresh = () => this.views(user).filter((v) => !before.has(v.message.id));
    const answered = await sendToSlackApp(this.url, SIGNING_SECRET, request);
    if (answered.status !== 200) throw new Error(`the Slack adapter answered ${answered.status} to ${request.kind}: ${answered.body}`);
    const answer = await waitForAnswer(this.app, "slack", eventId, () => `messages to ${user}:\n${describeMessages(fresh().map((v) => v.message))}\nWeb API calls:\n${this.fake.describeCalls()}`);
    const ids = new Set(answer.deliveryIds);
    const posted = fresh().filter((v) => v.deliveryId !== undefined && ids.has(v.deliveryId));
    if (posted.length) return posted.map((v) => v.message);
    return pickAnswer(fresh().map((v) => v.message), answer.cards, () => 1).map((p) => p.message);
  }

  /** The user's direct message with the bot and the ephemeral answers to them, in the order Slack got them. */
  private readonly sharedBytes = (fileId: string): Buffer | undefined => this.fake.sharedFiles().find((f) => f.id === fileId)?.bytes;

  private views(user: string): SlackView[] {
    const direct = this.fake.messagesIn(user).map((m) => toView(m, this.sharedBytes));
    const ephemeral = this.fake.ephemerals
      .filter((e) => e.user === user)
      .map((e): SlackView => ({ ts: e.messageTs, message: { id: `ephemeral:${e.messageTs}`, text: unescapeMrkdwn(e.text), buttons: buttonsOf(e.blocks) } }));
    return [...direct, ...ephemeral].sort((a, b) => compareTs(a.ts, b.ts));
  }
}

interface SlackButton {
  action_id: string;
  value: string;
  text: { text: string };
}

function buttonsIn(message: { blocks?: unknown[] | undefined }): SlackButton[] {
  return (message.blocks ?? []).flatMap((block) => {
    const { type, elements } = block as { type?: string; elements?: SlackButton[] };
    return type === "actions" ? (elements ?? []) : [];
  });
}

/** The command buttons, and those that open a command's form; Add note (a modal of its own) is left out. */
function buttonsOf(blocks: unknown[] | undefined): Button[] {
  return buttonsIn({ blocks })
    .filter((b) => b.action_id.startsWith(`${ACTION.choice}-`) || b.action_id.startsWith(`${ACTION.form}-`))
    .map((b) => ({ label: b.text.text, command: b.value }));
}

/** A message as the member reads it; `sharedBytes` finds the content of a file it shares. */
function toView(message: FakeSlackMessage, sharedBytes: (fileId: string) => Buffer | undefined): SlackView {
  const shared = message.files?.[0];
  const payload = (message.metadata as { event_type?: string; event_payload?: { delivery_id?: unknown } } | undefined)?.event_payload;
  return {
    ts: message.ts,
    deliveryId: typeof payload?.delivery_id === "number" ? payload.delivery_id : undefined,
    message: { id: `${message.channel}:${message.ts}`, text: unescapeMrkdwn(message.text), buttons: buttonsOf(message.blocks), ...(shared ? { file: shared.name, fileBytes: sharedBytes(shared.id) } : {}) },
  };
}

/** Slack timestamps are "seconds.micros" with six digits of micros. */
function compareTs(a: string, b: string): number {
  const [as, am = "0"] = a.split(".");
  const [bs, bm = "0"] = b.split(".");
  return Number(as) - Number(bs) || Number(am) - Number(bm);
}
