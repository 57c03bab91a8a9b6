import { redeemInvite } from "../directory/invites.js";
import type { Member } from "../directory/member.js";
import { organisationTerms } from "../directory/organisation-terms.js";
import type { Organisation, Platform } from "../directory/organisation.js";
import type { ReplyRecipient } from "../escalation/notification.js";
import { card, type Card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import type { DialogInput } from "../dialogs/report-steps.js";
import type { ClaimedReply, InboundLog, UnitOfWork } from "../ports.js";
import type { FlowResult } from "../tickets/flow-support.js";
import { handleMessage } from "./handle-message.js";

/** One event from a chat platform, before the core knows who sent it. */
export interface InboundEvent extends DialogInput {
  platform: Platform;
  /** The platform's id for this delivery (Telegram update_id, Slack event_id, WeCom MsgId). */
  eventId: string;
  /** The sender's account on the platform. */
  senderId: string;
  /** `<platform>:<chat id>`: dialogs are kept per member per conversation. */
  conversation: string;
  /** Where the adapter answers this event (a chat id, a Slack reply target): kept with the replies. */
  replyAddress: string;
  /** The answers land where others read them too (a group chat): the customer's phone is masked there. */
  seenByOthers: boolean;
}

export type InboundOutcome =
  /** `replies` are kept in the outbox and claimed for sending by this process. */
  | { kind: "handled"; member: Member; result: FlowResult; replies: ClaimedReply[] }
  /** Handled before: no second effect, but the replies its sender never received are claimed to send again. */
  | { kind: "duplicate"; unsent: ClaimedReply[] }
  /** Someone not in the directory: one polite sentence, kept nowhere. */
  | { kind: "stranger"; replies: Card[] };

const INVITE = /^\/start\s+([A-Za-z0-9]{6,32})$/;

/**
 * Every adapter's way in: identifies the sender, handles the event once (its id is recorded in
 * the same transaction as its effects and its replies, so a redelivery has no second effect and
 * still gets the replies that did not go out), and binds new accounts that bring an invite code
 * (`/start <code>`). A stranger's event writes nothing but a refused code's count.
 */
export async function handleInbound(uow: UnitOfWork, event: InboundEvent, defaultLocale: Locale): Promise<InboundOutcome> {
  return uow.run(async ({ core, inbound }) => {
    const member = await core.directory.findMemberByIdentity(event.platform, event.senderId);
    if (member) {
      if (!(await inbound.markHandled(event.platform, event.eventId))) return { kind: "duplicate", unsent: await inbound.claimUnsentReplies(event) };
      return handled(inbound, event, member, await handleMessage(core, { ...event, member }));
    }
    const invite = INVITE.exec(event.text?.trim() ?? "")?.[1];
    if (!invite) return { kind: "stranger", replies: [strangerReply(core.org, defaultLocale)] };
    // A refused code is only counted, against guessing; a redelivered /start finds the account bound and is a duplicate.
    const redeemed = await redeemInvite(core, { code: invite, platform: event.platform, externalId: event.senderId, eventId: event.eventId });
    if ("refused" in redeemed) return { kind: "stranger", replies: [card(t(defaultLocale, `invite.refused.${redeemed.refused}`), { tone: "error" })] };
    await inbound.markHandled(event.platform, event.eventId);
    const bound = (await core.directory.findMember(redeemed.memberId))!;
    const locale = bound.locale ?? defaultLocale;
    const welcome = card(t(locale, "invite.welcome", { name: pick(bound.name, locale), platform: event.platform }), { tone: "success" });
    return handled(inbound, event, bound, { replies: [welcome], notifications: [] });
  });
}

async function handled(inbound: InboundLog, event: InboundEvent, member: Member, result: FlowResult): Promise<InboundOutcome> {
  const replies = await inbound.keepReplies(event, replyRecipient(event, member), result.replies);
  return { kind: "handled", member, result, replies };
}

/** The sender of an event as a recipient of its replies. */
export function replyRecipient(event: InboundEvent, member?: Member): ReplyRecipient {
  return { kind: "reply", memberId: member?.id ?? null, name: member?.name.zh ?? event.senderId, platform: event.platform, address: event.replyAddress };
}

/** One polite sentence that says whom to ask: the directory's administrators, by name. */
function strangerReply(org: Organisation, locale: Locale): Card {
  const admins = org.members.filter((m) => m.roles.includes("admin")).map((m) => `${m.name.zh} / ${m.name.en}`);
  return card(t(locale, "stranger", { ...organisationTerms(org, locale), admins: admins.join(", ") || "-" }));
}
