import { adapterDeps } from "../../../bot/adapter-deps.js";
import type { App } from "../../../bot/app.js";
import { renderForTelegram } from "../../../bot/telegram/render-telegram.js";
import { TelegramAdapter } from "../../../bot/telegram/telegram-adapter.js";
import type { DeliveryQueue } from "../../../jobs/delivery-queue.js";
import { FakeBotApi, type SentMessage } from "../../fakes/telegram-bot-api.js";
import { accountOf, channelOf, nameOf, settleOutbox, silent, startDeliveries, startInSteps } from "./adapter-rig.js";
import { pickAnswer, waitForAnswer } from "./answer-of-event.js";
import { describeMessages, type BotMessage, type Button } from "./bot-message.js";
import type { PlatformDriver } from "./platform-driver.js";

/** Members on Telegram: the real TelegramAdapter long-polling the fake Bot API; a member's inbox is their private chat with the bot. */
export class TelegramDriver implements PlatformDriver {
  private constructor(
    private readonly app: App,
    readonly fake: FakeBotApi,
    private readonly adapter: TelegramAdapter,
    private readonly deliveries: DeliveryQueue,
  ) {}

  static start(app: App, prefix: string): Promise<TelegramDriver> {
    return startInSteps(async (onFailure) => {
      const fake = await FakeBotApi.start();
      onFailure(() => fake.close());
      let deliveries: DeliveryQueue | undefined;
      const adapter = new TelegramAdapter(adapterDeps(app), { token: fake.token, apiRoot: fake.apiRoot, botInfo: fake.botInfo, onNotifications: () => deliveries?.kick(), log: silent });
      const queue = (deliveries = startDeliveries(app, "telegram", adapter.send, { prefix }));
      onFailure(() => queue.stop());
      await adapter.start();
      return new TelegramDriver(app, fake, adapter, queue);
    });
  }

  async say(memberId: string, text: string): Promise<BotMessage[]> {
    const user = this.userOf(memberId);
    return this.exchange(user.id, () => this.fake.pushUpdate(this.fake.textMessage({ from: user, text })).update_id);
  }

  async sendFile(memberId: string, name: string): Promise<BotMessage[]> {
    const user = this.userOf(memberId);
    return this.exchange(user.id, () => this.fake.pushUpdate(this.fake.documentMessage({ from: user, fileName: name })).update_id);
  }

  async press(memberId: string, message: BotMessage, button: Button): Promise<BotMessage[]> {
    const { chatId, messageId } = parseId(message.id);
    if (button.command === undefined) throw new Error(`the Telegram button "${button.label}" carries no callback data`);
    const data = button.command;
    return this.exchange(chatId, () => this.fake.pushUpdate(this.fake.callbackQuery({ from: this.userOf(memberId), message: { chatId, messageId }, data })).update_id);
  }

  async inbox(memberId: string): Promise<BotMessage[]> {
    return this.fake.sentTo(this.userOf(memberId).id).map((sent) => toMessage(sent, this.fake));
  }

  async channel(channelId: string): Promise<BotMessage[]> {
    return this.fake.sentTo(Number(channelOf(this.app, channelId, "telegram").externalId)).map((sent) => toMessage(sent, this.fake));
  }

  settle(timeoutMs?: number): Promise<void> {
    return settleOutbox(this.app, this.deliveries, "telegram", timeoutMs);
  }

  async stop(): Promise<void> {
    await this.adapter.stop();
    await this.deliveries.stop();
    await this.fake.close();
  }

  /** Sends an update and waits for the answer in `chatId`: the member's private chat, or the group pressed in. */
  private async exchange(chatId: number, send: () => number): Promise<BotMessage[]> {
    const from = this.fake.allSent().length;
    const fresh = () => this.fake.allSent().slice(from).filter((m) => m.chatId === chatId && !m.deleted).map((sent) => toMessage(sent, this.fake));
    const updateId = send();
    const answer = await waitForAnswer(this.app, "telegram", String(updateId), () => `messages in chat ${chatId}:\n${describeMessages(fresh())}\nBot API calls:\n${this.fake.describeCalls()}`);
    return pickAnswer(fresh(), answer.cards, (card) => renderForTelegram(card, { telegramIdOf: () => undefined }).length).map((p) => p.message);
  }

  private userOf(memberId: string) {
    return { id: Number(accountOf(this.app, memberId, "telegram")), first_name: nameOf(this.app, memberId) };
  }
}

function toMessage(sent: SentMessage, fake: FakeBotApi): BotMessage {
  const keyboard = (sent.replyMarkup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  const document = sent.kind === "document" ? sent.message.document : undefined;
  const file = document?.file_name ? { file: document.file_name, fileBytes: fake.fileData(document.file_id) } : {};
  return { id: `${sent.chatId}:${sent.messageId}`, text: sent.text, buttons: keyboard.flat().map((b) => ({ label: b.text, command: b.callback_data })), ...file };
}

function parseId(id: string): { chatId: number; messageId: number } {
  const [chatId, messageId] = id.split(":").map(Number);
  return { chatId: chatId!, messageId: messageId! };
}
