import type { Platform } from "../../core/directory/organisation.js";
import type { InviteStore } from "../../core/ports.js";
import { transact, type Database } from "../database.js";

export class PrismaInviteStore implements InviteStore {
  /** @param onBindingsChanged clears whatever caches who is behind an account */
  constructor(
    private readonly db: Database,
    private readonly onBindingsChanged: () => void = () => {},
  ) {}

  async create(invite: { codeHash: string; memberId: string; platform: Platform; expiresAt: Date }): Promise<void> {
    await this.db.invite.create({ data: invite });
  }

  redeem(input: { codeHash: string; platform: Platform; externalId: string; now: Date }) {
    return transact(this.db, async (tx) => {
      const invite = await tx.invite.findUnique({ where: { codeHash: input.codeHash } });
      if (!invite || invite.platform !== input.platform) return { refused: "unknown" as const };
      if (invite.usedAt) return { refused: "used" as const };
      if (invite.expiresAt <= input.now) return { refused: "expired" as const };
      // Claim the invite only if still unused: two redemptions racing get one winner.
      const claimed = await tx.invite.updateMany({
        where: { codeHash: input.codeHash, usedAt: null },
        data: { usedAt: input.now, usedBy: input.externalId },
      });
      if (claimed.count === 0) return { refused: "used" as const };
      const key = { platform: input.platform, externalId: input.externalId };
      await tx.identity.upsert({
        where: { platform_externalId: key },
        create: { ...key, memberId: invite.memberId, source: "invite" },
        update: { memberId: invite.memberId, source: "invite" },
      });
      this.onBindingsChanged();
      return { memberId: invite.memberId };
    });
  }

  async unbind(memberId: string, platform: Platform): Promise<number> {
    const removed = await this.db.identity.deleteMany({ where: { memberId, platform } });
    this.onBindingsChanged();
    return removed.count;
  }
}
