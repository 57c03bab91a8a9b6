import type { Storage } from "../storage/storage.js";

/** A member's console password and how their wrong tries slow them down. */
export interface ConsoleAccount {
  memberId: string;
  passwordHash: string | null;
  failedSignIns: number;
  lockedUntil: Date | null;
}

export interface ConsoleSession {
  tokenHash: string;
  memberId: string;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

export type AccessEvent = "sign-in" | "sign-out" | "refused" | "password-set";

export interface AccessRecord {
  memberId: string;
  event: AccessEvent;
  method?: "link" | "password";
  address?: string | undefined;
  at: Date;
}

export type LinkRefusal = "unknown" | "used" | "expired";

/**
 * The console's access on record: one-time sign-in links, passwords, sessions, and every sign-in,
 * refusal and sign-out. Codes and tokens are kept only as hashes.
 */
export class ConsoleStore {
  constructor(private readonly storage: Storage) {}

  async createLink(link: { codeHash: string; memberId: string; expiresAt: Date }): Promise<void> {
    await this.storage.prisma.consoleLink.create({ data: link });
  }

  /** Uses a link once: the first to redeem it gets its member, whoever comes after reads "used". */
  async redeemLink(codeHash: string, now: Date): Promise<{ memberId: string } | { refused: LinkRefusal }> {
    const { count } = await this.storage.prisma.consoleLink.updateMany({ where: { codeHash, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    const link = await this.storage.prisma.consoleLink.findUnique({ where: { codeHash } });
    if (!link) return { refused: "unknown" };
    if (count === 1) return { memberId: link.memberId };
    return { refused: link.usedAt ? "used" : "expired" };
  }

  async account(memberId: string): Promise<ConsoleAccount> {
    const row = await this.storage.prisma.consoleAccount.findUnique({ where: { memberId } });
    return row ?? { memberId, passwordHash: null, failedSignIns: 0, lockedUntil: null };
  }

  async setPassword(memberId: string, passwordHash: string): Promise<void> {
    await this.storage.prisma.consoleAccount.upsert({
      where: { memberId },
      create: { memberId, passwordHash },
      update: { passwordHash, failedSignIns: 0, lockedUntil: null },
    });
  }

  /**
   * Counts a wrong password and, from the count on, keeps the account waiting until `lockedUntil(count)`;
   * two wrong tries at once each count. Resolves to the new count.
   */
  async countFailedSignIn(memberId: string, lockedUntil: (failures: number) => Date | null): Promise<number> {
    return this.storage.transaction(async (tx) => {
      await tx.lock(`console-account:${memberId}`);
      const account = await tx.prisma.consoleAccount.upsert({ where: { memberId }, create: { memberId, failedSignIns: 1 }, update: { failedSignIns: { increment: 1 } } });
      await tx.prisma.consoleAccount.update({ where: { memberId }, data: { lockedUntil: lockedUntil(account.failedSignIns) } });
      return account.failedSignIns;
    });
  }

  async clearFailedSignIns(memberId: string): Promise<void> {
    await this.storage.prisma.consoleAccount.updateMany({ where: { memberId }, data: { failedSignIns: 0, lockedUntil: null } });
  }

  async openSession(session: ConsoleSession): Promise<void> {
    await this.storage.prisma.consoleSession.create({ data: session });
  }

  /** The session a cookie names, while it has neither ended nor expired. */
  async findSession(tokenHash: string, now: Date): Promise<ConsoleSession | undefined> {
    const row = await this.storage.prisma.consoleSession.findFirst({
      where: { tokenHash, endedAt: null, expiresAt: { gt: now } },
      select: { tokenHash: true, memberId: true, csrfToken: true, createdAt: true, expiresAt: true },
    });
    return row ?? undefined;
  }

  /** Ends a session for good: its cookie opens nothing after. False when it had already ended. */
  async endSession(tokenHash: string, now: Date): Promise<boolean> {
    const { count } = await this.storage.prisma.consoleSession.updateMany({ where: { tokenHash, endedAt: null }, data: { endedAt: now } });
    return count === 1;
  }

  async record(entry: AccessRecord): Promise<void> {
    await this.storage.prisma.consoleAccessRecord.create({ data: { ...entry, method: entry.method ?? null, address: entry.address ?? null } });
  }

  /** A member's access records, newest first. */
  async records(memberId: string, take = 50): Promise<AccessRecord[]> {
    const rows = await this.storage.prisma.consoleAccessRecord.findMany({ where: { memberId }, orderBy: [{ at: "desc" }, { id: "desc" }], take });
    return rows.map((row) => ({ memberId: row.memberId, event: row.event as AccessEvent, at: row.at, ...(row.method ? { method: row.method as "link" | "password" } : {}), address: row.address ?? undefined }));
  }
}
