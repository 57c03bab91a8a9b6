/**
 * What the bot sent, per chat, as a fake platform recorded it, with waits for "the next message in
 * this chat that matches". Texts are taken as first sent (a button press may edit a question, and
 * a live ticket board is edited as the ticket changes).
 */
import { unescapeMrkdwn } from "../../bot/slack/render-slack.js";
import type { FakeSlackApi, FakeSlackMessage } from "../fakes/slack-web-api.js";
import type { FakeBotApi, SentMessage } from "../fakes/telegram-bot-api.js";
import type { AppMessage, FakeWecomApi } from "../fakes/wecom-api.js";

export type Platform = "telegram" | "slack" | "wecom";

export interface InboxMessage {
  platform: Platform;
  /** Telegram's chat id, Slack's channel id (D… for a direct message), or WeCom's userid. */
  chatId: number | string;
  /** Telegram's message_id, Slack's ts, or WeCom's msgid. */
  messageId: number | string;
  text: string;
  /** The buttons' callback data (Telegram) or values (Slack), in order. */
  buttons: string[];
  /** Slack's action_id of each button, beside `buttons`. */
  actionIds?: string[];
  at: number;
  /** Position in the chat, from 0. */
  index: number;
}

/** A message as a fake has it, before the inbox numbers it. */
export type RawMessage = Omit<InboxMessage, "at" | "index" | "platform">;

/** Each call returns what the fake recorded since the previous call, in order within each chat. */
export type Pull = () => RawMessage[];

interface Waiter {
  chatId: number | string;
  from: number;
  match: (message: InboxMessage) => boolean;
  resolve: (message: InboxMessage | undefined) => void;
  timer: NodeJS.Timeout;
}

const POLL_MS = 20;

export class Inbox {
  private readonly chats = new Map<number | string, InboxMessage[]>();
  private readonly waiters = new Set<Waiter>();
  private readonly listeners: ((message: InboxMessage) => void)[] = [];
  private readonly poller: NodeJS.Timeout;

  constructor(
    readonly platform: Platform,
    private readonly pull: Pull,
  ) {
    this.poller = setInterval(() => this.sync(), POLL_MS);
  }

  /** Takes in what the fake recorded since the last call. */
  sync(): void {
    for (const message of this.pull()) this.add(message);
  }

  /** How many messages a chat has had: a wait from here sees only later ones. */
  mark(chatId: number | string): number {
    this.sync();
    return this.chats.get(chatId)?.length ?? 0;
  }

  messages(chatId: number | string): readonly InboxMessage[] {
    return this.chats.get(chatId) ?? [];
  }

  chatIds(): (number | string)[] {
    return [...this.chats.keys()];
  }

  /** Every new message, in the order the fake got them. */
  onMessage(listener: (message: InboxMessage) => void): void {
    this.listeners.push(listener);
  }

  /** The first message in the chat from position `from` on that matches, or undefined after `timeoutMs`. */
  waitFor(chatId: number | string, from: number, match: (message: InboxMessage) => boolean, timeoutMs: number): Promise<InboxMessage | undefined> {
    const found = this.messages(chatId).slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        chatId,
        from,
        match,
        resolve: (message) => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          resolve(message);
        },
        timer: setTimeout(() => waiter.resolve(undefined), timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  close(): void {
    clearInterval(this.poller);
    for (const waiter of [...this.waiters]) waiter.resolve(undefined);
  }

  private add(raw: RawMessage): void {
    const list = this.chats.get(raw.chatId) ?? [];
    this.chats.set(raw.chatId, list);
    const message: InboxMessage = { ...raw, platform: this.platform, at: Date.now(), index: list.length };
    list.push(message);
    for (const listener of this.listeners) listener(message);
    for (const waiter of [...this.waiters]) {
      if (waiter.chatId === message.chatId && message.index >= waiter.from && waiter.match(message)) waiter.resolve(message);
    }
  }
}

/** Everything the fake Bot API sent, in sending order. */
export function telegramInbox(fake: FakeBotApi): Inbox {
  let seen = 0;
  return new Inbox("telegram", () => {
    const sent = fake.allSent();
    const fresh = sent.slice(seen);
    seen = sent.length;
    return fresh.map((message: SentMessage) => ({
      chatId: message.chatId,
      messageId: message.messageId,
      text: message.versions[0] ?? message.text,
      buttons: telegramButtons(message.replyMarkup),
    }));
  });
}

function telegramButtons(markup: unknown): string[] {
  const keyboard = (markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard;
  return (keyboard ?? []).flat().flatMap((button) => (button.callback_data === undefined ? [] : [button.callback_data]));
}

/** What the fake Slack API got posted in `channels` (and any channel the bot created), per channel. */
export function slackInbox(fake: FakeSlackApi, channels: readonly string[]): Inbox {
  const seen = new Map<string, number>();
  return new Inbox("slack", () => {
    const ids = new Set([...channels, ...fake.channels().map((channel) => channel.id)]);
    return [...ids].flatMap((channel) => {
      const messages = fake.messagesIn(channel);
      const fresh = messages.slice(seen.get(channel) ?? 0);
      seen.set(channel, messages.length);
      return fresh.map((message: FakeSlackMessage) => {
        const buttons = slackButtons(message.versions[0]?.blocks ?? message.blocks);
        // Slack's text is mrkdwn with <, > and & escaped: read as people read it, as the outbox holds it.
        const text = unescapeMrkdwn(message.versions[0]?.text ?? message.text);
        return { chatId: channel, messageId: message.ts, text, buttons: buttons.map((b) => b.value), actionIds: buttons.map((b) => b.actionId) };
      });
    });
  });
}

function slackButtons(blocks: unknown[] | undefined): { value: string; actionId: string }[] {
  const elements = (blocks ?? []).flatMap((block) => ((block as { type?: string }).type === "actions" ? ((block as { elements?: { value?: string; action_id?: string }[] }).elements ?? []) : []));
  return elements.flatMap((element) => (element.value === undefined || element.action_id === undefined ? [] : [{ value: element.value, actionId: element.action_id }]));
}

/**
 * The app messages the fake WeCom API accepted for `userids`, per userid. The button card the
 * adapter sends after a text with commands is part of that text's message, not one of its own, and
 * a file is part of its caption's.
 */
export function wecomInbox(fake: FakeWecomApi, userids: readonly string[]): Inbox {
  let seen = 0;
  const wanted = new Set(userids);
  return new Inbox("wecom", () => {
    const sent = fake.appMessages();
    const fresh = sent.slice(seen);
    seen = sent.length;
    return fresh.flatMap((message: AppMessage) =>
      // A file comes after its caption, which is the text the outbox row is matched by.
      message.msgtype === "template_card" || message.msgtype === "file" ? [] : message.touser.filter((user) => wanted.has(user)).map((user) => ({ chatId: user, messageId: message.msgid, text: message.content, buttons: [] })),
    );
  });
}
