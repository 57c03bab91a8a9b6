import type { App } from "../../../bot/app.js";
import type { Platform } from "../../../core/directory/organisation.js";
import type { Card } from "../../../core/messages/card.js";
import { showsCard, type BotMessage } from "./bot-message.js";
import { DEFAULT_WAIT_MS, waitFor } from "./wait-for.js";

/** The replies the core kept for an inbound event, once the adapter sent them all. */
export interface AnsweredEvent {
  deliveryIds: number[];
  cards: Card[];
}

/**
 * Waits until the bot handled an event (its id is in the inbound log) and sent every reply it kept
 * for it: the adapter marks each sent the moment the platform took it. This is the answer's end
 * for every adapter, however it receives (polling, webhooks, a queue after a quick 200).
 */
export async function waitForAnswer(app: App, platform: Platform, eventId: string, arrived: () => Promise<string> | string, timeoutMs = DEFAULT_WAIT_MS): Promise<AnsweredEvent> {
  return waitFor(
    `the bot to answer ${platform} event ${eventId}`,
    async () => {
      const handled = await app.db.inboundEvent.findUnique({ where: { platform_eventId: { platform, eventId } } });
      if (!handled) return undefined;
      const rows = await app.db.delivery.findMany({ where: { replyTo: `${platform}:${eventId}` }, orderBy: { id: "asc" } });
      const failed = rows.find((row) => row.status === "failed");
      if (failed) throw new Error(`the bot's answer to ${platform} event ${eventId} failed for good: ${failed.lastError}\n${await arrived()}`);
      if (rows.some((row) => row.status !== "sent")) return undefined;
      return { deliveryIds: rows.map((row) => row.id), cards: rows.map((row) => JSON.parse(row.payload) as Card) };
    },
    arrived,
    timeoutMs,
  );
}

/**
 * The answer's messages among those that reached the chat since the event was sent: for each card,
 * the first message showing it and the pieces the platform split it into after it, each with its
 * card. Anything else that arrived meanwhile (a notification) is not part of the answer.
 */
export function pickAnswer<M extends BotMessage>(fresh: readonly M[], cards: readonly Card[], piecesOf: (card: Card) => number): { message: M; card: Card }[] {
  const taken: { message: M; card: Card }[] = [];
  let from = 0;
  for (const card of cards) {
    const first = fresh.findIndex((message, i) => i >= from && showsCard(message, card));
    if (first < 0) continue;
    const pieces = fresh.slice(first, first + piecesOf(card));
    taken.push(...pieces.map((message) => ({ message, card })));
    from = first + pieces.length;
  }
  return taken;
}
