import { directPlatformOf, type Member } from "../directory/member.js";
import type { Platform } from "../directory/organisation.js";
import type { Card } from "../messages/card.js";
import { pick, type Locale } from "../messages/locale.js";

/** Who a message goes to, resolved to a platform address when the core knows one. */
export type Recipient =
  | { kind: "member"; memberId: string; name: string; platform: Platform | null; address: string | null }
  | { kind: "channel"; channelId: string; name: string; platform: Platform; address: string }
  /**
   * A complaint team's own place: the adapter opens it on first use (a channel for the ticket, or a
   * thread in `address`, the channel the organisation file names for teams) and invites the team.
   */
  | { kind: "team"; ticketNumber: string; name: string; platform: Platform; address: string }
  /** The customer, who never talks to the bot: an SMS to their mobile, or an e-mail (manual §4: 回执). */
  | CustomerRecipient
  /**
   * The sender of an inbound event, answered where they wrote: `address` is what the adapter
   * needs to answer there (a chat id, a Slack channel or response URL), opaque to the core.
   */
  | ReplyRecipient;

/** A member where they get direct messages (on `context`, the platform they wrote on, when they are there), named in `locale`. */
export function memberRecipient(member: Member, locale: Locale, context?: Platform | null): Recipient {
  const platform = directPlatformOf(member, context) ?? null;
  return { kind: "member", memberId: member.id, name: pick(member.name, locale), platform, address: platform ? (member.identities[platform] ?? null) : null };
}

export interface ReplyRecipient {
  kind: "reply";
  /** Null for someone not in the directory. */
  memberId: string | null;
  name: string;
  platform: Platform;
  address: string;
}

/** How a customer is reached: messages leave through a provider, not a chat platform. */
export const CUSTOMER_CHANNELS = ["sms", "email"] as const;
export type CustomerChannel = (typeof CUSTOMER_CHANNELS)[number];

/** Where the outbox sends a message: a chat platform, or a customer's channel. */
export type OutboundChannel = Platform | CustomerChannel;

export interface CustomerRecipient {
  kind: "customer";
  /** The channel is the outbox's platform for the message. */
  platform: CustomerChannel;
  /** A mobile number in E.164 (`+8613812345678`), or an e-mail address. */
  address: string;
  name: string;
}

/**
 * A message made from an approved template, for providers that send nothing else (an SMS in China
 * needs a template its provider approved): which one, and its parameters. The card is the same
 * message in full, for channels that take free text (e-mail) and for the record.
 */
export interface MessageTemplate {
  id: "receipt";
  params: Record<string, string>;
}

/**
 * What a message is for, where its sending matters beyond itself: once a `receipt` is sent, the
 * ticket's receipt deadline is met (§4: the result goes back to the customer and the center).
 */
export type DeliveryPurpose = "receipt";

/** A message core wants delivered; adapters render the card, the delivery queue sends it. */
export interface Notification {
  recipient: Recipient;
  card: Card;
  ticketNumber: string | null;
  /**
   * The card shows the ticket (or its complaint team) as it stands: adapters that can edit what they
   * posted keep it current as the ticket changes, instead of posting again.
   */
  view?: LiveView | undefined;
  template?: MessageTemplate | undefined;
  purpose?: DeliveryPurpose | undefined;
  /** The message is a file; the card is its caption. */
  file?: NotificationFile | undefined;
}

export type NotificationFile =
  /** The ticket's form as the manual names it (a PDF), made when it is sent, so it shows the ticket as it is then. */
  | { kind: "ticket_form" }
  /** A document as the archive keeps it: a day's record or its chart. */
  | { kind: "document"; documentId: number };

export type LiveView = "ticket" | "team";
