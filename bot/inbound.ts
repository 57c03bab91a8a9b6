import { randomBytes } from "node:crypto";
import { handleInbound, replyRecipient, type InboundEvent, type InboundOutcome } from "../core/conversation/handle-inbound.js";
import { errorMessage } from "../core/errors.js";
import { card } from "../core/messages/card.js";
import { t } from "../core/messages/catalog.js";
import type { Locale } from "../core/messages/locale.js";
import type { ClaimedReply, Directory, UnitOfWork } from "../core/ports.js";
import { PermanentDeliveryError, type Sender } from "../jobs/delivery-queue.js";
import type { Logger } from "./logger.js";

/** The replies kept in the outbox with their event, settled as the platform takes or refuses each. */
export interface ReplyOutbox {
  markSent(deliveryId: number): Promise<void>;
  markAttemptFailed(deliveryId: number, failure: { error: string; final: boolean }): Promise<unknown>;
}

/** What handling an inbound event needs from the composition root. */
export interface InboundDeps {
  /** Runs the event and its effects in one transaction. */
  unitOfWork: UnitOfWork;
  outbox: ReplyOutbox;
  /** Finds the sender, to answer a failure in their language. */
  directory: Pick<Directory, "findMemberByIdentity">;
  /** The language of strangers, and of members who chose none. */
  defaultLocale: Locale;
}

export interface InboundOptions {
  /** The adapter's way out; replies are messages to `recipient.kind === "reply"`. */
  send: Sender;
  log: Logger;
  /** Wakes the delivery queue: the event left messages for others, or a reply to retry. */
  onNotifications?: (() => void) | undefined;
}

/**
 * What every adapter does with an event, and its one error boundary: hands the event to the core
 * (which handles it once and keeps its replies with its effects), sends the replies, and wakes the
 * delivery queue when the event left messages for others. Nothing escapes to the platform's
 * request: what fails unexpectedly is logged under a short reference, which the sender reads in
 * their language.
 */
export async function handleAndReply(deps: InboundDeps, event: InboundEvent, options: InboundOptions): Promise<void> {
  let outcome: InboundOutcome;
  try {
    outcome = await handleInbound(deps.unitOfWork, event, deps.defaultLocale);
  } catch (error) {
    return answerUnexpected(deps, event, options, error);
  }
  switch (outcome.kind) {
    case "stranger":
      // Kept nowhere: a stranger's messages must not be able to write rows. A redelivery is known by memory.
      if (!strangersAnswered.firstTime(deps.unitOfWork, `${event.platform}:${event.eventId}`)) return;
      for (const reply of outcome.replies) {
        await options.send(unkept(event, reply)).catch((error: unknown) => options.log.info({ platform: event.platform, event: event.eventId, error: errorMessage(error) }, "could not answer a stranger"));
      }
      return;
    case "duplicate":
      if (outcome.unsent.length) options.log.info({ platform: event.platform, event: event.eventId, replies: outcome.unsent.length }, "redelivered event: sending the replies its sender did not get");
      return sendReplies(deps, event, outcome.unsent, options);
    case "handled":
      await sendReplies(deps, event, outcome.replies, options);
      if (outcome.result.notifications.length) options.onNotifications?.();
  }
}

/**
 * Sends kept replies in order and marks each sent the moment the platform took it. One that fails
 * goes back to the outbox, where the delivery queue retries it (or keeps it as failed with its error).
 */
async function sendReplies(deps: InboundDeps, event: InboundEvent, replies: ClaimedReply[], options: InboundOptions): Promise<void> {
  let retryLater = false;
  for (const reply of replies) {
    try {
      await options.send({ deliveryId: reply.deliveryId, recipient: reply.recipient, card: reply.card, ticketId: null, view: null, mayHaveArrived: reply.mayHaveArrived });
    } catch (error) {
      const final = error instanceof PermanentDeliveryError;
      options.log.warn({ platform: event.platform, event: event.eventId, delivery: reply.deliveryId, final, error: errorMessage(error) }, final ? "reply refused; kept as failed" : "reply not sent; queued to retry");
      await deps.outbox.markAttemptFailed(reply.deliveryId, { error: errorMessage(error), final }).catch((e: unknown) => options.log.error({ err: e, delivery: reply.deliveryId }, "could not record a failed reply"));
      retryLater ||= !final;
      continue;
    }
    // Written just after this turn of the event loop, not waited for: the sender's next message need
    // not wait on it. Should it fail, the claim outlives the process and the reply is sent once more:
    // a duplicate, never a loss.
    void deps.outbox.markSent(reply.deliveryId).catch((e: unknown) => options.log.error({ err: e, delivery: reply.deliveryId }, "could not record a sent reply"));
  }
  if (retryLater) options.onNotifications?.();
}

/** The error boundary's answer: the sender hears that nothing was done, with a reference the log has too. */
async function answerUnexpected(deps: InboundDeps, event: InboundEvent, options: InboundOptions, error: unknown): Promise<void> {
  const reference = `E-${randomBytes(3).toString("hex").toUpperCase()}`;
  options.log.error({ err: error, reference, platform: event.platform, event: event.eventId, sender: event.senderId }, "event failed");
  const member = await deps.directory.findMemberByIdentity(event.platform, event.senderId).catch(() => undefined);
  const locale = member?.locale ?? deps.defaultLocale;
  const answer = card(t(locale, "error.unexpected", { reference }), { tone: "error" });
  await options.send(unkept(event, answer)).catch((e: unknown) => options.log.warn({ reference, error: errorMessage(e) }, "could not tell the sender about the failure"));
}

/**
 * The events from strangers this process answered lately, so a platform's retry of one (Slack's
 * within minutes, a repeated WeCom MsgId) is not answered twice. Bounded: a stranger sending a lot
 * costs memory of the last few thousand, never rows. A retry reaching another process, or this one
 * after a restart, is answered again: one more polite sentence. Kept per database, known by the
 * unit of work that handles its events (a test process runs several, each with its own event ids).
 */
class RecentEvents {
  private static readonly LIMIT = 5_000;
  private readonly seen = new WeakMap<UnitOfWork, Set<string>>();

  /** True the first time this process sees `key` for the database behind `unitOfWork`. */
  firstTime(unitOfWork: UnitOfWork, key: string): boolean {
    let keys = this.seen.get(unitOfWork);
    if (!keys) this.seen.set(unitOfWork, (keys = new Set()));
    if (keys.has(key)) return false;
    keys.add(key);
    if (keys.size > RecentEvents.LIMIT) keys.delete(keys.values().next().value!);
    return true;
  }
}

const strangersAnswered = new RecentEvents();

/** A message straight to the sender, not in the outbox. */
function unkept(event: InboundEvent, reply: ClaimedReply["card"]) {
  return { deliveryId: null, recipient: replyRecipient(event), card: reply, ticketId: null, view: null, mayHaveArrived: false };
}
