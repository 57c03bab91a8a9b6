import type { Logger } from "pino";
import type { Platform } from "../../core/directory/organisation.js";
import type { InviteRedemption, InviteRefusalReason, InviteStore, RedeemResult } from "../../core/ports.js";
import type { Database, Storage } from "../storage/storage.js";

export interface InviteStoreOptions {
  /** Clears whatever caches who is behind an account. */
  onBindingsChanged?: () => void;
  /** Where each refused code is logged: the platform, the account and the reason, never the code. */
  log?: Pick<Logger, "warn">;
}

export class PrismaInviteStore implements InviteStore {
  private readonly onBindingsChanged: () => void;
  private readonly log: Pick<Logger, "warn"> | undefined;

  constructor(
    private readonly storage: Storage,
    options: InviteStoreOptions = {},
  ) {
    this.onBindingsChanged = options.onBindingsChanged ?? (() => {});
    this.log = options.log;
  }

  async create(invite: { codeHash: string; memberId: string; platform: Platform; expiresAt: Date }): Promise<void> {
    await this.storage.prisma.invite.create({ data: invite });
  }

  redeem(input: InviteRedemption): Promise<RedeemResult> {
    return this.storage.transaction(async (transaction) => {
      const tx = transaction.prisma;
      const account = { platform: input.platform, externalId: input.externalId };
      // One account's attempts in turn (two processes may take two at once): each counts the ones before it.
      await transaction.lock(`invite:${account.platform}:${account.externalId}`);
      const recent = await tx.inviteRefusal.count({ where: { ...account, at: { gt: input.refusals.since } } });
      // Over the limit nothing is checked (so nothing can be learnt) and nothing is stored.
      if (recent >= input.refusals.max) return this.refused(input, "too_many_attempts");
      const outcome = await this.claim(tx, input);
      if ("memberId" in outcome) return outcome;
      await tx.inviteRefusal.upsert({
        where: { platform_eventId: { platform: input.platform, eventId: input.eventId } },
        create: { ...account, eventId: input.eventId, reason: outcome.refused, at: input.now },
        update: {},
      });
      // Older refusals no longer count: the table holds at most the window's few per account.
      await tx.inviteRefusal.deleteMany({ where: { ...account, at: { lte: input.refusals.since } } });
      return this.refused(input, outcome.refused);
    });
  }

  /** Uses the invite and binds the account, or says why it could not. */
  private async claim(tx: Database, input: InviteRedemption): Promise<{ memberId: string } | { refused: Exclude<InviteRefusalReason, "too_many_attempts"> }> {
    const invite = await tx.invite.findUnique({ where: { codeHash: input.codeHash } });
    if (!invite || invite.platform !== input.platform) return { refused: "unknown" };
    if (invite.usedAt) return { refused: "used" };
    if (invite.expiresAt <= input.now) return { refused: "expired" };
    // Claim the invite only if still unused: two redemptions racing get one winner.
    const claimed = await tx.invite.updateMany({
      where: { codeHash: input.codeHash, usedAt: null },
      data: { usedAt: input.now, usedBy: input.externalId },
    });
    if (claimed.count === 0) return { refused: "used" };
    const key = { platform: input.platform, externalId: input.externalId };
    await tx.identity.upsert({
      where: { platform_externalId: key },
      create: { ...key, memberId: invite.memberId, source: "invite" },
      update: { memberId: invite.memberId, source: "invite" },
    });
    this.onBindingsChanged();
    return { memberId: invite.memberId };
  }

  private refused(input: InviteRedemption, reason: InviteRefusalReason): RedeemResult {
    this.log?.warn({ platform: input.platform, account: input.externalId, reason }, "invite code refused");
    return { refused: reason };
  }

  async unbind(memberId: string, platform: Platform): Promise<number> {
    const removed = await this.storage.prisma.identity.deleteMany({ where: { memberId, platform } });
    this.onBindingsChanged();
    return removed.count;
  }
}
