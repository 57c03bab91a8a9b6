/**
 * When a deadline's timer should fire and what it does then: remind before the deadline,
 * escalate one step up the chain at it, and give up (missed) when the chain ends. Pure.
 */

export interface DeadlineTimerState {
  dueAt: Date;
  /** Position in the chain of the person who owes it now. */
  step: number;
  chain: readonly string[];
  remindersSent: number;
}

export interface TimerPolicy {
  /** Minutes before the deadline to remind, e.g. [10]. */
  reminderMinutesBefore: readonly number[];
  /** Minutes the next person on the chain gets after an escalation. */
  stepMinutes: number;
}

export type TimerDecision =
  | { kind: "wait"; until: Date }
  | { kind: "remind"; remindersSent: number; next: Date }
  | { kind: "escalate"; step: number; dueAt: Date; next: Date }
  | { kind: "missed" };

/** Reminder instants of the current step, earliest first, with their position. */
function reminders(state: DeadlineTimerState, policy: TimerPolicy): { at: Date; index: number }[] {
  return [...policy.reminderMinutesBefore]
    .sort((a, b) => b - a)
    .map((minutes, index) => ({ at: new Date(state.dueAt.getTime() - minutes * 60_000), index }));
}

/** The next instant the timer must fire: the next reminder still ahead, else the deadline itself. */
export function nextFireAt(state: DeadlineTimerState, policy: TimerPolicy, now: Date): Date {
  const ahead = reminders(state, policy).find((r) => r.index >= state.remindersSent && r.at > now);
  return ahead?.at ?? state.dueAt;
}

/** What firing at `now` does. A reminder whose time passed unsent is skipped, not sent late in a burst. */
export function decideOnFire(state: DeadlineTimerState, policy: TimerPolicy, now: Date): TimerDecision {
  if (now >= state.dueAt) {
    const step = state.step + 1;
    if (step >= state.chain.length) return { kind: "missed" };
    const dueAt = new Date(now.getTime() + policy.stepMinutes * 60_000);
    return { kind: "escalate", step, dueAt, next: nextFireAt({ ...state, step, dueAt, remindersSent: 0 }, policy, now) };
  }
  const due = reminders(state, policy).filter((r) => r.index >= state.remindersSent && r.at <= now).at(-1);
  if (!due) return { kind: "wait", until: nextFireAt(state, policy, now) };
  const remindersSent = due.index + 1;
  return { kind: "remind", remindersSent, next: nextFireAt({ ...state, remindersSent }, policy, now) };
}
