import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { App } from "../../../bot/app.js";
import { chatCommand } from "../../../bot/cli/chat-command.js";
import { OUTBOX_POLL_MS } from "../../../bot/cli/member-outbox.js";
import { renderCard } from "../../../bot/terminal/render-card.js";
import { pendingPrompt } from "../../../core/conversation/handle-message.js";
import type { Recipient } from "../../../core/escalation/notification.js";
import type { Card } from "../../../core/messages/card.js";
import type { BotMessage, Button } from "./bot-message.js";
import { startInSteps } from "./adapter-rig.js";
import type { PlatformDriver } from "./platform-driver.js";
import { DEFAULT_WAIT_MS, waitFor } from "./wait-for.js";

/** One block the terminal chat printed: each call of its `print` is one. */
interface Printed {
  kind: "banner" | "reply" | "delivered" | "queued" | "error";
  text: string;
  /** For a delivered message: its outbox row. */
  deliveryId?: number;
}

/** An option as the terminal prints it: numbered, or a typed answer's shortcut in brackets. */
interface ShownOption {
  label: string;
  number: number | undefined;
}

const BANNER = /^Hotline terminal chat as /;
const DELIVERED = /^→ to you.*\(delivery #(\d+)\):/;
const QUEUED = /^(— \d+ notification\(s\) queued|  → )/;
const OUTBOX_ERROR = /^\(could not read the outbox/;

function classify(text: string): Printed {
  const delivered = DELIVERED.exec(text);
  if (delivered) return { kind: "delivered", text, deliveryId: Number(delivered[1]) };
  if (BANNER.test(text)) return { kind: "banner", text };
  if (QUEUED.test(text)) return { kind: "queued", text };
  if (OUTBOX_ERROR.test(text)) return { kind: "error", text };
  return { kind: "reply", text };
}

/** A member at their terminal: the real `chatCommand`, in this process, reading lines from a stream. */
class TerminalChat {
  readonly input = new PassThrough();
  readonly printed: Printed[] = [];
  /** Where the scenario's part begins: after the chat started and its warm-up answer. */
  start = 0;
  /** The transcript's length when the member last typed: options printed before it no longer answer by number. */
  typedAt = 0;
  /** Ids of the options a printed question showed, by its position, as the dialog has them. */
  readonly optionIds = new Map<number, string[]>();
  failure: unknown;
  done: Promise<void> = Promise.resolve();

  constructor(readonly memberId: string) {}

  print(text: string): void {
    this.printed.push(classify(text));
  }

  type(line: string): void {
    this.typedAt = this.printed.length;
    this.input.write(`${line}\n`);
  }

  describe(from = this.start): string {
    const lines = this.printed.slice(from).map((p) => `  [${p.kind}] ${p.text.replace(/\n/g, "\n    ")}`);
    const failure = this.failure ? `\n  the chat ended with: ${String(this.failure)}` : "";
    return `${lines.join("\n") || "  (nothing)"}${failure}`;
  }
}

/**
 * Members at the terminal: one real `hotline chat --as <member>` each (chatCommand, in this process),
 * for every member, started before the scenario. Replies are what the chat prints to a line; the
 * inbox also has what its outbox reader prints as sent to the member on their own platform. Those
 * messages stay in the outbox (no adapter runs), as when no platform is configured.
 */
export class TerminalDriver implements PlatformDriver {
  /** Where the files members send are written, once one is. */
  private files: string | undefined;

  private constructor(
    private readonly app: App,
    private readonly chats: Map<string, TerminalChat>,
  ) {}

  /** Starts every member's chat on the scenario's database and organisation file, and waits until each reads its outbox. */
  static start(app: App, settings: { databaseUrl: string; orgFile: string }): Promise<TerminalDriver> {
    const driver = new TerminalDriver(app, new Map());
    return startInSteps(async (onFailure) => {
      onFailure(() => driver.stop());
      await driver.openChats(settings);
      return driver;
    });
  }

  /**
   * One after another: each chat opens its own app, which writes the organisation into the
   * database as it starts, and SQLite takes one writer at a time.
   */
  private async openChats(settings: { databaseUrl: string; orgFile: string }): Promise<void> {
    for (const { id } of this.app.org.members) {
      const chat = new TerminalChat(id);
      this.chats.set(id, chat);
      // chatCommand reads its settings from the environment, at once (before its first await).
      withEnvironment({ DATABASE_URL: settings.databaseUrl, ORG_CONFIG: settings.orgFile, LOG_LEVEL: "silent" }, () => {
        chat.done = chatCommand(id, { input: chat.input, print: (text) => chat.print(text) }).catch((error: unknown) => {
          chat.failure = error;
        });
      });
      // The chat reads its outbox from when it started; its first answer shows it has (the reader starts before the dialog).
      chat.type("/help");
      await this.nextReplies(chat, 0, "its answer to /help (the chat starting)");
      chat.start = chat.printed.length;
    }
  }

  async say(memberId: string, text: string): Promise<BotMessage[]> {
    const chat = this.chat(memberId);
    const from = chat.printed.length;
    chat.type(text);
    const replies = await this.nextReplies(chat, from, `its answer to "${text}"`);
    await this.learnOptionIds(chat, replies.at(-1));
    return replies.map((index) => this.toMessage(chat, index));
  }

  /** The terminal sends a file by its path (`/attach <file>`): one written for the scenario, under its own folder. */
  async sendFile(memberId: string, name: string): Promise<BotMessage[]> {
    const folder = (this.files ??= mkdtempSync(join(tmpdir(), "hotline-scenario-files-")));
    const path = join(folder, name);
    writeFileSync(path, `%PDF-1.4 ${name}\n`);
    return this.say(memberId, `/attach ${path}`);
  }

  async press(memberId: string, message: BotMessage, button: Button): Promise<BotMessage[]> {
    const chat = this.chat(memberId);
    const index = indexOf(message.id);
    const printed = chat.printed[index];
    if (printed?.kind === "reply" && index >= chat.typedAt) {
      const at = this.buttonsOf(chat, index).findIndex((b) => b.label === button.label && b.command === button.command);
      const option = parseReply(printed.text).options[at];
      if (option) return this.say(memberId, option.number === undefined ? option.label : String(option.number));
    }
    // Delivered messages show their buttons as the command to type; so can an older question's command.
    if (button.command?.startsWith("/")) return this.say(memberId, button.command);
    throw new Error(`the terminal answers "${button.label}" by its number only right after the question that shows it; the chat shows:\n${chat.describe()}`);
  }

  async inbox(memberId: string): Promise<BotMessage[]> {
    const chat = this.chat(memberId);
    return chat.printed.flatMap((p, i) => (i >= chat.start && (p.kind === "reply" || p.kind === "delivered") ? [this.toMessage(chat, i)] : []));
  }

  /** The terminal shows no channels: what the bot wrote to the outbox for one, as the terminal renders a card. */
  async channel(channelId: string): Promise<BotMessage[]> {
    if (!this.app.org.channels.some((c) => c.id === channelId)) throw new Error(`no channel "${channelId}" in the scenario's organisation`);
    const rows = await this.app.db.delivery.findMany({ where: { kind: "message" }, orderBy: { id: "asc" } });
    return rows.flatMap((row) => {
      const recipient = JSON.parse(row.recipient) as Recipient;
      if (recipient.kind !== "channel" || recipient.channelId !== channelId) return [];
      const card = JSON.parse(row.payload) as Card;
      return [{ id: `delivery:${row.id}`, text: renderCard({ ...card, choices: undefined }), buttons: (card.choices ?? []).map((c) => ({ label: c.label, command: c.id })) }];
    });
  }

  /** Every message the outbox holds for a member has been printed in their chat (its reader looks every second). */
  async settle(): Promise<void> {
    const rows = await this.app.db.delivery.findMany({ where: { kind: "message" }, orderBy: { id: "asc" }, select: { id: true, recipient: true } });
    const owed = rows.flatMap((row) => {
      const recipient = JSON.parse(row.recipient) as Recipient;
      const chat = recipient.kind === "member" ? this.chats.get(recipient.memberId) : undefined;
      return chat ? [{ id: row.id, chat }] : [];
    });
    const unseen = () => owed.filter(({ id, chat }) => !chat.printed.some((p) => p.deliveryId === id));
    await waitFor(
      "every member's terminal to show the messages to them",
      () => unseen().length === 0,
      () => unseen().map(({ id, chat }) => `  delivery #${id} to ${chat.memberId}; that chat shows:\n${chat.describe()}`).join("\n"),
      DEFAULT_WAIT_MS + OUTBOX_POLL_MS,
    );
  }

  async stop(): Promise<void> {
    const chats = [...this.chats.values()];
    for (const chat of chats) chat.input.end();
    await Promise.all(chats.map((chat) => chat.done));
    if (this.files) rmSync(this.files, { recursive: true, force: true });
  }

  private chat(memberId: string): TerminalChat {
    const chat = this.chats.get(memberId);
    if (!chat) throw new Error(`no terminal chat for "${memberId}"; members: ${[...this.chats.keys()].join(", ")}`);
    return chat;
  }

  /**
   * The replies printed for the line typed at `from`. The chat prints a line's replies together,
   * at once, once its unit of work committed: the first one seen means all are there.
   */
  private async nextReplies(chat: TerminalChat, from: number, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<number[]> {
    await waitFor(
      `${chat.memberId}'s terminal chat to print ${what}`,
      () => {
        if (chat.failure) throw new Error(`${chat.memberId}'s terminal chat ended: ${String(chat.failure)}\n${chat.describe(from)}`);
        return chat.printed.slice(from).some((p) => p.kind === "reply");
      },
      () => chat.describe(from),
      timeoutMs,
    );
    return chat.printed.flatMap((p, i) => (i >= from && p.kind === "reply" ? [i] : []));
  }

  /** The terminal numbers options without their ids; the open question of the dialog has them. */
  private async learnOptionIds(chat: TerminalChat, index: number | undefined): Promise<void> {
    if (index === undefined) return;
    const { options } = parseReply(chat.printed[index]!.text);
    const member = options.length ? await this.app.directory.findMember(chat.memberId) : undefined;
    const prompt = member ? await this.app.unitOfWork.run(({ core }) => pendingPrompt(core, member, `terminal:${chat.memberId}`)) : undefined;
    const choices = prompt?.choices ?? [];
    if (options.length && options.every((o, i) => choices[i]?.label === o.label)) chat.optionIds.set(index, choices.map((c) => c.id));
  }

  private buttonsOf(chat: TerminalChat, index: number): Button[] {
    const printed = chat.printed[index]!;
    if (printed.kind === "delivered") return parseDelivered(printed.text).buttons;
    const ids = chat.optionIds.get(index);
    return parseReply(printed.text).options.map((o, i) => ({ label: o.label, command: ids?.[i] }));
  }

  private toMessage(chat: TerminalChat, index: number): BotMessage {
    const printed = chat.printed[index]!;
    const text = printed.kind === "delivered" ? parseDelivered(printed.text).text : parseReply(printed.text).text;
    return { id: `terminal:${chat.memberId}:${index}`, text, buttons: this.buttonsOf(chat, index) };
  }
}

/** A reply as renderCard prints it: its lines, then its options, numbered or in brackets. */
function parseReply(text: string): { text: string; options: ShownOption[] } {
  const lines = text.split("\n");
  let end = lines.length;
  const options: ShownOption[] = [];
  for (let m: RegExpExecArray | null; end > 0 && (m = /^ {2}(\d+)\) (.*)$/.exec(lines[end - 1]!)); end--) options.unshift({ label: m[2]!, number: Number(m[1]) });
  if (options.length === 0) {
    for (let m: RegExpExecArray | null; end > 0 && (m = /^ {2}\[(.+)\]$/.exec(lines[end - 1]!)); end--) options.unshift({ label: m[1]!, number: undefined });
  }
  return { text: lines.slice(0, end).join("\n"), options };
}

/** A delivered message as renderDelivered prints it: a header, the card under `│`, its buttons as the command to type. */
function parseDelivered(text: string): { text: string; buttons: Button[] } {
  const lines = text.split("\n").slice(1).map((line) => line.replace(/^ {3}│ ?/, ""));
  let end = lines.length;
  const buttons: Button[] = [];
  for (let m: RegExpExecArray | null; end > 0 && (m = /^ {2}\[(.+?)\](?: (\/.+))?$/.exec(lines[end - 1]!)); end--) buttons.unshift({ label: m[1]!, command: m[2] });
  return { text: lines.slice(0, end).join("\n"), buttons };
}

const indexOf = (id: string) => Number(id.split(":").at(-1));

/** Runs `work` with these variables set, then puts the environment back as it was. */
function withEnvironment(variables: Record<string, string>, work: () => void): void {
  const saved = Object.fromEntries(Object.keys(variables).map((key) => [key, process.env[key]]));
  Object.assign(process.env, variables);
  try {
    work();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
