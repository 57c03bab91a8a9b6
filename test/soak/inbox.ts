/**
 * What the bot sent, per chat, as the fake Bot API recorded it, with waits for "the next message in
 * this chat that matches". Texts are taken as first sent (a button press may edit a question later).
 */
import type { FakeBotApi, SentMessage } from "../fakes/telegram-bot-api.js";

export interface InboxMessage {
  chatId: number;
  messageId: number;
  text: string;
  /** Callback data of the inline buttons, in order. */
  buttons: string[];
  at: number;
  /** Position in the chat, from 0. */
  index: number;
}

interface Waiter {
  chatId: number;
  from: number;
  match: (message: InboxMessage) => boolean;
  resolve: (message: InboxMessage | undefined) => void;
  timer: NodeJS.Timeout;
}

const POLL_MS = 20;

export class Inbox {
  private seen = 0;
  private readonly chats = new Map<number, InboxMessage[]>();
  private readonly waiters = new Set<Waiter>();
  private readonly listeners: ((message: InboxMessage) => void)[] = [];
  private readonly poller: NodeJS.Timeout;

  constructor(private readonly fake: FakeBotApi) {
    this.poller = setInterval(() => this.sync(), POLL_MS);
  }

  /** Takes in what the fake recorded since the last call. */
  sync(): void {
    const sent = this.fake.allSent();
    for (const message of sent.slice(this.seen)) this.add(message);
    this.seen = sent.length;
  }

  /** How many messages a chat has had: a wait from here sees only later ones. */
  mark(chatId: number): number {
    this.sync();
    return this.chats.get(chatId)?.length ?? 0;
  }

  messages(chatId: number): readonly InboxMessage[] {
    return this.chats.get(chatId) ?? [];
  }

  chatIds(): number[] {
    return [...this.chats.keys()];
  }

  /** Every new message, in the order the fake got them. */
  onMessage(listener: (message: InboxMessage) => void): void {
    this.listeners.push(listener);
  }

  /** The first message in the chat from position `from` on that matches, or undefined after `timeoutMs`. */
  waitFor(chatId: number, from: number, match: (message: InboxMessage) => boolean, timeoutMs: number): Promise<InboxMessage | undefined> {
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

  private add(sent: SentMessage): void {
    const list = this.chats.get(sent.chatId) ?? [];
    this.chats.set(sent.chatId, list);
    const message: InboxMessage = {
      chatId: sent.chatId,
      messageId: sent.messageId,
      text: sent.versions[0] ?? sent.text,
      buttons: buttonsOf(sent.replyMarkup),
      at: Date.now(),
      index: list.length,
    };
    list.push(message);
    for (const listener of this.listeners) listener(message);
    for (const waiter of [...this.waiters]) {
      if (waiter.chatId === message.chatId && message.index >= waiter.from && waiter.match(message)) waiter.resolve(message);
    }
  }
}

function buttonsOf(markup: unknown): string[] {
  const keyboard = (markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard;
  return (keyboard ?? []).flat().flatMap((button) => (button.callback_data === undefined ? [] : [button.callback_data]));
}
