import { createHash, randomBytes } from "node:crypto";
import type { Member } from "../../core/directory/member.js";
import type { Directory } from "../../core/ports.js";
import type { ConsoleSession, ConsoleStore, LinkRefusal } from "../../prisma/stores/console-store.js";
import { hashPassword, verifyPassword } from "./passwords.js";

/** Wrong passwords an account may type before each further try waits; the wait doubles from there. */
export const FREE_WRONG_PASSWORDS = 5;
const FIRST_WAIT_MS = 30_000;
const LONGEST_WAIT_MS = 60 * 60_000;
export const MIN_PASSWORD_LENGTH = 10;

/** After `failures` wrong passwords: no wait for the first four, then 30 s, 1 min, 2 min… up to an hour. */
export function waitAfter(failures: number): number {
  if (failures < FREE_WRONG_PASSWORDS) return 0;
  return Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - FREE_WRONG_PASSWORDS));
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const token = () => randomBytes(32).toString("base64url");

export type SignInRefusal = LinkRefusal | "wrong" | "slowed" | "no-access";

/** A session as the browser holds it: the cookie's token, and the form token its pages carry. */
export interface OpenedSession {
  token: string;
  session: ConsoleSession;
  member: Member;
}

export interface IssuedLink {
  code: string;
  member: Member;
  expiresAt: Date;
}

/**
 * Who may use the console and how they get in: a one-time link, then a password if they set one.
 * Only directory members with a role get in, with the chats' roles and permissions.
 */
export class ConsoleAccess {
  constructor(
    private readonly store: ConsoleStore,
    private readonly directory: Pick<Directory, "findMember">,
    private readonly options: { sessionHours: number; clock: () => Date },
  ) {}

  /** A one-time sign-in link's code for a member (the link is the console's URL with it). */
  async issueLink(memberId: string, ttlMinutes: number): Promise<IssuedLink> {
    const link = await this.linkFor(memberId, ttlMinutes);
    if (!link) throw new Error(`${memberId}: not a member with a role in the directory`);
    return link;
  }

  /** As issueLink; undefined when the console is closed to the member. */
  async linkFor(memberId: string, ttlMinutes: number): Promise<IssuedLink | undefined> {
    const member = await this.memberWithAccess(memberId);
    if (!member) return undefined;
    const code = token();
    const expiresAt = new Date(this.options.clock().getTime() + ttlMinutes * 60_000);
    await this.store.createLink({ codeHash: sha256(code), memberId: member.id, expiresAt });
    return { code, member, expiresAt };
  }

  async signInWithLink(code: string, address: string | undefined): Promise<OpenedSession | { refused: SignInRefusal }> {
    const redeemed = await this.store.redeemLink(sha256(code), this.options.clock());
    if ("refused" in redeemed) return redeemed;
    return this.open(redeemed.memberId, "link", address);
  }

  async signInWithPassword(memberId: string, password: string, address: string | undefined): Promise<OpenedSession | { refused: SignInRefusal; retryAt?: Date }> {
    const now = this.options.clock();
    const account = await this.store.account(memberId);
    const refuse = async (refused: SignInRefusal, retryAt?: Date) => {
      if (account.passwordHash) await this.store.record({ memberId, event: "refused", method: "password", address, at: now });
      return { refused, ...(retryAt ? { retryAt } : {}) };
    };
    if (account.lockedUntil && account.lockedUntil > now) return refuse("slowed", account.lockedUntil);
    // A member without a password answers as a wrong one does: the form tells no one who has an account.
    if (!account.passwordHash || !(await verifyPassword(password, account.passwordHash))) {
      if (account.passwordHash) await this.store.countFailedSignIn(memberId, (failures) => this.lockUntil(now, failures));
      return refuse("wrong");
    }
    await this.store.clearFailedSignIns(memberId);
    return this.open(memberId, "password", address);
  }

  /** The member a cookie's session belongs to, while it is open and they still have a role. */
  async sessionOf(cookieToken: string | undefined): Promise<{ session: ConsoleSession; member: Member } | undefined> {
    if (!cookieToken) return undefined;
    const session = await this.store.findSession(sha256(cookieToken), this.options.clock());
    const member = session && (await this.memberWithAccess(session.memberId));
    return session && member ? { session, member } : undefined;
  }

  async signOut(session: ConsoleSession, address: string | undefined): Promise<void> {
    const now = this.options.clock();
    if (await this.store.endSession(session.tokenHash, now)) await this.store.record({ memberId: session.memberId, event: "sign-out", address, at: now });
  }

  async setPassword(memberId: string, password: string, address: string | undefined): Promise<void> {
    await this.store.setPassword(memberId, await hashPassword(password));
    await this.store.record({ memberId, event: "password-set", address, at: this.options.clock() });
  }

  private lockUntil(now: Date, failures: number): Date | null {
    const wait = waitAfter(failures);
    return wait > 0 ? new Date(now.getTime() + wait) : null;
  }

  private async open(memberId: string, method: "link" | "password", address: string | undefined): Promise<OpenedSession | { refused: SignInRefusal }> {
    const member = await this.memberWithAccess(memberId);
    if (!member) return { refused: "no-access" };
    const now = this.options.clock();
    const cookieToken = token();
    const session: ConsoleSession = {
      tokenHash: sha256(cookieToken),
      memberId,
      csrfToken: token(),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.options.sessionHours * 3_600_000),
    };
    await this.store.openSession(session);
    await this.store.record({ memberId, event: "sign-in", method, address, at: now });
    return { token: cookieToken, session, member };
  }

  private async memberWithAccess(memberId: string): Promise<Member | undefined> {
    const member = await this.directory.findMember(memberId);
    return member && member.roles.length > 0 ? member : undefined;
  }
}
