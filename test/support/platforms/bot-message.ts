import type { Card } from "../../../core/messages/card.js";

/** A button, or an option the member can pick, as the platform showed it. */
export interface Button {
  /** What the member reads on it (for numbered options, the words after the number). */
  label: string;
  /**
   * What pressing it sends the core: a command (`/ack HL-…`) or a dialog option's id (`fault`).
   * Undefined where the platform shows an option without its id and the harness could not tell it
   * (the terminal's options outside the report dialog): press it by its label.
   */
  command: string | undefined;
}

/** One message the bot sent, as the member reads it on the platform. */
export interface BotMessage {
  /** The platform's identity of the message (chat and message id, Slack ts, WeCom msgid…): stable across edits. */
  id: string;
  /** Plain text as shown: markup parsed or unescaped, numbered options and button lines taken out into `buttons`. */
  text: string;
  buttons: Button[];
  /** The file it carries, by name (the ticket's form, a day's record); its text is then the caption. */
  file?: string | undefined;
  /** The file's content, as the platform keeps it. */
  fileBytes?: Buffer | undefined;
}

/** The bot's answer to what a member typed or pressed. */
export interface Reply {
  /** The texts of `messages`, one after another. */
  text: string;
  /** Every button and option the answer offered, in order. */
  buttons: Button[];
  messages: BotMessage[];
}

export function replyOf(messages: BotMessage[]): Reply {
  return { text: messages.map((m) => m.text).join("\n"), buttons: messages.flatMap((m) => m.buttons), messages };
}

const normalised = (text: string) => text.replace(/\s+/g, " ").trim();

/** The first words a card shows (its title, else its first line), to recognise the card among a chat's messages. */
export function headOf(card: Card): string {
  return normalised([card.title ?? "", ...card.lines].find((line) => line.trim() !== "") ?? "");
}

/** Whether a message shows the start of `card`: every renderer puts the title or first line first. */
export function showsCard(message: BotMessage, card: Card): boolean {
  const head = headOf(card);
  return head !== "" && normalised(message.text).includes(head);
}

/** Messages as lines for a failure message: what did arrive. */
export function describeMessages(messages: readonly BotMessage[]): string {
  if (messages.length === 0) return "  (nothing)";
  return messages
    .map((m, i) => {
      const text = m.text.length > 1000 ? `${m.text.slice(0, 999)}…` : m.text;
      const buttons = m.buttons.length ? `\n     buttons: ${m.buttons.map((b) => `[${b.label}${b.command ? ` → ${b.command}` : ""}]`).join(" ")}` : "";
      return `  ${i + 1}. ${text.replace(/\n/g, "\n     ")}${buttons}`;
    })
    .join("\n");
}
