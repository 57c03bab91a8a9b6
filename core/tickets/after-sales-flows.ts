import { localeOf, type Member } from "../directory/member.js";
import { organisationTerms } from "../directory/organisation-terms.js";
import { memberRecipient, type Notification } from "../escalation/notification.js";
import { HotlineError } from "../errors.js";
import { card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import { truncate } from "../messages/truncate.js";
import type { CoreContext, TicketChange } from "../ports.js";
import { formatLocalTime } from "../time/business-time.js";
import type { Level } from "../triage/rules.js";
import { actorLabels, cardContext, done, refuseIfFinished, statusEvents, ticketFor, toMembers, toReporter, type FlowResult } from "./flow-support.js";
import { canView, mayAssign, mayGiveFeedback, mayGrade, mayTransfer } from "./permissions.js";
import { moveTicket, withAnswered, type MoveChange } from "./replan-ticket.js";
import { activePings, advanceStatus, isFinished, type Ping, type Severity, type Ticket, type TicketStatus } from "./ticket.js";
import { severityText } from "./ticket-card.js";

/*
 * The after-sales loop of manual §4: after-sales confirms a major item before QA and the leaders
 * hear of it (经售后服务部确认后 … 报送相关领导和质量保证部), grades it (定级), assigns general items
 * to a service center and supervises its feedback (委派、监督各服务中心协调处理); the hotline handles
 * its calls first and transfers what it cannot settle (顾客待处理工单).
 */

const unanswered = (ticket: Ticket, duties: readonly Ping["duty"][]) => activePings(ticket).filter((p) => duties.includes(p.duty) && p.acknowledgedAt === null);
/** The pings a step answers, and the pending deadlines they owed. */
function answering(ticket: Ticket, pingIds: number[], by: string, at: Date): Pick<TicketChange, "acknowledgePings" | "meetDeadlines"> {
  const deadlines = ticket.deadlines.filter((d) => d.status === "pending" && d.pingId !== null && pingIds.includes(d.pingId)).map((d) => d.id);
  return { acknowledgePings: { ids: pingIds, by, at }, meetDeadlines: { ids: deadlines, at } };
}

/** The parts of a ticket change a move brings, merged with the flow's own. */
function withMove(move: MoveChange, own: Omit<TicketChange, "events" | "outbox"> & Pick<TicketChange, "events" | "outbox">): TicketChange {
  const { teamFormed: _teamFormed, planChange: _planChange, ...change } = move;
  return { ...change, ...own, events: [...own.events, ...move.events], outbox: [...own.outbox, ...move.outbox] };
}

/** Everyone the confirmation sends the ticket to, for the confirmer's answer. */
function sentTo(move: MoveChange, ctx: CoreContext, locale: Locale, members: ReadonlyMap<string, Member>): string {
  const people = [...new Set(move.planChange.addPings.filter((p) => !p.acknowledged).map((p) => p.memberId))].map((id) => (members.get(id) ? pick(members.get(id)!.name, locale) : id));
  const channels = move.planChange.newChannelIds.map((id) => ctx.org.channels.find((c) => c.id === id)).flatMap((c) => (c ? [`#${pick(c.name, locale)}`] : []));
  return [...people, ...channels].join("、") || t(locale, "report.none");
}

/**
 * After-sales confirms a major ticket and its level; QA, the leaders and the complaint-team
 * departments hear of it only now (unless its confirmation deadline sent it out already). An
 * after-sales confirmer of a major complaint leads its team from here (§5 牵头).
 */
export async function confirmTicket(ctx: CoreContext, actor: Member, number: string, via: "confirmed" | "acknowledged" | "taken" = "confirmed"): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m) => mayGrade(m, ctx.org), "grade");
  refuseIfFinished(ticket, "confirmed");
  const confirms = unanswered(ticket, ["confirm"]);
  if (confirms.length === 0) throw new HotlineError("not_awaiting_confirmation", `${ticket.number} awaits no confirmation`, { number: ticket.number });
  const now = ctx.clock();
  // A seat on the complaint team is filled by appointing (§5), never by acknowledging.
  const own = via === "confirmed" ? confirms : activePings(ticket).filter((p) => p.acknowledgedAt === null && p.duty !== "appoint_team_member" && (p.duty === "confirm" || p.memberId === actor.id || (p.departmentId !== null && p.departmentId === actor.departmentId)));
  const pingIds = own.map((p) => p.id);
  const before = withAnswered(ticket, pingIds, actor.id, now);
  const move = await moveTicket(ctx, { before: ticket, after: { ...before, releasedAt: ticket.releasedAt ?? now }, actor, answers: ["confirm"], opening: "new" });
  const target: TicketStatus = via === "taken" ? "in_progress" : move.teamFormed ? "team_forming" : "confirmed";
  const status = advanceStatus(ticket.status, target);
  const labels = actorLabels(ctx, actor);
  const reporter = await toReporter(ctx, ticket, actor, "notify.confirmed", (l) => ({ number: ticket.number, severity: severityText(ticket, l), ...labels(l) }));
  await ctx.tickets.apply(
    ticket.id,
    withMove(move, {
      status,
      ...answering(ticket, pingIds, actor.id, now),
      events: [
        ...(via === "confirmed" ? [] : [{ type: via, actorId: actor.id, data: { pings: pingIds } }]),
        { type: "confirmed", actorId: actor.id, data: { level: ticket.level } },
        ...(ticket.releasedAt ? [] : [{ type: "released" as const, actorId: actor.id, data: { confirmed: true } }]),
        ...statusEvents(ticket, status, actor.id),
      ],
      outbox: reporter,
    }),
  );
  const locale = localeOf(actor, ctx.defaultLocale);
  const { members } = await cardContext(ctx, locale);
  // Released on its deadline already: nobody new hears of it now.
  const key = ticket.releasedAt ? "confirm_ticket.done_released" : "confirm_ticket.done";
  return done(ctx, actor, key, ticket.number, [...reporter, ...move.outbox], { severity: severityText(ticket, locale), names: sentTo(move, ctx, locale, members) });
}

/**
 * The confirmation deadline passed: a level-1 item never waits on one person. The ticket goes out
 * to its whole plan marked "not yet confirmed"; the confirmation itself keeps climbing the
 * after-sales chain. Runs in the deadline's own unit of work.
 */
export async function releaseUnconfirmed(ctx: CoreContext, ticketId: number): Promise<void> {
  const ticket = await ctx.tickets.findById(ticketId);
  if (!ticket || ticket.releasedAt !== null || isFinished(ticket.status)) return;
  const move = await moveTicket(ctx, { before: ticket, after: { ...ticket, releasedAt: ctx.clock() }, actor: null, answers: [], opening: "new" });
  await ctx.tickets.apply(ticket.id, withMove(move, { events: [{ type: "released", actorId: null, data: { confirmed: false } }], outbox: [] }));
}

export type GradeTarget = "general" | Level;

const severityOf = (target: GradeTarget): Severity => (target === "general" ? { category: "general", level: null } : { category: "major", level: target });

/**
 * §4 定级: after-sales (and managers) set the level, with the reason beside the matched criteria.
 * The plan follows the new level: pings and deadlines it no longer needs are cancelled and their
 * people told, new ones are created and sent, the complaint team gains or loses seats. Grading is
 * also a confirmation: a held ticket goes out now.
 */
export async function gradeTicket(ctx: CoreContext, actor: Member, number: string, target: GradeTarget, reason: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m) => mayGrade(m, ctx.org), "grade");
  refuseIfFinished(ticket, "graded");
  const now = ctx.clock();
  const to = severityOf(target);
  const settled = unanswered(ticket, ["confirm", "grade"]).map((p) => p.id);
  const before = withAnswered(ticket, settled, actor.id, now);
  // After-sales has graded it: it is after-sales' now, not a call for the hotline to settle.
  const after: Ticket = { ...before, ...to, releasedAt: ticket.releasedAt ?? now, firstLine: false };
  const move = await moveTicket(ctx, { before: ticket, after, actor, answers: ["confirm", "grade"], opening: "regraded" });
  const status = advanceStatus(ticket.status, move.teamFormed ? "team_forming" : "confirmed");
  const from: Severity = { category: ticket.category, level: ticket.level };
  const labels = actorLabels(ctx, actor);
  const reporter = await toReporter(ctx, ticket, actor, "notify.graded", (l) => ({ number: ticket.number, severity: severityText(to, l), from: severityText(from, l), reason, ...labels(l) }));
  await ctx.tickets.apply(
    ticket.id,
    withMove(move, {
      status,
      addGrading: { from, to, by: actor.id, reason, at: now },
      ...answering(ticket, settled, actor.id, now),
      events: [
        { type: "graded", actorId: actor.id, data: { from, to, reason } },
        ...(ticket.releasedAt ? [] : [{ type: "released" as const, actorId: actor.id, data: { confirmed: true } }]),
        ...statusEvents(ticket, status, actor.id),
      ],
      outbox: reporter,
    }),
  );
  const locale = localeOf(actor, ctx.defaultLocale);
  return done(ctx, actor, "grade.done", ticket.number, [...reporter, ...move.outbox], { severity: severityText(to, locale), from: severityText(from, locale) });
}

/** A center by id, or by its name in either language. */
function findCenter(ctx: CoreContext, input: string) {
  const wanted = input.trim().toLowerCase();
  return ctx.org.serviceCenters.find((c) => c.id === wanted || c.name.zh === input.trim() || c.name.en.toLowerCase() === wanted || c.city === input.trim());
}

/**
 * §4 委派: after-sales gives the ticket to a service center (again: moves it). The center's staff
 * are told and owe feedback by the feedback deadline, which climbs the center's chain before
 * after-sales'; a center it moved from is told it no longer holds it.
 */
export async function assignTicket(ctx: CoreContext, actor: Member, number: string, centerInput: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m) => mayAssign(m, ctx.org), "assign");
  refuseIfFinished(ticket, "assigned");
  const center = findCenter(ctx, centerInput);
  const cardCtx = await cardContext(ctx, localeOf(actor, ctx.defaultLocale));
  const centerName = (id: string | null, l: Locale) => pick(ctx.org.serviceCenters.find((c) => c.id === id)?.name ?? { zh: "-", en: "-" }, l);
  if (!center) {
    throw new HotlineError("unknown_service_center", `no service center ${centerInput}`, { center: centerInput, centers: ctx.org.serviceCenters.map((c) => c.id).join(", ") });
  }
  if (center.id === ticket.serviceCenterId) throw new HotlineError("already_assigned", `${ticket.number} is with ${center.id}`, { number: ticket.number, center: centerName(center.id, cardCtx.locale) });
  const now = ctx.clock();
  const settled = unanswered(ticket, ["assign_service_center"]).map((p) => p.id);
  const before = withAnswered(ticket, settled, actor.id, now);
  const move = await moveTicket(ctx, { before: ticket, after: { ...before, serviceCenterId: center.id }, actor, answers: [], opening: "new" });
  const feedback = move.planChange.addDeadlines.find((d) => d.kind === "feedback");
  const due = (l: Locale) => (feedback ? formatLocalTime(feedback.dueAt, ctx.timeZone) : t(l, "report.none"));
  const labels = actorLabels(ctx, actor);
  const toStaff = (centerId: string, message: (l: Locale) => string) =>
    toMembers(ctx, [...cardCtx.members.values()].filter((m) => m.serviceCenterId === centerId), actor, ticket.number, message);
  // The reporter hears of it, unless they belong to the center told already.
  const reporterIsStaff = cardCtx.members.get(ticket.reporterId)?.serviceCenterId === center.id;
  const outbox = [
    ...toStaff(center.id, (l) => t(l, "notify.assigned_center", { number: ticket.number, center: centerName(center.id, l), description: truncate(ticket.description, 80), due: due(l), ...labels(l) })),
    ...(ticket.serviceCenterId ? toStaff(ticket.serviceCenterId, (l) => t(l, "notify.unassigned_center", { number: ticket.number, center: centerName(center.id, l), ...labels(l) })) : []),
    ...(reporterIsStaff ? [] : await toReporter(ctx, ticket, actor, "notify.assigned_reporter", (l) => ({ number: ticket.number, center: centerName(center.id, l), ...labels(l) }))),
  ];
  const status = advanceStatus(ticket.status, "in_progress");
  await ctx.tickets.apply(
    ticket.id,
    withMove(move, {
      status,
      ...answering(ticket, settled, actor.id, now),
      events: [{ type: "assigned", actorId: actor.id, data: { from: ticket.serviceCenterId, to: center.id } }, ...statusEvents(ticket, status, actor.id)],
      outbox,
    }),
  );
  return done(ctx, actor, "assign.done", ticket.number, [...outbox, ...move.outbox], { center: centerName(center.id, cardCtx.locale), due: due(cardCtx.locale) });
}

/**
 * §4: the center reports the repair result (反馈) within the set time: it meets the feedback
 * deadline, and after-sales, which sends the receipt (回执), is told.
 */
export async function recordFeedback(ctx: CoreContext, actor: Member, number: string, text: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => mayGiveFeedback(m, tk, ctx.org), "feedback");
  refuseIfFinished(ticket, "feedback");
  if (!ticket.serviceCenterId) throw new HotlineError("not_assigned", `${ticket.number} has no service center`, { number: ticket.number });
  const now = ctx.clock();
  const labels = actorLabels(ctx, actor);
  const center = (l: Locale) => pick(ctx.org.serviceCenters.find((c) => c.id === ticket.serviceCenterId)?.name ?? { zh: "-", en: "-" }, l);
  // After-sales sends the receipt, so its lead hears of the result.
  const leadId = ctx.org.departments.find((d) => d.id === ctx.org.afterSalesDepartment)?.lead;
  const lead = leadId && leadId !== actor.id ? await ctx.directory.findMember(leadId) : undefined;
  const outbox: Notification[] = lead
    ? [
        ((l: Locale): Notification => ({
          recipient: memberRecipient(lead, l),
          card: card(t(l, "notify.feedback", { number: ticket.number, text, center: center(l), ...labels(l) }), { choices: [{ id: `/resolve ${ticket.number}`, label: t(l, "button.resolve") }] }),
          ticketNumber: ticket.number,
        }))(localeOf(lead, ctx.defaultLocale)),
      ]
    : [];
  const status = advanceStatus(ticket.status, "in_progress");
  await ctx.tickets.apply(ticket.id, {
    status,
    meetDeadlines: { ids: ticket.deadlines.filter((d) => d.kind === "feedback" && d.status === "pending").map((d) => d.id), at: now },
    events: [{ type: "feedback", actorId: actor.id, data: { text } }, ...statusEvents(ticket, status, actor.id)],
    outbox,
  });
  return done(ctx, actor, "feedback.done", ticket.number, outbox, organisationTerms(ctx.org, localeOf(actor, ctx.defaultLocale)));
}

/**
 * §4 客服中心 … 对不能协调解决的质量信息填写《华晨汽车顾客待处理工单》，反馈售后服务部: the hotline files a
 * call it cannot settle to after-sales, which then owes its acknowledgement and assigns a center.
 */
export async function transferTicket(ctx: CoreContext, actor: Member, number: string, reason: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => mayTransfer(m, ctx.org) && canView(m, tk, ctx.org), "transfer");
  refuseIfFinished(ticket, "transferred");
  if (!ticket.firstLine) throw new HotlineError("not_first_line", `${ticket.number} is not a first-line call`, { number: ticket.number });
  const now = ctx.clock();
  const settled = unanswered(ticket, ["handle_call"]).map((p) => p.id);
  const before = withAnswered(ticket, settled, actor.id, now);
  const labels = actorLabels(ctx, actor);
  // The work order carries the hotline's reason at the head of each message it sends.
  const preface = (l: Locale) => [t(l, "notify.transferred", { number: ticket.number, reason, ...labels(l) })];
  const move = await moveTicket(ctx, { before: ticket, after: { ...before, firstLine: false, transferredAt: now }, actor, answers: [], opening: "work_order", preface });
  await ctx.tickets.apply(
    ticket.id,
    withMove(move, {
      ...answering(ticket, settled, actor.id, now),
      events: [{ type: "transferred", actorId: actor.id, data: { reason } }],
      outbox: [],
    }),
  );
  return done(ctx, actor, "transfer.done", ticket.number, move.outbox, organisationTerms(ctx.org, localeOf(actor, ctx.defaultLocale)));
}
