import { createHash, randomBytes } from "node:crypto";
import { HotlineError } from "../errors.js";
import type { CoreContext } from "../ports.js";
import type { Platform } from "./organisation.js";
import type { Member } from "./member.js";

/** How long an invite stays valid. @defaultValue 72 hours */
export const DEFAULT_INVITE_TTL_MINUTES = 72 * 60;

/** 10 characters of an alphabet without look-alikes (0/O, 1/I/L): read aloud, typed on a phone. */
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 10;

export function hashInviteCode(code: string): string {
  return createHash("sha256").update(code.trim().toUpperCase()).digest("hex");
}

function newCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  return [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join("");
}

/** An administrator's invite for one member on one platform: single use, expiring. */
export async function issueInvite(
  ctx: CoreContext,
  input: { memberId: string; platform: Platform; ttlMinutes?: number },
): Promise<{ code: string; member: Member; expiresAt: Date }> {
  const member = await ctx.directory.findMember(input.memberId);
  if (!member) throw new HotlineError("unknown_member", `unknown member "${input.memberId}"`, { member: input.memberId });
  const code = newCode();
  const expiresAt = new Date(ctx.clock().getTime() + (input.ttlMinutes ?? DEFAULT_INVITE_TTL_MINUTES) * 60_000);
  await ctx.invites.create({ codeHash: hashInviteCode(code), memberId: member.id, platform: input.platform, expiresAt });
  return { code, member, expiresAt };
}

/** Binds a chat account with an invite code; the refusal says why (unknown, used, expired). */
export async function redeemInvite(ctx: CoreContext, input: { code: string; platform: Platform; externalId: string }) {
  return ctx.invites.redeem({ codeHash: hashInviteCode(input.code), platform: input.platform, externalId: input.externalId, now: ctx.clock() });
}
