import { handleInbound, type InboundEvent } from "../core/conversation/handle-inbound.js";
import type { Member } from "../core/directory/member.js";
import type { Card } from "../core/messages/card.js";
import type { App } from "./app.js";

/**
 * What every adapter does with an event: hands it to the core (which handles it once), answers the
 * sender on their platform, and wakes the delivery queue when the event left messages for others.
 */
export async function handleAndReply(
  app: App,
  event: InboundEvent,
  reply: (cards: Card[], member?: Member) => Promise<void>,
  onNotifications?: () => void,
): Promise<void> {
  const outcome = await handleInbound(app.unitOfWork, event, app.config.DEFAULT_LOCALE);
  if (outcome.kind === "duplicate") return;
  if (outcome.kind === "stranger") return reply(outcome.replies);
  await reply(outcome.result.replies, outcome.member);
  if (outcome.result.notifications.length) onNotifications?.();
}
