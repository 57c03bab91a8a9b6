import type { Member } from "../directory/member.js";
import { escalationNotices, type NoticeScope } from "../escalation/escalation-notices.js";
import type { Notification } from "../escalation/notification.js";
import { planEscalation, type EscalationPlan, type TicketStage } from "../escalation/plan-escalation.js";
import { planChangeRecord, replan, type PlanChange } from "../escalation/replan.js";
import { t } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import type { CoreContext, TicketChange } from "../ports.js";
import { formTeam } from "../teams/complaint-team.js";
import { cardContext, toMembers } from "./flow-support.js";
import { activePings, type Deadline, type Ping, type Ticket } from "./ticket.js";
import { departmentName, severityText } from "./ticket-card.js";

/*
 * Moving a ticket along the manual's loop (a confirmation, a grading, an assignment, a transfer)
 * changes who must act: the ticket's plan is worked out again for where it stands now, and the
 * difference becomes the change: pings and deadlines added or cancelled, seats, the messages.
 */

export function stageOf(ticket: Ticket): TicketStage {
  return { released: ticket.releasedAt !== null, firstLine: ticket.firstLine, transferred: ticket.transferredAt !== null, serviceCenterId: ticket.serviceCenterId };
}

/** The plan a ticket follows as it stands, with deadlines counted from `now`. */
export function planOf(ctx: CoreContext, ticket: Ticket, now: Date): EscalationPlan {
  return planEscalation(
    { kind: ticket.kind, source: ticket.source, severity: ticket, answers: ticket.answers, stage: stageOf(ticket), now, timeZone: ctx.timeZone },
    ctx.org,
  );
}

/** The ticket with these pings answered by `by`: a new plan keeps them as done, not cancelled. */
export function withAnswered(ticket: Ticket, pingIds: readonly number[], by: string, at: Date): Ticket {
  const ids = new Set(pingIds);
  return { ...ticket, pings: ticket.pings.map((p) => (ids.has(p.id) && p.acknowledgedAt === null ? { ...p, acknowledgedAt: at, acknowledgedBy: by } : p)) };
}

export interface Move {
  /** Where the ticket was (its pings as they are now) and where it goes (its new fields). */
  before: Ticket;
  after: Ticket;
  /** Who moves it; null for a deadline that passed. */
  actor: Member | null;
  /** Pings of these duties the move creates are answered by the actor as they are made (a grading confirms). */
  answers: readonly Ping["duty"][];
  opening: NoticeScope["headline"];
  /** Lines that head each message to the newly pinged (why it reaches them). */
  preface?: NoticeScope["preface"];
}

export type MoveChange = Required<Pick<TicketChange, "fields" | "addPings" | "addDeadlines" | "cancelPings" | "cancelDeadlines" | "addTeamSeats" | "removeTeamSeats" | "events" | "outbox">> &
  Pick<TicketChange, "outboxFor"> & { teamFormed: boolean; planChange: PlanChange };

export async function moveTicket(ctx: CoreContext, move: Move): Promise<MoveChange> {
  const now = ctx.clock();
  const { before, after, actor } = move;
  const previousChannels = before.releasedAt ? planOf(ctx, before, now).channelIds : [];
  const plan = planOf(ctx, after, now);
  const planChange = replan(after, plan, previousChannels);
  const leadsTeam = actor !== null && actor.departmentId === ctx.org.complaintTeam.leader;
  planChange.addPings = planChange.addPings.map((ping) =>
    actor && (move.answers.includes(ping.duty) || (leadsTeam && ping.duty === "lead_complaint_team")) ? { ...ping, acknowledged: { by: actor.id, at: now } } : ping,
  );
  const record = planChangeRecord(planChange, actor?.id ?? null, now);
  const team = leadsTeam && actor && formsTeam(after, planChange) ? await formTeam(ctx, actor, withPlannedPings(after, planChange), now) : undefined;
  const fields = { category: after.category, level: after.level, releasedAt: after.releasedAt, firstLine: after.firstLine, transferredAt: after.transferredAt, serviceCenterId: after.serviceCenterId };
  const noticeCtx = { ...(await cardContext(ctx, ctx.defaultLocale)), defaultLocale: ctx.defaultLocale };
  const knownPings = new Set(before.pings.map((p) => p.id));
  return {
    fields,
    ...record,
    addTeamSeats: [...record.addTeamSeats, ...(team?.addTeamSeats ?? [])],
    events: [...record.events, ...(team?.events ?? [])],
    outbox: [...(await lossNotices(ctx, after, planChange, actor)), ...(team?.outbox ?? [])],
    outboxFor: (ticket) => escalationNotices(ticket, { pings: activePings(ticket).filter((p) => !knownPings.has(p.id)), channelIds: planChange.newChannelIds, headline: move.opening, preface: move.preface }, noticeCtx),
    teamFormed: team !== undefined,
    planChange,
  };
}

/** After-sales answering the "lead the complaint team" ping the move creates forms the team (§5 牵头). */
function formsTeam(ticket: Ticket, change: PlanChange): boolean {
  return ticket.team.length === 0 && change.addPings.some((p) => p.duty === "lead_complaint_team" && p.acknowledged);
}

/** The ticket as the move leaves its pings and follow-ups, for forming a team from them (ids are not known yet). */
function withPlannedPings(ticket: Ticket, change: PlanChange): Ticket {
  const planned: Ping[] = change.addPings.map((p) => ({ ...p, id: -1, acknowledgedAt: p.acknowledged?.at ?? null, acknowledgedBy: p.acknowledged?.by ?? null, cancelledAt: null }));
  const followUps: Deadline[] = change.addDeadlines
    .filter((d) => d.pingIndex === null)
    .map((d) => ({ id: -1, pingId: null, kind: d.kind, dueAt: d.dueAt, status: "pending", chain: d.chain, step: 0 }));
  return { ...ticket, pings: [...activePings(ticket), ...planned], deadlines: [...ticket.deadlines, ...followUps] };
}

/** Those a new plan no longer needs hear it: each cancelled ping's member, each appointee whose seat goes. */
async function lossNotices(ctx: CoreContext, ticket: Ticket, change: PlanChange, actor: Member | null): Promise<Notification[]> {
  const cardCtx = await cardContext(ctx, ctx.defaultLocale);
  const tell = (memberId: string | null, message: (locale: Locale) => string) =>
    toMembers(ctx, [memberId ? cardCtx.members.get(memberId) : undefined], actor, ticket.number, message);
  const who = (locale: Locale) => (actor ? pick(actor.name, locale) : "-");
  return [
    ...change.cancelledPings.flatMap((p) =>
      tell(p.memberId, (l) => t(l, "notify.ping_cancelled", { number: ticket.number, severity: severityText(ticket, l), who: who(l), duty: t(l, `duty.${p.duty}`) })),
    ),
    ...change.removedSeats.flatMap((s) =>
      tell(s.memberId, (l) => t(l, "notify.seat_removed", { number: ticket.number, severity: severityText(ticket, l), department: departmentName(s.departmentId, { ...cardCtx, locale: l }) })),
    ),
  ];
}
