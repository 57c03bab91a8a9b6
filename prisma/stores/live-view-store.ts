import type { Platform } from "../../core/directory/organisation.js";
import type { LiveView } from "../../core/escalation/notification.js";
import type { Storage } from "../storage/storage.js";

export interface PostedView {
  address: string;
  messageId: string;
  view: LiveView;
}

export interface TeamSpaceRecord {
  address: string;
  /** Set when the team works in a thread of `address` rather than a channel of its own. */
  threadId: string | null;
}

/**
 * What an adapter posted as live views of tickets (so a change can edit them), and where each
 * complaint team works. Adapter bookkeeping: the core never reads it.
 */
export class LiveViewStore {
  constructor(
    private readonly storage: Storage,
    private readonly platform: Platform,
  ) {}

  async recordPosted(ticketId: number, posted: PostedView): Promise<void> {
    await this.storage.prisma.postedMessage.upsert({
      where: { platform_address_messageId: { platform: this.platform, address: posted.address, messageId: posted.messageId } },
      create: { ticketId, platform: this.platform, ...posted },
      update: {},
    });
  }

  async postedFor(ticketId: number): Promise<PostedView[]> {
    const rows = await this.storage.prisma.postedMessage.findMany({ where: { ticketId, platform: this.platform }, orderBy: { id: "asc" } });
    return rows.map((r) => ({ address: r.address, messageId: r.messageId, view: r.view as LiveView }));
  }

  async teamSpace(ticketId: number): Promise<TeamSpaceRecord | undefined> {
    const row = await this.storage.prisma.teamSpace.findUnique({ where: { ticketId } });
    return row && row.platform === this.platform ? { address: row.address, threadId: row.threadId } : undefined;
  }

  async saveTeamSpace(ticketId: number, space: TeamSpaceRecord): Promise<void> {
    await this.storage.prisma.teamSpace.upsert({ where: { ticketId }, create: { ticketId, platform: this.platform, ...space }, update: {} });
  }
}
