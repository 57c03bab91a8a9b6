import { ticketActions } from "../escalation/escalation-notices.js";
import { memberRecipient, type Notification } from "../escalation/notification.js";
import { card } from "../messages/card.js";
import { t, type MessageKey, type MessageParams } from "../messages/catalog.js";
import { pick } from "../messages/locale.js";
import type { CoreContext, DeadlineRecord } from "../ports.js";
import { formatLocalTime } from "../time/business-time.js";
import { releaseUnconfirmed } from "../tickets/after-sales-flows.js";
import { decideOnFire, type TimerPolicy } from "./deadline-policy.js";
import { localeOf } from "../directory/member.js";

export type FireOutcome =
  /** Fire again at `at` with this sequence number. */
  | { kind: "next"; at: Date; seq: number }
  /** Nothing more to fire: missed, or the deadline was met. */
  | { kind: "done" }
  /** Another timer already handled this firing (a retry, a second worker, a reconcile). */
  | { kind: "stale" };

/** The timer rules for a deadline: reminders from the organisation file, a step as long as its level's acknowledgement. */
export function timerPolicy(ctx: CoreContext, deadline: Pick<DeadlineRecord, "ticketLevel" | "ticketCategory">): TimerPolicy {
  const planKey = deadline.ticketLevel !== null ? (`level${deadline.ticketLevel}` as const) : deadline.ticketCategory === "major" ? "ungraded" : "general";
  return { reminderMinutesBefore: ctx.org.deadlines.reminderMinutesBefore, stepMinutes: ctx.org.deadlines.acknowledgeMinutes[planKey] };
}

/**
 * A deadline's timer went off: remind whoever owes it, escalate one step up the chain at the
 * deadline, or record it missed at the chain's end. Each effect, its timeline entry and its
 * messages are written once, however many times the timer fires for `expectedSeq`.
 */
export async function fireDeadline(ctx: CoreContext, input: { deadlineId: number; expectedSeq: number }): Promise<FireOutcome> {
  const deadline = await ctx.deadlines.find(input.deadlineId);
  if (!deadline || deadline.status !== "pending") return { kind: "done" };
  if (deadline.fireSeq !== input.expectedSeq) return { kind: "stale" };
  const now = ctx.clock();
  const decision = decideOnFire(deadline, timerPolicy(ctx, deadline), now);
  const seq = input.expectedSeq + 1;
  const advance = (change: Parameters<CoreContext["deadlines"]["advance"]>[2], events: Parameters<CoreContext["deadlines"]["advance"]>[3], outbox: Notification[]) =>
    ctx.deadlines.advance(deadline.id, input.expectedSeq, change, events, outbox);

  switch (decision.kind) {
    case "wait":
      return (await advance({}, [], [])) ? { kind: "next", at: decision.until, seq } : { kind: "stale" };
    case "remind": {
      const owner = deadline.chain[deadline.step]!;
      const outbox = await notify(ctx, deadline, owner, "deadline.reminder", (locale) => ({ due: formatLocalTime(deadline.dueAt, ctx.timeZone), what: what(deadline, locale) }));
      const events = [{ type: "reminded" as const, actorId: null, data: { deadline: deadline.id, kind: deadline.kind, to: owner } }];
      return (await advance({ remindersSent: decision.remindersSent }, events, outbox)) ? { kind: "next", at: decision.next, seq } : { kind: "stale" };
    }
    case "escalate": {
      const previous = deadline.chain[deadline.step]!;
      const next = deadline.chain[decision.step]!;
      const names = await nameOf(ctx);
      const outbox = [
        ...(await notify(ctx, deadline, next, "deadline.escalated_to_you", (l) => ({ due: formatLocalTime(decision.dueAt, ctx.timeZone), what: what(deadline, l), previous: names(previous, l) }), true)),
        ...(await notify(ctx, deadline, previous, "deadline.escalated_from_you", (l) => ({ what: what(deadline, l), next: names(next, l) }))),
      ];
      const events = [{ type: "escalated" as const, actorId: null, data: { deadline: deadline.id, kind: deadline.kind, from: previous, to: next, step: decision.step } }];
      const change = { step: decision.step, dueAt: decision.dueAt, remindersSent: 0 };
      if (!(await advance(change, events, outbox))) return { kind: "stale" };
      await releaseIfUnconfirmed(ctx, deadline);
      return { kind: "next", at: decision.next, seq };
    }
    case "missed": {
      const last = deadline.chain.at(-1)!;
      const names = await nameOf(ctx);
      const outbox = await notify(ctx, deadline, last, "deadline.missed", (l) => ({ what: what(deadline, l), last: names(last, l) }));
      const events = [{ type: "deadline_missed" as const, actorId: null, data: { deadline: deadline.id, kind: deadline.kind } }];
      if (!(await advance({ status: "missed" }, events, outbox))) return { kind: "stale" };
      await releaseIfUnconfirmed(ctx, deadline);
      return { kind: "done" };
    }
  }
}

/**
 * §4 asks after-sales to confirm before QA and the leaders hear of a major item, but a level-1
 * accident must not wait on one person: once the confirmation is overdue the ticket goes out anyway.
 */
async function releaseIfUnconfirmed(ctx: CoreContext, deadline: DeadlineRecord): Promise<void> {
  if (deadline.duty === "confirm" && !deadline.ticketReleased) await releaseUnconfirmed(ctx, deadline.ticketId);
}

/** What is owed, in words: the ping's duty for acknowledgements, the deadline's kind otherwise. */
function what(deadline: DeadlineRecord, locale: Parameters<typeof t>[0]): string {
  return deadline.kind === "acknowledge" && deadline.duty ? t(locale, `duty.${deadline.duty}`) : t(locale, `deadline.${deadline.kind}`);
}

async function nameOf(ctx: CoreContext) {
  const members = new Map((await ctx.directory.listMembers()).map((m) => [m.id, m]));
  return (id: string, locale: Parameters<typeof pick>[1]) => {
    const member = members.get(id);
    return member ? pick(member.name, locale) : id;
  };
}

async function notify(
  ctx: CoreContext,
  deadline: DeadlineRecord,
  memberId: string,
  key: MessageKey,
  params: (locale: Parameters<typeof t>[0]) => Omit<MessageParams, "number">,
  withActions = false,
): Promise<Notification[]> {
  const member = await ctx.directory.findMember(memberId);
  if (!member) return [];
  const locale = localeOf(member, ctx.defaultLocale);
  const body = card(t(locale, key, { number: deadline.ticketNumber, ...params(locale) }), {
    tone: "warning",
    choices: withActions ? ticketActions(deadline.ticketNumber, locale) : undefined,
  });
  return [{ recipient: memberRecipient(member, locale), card: body, ticketNumber: deadline.ticketNumber }];
}
