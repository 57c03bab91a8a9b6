import type { Recipient } from "../../core/escalation/notification.js";
import type { Card } from "../../core/messages/card.js";
import type { Database } from "../../prisma/database.js";
import { renderDelivered } from "../terminal/render-card.js";

/** How often the terminal chat looks for new messages to its member: about what a person notices. */
export const OUTBOX_POLL_MS = 1_000;

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
  private lastSeenId = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly memberId: string,
    private readonly print: (text: string) => void,
  ) {}

  /** Remembers where the outbox ends now, then looks for new rows every OUTBOX_POLL_MS. */
  async start(): Promise<void> {
    const last = await this.db.delivery.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
    this.lastSeenId = last?.id ?? 0;
    this.timer = setInterval(() => {
      this.polling = this.polling.then(() => this.showNew()).catch((error: unknown) => this.print(`(could not read the outbox: ${(error as Error).message})`));
    }, OUTBOX_POLL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /** Rows are numbered in commit order (SQLite has one writer at a time), so "after the last seen" misses none. */
  private async showNew(): Promise<void> {
    const rows = await this.db.delivery.findMany({
      where: { id: { gt: this.lastSeenId }, kind: "message" },
      orderBy: { id: "asc" },
      select: { id: true, platform: true, recipient: true, payload: true },
    });
    for (const row of rows) {
      this.lastSeenId = row.id;
      const recipient = parsedRecipient(row.recipient);
      if (recipient?.kind !== "member" || recipient.memberId !== this.memberId) continue;
      this.print(renderDelivered({ id: row.id, platform: recipient.platform, card: JSON.parse(row.payload) as Card }));
    }
  }
}
