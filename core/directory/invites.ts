import { createHash, randomBytes } from "node:crypto";
import { HotlineError } from "../errors.js";
import type { CoreContext, RedeemResult } from "../ports.js";
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

/**
 * Refused codes an account may send within the window before its codes are refused unchecked:
 * a typo or two is human, guessing is not (a code is one of 31^10). The catalog's
 * `invite.refused.too_many_attempts` tells the user to wait an hour: keep the two together.
 */
export const MAX_REFUSED_INVITES = 5;
export const INVITE_REFUSAL_WINDOW_MINUTES = 60;

/**
 * Binds a chat account with an invite code; the refusal says why (unknown, used, expired, or too
 * many refused codes from this account within the hour).
 */
export async function redeemInvite(
  ctx: CoreContext,
  input: { code: string; platform: Platform; externalId: string; eventId: string },
): Promise<RedeemResult> {
  const now = ctx.clock();
  return ctx.invites.redeem({
    codeHash: hashInviteCode(input.code),
    platform: input.platform,
    externalId: input.externalId,
    eventId: input.eventId,
    now,
    refusals: { max: MAX_REFUSED_INVITES, since: new Date(now.getTime() - INVITE_REFUSAL_WINDOW_MINUTES * 60_000) },
  });
}
