import type { Recipient } from "../../core/escalation/notification.js";
import type { Card } from "../../core/messages/card.js";
import type { OutboxStore } from "../../prisma/stores/outbox-store.js";
import { renderDelivered } from "../terminal/render-card.js";

/** How often the terminal chat looks for new messages to its member: about what a person notices. */
export const OUTBOX_POLL_MS = 1_000;
/** How far below the newest row a late commit may land: far more rows than commit within a poll. */
const LATE_COMMITS = 1_000;

function parsedRecipient(text: string): Recipient | undefined {
  try {
    return JSON.parse(text) as Recipient;
  } catch {
    return undefined;
  }
}

/**
 * Shows a member, in their terminal chat, what the bot writes to the outbox for them (pings,
 * reminders, answers to /ask, receipts) from the moment the chat starts. It only reads: the rows
 * stay pending for the running bot, which still delivers them on the member's chat platform.
 */
export class MemberOutbox {
  /** Ids at or below this are shown or were there before the chat started; above it, `shown` says. */
  private seenUpTo = 0;
  private readonly shown = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  constructor(
    private readonly outbox: OutboxStore,
    private readonly memberId: string,
    private readonly print: (text: string) => void,
  ) {}

  /** Remembers where the outbox ends now, then looks for new rows every OUTBOX_POLL_MS. */
  async start(): Promise<void> {
    this.seenUpTo = await this.outbox.lastId();
    this.timer = setInterval(() => {
      this.polling = this.polling.then(() => this.showNew()).catch((error: unknown) => this.print(`(could not read the outbox: ${(error as Error).message})`));
    }, OUTBOX_POLL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /**
   * On PostgreSQL, ids are taken when a row is written and rows commit in any order: a row may
   * appear below one already shown. So the last LATE_COMMITS ids stay open, and shown ids are
   * remembered until they fall out of that window.
   */
  private async showNew(): Promise<void> {
    const rows = await this.outbox.messagesAfter(this.seenUpTo);
    for (const row of rows) {
      if (this.shown.has(row.id)) continue;
      this.shown.add(row.id);
      const recipient = parsedRecipient(row.recipient);
      if (recipient?.kind !== "member" || recipient.memberId !== this.memberId) continue;
      this.print(renderDelivered({ id: row.id, platform: recipient.platform, card: JSON.parse(row.payload) as Card }));
    }
    const newest = rows.at(-1)?.id ?? 0;
    if (newest - LATE_COMMITS > this.seenUpTo) {
      this.seenUpTo = newest - LATE_COMMITS;
      for (const id of this.shown) if (id <= this.seenUpTo) this.shown.delete(id);
    }
  }
}
