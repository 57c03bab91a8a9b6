import type { NewDeadline, NewPing, TicketChange } from "../ports.js";
import { activePings, type Deadline, type NewTimelineEvent, type Ping, type TeamSeat, type Ticket } from "../tickets/ticket.js";
import { ON_REQUEST_DEADLINES, ON_REQUEST_DUTIES, pingKey, type EscalationPlan } from "./plan-escalation.js";

/**
 * What moving a ticket to a new plan changes (a confirmation releasing it, a new level, an
 * assignment, a transfer). Pings and deadlines both plans share stay as they are, with their
 * acknowledgements and their clocks; those only the old one had are cancelled (kept on record);
 * those only the new one has are created. Pure.
 */
export interface PlanChange {
  addPings: NewPing[];
  /** Deadlines of the new pings (`pingIndex` into `addPings`) and new follow-ups. */
  addDeadlines: NewDeadline[];
  cancelledPings: Ping[];
  cancelledDeadlines: Deadline[];
  addedSeats: TeamSeat[];
  removedSeats: TeamSeat[];
  /** Escalation channels that carry the ticket now and did not before. */
  newChannelIds: string[];
}

/** A follow-up deadline (feedback, receipt, measures, on site) is the same when owed by the same chain. */
const followUpKey = (d: { kind: string; chain: readonly string[] }) => `${d.kind}|${d.chain.join(">")}`;

export function replan(ticket: Ticket, plan: EscalationPlan, previousChannelIds: readonly string[]): PlanChange {
  // What a flow asked for outside the plans (a returned vehicle, finance's handling of an agreed
  // amount) is not the plan's to keep or cancel.
  const current = activePings(ticket).filter((p) => !ON_REQUEST_DUTIES.has(p.duty));
  const currentKeys = new Set(current.map(pingKey));
  const plannedKeys = new Set(plan.pings.map(pingKey));
  // An acknowledged ping is done, not owed: it stays on record whatever the new plan says.
  const cancelledPings = current.filter((p) => !plannedKeys.has(pingKey(p)) && p.acknowledgedAt === null);
  const cancelledIds = new Set(cancelledPings.map((p) => p.id));

  const addPings: NewPing[] = [];
  const addDeadlines: NewDeadline[] = [];
  plan.pings.forEach((ping, index) => {
    if (currentKeys.has(pingKey(ping))) return;
    addPings.push(ping);
    const own = plan.deadlines.filter((d) => d.pingIndex === index);
    addDeadlines.push(...own.map((d) => ({ ...d, pingIndex: addPings.length - 1 })));
  });

  const followUps = ticket.deadlines.filter((d) => d.pingId === null && d.status !== "cancelled" && !ON_REQUEST_DEADLINES.has(d.kind));
  const owed = new Set(followUps.map(followUpKey));
  const planned = plan.deadlines.filter((d) => d.pingIndex === null);
  const plannedFollowUps = new Set(planned.map(followUpKey));
  addDeadlines.push(...planned.filter((d) => !owed.has(followUpKey(d))));
  const cancelledDeadlines = ticket.deadlines.filter(
    (d) => d.status === "pending" && (d.pingId === null ? !ON_REQUEST_DEADLINES.has(d.kind) && !plannedFollowUps.has(followUpKey(d)) : cancelledIds.has(d.pingId)),
  );

  const { addedSeats, removedSeats } = reseat(ticket, plan);
  const newChannelIds = plan.channelIds.filter((id) => !previousChannelIds.includes(id));
  return { addPings, addDeadlines, cancelledPings, cancelledDeadlines, addedSeats, removedSeats, newChannelIds };
}

/** §5: the team's seats follow the level ("根据问题严重程度"); the leader's seat stays. A team not yet formed has none. */
function reseat(ticket: Ticket, plan: EscalationPlan): Pick<PlanChange, "addedSeats" | "removedSeats"> {
  if (ticket.team.length === 0) return { addedSeats: [], removedSeats: [] };
  const wanted = plan.team?.departmentIds ?? [];
  const seated = new Set(ticket.team.map((s) => s.departmentId));
  const removedSeats = ticket.team.filter((s) => !s.leader && !wanted.includes(s.departmentId));
  const addedSeats = wanted
    .filter((departmentId) => !seated.has(departmentId))
    .map((departmentId): TeamSeat => ({ departmentId, leader: false, memberId: null, appointedBy: null, appointedAt: null, confirmedAt: null }));
  return { addedSeats, removedSeats };
}

/** The plan change as a ticket change, with a timeline entry for each ping, cancellation and seat. */
export function planChangeRecord(change: PlanChange, actorId: string | null, now: Date): Required<Pick<TicketChange, "addPings" | "addDeadlines" | "cancelPings" | "cancelDeadlines" | "addTeamSeats" | "removeTeamSeats">> & { events: NewTimelineEvent[] } {
  const events: NewTimelineEvent[] = [
    ...change.cancelledPings.map((p) => ({ type: "ping_cancelled" as const, actorId, data: { memberId: p.memberId, departmentId: p.departmentId, duty: p.duty } })),
    ...change.cancelledDeadlines.filter((d) => d.pingId === null).map((d) => ({ type: "deadline_cancelled" as const, actorId, data: { deadline: d.id, kind: d.kind } })),
    ...change.addPings.map((p) => ({ type: "pinged" as const, actorId: null, data: { memberId: p.memberId, departmentId: p.departmentId, duty: p.duty } })),
    ...change.removedSeats.map((s) => ({ type: "team_seat_removed" as const, actorId, data: { departmentId: s.departmentId, memberId: s.memberId } })),
    ...change.addedSeats.map((s) => ({ type: "team_seat_added" as const, actorId, data: { departmentId: s.departmentId } })),
  ];
  return {
    addPings: change.addPings,
    addDeadlines: change.addDeadlines,
    cancelPings: { ids: change.cancelledPings.map((p) => p.id), at: now },
    cancelDeadlines: { ids: change.cancelledDeadlines.map((d) => d.id) },
    addTeamSeats: change.addedSeats,
    removeTeamSeats: change.removedSeats.map((s) => s.departmentId),
    events,
  };
}
