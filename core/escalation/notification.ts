import type { Platform } from "../directory/organisation.js";
import type { Card } from "../messages/card.js";

/** Who a message goes to, resolved to a platform address when the core knows one. */
export type Recipient =
  | { kind: "member"; memberId: string; name: string; platform: Platform | null; address: string | null }
  | { kind: "channel"; channelId: string; name: string; platform: Platform; address: string }
  /**
   * A complaint team's own place: the adapter opens it on first use (a channel for the ticket, or a
   * thread in `address`, the channel the organisation file names for teams) and invites the team.
   */
  | { kind: "team"; ticketNumber: string; name: string; platform: Platform; address: string }
  /**
   * The sender of an inbound event, answered where they wrote: `address` is what the adapter
   * needs to answer there (a chat id, a Slack channel or response URL), opaque to the core.
   */
  | ReplyRecipient;

export interface ReplyRecipient {
  kind: "reply";
  /** Null for someone not in the directory. */
  memberId: string | null;
  name: string;
  platform: Platform;
  address: string;
}

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
}

export type LiveView = "ticket" | "team";
