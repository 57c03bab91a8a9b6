import type { BotMessage, Button } from "./bot-message.js";

/**
 * What the scenario needs of a platform: a member typing and pressing as that platform delivers
 * it to the bot, and what the platform shows them and the escalation channels. Each driver runs
 * the real adapter (or the terminal chat) against the platform's fake.
 */
export interface PlatformDriver {
  /** Sends what a member typed; resolves with the bot's answer once it has been sent. */
  say(memberId: string, text: string): Promise<BotMessage[]>;
  /** Sends a file (a document named `name`) in the member's private chat, as the platform delivers one; resolves with the answer. */
  sendFile(memberId: string, name: string): Promise<BotMessage[]>;
  /** Presses a button the member was shown on `message` (in their inbox or a channel). */
  press(memberId: string, message: BotMessage, button: Button): Promise<BotMessage[]>;
  /** Every message the bot sent the member directly, in order, as they are now. */
  inbox(memberId: string): Promise<BotMessage[]>;
  /** The messages in an escalation channel of the organisation (by its id), as they are now. */
  channel(channelId: string): Promise<BotMessage[]>;
  /** Resolves once every message in the outbox for this platform went out (the terminal: was shown); `timeoutMs` for many under the platform's rate limit. */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}
