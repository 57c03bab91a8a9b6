import { actsOnAllTickets, localeOf, type Member } from "../directory/member.js";
import type { OrgDepartment } from "../directory/organisation.js";
import { memberRecipient, type Notification } from "../escalation/notification.js";
import { departmentAsk, planKeyOf } from "../escalation/plan-escalation.js";
import { HotlineError } from "../errors.js";
import { card, type Card, type Choice } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import type { CoreContext } from "../ports.js";
import { actorLabels, cardContext, done, refuseIfFinished, ticketFor, toMembers, type FlowResult } from "../tickets/flow-support.js";
import { canView } from "../tickets/permissions.js";
import { activePings, type TeamSeat, type Ticket } from "../tickets/ticket.js";
import { formatLocalTime } from "../time/business-time.js";
import { toTeam } from "./complaint-team.js";

/*
 * §5 根据问题严重程度分别由…委派专人: the rules pick the team's departments by severity, and
 * after-sales, which leads the team, adjusts them as the case needs: a department joins (其他有关部门
 * 负责配合) or leaves. A seat's department appoints its member as any other.
 */

/** `/team <no> add|remove`: the words, in either language. */
export type SeatChange = "add" | "remove";
const CHANGE_WORDS: Record<string, SeatChange> = { add: "add", remove: "remove", 增加: "add", 加入: "add", 取消: "remove", 移除: "remove" };

export const seatChangeOf = (word: string | undefined): SeatChange | undefined => (word === undefined ? undefined : CHANGE_WORDS[word.toLowerCase()]);

/** A department by its id or its name in either language. */
function findDepartment(ctx: CoreContext, input: string): OrgDepartment | undefined {
  const wanted = input.trim().toLowerCase();
  return ctx.org.departments.find((d) => d.id === wanted || d.name.zh === input.trim() || d.name.en.toLowerCase() === wanted);
}

/** The team's ticket, for after-sales and managers to change its seats: after the team formed, before the ticket is finished. */
async function seatedTicket(ctx: CoreContext, actor: Member, number: string): Promise<Ticket> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  if (ticket.team.length === 0) throw new HotlineError("no_team", `${ticket.number} has no team`, { number: ticket.number });
  if (!actsOnAllTickets(actor, ctx.org)) throw new HotlineError("not_allowed", `${actor.id} may not change the team of ${ticket.number}`, { number: ticket.number, refusal: "team_seats" });
  refuseIfFinished(ticket, "team_changed");
  return ticket;
}

/** The departments a change may name: any without a seat to add; any seat but the leader's to remove. */
function candidates(ctx: CoreContext, ticket: Ticket, change: SeatChange): OrgDepartment[] {
  const seated = new Set(ticket.team.map((s) => s.departmentId));
  if (change === "add") return ctx.org.departments.filter((d) => !seated.has(d.id));
  const removable = new Set(ticket.team.filter((s) => !s.leader).map((s) => s.departmentId));
  return ctx.org.departments.filter((d) => removable.has(d.id));
}

/** `/team <no> add` without a department: the departments to choose from, as buttons that complete the command. */
export async function askSeatChange(ctx: CoreContext, actor: Member, number: string, change: SeatChange): Promise<FlowResult> {
  const ticket = await seatedTicket(ctx, actor, number);
  const locale = localeOf(actor, ctx.defaultLocale);
  const options = candidates(ctx, ticket, change);
  const question: Card = options.length
    ? card(t(locale, change === "add" ? "team_seat.which_add" : "team_seat.which_remove", { number: ticket.number }), {
        tone: "question",
        choices: options.map((d): Choice => ({ id: `/team ${ticket.number} ${change} ${d.id}`, label: pick(d.name, locale) })),
      })
    : card(t(locale, change === "add" ? "team_seat.nothing_to_add" : "team_seat.nothing_to_remove", { number: ticket.number }));
  return { replies: [question], notifications: [] };
}

/** The department a change names, or the refusal that says which it could have named. */
function departmentFor(ctx: CoreContext, ticket: Ticket, input: string, locale: Locale): OrgDepartment {
  const department = findDepartment(ctx, input);
  if (department) return department;
  throw new HotlineError("unknown_department", `no department ${input}`, { department: input, departments: ctx.org.departments.map((d) => t(locale, "team_seat.department_option", { id: d.id, name: pick(d.name, locale) })).join(", ") });
}

/**
 * A department joins the formed team: an empty seat, and its lead is asked to appoint a member
 * (an `appoint_team_member` ping with the plan's acknowledgement deadline and the lead's chain).
 */
export async function addTeamSeat(ctx: CoreContext, actor: Member, number: string, input: string): Promise<FlowResult> {
  const ticket = await seatedTicket(ctx, actor, number);
  const cardCtx = await cardContext(ctx, localeOf(actor, ctx.defaultLocale));
  const department = departmentFor(ctx, ticket, input, cardCtx.locale);
  if (ticket.team.some((s) => s.departmentId === department.id)) {
    throw new HotlineError("already_seated", `${ticket.number} seats ${department.id}`, { number: ticket.number, department: pick(department.name, cardCtx.locale) });
  }
  const now = ctx.clock();
  const planKey = planKeyOf(ticket, { firstLine: ticket.firstLine, transferred: ticket.transferredAt !== null });
  const ask = departmentAsk({ departmentId: department.id, duty: "appoint_team_member", planKey, now }, ctx.org);
  const seat: TeamSeat = { departmentId: department.id, leader: false, memberId: null, appointedBy: null, appointedAt: null, confirmedAt: null };
  const lead = cardCtx.members.get(department.lead);
  const labels = actorLabels(ctx, actor);
  const name = (l: Locale) => pick(department.name, l);
  const leadName = (l: Locale) => (lead ? pick(lead.name, l) : department.lead);
  const due = formatLocalTime(ask.deadline.dueAt, ctx.timeZone);
  const picker = (l: Locale): Choice => ({ id: `/appoint ${ticket.number} ${department.id}`, label: t(l, "team.picker", { department: name(l) }) });
  const leadLocale = lead && localeOf(lead, ctx.defaultLocale);
  const toLead: Notification[] =
    lead && leadLocale && lead.id !== actor.id
      ? [
          {
            recipient: memberRecipient(lead, leadLocale),
            card: card(t(leadLocale, "team.seat_added_you", { ...labels(leadLocale), number: ticket.number, department: name(leadLocale), due }), { pickers: [picker(leadLocale)] }),
            ticketNumber: ticket.number,
          },
        ]
      : [];
  const outbox = [...toLead, ...toTeam(ctx, ticket, "team.seat_added", (l) => ({ ...labels(l), department: name(l), lead: leadName(l) }))];
  await ctx.tickets.apply(ticket.id, {
    addTeamSeats: [seat],
    addPings: [ask.ping],
    addDeadlines: [ask.deadline],
    events: [
      { type: "team_seat_added", actorId: actor.id, data: { departmentId: department.id } },
      { type: "pinged", actorId: null, data: { memberId: ask.ping.memberId, departmentId: department.id, duty: ask.ping.duty } },
    ],
    outbox,
  });
  return done(ctx, actor, "team_seat.added_done", ticket.number, outbox, { department: name(cardCtx.locale), lead: leadName(cardCtx.locale) });
}

/**
 * A department leaves the team: its seat goes, its appointee is released, and its lead's open
 * "appoint a member" ping and that ping's deadlines are cancelled (kept on record).
 */
export async function removeTeamSeat(ctx: CoreContext, actor: Member, number: string, input: string): Promise<FlowResult> {
  const ticket = await seatedTicket(ctx, actor, number);
  const cardCtx = await cardContext(ctx, localeOf(actor, ctx.defaultLocale));
  const department = departmentFor(ctx, ticket, input, cardCtx.locale);
  const name = (l: Locale) => pick(department.name, l);
  const seat = ticket.team.find((s) => s.departmentId === department.id);
  if (!seat) throw new HotlineError("no_seat", `${ticket.number} has no seat for ${department.id}`, { number: ticket.number, department: name(cardCtx.locale) });
  if (seat.leader) throw new HotlineError("leader_seat", `${department.id} leads the team of ${ticket.number}`, { number: ticket.number, department: name(cardCtx.locale) });
  const now = ctx.clock();
  const open = activePings(ticket).filter((p) => p.duty === "appoint_team_member" && p.departmentId === department.id && p.acknowledgedAt === null);
  const cancelled = ticket.deadlines.filter((d) => d.status === "pending" && d.pingId !== null && open.some((p) => p.id === d.pingId)).map((d) => d.id);
  const labels = actorLabels(ctx, actor);
  const tell = (memberId: string | null, key: "team.seat_removed_you" | "team.seat_removed_lead") =>
    toMembers(ctx, [memberId ? cardCtx.members.get(memberId) : undefined], actor, ticket.number, (l) => t(l, key, { ...labels(l), number: ticket.number, department: name(l) }));
  const outbox = [
    ...tell(seat.memberId, "team.seat_removed_you"),
    ...open.filter((p) => p.memberId !== seat.memberId).flatMap((p) => tell(p.memberId, "team.seat_removed_lead")),
    ...toTeam(ctx, ticket, "team.seat_removed", (l) => ({ ...labels(l), department: name(l) })),
  ];
  await ctx.tickets.apply(ticket.id, {
    removeTeamSeats: [department.id],
    cancelPings: { ids: open.map((p) => p.id), at: now },
    cancelDeadlines: { ids: cancelled },
    // The seat's entry says why the lead's ping went; "ping cancelled" entries speak of a new level.
    events: [{ type: "team_seat_removed", actorId: actor.id, data: { departmentId: department.id, memberId: seat.memberId } }],
    outbox,
  });
  return done(ctx, actor, "team_seat.removed_done", ticket.number, outbox, { department: name(cardCtx.locale) });
}
