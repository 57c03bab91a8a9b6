import type { Platform } from "../directory/organisation.js";
import type { Card } from "../messages/card.js";

/** Who a message goes to, resolved to a platform address when the core knows one. */
export type Recipient =
  | { kind: "member"; memberId: string; name: string; platform: Platform | null; address: string | null }
  | { kind: "channel"; channelId: string; name: string; platform: Platform; address: string };

/** A message core wants delivered; adapters render the card, the delivery queue sends it. */
export interface Notification {
  recipient: Recipient;
  card: Card;
  ticketNumber: string | null;
}
