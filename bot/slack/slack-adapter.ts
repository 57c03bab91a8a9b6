import {
  App as BoltApp,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
  type AllMiddlewareArgs,
  type BlockAction,
  type ButtonAction,
  type SlackActionMiddlewareArgs,
  type UsersSelectAction,
} from "@slack/bolt";
import type { MessageMetadata } from "@slack/types";
import type { ChatPostMessageArguments, ConversationsHistoryResponse, WebClient } from "@slack/web-api";
import { z } from "zod";
import type { InboundEvent } from "../../core/conversation/handle-inbound.js";
import { liveViewCard } from "../../core/escalation/escalation-notices.js";
import type { Recipient } from "../../core/escalation/notification.js";
import type { Card } from "../../core/messages/card.js";
import { t } from "../../core/messages/catalog.js";
import { truncate } from "../../core/messages/truncate.js";
import { formFor } from "../../core/conversation/commands.js";
import type { AttachmentRef } from "../../core/tickets/ticket.js";
import { PermanentDeliveryError, type OutboundFile, type OutboundMessage, type Refresher, type Sender } from "../../jobs/delivery-queue.js";
import { InboundQueue } from "../../jobs/inbound-queue.js";
import type { AdapterDeps, LiveViews } from "../adapter-deps.js";
import { ConfigError } from "../config/env.js";
import { handleAndReply } from "../inbound.js";
import type { RouteHandler } from "../http/server.js";
import type { Logger } from "../logger.js";
import { ACTION, escapeMrkdwn, renderCaptionForSlack, renderForSlack, slackMentionPolicy, unescapeMrkdwn, type SlackMessage, type SlackRenderOptions } from "./render-slack.js";
import { commandFromWords, commandInDirectMessage } from "./slack-commands.js";
import { permanentIfHopeless, platformError } from "./slack-errors.js";
import { BUTTON, COMMAND, DIRECT_MESSAGE, FORM_METADATA, FORM_SUBMISSION, MENTION, PICK, PRESS, type Press } from "./slack-payloads.js";
import { AcknowledgingReceiver, httpReceiver, requestId, socketModeReceiver, verifiedRoute } from "./slack-requests.js";
import { SlackTeamSpaces } from "./slack-team-spaces.js";

export interface SlackOptions {
  token: string;
  /** Requests arrive over HTTP, signed with this (required unless appToken is given). */
  signingSecret?: string | undefined;
  /** App-level token (xapp-…): requests arrive over a Socket Mode WebSocket instead of HTTP. */
  appToken?: string | undefined;
  /** The Web API root, e.g. `https://slack.com/api/` (tests point it at a fake). */
  apiUrl: string;
  /** Called when a handled request produced messages for others (the outbox). */
  onNotifications?: () => void;
  /** Web API retries (429 after Retry-After, 5xx, network); tests make them quick. */
  retryConfig?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
  log: Logger;
}

/** Events, interactivity and the `/hotline` slash command all arrive here (Request URL of each). */
export const SLACK_EVENTS_PATH = "/slack/events";
export const SLASH_COMMAND = "/hotline";
const FORM_MODAL = "form";
/** Slack: a modal's title holds 24 characters, an input's label 2,000. */
const MODAL_TITLE_MAX = 24;
const INPUT_LABEL_MAX = 2000;

/** Message metadata naming the delivery a post carries, so a resend can find it (https://docs.slack.dev/messaging/message-metadata). */
const DELIVERY_EVENT = "hotline_delivery";
/**
 * How far back a resend looks for its own post, and how many posts: conversations.history answers
 * at most 999 a page and Slack recommends 200 or fewer. A post older or further back is sent again:
 * a duplicate beats a lost message.
 */
const DELIVERED_LOOKBACK_S = 24 * 60 * 60;
const DELIVERED_HISTORY_LIMIT = 100;

type HistoryMessage = NonNullable<ConversationsHistoryResponse["messages"]>[number];

/** Where replies to an inbound request go; plain data, since it waits in Redis with the request. */
type ReplyTarget =
  | { kind: "channel"; channel: string }
  | { kind: "ephemeral"; channel: string; user: string }
  | { kind: "respond"; responseUrl: string; channel: string };

/** A request between Slack's answer and its handling; its reply target travels as the event's `replyAddress`. */
interface SlackInbound {
  event: InboundEvent;
}

/**
 * The Slack adapter on Bolt: verifies and acknowledges requests at once (Slack waits 3 seconds),
 * turns them into core events handled exactly once, and renders core cards as Block Kit. Ticket
 * messages in channels are live views, edited as the ticket changes; complaint teams get a channel.
 */
export class SlackAdapter {
  readonly bolt: BoltApp;
  private readonly receiver: AcknowledgingReceiver;
  /** The bot's own user, from auth.test: a resend trusts only its own posts' metadata. */
  private botUserId: string | undefined;
  private readonly views: LiveViews;
  private readonly log: Logger;
  private readonly teamSpaces: SlackTeamSpaces;
  private readonly inbound: InboundQueue<SlackInbound>;
  /** Bolt is initialised and the queue runs: requests can be taken. */
  private started = false;

  constructor(
    private readonly deps: AdapterDeps,
    private readonly options: SlackOptions,
  ) {
    this.log = options.log.child({ module: "slack" });
    this.views = deps.liveViews("slack");
    this.teamSpaces = new SlackTeamSpaces({ deps, views: this.views, client: () => this.client, renderer: () => this.renderer(), log: this.log });
    this.inbound = new InboundQueue("inbound-slack", (job) => this.process(job), { store: deps.inboundRequests, orderKeyOf: senderOf, log: this.log });
    this.receiver = new AcknowledgingReceiver(receiverFor(options, this.log), this.log);
    this.bolt = new BoltApp({
      token: options.token,
      receiver: this.receiver,
      deferInitialization: true,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: options.apiUrl, retryConfig: options.retryConfig ?? { retries: 5, factor: 2 } },
    });
    this.listen();
  }

  private get client(): WebClient {
    return this.bolt.client;
  }

  /** Checks the token (auth.test) and starts taking requests. */
  async start(): Promise<void> {
    try {
      const auth = await this.client.auth.test();
      this.botUserId = auth.user_id;
      await this.bolt.init();
      this.inbound.start();
      this.started = true;
      if (this.receiver.inner instanceof SocketModeReceiver) {
        await this.receiver.start();
        this.log.info({ bot: auth.user, team: auth.team }, "Slack: receiving over Socket Mode");
      } else {
        this.log.info({ bot: auth.user, team: auth.team }, `Slack: receiving at POST ${SLACK_EVENTS_PATH}`);
      }
    } catch (error) {
      if (platformError(error) === "invalid_auth" || platformError(error) === "not_authed") {
        throw new ConfigError("SLACK_BOT_TOKEN: Slack refused the token (invalid_auth); copy the Bot User OAuth Token (xoxb-…) again.");
      }
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.receiver.inner instanceof SocketModeReceiver) await this.receiver.stop();
    await this.inbound.close();
    await this.teamSpaces.settled();
  }

  routes(): Record<string, RouteHandler> {
    const receiver = this.receiver.inner;
    if (!(receiver instanceof HTTPReceiver) || !this.options.signingSecret) return {};
    return { [`POST ${SLACK_EVENTS_PATH}`]: verifiedRoute(receiver, this.options.signingSecret, this.log, () => this.started) };
  }

  /**
   * The bytes of a file a reporter shared (tickets keep its Slack id): files.info for its private
   * URL, then a download with the bot token, which that URL requires (scope files:read). `signal`
   * gives up the download; files.info runs to its end, as the WebClient takes no signal.
   */
  async downloadFile(fileId: string, signal?: AbortSignal): Promise<Buffer> {
    const { file } = await this.client.files.info({ file: fileId });
    const url = file?.url_private_download ?? file?.url_private;
    if (!url) throw new Error(`Slack has no download URL for file ${fileId}`);
    if (!this.isSlackHost(url)) throw new Error(`downloading Slack file ${fileId}: its URL is not on Slack (${new URL(url).host}); the bot token is not sent there`);
    const response = await fetch(url, { headers: { authorization: `Bearer ${this.options.token}` }, signal: signal ?? null });
    if (!response.ok) throw new Error(`downloading Slack file ${fileId}: HTTP ${response.status}`);
    // A request Slack does not accept the token of gets its sign-in page, with a 200: the bytes
    // would be that page. An HTML file shared as such is the one HTML answer that is the file.
    const isPage = response.headers.get("content-type")?.startsWith("text/html") && file?.mimetype !== "text/html";
    if (isPage) throw new Error(`downloading Slack file ${fileId}: Slack answered its sign-in page, not the file (check the bot token and the files:read scope)`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** The bot token goes only to Slack's own hosts (files.slack.com), or the Web API's host when it is set elsewhere (a proxy). */
  private isSlackHost(url: string): boolean {
    const { protocol, hostname } = new URL(url);
    const apiHost = new URL(this.options.apiUrl).hostname;
    return hostname === apiHost || (protocol === "https:" && (hostname === "slack.com" || hostname.endsWith(".slack.com")));
  }

  // ---- receiving ----

  private listen(): void {
    this.bolt.event("app_mention", async ({ event, body }) => {
      const mention = this.valid(MENTION, { ...event, event_id: body.event_id }, body);
      if (!mention?.user) return;
      const text = mention.text.replace(/<@[A-Z0-9]+>/g, "").trim();
      await this.handle({ eventId: mention.event_id, user: mention.user, channel: mention.channel, text: commandFromWords(text) }, { kind: "ephemeral", channel: mention.channel, user: mention.user });
    });
    this.bolt.message(async ({ message, body }) => {
      // Direct messages only, from people (not edits, joins or bots): the report dialog runs here.
      // A message with files (`file_share`) brings them, with its text (`attach HL-…`) if any.
      if (message.channel_type !== "im" || (message.subtype !== undefined && message.subtype !== "file_share") || !("user" in message) || !message.user) return;
      const dm = this.valid(DIRECT_MESSAGE, { ...message, event_id: (body as { event_id?: unknown }).event_id }, body);
      if (!dm) return;
      const attachments = dm.files?.map(attachmentOf);
      await this.handle({ eventId: dm.event_id, user: dm.user, channel: dm.channel, text: commandInDirectMessage(dm.text ?? ""), attachments }, { kind: "channel", channel: dm.channel });
    });
    this.bolt.command(SLASH_COMMAND, async ({ command: raw, ack, body }) => {
      await ack();
      const command = this.valid(COMMAND, raw, body);
      if (!command) return;
      const target: ReplyTarget = { kind: "respond", responseUrl: command.response_url, channel: command.channel_id };
      await this.handle({ eventId: `command:${command.trigger_id}`, user: command.user_id, channel: command.channel_id, text: commandFromWords(command.text) }, target);
    });
    this.bolt.action({ type: "block_actions", action_id: new RegExp(`^${ACTION.choice}-\\d+$`) }, (args) => this.onButton(args as ButtonArgs));
    this.bolt.action({ type: "block_actions", action_id: ACTION.note }, (args) => this.onFormButton(args as ButtonArgs));
    this.bolt.action({ type: "block_actions", action_id: new RegExp(`^${ACTION.form}-\\d+$`) }, (args) => this.onFormButton(args as ButtonArgs));
    this.bolt.view(FORM_MODAL, async ({ ack, view, body }) => {
      await ack();
      const submitted = this.valid(FORM_SUBMISSION, { ...view, user: body.user }, body);
      const metadata = submitted && this.valid(FORM_METADATA, parseJson(submitted.private_metadata), body);
      const text = submitted?.state.values.form?.text?.value?.trim();
      if (!submitted || !metadata || !text) return;
      const { command, channel } = metadata;
      await this.handle({ eventId: `view:${submitted.id}:${submitted.hash}`, user: submitted.user.id, channel, text: `${command} ${text}` }, { kind: "ephemeral", channel, user: submitted.user.id });
    });
    this.bolt.action({ type: "block_actions", action_id: ACTION.pick }, (args) => this.onPicked(args as PickerArgs));
    this.bolt.error(async (error) => this.log.error({ err: error }, "request failed"));
  }

  /** Outside input as a listener needs it; anything else is logged by its request's ids and dropped (it is acknowledged). */
  private valid<T>(schema: z.ZodType<T>, input: unknown, body: unknown): T | undefined {
    const parsed = schema.safeParse(input);
    if (parsed.success) return parsed.data;
    this.log.warn({ request: requestId(body), fields: parsed.error.issues.map((issue) => issue.path.join(".")) }, "Slack: dropped a request with unexpected fields");
    return undefined;
  }

  private replyTargetOf(press: Press): ReplyTarget {
    const channel = press.channel?.id ?? press.user.id;
    return press.channel?.name === "directmessage" || channel.startsWith("D") ? { kind: "channel", channel } : { kind: "ephemeral", channel, user: press.user.id };
  }

  private async onButton({ ack, body, action }: ButtonArgs): Promise<void> {
    await ack();
    const press = this.valid(PRESS, body, body);
    const button = this.valid(BUTTON, action, body);
    if (!press || !button) return;
    const target = this.replyTargetOf(press);
    const isDialogChoice = !button.value?.startsWith("/");
    if (isDialogChoice && press.message && press.channel) void this.markChosen(press.channel.id, press.message, labelOf(press.message, button));
    await this.handle({ eventId: `action:${press.trigger_id}`, user: press.user.id, channel: target.channel, choice: button.value }, target);
  }

  /**
   * A button whose command needs text (a note, a resolution's result) opens a form for it, within
   * the 3 seconds a trigger id lives; the submission runs the command with the text. The Add-note
   * button carries only the ticket.
   */
  private async onFormButton({ ack, body, action }: ButtonArgs): Promise<void> {
    await ack();
    const press = this.valid(PRESS, body, body);
    const button = this.valid(BUTTON.extend({ value: z.string().min(1) }), action, body);
    if (!press || !button) return;
    const command = action.action_id === ACTION.note ? `/note ${button.value}` : button.value;
    const member = await this.deps.directory.findMemberByIdentity("slack", press.user.id);
    const form = member && (await this.deps.formToOpen(member, command));
    if (!member || !form) {
      // Refused (or a stranger): the press runs as the command, whose answer says why.
      const target = this.replyTargetOf(press);
      await this.handle({ eventId: `action:${press.trigger_id}`, user: press.user.id, channel: target.channel, choice: command }, target);
      return;
    }
    const locale = member.locale ?? this.deps.defaultLocale;
    const title = (action as { text?: { text?: string } }).text?.text ?? command;
    await this.client.views.open({
      trigger_id: press.trigger_id,
      view: {
        type: "modal",
        callback_id: FORM_MODAL,
        private_metadata: JSON.stringify({ command, channel: press.channel?.id ?? press.user.id }),
        title: { type: "plain_text", text: truncate(title, MODAL_TITLE_MAX) },
        submit: { type: "plain_text", text: t(locale, "slack.form_submit") },
        blocks: [
          {
            type: "input",
            block_id: "form",
            label: { type: "plain_text", text: truncate(t(locale, form.ask, { number: form.number }), INPUT_LABEL_MAX) },
            element: { type: "plain_text_input", action_id: "text", multiline: true },
          },
        ],
      },
    });
  }

  /** A member picked for a team seat: the picker's block id is the command the member completes. */
  private async onPicked({ ack, body, action }: PickerArgs): Promise<void> {
    await ack();
    const press = this.valid(PRESS, body, body);
    const pick = this.valid(PICK, action, body);
    if (!press || !pick) return;
    const target = this.replyTargetOf(press);
    const picked = await this.deps.directory.findMemberByIdentity("slack", pick.selected_user);
    const text = picked ? `${pick.block_id} ${picked.id}` : `${pick.block_id} slack:${pick.selected_user}`;
    await this.handle({ eventId: `action:${press.trigger_id}`, user: press.user.id, channel: target.channel, choice: text }, target);
  }

  /**
   * Shows the chosen answer under a dialog question and drops its buttons, as a record. The text is
   * the pressed message's as the payload carries it: read as typed and escaped again, so it cannot
   * bring a mention or a link of its own.
   */
  private async markChosen(channel: string, message: { ts: string; text?: string | undefined }, label: string): Promise<void> {
    const text = `${escapeMrkdwn(unescapeMrkdwn(message.text ?? ""))}\n→ ${escapeMrkdwn(label)}`;
    await this.client.chat
      .update({ channel, ts: message.ts, text, blocks: [] })
      .catch((error: unknown) => this.log.debug({ err: error }, "could not mark the chosen answer"));
  }

  /** Queues the request: Slack gets its answer now, the work happens in order after. */
  private async handle(
    input: { eventId: string; user: string; channel: string; text?: string; choice?: string | undefined; attachments?: AttachmentRef[] | undefined },
    target: ReplyTarget,
  ): Promise<void> {
    const event: InboundEvent = {
      platform: "slack",
      eventId: input.eventId,
      senderId: input.user,
      conversation: `slack:${input.channel}`,
      replyAddress: JSON.stringify(target),
      seenByOthers: false, // replies are direct messages, ephemeral, or the command's own answer: only the sender reads them
      ...(input.text === undefined ? {} : { text: input.text }),
      ...(input.choice === undefined ? {} : { choice: input.choice }),
      ...(input.attachments?.length ? { attachments: input.attachments } : {}),
    };
    await this.inbound.add({ event });
  }

  private async process({ event }: SlackInbound): Promise<void> {
    await handleAndReply(this.deps, event, { send: this.send, log: this.log, onNotifications: this.options.onNotifications });
  }

  private async sendReply(target: ReplyTarget, message: SlackMessage): Promise<void> {
    switch (target.kind) {
      case "channel":
        await this.client.chat.postMessage({ channel: target.channel, ...message });
        return;
      case "ephemeral":
        await this.client.chat.postEphemeral({ channel: target.channel, user: target.user, ...message });
        return;
      case "respond": {
        // The response URL Slack gave the command: valid 30 minutes, only the sender sees the answer.
        const response = await fetch(target.responseUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ response_type: "ephemeral", ...message }) });
        if (!response.ok) throw new Error(`response_url answered HTTP ${response.status}`);
      }
    }
  }

  /**
   * Cards as Block Kit, with the directory as it is now. A department lead is mentioned by the
   * department's user group when the organisation file names one, anyone else by their Slack id.
   */
  private async renderer(): Promise<(card: Card) => SlackMessage> {
    const mentionOf = await this.mentions();
    const noteLabel = t(this.deps.defaultLocale, "slack.note_button");
    return (card) => renderForSlack(card, { mentionOf, noteLabel, needsForm: (command) => formFor(command) !== undefined });
  }

  /** A member's mention as cards write it, with the directory as it is now. */
  private async mentions(): Promise<SlackRenderOptions["mentionOf"]> {
    return slackMentionPolicy(await this.deps.directory.listMembers(), this.deps.org);
  }

  // ---- sending (the delivery queue calls these) ----

  /**
   * Delivers a message: a reply where the request came from, a direct message, a channel post, or a
   * post in a team's channel. A post carries its delivery's id as metadata; a resend after an
   * attempt that may have reached Slack first looks for that post, so a crash between Slack's answer
   * and the record does not post twice. Ephemeral answers and a command's response URL leave no
   * trace to look for: those are sent again.
   */
  readonly send: Sender = async (outbound) => {
    if (outbound.file) return this.sendFile(outbound, outbound.file);
    const { recipient } = outbound;
    const card = await this.asItStandsNow(outbound);
    const message = (await this.renderer())(card);
    const metadata = deliveryMetadata(outbound.deliveryId);
    try {
      if (recipient.kind === "reply") {
        const target = JSON.parse(recipient.address) as ReplyTarget;
        if (target.kind !== "channel") return await this.sendReply(target, message);
        await this.postOnce(target.channel, { ...message, ...metadata }, outbound);
        return;
      }
      if (recipient.kind === "team") return await this.postToTeam(recipient, { ...message, ...metadata }, { ...outbound, card });
      if (!recipient.address) throw new PermanentDeliveryError(`no Slack account for ${recipient.name}`);
      const posted = await this.postOnce(recipient.address, { ...message, ...metadata }, outbound);
      if (outbound.view && outbound.ticketId !== null && posted) {
        await this.views.recordPosted(outbound.ticketId, { address: posted.channel, messageId: posted.ts, view: outbound.view });
        await this.catchUp({ ...outbound, card });
      }
    } catch (error) {
      throw permanentIfHopeless(error);
    }
  };

  /**
   * Shares a file with its card as the comment (files.getUploadURLExternal, the upload, then
   * files.completeUploadExternal, which Bolt's `filesUploadV2` makes): in a member's DM, a channel,
   * or a team's channel or thread. A file share carries no metadata, so a resend after an attempt
   * that may have arrived looks for a file of the same name the bot shared in the conversation in
   * the last day; in a team's thread it does not look (thread replies are not in the history), and
   * the file may be shared twice there after a crash.
   */
  private async sendFile(outbound: OutboundMessage, file: OutboundFile): Promise<void> {
    const caption = renderCaptionForSlack(outbound.card, { mentionOf: await this.mentions() });
    try {
      const place = await this.fileDestination(outbound);
      const shared = outbound.mayHaveArrived && !place.threadTs ? await this.locateFileShared(place.channel, file.name, outbound.deliveryId) : undefined;
      if (shared) {
        this.log.info({ delivery: outbound.deliveryId, channel: place.channel }, "Slack: the file had been shared; not sharing it again");
        return;
      }
      await this.client.filesUploadV2({
        file: Buffer.from(file.bytes),
        filename: file.name,
        initial_comment: caption,
        ...(place.threadTs ? { channel_id: place.channel, thread_ts: place.threadTs } : { channel_id: place.channel }),
      });
    } catch (error) {
      throw permanentIfHopeless(error);
    }
  }

  /**
   * Where a file goes, as a conversation id (completeUploadExternal takes no user id): a member's
   * DM, a channel, a team's space, the channel a request came from. A command's response URL and
   * an ephemeral answer take no files: the file goes to the asker's DM, seen by them alone as well.
   */
  private async fileDestination({ recipient }: OutboundMessage): Promise<{ channel: string; threadTs?: string | undefined }> {
    if (recipient.kind === "team") {
      const ticket = await this.deps.tickets.findByNumber(recipient.ticketNumber);
      if (!ticket) throw new PermanentDeliveryError(`no ticket ${recipient.ticketNumber}`);
      const space = await this.teamSpaces.spaceFor(ticket, recipient.address);
      return { channel: space.address, threadTs: space.threadId ?? undefined };
    }
    if (recipient.kind === "reply") {
      const target = JSON.parse(recipient.address) as ReplyTarget;
      if (target.kind === "channel") return { channel: await this.conversationOf(target.channel) };
      if (target.kind === "ephemeral") return { channel: await this.conversationOf(target.user) };
      throw new PermanentDeliveryError("a Slack command's response URL takes no files, and it names no one to send the file to instead");
    }
    if (!recipient.address) throw new PermanentDeliveryError(`no Slack account for ${recipient.name}`);
    return { channel: await this.conversationOf(recipient.address) };
  }

  /** A file of this name the bot shared in the conversation's recent history (as locateDelivered looks for a post). */
  private locateFileShared(channel: string, name: string, deliveryId: number | null): Promise<{ channel: string; ts: string } | undefined> {
    return this.findRecentPost(channel, deliveryId, (m) => (m.files ?? []).some((f) => f.name === name));
  }

  /**
   * A live view as the ticket stands when it goes out. The outbox holds the card as it was when the
   * change was made, and a change made while the post waited (the rate limit, a retry) found no post
   * to edit: posted as queued, the message would show the older state until the next change.
   */
  private async asItStandsNow({ card, view, ticketId }: OutboundMessage): Promise<Card> {
    if (!view || ticketId === null) return card;
    const ticket = await this.deps.tickets.findById(ticketId);
    return ticket ? liveViewCard(ticket, view, await this.deps.cardContext(this.deps.defaultLocale)) : card;
  }

  /** A change made between drawing a live view and recording its post has no edit waiting for it: edit now. */
  private async catchUp(posted: OutboundMessage): Promise<void> {
    if (posted.ticketId === null) return;
    if (JSON.stringify(await this.asItStandsNow(posted)) !== JSON.stringify(posted.card)) await this.refresh(posted.ticketId);
  }

  /** Posts, unless an earlier attempt that may have arrived is found in the channel's history. */
  private async postOnce(channel: string, message: SlackMessage & { metadata?: MessageMetadata }, outbound: OutboundMessage) {
    const delivered = outbound.mayHaveArrived && outbound.deliveryId !== null ? await this.locateDelivered(channel, outbound.deliveryId) : undefined;
    if (delivered) this.log.info({ delivery: outbound.deliveryId, channel: delivered.channel }, "Slack: the delivery had arrived; not posting it again");
    return delivered ?? (await this.post({ channel, ...message }));
  }

  private async post(message: ChatPostMessageArguments): Promise<{ channel: string; ts: string } | undefined> {
    const posted = await this.client.chat.postMessage(message);
    return posted.ts && posted.channel ? { channel: posted.channel, ts: posted.ts } : undefined;
  }

  /**
   * The post of a delivery in a channel or a DM (a user id means the DM with them), if it is among
   * the conversation's recent posts: those of the last day, at most 100.
   */
  async findDelivered(channel: string, deliveryId: number): Promise<{ ts: string } | undefined> {
    const found = await this.locateDelivered(channel, deliveryId);
    return found && { ts: found.ts };
  }

  private async locateDelivered(address: string, deliveryId: number): Promise<{ channel: string; ts: string } | undefined> {
    return this.findRecentPost(
      address,
      deliveryId,
      (m) => m.metadata?.event_type === DELIVERY_EVENT && (m.metadata.event_payload as Record<string, unknown> | undefined)?.delivery_id === deliveryId,
    );
  }

  /**
   * The bot's first post that `matches` among the conversation's recent ones (the last day's, at
   * most 100); a user id means the DM with them.
   */
  private async findRecentPost(address: string, deliveryId: number | null, matches: (message: HistoryMessage) => boolean): Promise<{ channel: string; ts: string } | undefined> {
    try {
      const channel = await this.conversationOf(address);
      const history = await this.client.conversations.history({
        channel,
        include_all_metadata: true,
        limit: DELIVERED_HISTORY_LIMIT,
        oldest: String(Math.floor(Date.now() / 1000) - DELIVERED_LOOKBACK_S),
      });
      const post = history.messages?.find((m) => matches(m) && (this.botUserId === undefined || m.user === this.botUserId));
      return post?.ts ? { channel, ts: post.ts } : undefined;
    } catch (error) {
      const code = platformError(error);
      if (!code) throw error;
      // Without the history (a missing *:history scope, say) the message is sent again: a duplicate beats a loss.
      this.log.warn({ delivery: deliveryId, error: code }, "Slack: could not look for an earlier attempt's post; posting");
      return undefined;
    }
  }

  /** A conversation's id: a user id (U…, W…) stands for the DM with them, which conversations.history needs by its own id. */
  private async conversationOf(address: string): Promise<string> {
    if (!/^[UW][A-Z0-9]+$/.test(address)) return address;
    const opened = await this.client.conversations.open({ users: address });
    if (!opened.channel?.id) throw new Error("conversations.open returned no channel");
    return opened.channel.id;
  }

  /** Edits every live view of the ticket to show it as it is now. */
  readonly refresh: Refresher = async (ticketId) => {
    const ticket = await this.deps.tickets.findById(ticketId);
    if (!ticket) return;
    const ctx = await this.deps.cardContext(this.deps.defaultLocale);
    const render = await this.renderer();
    for (const posted of await this.views.postedFor(ticketId)) {
      try {
        await this.client.chat.update({ channel: posted.address, ts: posted.messageId, ...render(liveViewCard(ticket, posted.view, ctx)) });
      } catch (error) {
        throw permanentIfHopeless(error);
      }
    }
    await this.teamSpaces.invite(ticket);
  };

  private async postToTeam(recipient: Extract<Recipient, { kind: "team" }>, message: SlackMessage & { metadata?: MessageMetadata }, outbound: OutboundMessage): Promise<void> {
    const ticket = await this.deps.tickets.findByNumber(recipient.ticketNumber);
    if (!ticket) throw new PermanentDeliveryError(`no ticket ${recipient.ticketNumber}`);
    const space = await this.teamSpaces.spaceFor(ticket, recipient.address);
    // One roster per team: a second would go stale, the first is kept current.
    if (outbound.view === "team" && (await this.views.postedFor(ticket.id)).some((v) => v.view === "team")) return;
    const post: ChatPostMessageArguments = { channel: space.address, ...message, ...(space.threadId ? { thread_ts: space.threadId } : {}) };
    const posted = await this.client.chat.postMessage(post);
    if (outbound.view && posted.ts) {
      await this.views.recordPosted(ticket.id, { address: space.address, messageId: posted.ts, view: outbound.view });
      await this.catchUp(outbound);
    }
  }
}

/**
 * Over HTTP, a bad signature and a timestamp more than five minutes off get 401 (see slack-requests.ts);
 * over Socket Mode there is nothing to sign. Either way Slack has its answer once the listeners
 * return, and they return once the request is queued.
 */
function receiverFor(options: SlackOptions, log: Logger): HTTPReceiver | SocketModeReceiver {
  if (options.appToken) return socketModeReceiver({ appToken: options.appToken, apiUrl: options.apiUrl, log });
  if (!options.signingSecret) throw new ConfigError("SLACK_SIGNING_SECRET: required unless SLACK_APP_TOKEN is set (Socket Mode)");
  return httpReceiver({ signingSecret: options.signingSecret, endpoint: SLACK_EVENTS_PATH, log });
}

/** A sender's requests are handled in the order they arrived. */
const senderOf = ({ event }: SlackInbound) => `${event.platform}:${event.senderId}`;

/** A file shared in a direct message, as the ticket keeps it: its Slack id, an image as a photo. */
function attachmentOf(file: { id: string; name?: string | null | undefined; mimetype?: string | null | undefined }): AttachmentRef {
  return { platform: "slack", fileId: file.id, kind: file.mimetype?.startsWith("image/") ? "photo" : "document", name: file.name ?? undefined };
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type PickerArgs = SlackActionMiddlewareArgs<BlockAction<UsersSelectAction>> & AllMiddlewareArgs;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The metadata a delivery's post carries; none for a message sent outside the delivery queue. */
function deliveryMetadata(deliveryId: number | null): { metadata?: MessageMetadata } {
  return deliveryId === null ? {} : { metadata: { event_type: DELIVERY_EVENT, event_payload: { delivery_id: deliveryId } } };
}

/** The pressed button's label as the message shows it. */
function labelOf(message: { blocks?: unknown[] | undefined }, action: z.infer<typeof BUTTON>): string {
  const elements = (message.blocks ?? []).flatMap((block) => {
    const inner = typeof block === "object" && block !== null ? (block as { elements?: unknown }).elements : undefined;
    return Array.isArray(inner) ? (inner as unknown[]) : [];
  });
  const button = elements.find((e): e is { action_id: string; text?: { text?: unknown } } => typeof e === "object" && e !== null && (e as { action_id?: unknown }).action_id === action.action_id);
  const label = button?.text?.text;
  return typeof label === "string" ? label : (action.text?.text ?? String(action.value));
}
