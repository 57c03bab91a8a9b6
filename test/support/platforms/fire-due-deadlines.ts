import type { App } from "../../../bot/app.js";
import { decideOnFire } from "../../../core/deadlines/deadline-policy.js";
import { fireDeadline, timerPolicy } from "../../../core/deadlines/fire-deadline.js";
import type { Level } from "../../../core/triage/rules.js";

/** More rounds than any chain of reminders and escalations needs: past it, something fires for ever. */
const MAX_ROUNDS = 100;

/**
 * Fires every deadline timer that is due at the app's clock, as the BullMQ worker would have by then
 * (jobs/deadline-timers.ts): each through `fireDeadline` in a unit of work, with the sequence number
 * its timer carries, again and again until none is due (a jump past a reminder and the deadline
 * escalates at once; the reminder that was skipped is not sent late). Returns how many fired.
 */
export async function fireDueDeadlines(app: App): Promise<number> {
  let fired = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const now = app.core.clock();
    const pending = await app.db.deadline.findMany({
      where: { status: "pending" },
      orderBy: [{ dueAt: "asc" }, { id: "asc" }],
      select: { id: true, fireSeq: true, dueAt: true, step: true, chain: true, remindersSent: true, ticket: { select: { level: true, category: true } } },
    });
    const due = pending.filter((row) => {
      const state = { dueAt: row.dueAt, step: row.step, chain: JSON.parse(row.chain) as string[], remindersSent: row.remindersSent };
      return decideOnFire(state, timerPolicy(app.core, { ticketLevel: row.ticket.level as Level | null, ticketCategory: row.ticket.category === "major" ? "major" : "general" }), now).kind !== "wait";
    });
    if (due.length === 0) return fired;
    for (const row of due) {
      const outcome = await app.unitOfWork.run(({ core }) => fireDeadline(core, { deadlineId: row.id, expectedSeq: row.fireSeq }));
      if (outcome.kind !== "stale") fired += 1;
    }
  }
  throw new Error(`deadlines still came due after ${MAX_ROUNDS} rounds of firing`);
}
