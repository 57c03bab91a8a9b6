import { actsOnAllTickets, localeOf, type Member } from "../directory/member.js";
import type { Organisation } from "../directory/organisation.js";
import { memberRecipient, type Notification, type Recipient } from "../escalation/notification.js";
import { levelKeyOf } from "../escalation/plan-escalation.js";
import { HotlineError } from "../errors.js";
import { card } from "../messages/card.js";
import { t, type MessageKey, type MessageParams } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import type { CoreContext, TicketChange } from "../ports.js";
import { actorLabels, cardContext, done, refuseIfFinished, statusEvents, ticketFor, toReporter, type FlowResult, type TicketAction } from "../tickets/flow-support.js";
import { canAct, canView, mayRecordForTeam } from "../tickets/permissions.js";
import { advanceStatus, type TeamSeat, type Ticket } from "../tickets/ticket.js";
import { departmentName } from "../tickets/ticket-card.js";
import { formatLocalTime } from "../time/business-time.js";
import { teamCard } from "./team-card.js";

/*
 * The major-complaint handling team (manual §5): after-sales leads it; by severity QA, PR and sales
 * finance each appoint a member, joined by legal counsel; members must be authorized, so each
 * appointee confirms; the team reaches the site the same day and records the signed agreement.
 */

/**
 * Where the team works: the organisation's team channel, else the escalation channel that carries
 * the ticket. The adapter opens the team's own channel (or a thread) there.
 */
export function teamSpaceOf(ticket: Ticket, org: Organisation): Recipient | undefined {
  const levelKey = levelKeyOf(ticket);
  const channel =
    org.channels.find((c) => c.purpose === "team") ??
    org.channels.find((c) => c.purpose === "escalation" && (c.levels === undefined || c.levels.includes(levelKey)));
  if (!channel) return undefined;
  return { kind: "team", ticketNumber: ticket.number, name: ticket.number, platform: channel.platform, address: channel.externalId };
}

/** A line for the team's place, in the deployment's language; nothing where the team has no place. */
export function toTeam(ctx: CoreContext, ticket: Ticket, key: MessageKey, params: (locale: Locale) => MessageParams): Notification[] {
  const space = teamSpaceOf(ticket, ctx.org);
  if (!space) return [];
  return [{ recipient: space, card: card(t(ctx.defaultLocale, key, params(ctx.defaultLocale))), ticketNumber: ticket.number }];
}

/** Several lines for the team's place, as one message. */
export function toTeamLines(ctx: CoreContext, ticket: Ticket, lines: (locale: Locale) => string[]): Notification[] {
  const space = teamSpaceOf(ticket, ctx.org);
  if (!space) return [];
  return [{ recipient: space, card: card(lines(ctx.defaultLocale)), ticketNumber: ticket.number }];
}

/**
 * Forming the team is part of after-sales acknowledging its lead: the leader's seat is theirs, and
 * each department the rules picked gets an empty seat for its lead to fill. The roster goes to the
 * team's place as a live view.
 */
export async function formTeam(ctx: CoreContext, leader: Member, ticket: Ticket, now: Date): Promise<Pick<TicketChange, "addTeamSeats" | "events" | "outbox">> {
  const leaderPing = ticket.pings.find((p) => p.duty === "lead_complaint_team");
  const seat = (departmentId: string, memberId: string | null): TeamSeat => ({
    departmentId,
    leader: memberId !== null,
    memberId,
    appointedBy: memberId,
    appointedAt: memberId ? now : null,
    confirmedAt: memberId ? now : null,
  });
  const seats = [
    seat(leaderPing?.departmentId ?? ctx.org.complaintTeam.leader, leader.id),
    ...ticket.pings.filter((p) => p.duty === "appoint_team_member" && p.departmentId).map((p) => seat(p.departmentId!, null)),
  ];
  const formed = { ...ticket, team: seats };
  const space = teamSpaceOf(ticket, ctx.org);
  const roster: Notification[] = space ? [{ recipient: space, card: teamCard(formed, await cardContext(ctx, ctx.defaultLocale)), ticketNumber: ticket.number, view: "team" }] : [];
  const labels = actorLabels(ctx, leader);
  return {
    addTeamSeats: seats,
    events: [{ type: "team_formed", actorId: leader.id, data: { departments: seats.map((s) => s.departmentId) } }],
    // The roster first: where the team works in a thread, it is the thread's head.
    outbox: [...roster, ...toTeam(ctx, ticket, "team.formed", (l) => ({ number: ticket.number, ...labels(l) }))],
  };
}

export function requireTeam(ticket: Ticket): void {
  if (ticket.team.length === 0) throw new HotlineError("no_team", `${ticket.number} has no team`, { number: ticket.number });
}

/** The seat `/appoint` fills: the one named, else the one whose department the actor leads. */
function seatToFill(ctx: CoreContext, actor: Member, ticket: Ticket, departmentId: string | undefined): TeamSeat {
  const open = ticket.team.filter((s) => !s.leader);
  const led = (s: TeamSeat) => ctx.org.departments.find((d) => d.id === s.departmentId)?.lead === actor.id;
  const seat = departmentId ? open.find((s) => s.departmentId === departmentId) : (open.find(led) ?? open.find((s) => s.departmentId === actor.departmentId));
  if (!seat) throw new HotlineError("no_seat", `${ticket.number} has no seat for ${departmentId ?? actor.id}`, { number: ticket.number, department: departmentId ?? "-" });
  if (!led(seat) && !actsOnAllTickets(actor, ctx.org)) {
    throw new HotlineError("not_allowed", `${actor.id} may not appoint for ${seat.departmentId}`, { number: ticket.number, refusal: "appoint" });
  }
  return seat;
}

/**
 * A department's lead (or after-sales) appoints a member of that department; the appointee is asked
 * to confirm. Appointing answers the lead's "appoint a member" ping.
 */
export async function appointTeamMember(ctx: CoreContext, actor: Member, number: string, appointeeId: string, departmentId?: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canAct(m, tk, ctx.org), "appoint");
  requireTeam(ticket);
  refuseIfFinished(ticket, "appointed");
  const seat = seatToFill(ctx, actor, ticket, departmentId);
  const appointee = await ctx.directory.findMember(appointeeId);
  if (!appointee) throw new HotlineError("unknown_member", `no member ${appointeeId}`, { member: appointeeId });
  const cardCtx = await cardContext(ctx, localeOf(actor, ctx.defaultLocale));
  if (appointee.departmentId !== seat.departmentId) {
    throw new HotlineError("not_in_department", `${appointee.id} is not in ${seat.departmentId}`, { who: pick(appointee.name, cardCtx.locale), department: departmentName(seat.departmentId, cardCtx) });
  }
  const now = ctx.clock();
  const pings = ticket.pings.filter((p) => p.duty === "appoint_team_member" && p.departmentId === seat.departmentId && !p.acknowledgedAt);
  const selfAppointed = appointee.id === actor.id;
  const department = (l: Locale) => departmentName(seat.departmentId, { ...cardCtx, locale: l });
  const labels = actorLabels(ctx, actor);
  const onSite = ticket.deadlines.find((d) => d.kind === "on_site");
  const due = onSite ? formatLocalTime(onSite.dueAt, ctx.timeZone) : "-";
  const appointeeLocale = localeOf(appointee, ctx.defaultLocale);
  const askToConfirm: Notification[] = selfAppointed
    ? []
    : [
        {
          recipient: memberRecipient(appointee, appointeeLocale),
          card: card(t(appointeeLocale, "team.appointed_you", { ...labels(appointeeLocale), number: ticket.number, due, department: department(appointeeLocale) }), {
            choices: [{ id: `/confirm ${ticket.number}`, label: t(appointeeLocale, "button.confirm_seat") }],
          }),
          ticketNumber: ticket.number,
        },
      ];
  const outbox = [...askToConfirm, ...toTeam(ctx, ticket, "team.appointed", (l) => ({ ...labels(l), appointee: pick(appointee.name, l), department: department(l) }))];
  await ctx.tickets.apply(ticket.id, {
    updateTeamSeat: { departmentId: seat.departmentId, seat: { memberId: appointee.id, appointedBy: actor.id, appointedAt: now, confirmedAt: selfAppointed ? now : null } },
    acknowledgePings: { ids: pings.map((p) => p.id), by: actor.id, at: now },
    meetDeadlines: { ids: ticket.deadlines.filter((d) => d.status === "pending" && pings.some((p) => p.id === d.pingId)).map((d) => d.id), at: now },
    events: [{ type: "team_appointed", actorId: actor.id, data: { departmentId: seat.departmentId, memberId: appointee.id } }],
    outbox,
  });
  return done(ctx, actor, "appoint.done", ticket.number, outbox, { who: pick(appointee.name, cardCtx.locale) });
}

/** The appointee accepts the seat (the manual: team members must be authorized). */
export async function confirmAppointment(ctx: CoreContext, actor: Member, number: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, () => true, "view");
  const seat = ticket.team.find((s) => s.memberId === actor.id && !s.confirmedAt);
  if (!seat) throw new HotlineError("nothing_to_confirm", `${actor.id} has no appointment on ${ticket.number}`, { number: ticket.number });
  const labels = actorLabels(ctx, actor);
  const complete = ticket.team.every((s) => s === seat || s.confirmedAt);
  const outbox = [
    ...toTeam(ctx, ticket, "team.confirmed", (l) => labels(l)),
    ...(complete ? toTeam(ctx, ticket, "team.complete", () => ({})) : []),
  ];
  await ctx.tickets.apply(ticket.id, {
    updateTeamSeat: { departmentId: seat.departmentId, seat: { confirmedAt: ctx.clock() } },
    events: [{ type: "team_confirmed", actorId: actor.id, data: { departmentId: seat.departmentId } }],
    outbox,
  });
  return done(ctx, actor, "confirm.done", ticket.number, outbox);
}

/**
 * The team's work on the case: the same checks for each step it records (arriving on site, the
 * responsibility split, the agreement): a formed team, one of its members (or after-sales, which
 * leads it, or a manager), a ticket not yet finished.
 */
export function refuseTeamStep(ctx: CoreContext, actor: Member, ticket: Ticket, action: TicketAction): void {
  requireTeam(ticket);
  if (!mayRecordForTeam(actor, ticket, ctx.org)) {
    throw new HotlineError("not_allowed", `${actor.id} is not on the team of ${ticket.number}`, { number: ticket.number, refusal: "team" });
  }
  refuseIfFinished(ticket, action);
}

/** §5 处理小组必须于当天赶赴现场: the team reached the site, which meets the same-day deadline. */
export async function recordOnSite(ctx: CoreContext, actor: Member, number: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  refuseTeamStep(ctx, actor, ticket, "team_on_site");
  const now = ctx.clock();
  const next = advanceStatus(ticket.status, "team_on_site");
  const labels = actorLabels(ctx, actor);
  const at = formatLocalTime(now, ctx.timeZone);
  const outbox = [
    ...toTeam(ctx, ticket, "team.on_site", (l) => ({ at, ...labels(l) })),
    ...(await toReporter(ctx, ticket, actor, "notify.team_on_site", () => ({ number: ticket.number }))),
  ];
  await ctx.tickets.apply(ticket.id, {
    status: next,
    meetDeadlines: { ids: ticket.deadlines.filter((d) => d.kind === "on_site" && d.status === "pending").map((d) => d.id), at: now },
    events: [{ type: "team_on_site", actorId: actor.id }, ...statusEvents(ticket, next, actor.id)],
    outbox,
  });
  return done(ctx, actor, "onsite.done", ticket.number, outbox);
}

/** `/team`: the roster as it stands. */
export async function showTeam(ctx: CoreContext, actor: Member, number: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  requireTeam(ticket);
  return { replies: [teamCard(ticket, await cardContext(ctx, localeOf(actor, ctx.defaultLocale)))], notifications: [] };
}
