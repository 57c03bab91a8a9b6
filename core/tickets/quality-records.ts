import { localeOf, type Member } from "../directory/member.js";
import type { Duty } from "../directory/organisation.js";
import { organisationTerms } from "../directory/organisation-terms.js";
import type { Notification } from "../escalation/notification.js";
import { HotlineError } from "../errors.js";
import { t } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import type { CoreContext } from "../ports.js";
import { toTeam } from "../teams/complaint-team.js";
import { actorLabels, done, refuseIfFinished, statusEvents, ticketFor, toMembers, toReporter, type FlowResult } from "./flow-support.js";
import { canView, mayRecordQualityWork } from "./permissions.js";
import { activePings, advanceStatus, type DeadlineKind, type Ticket } from "./ticket.js";
import { afterSalesHandlers, recordOf } from "./work-records.js";

/*
 * Quality assurance's work as records (manual §4 重大质量信息处理, §5 质量故障处理):
 * - level 1: 经质量保证部确认后，要立即委派相关人员提供技术支持，协助售后服务部采取处理措施;
 * - level 2: 由质量保证部提出处理措施，售后服务部给予协调处理;
 * - any major item: 质量保证部负责对重大质量故障进行技术鉴定、核实.
 */

export type QualityWork = "support" | "measures" | "appraisal";

/** What each kind of QA work answers: the ping it settles and the deadline it meets, if any. */
const ANSWERS: Record<QualityWork, { duty?: Duty; deadline?: DeadlineKind }> = {
  support: { duty: "technical_support", deadline: "support" },
  measures: { duty: "propose_measures", deadline: "measures" },
  appraisal: {},
};

/**
 * Whether the ticket asks for this work now: support and measures only while QA's ping of that
 * duty stands (a confirmed level 1, a confirmed level 2); an appraisal on any major ticket.
 */
function callsFor(ticket: Ticket, work: QualityWork): boolean {
  const duty = ANSWERS[work].duty;
  return duty ? activePings(ticket).some((p) => p.duty === duty) : ticket.category === "major";
}

/**
 * Refuses what QA may not record here, before anything is asked: someone outside QA, a ticket that
 * does not call for the work. Support and measures end with the ticket; an appraisal may come after.
 */
export function refuseQualityWork(ctx: CoreContext, actor: Member, ticket: Ticket, work: QualityWork): void {
  if (!mayRecordQualityWork(actor, ctx.org)) {
    throw new HotlineError("not_allowed", `${actor.id} is not in quality assurance`, { number: ticket.number, refusal: "quality" });
  }
  if (work !== "appraisal") refuseIfFinished(ticket, "recorded");
  if (!callsFor(ticket, work)) throw new HotlineError("not_called_for", `${ticket.number} does not call for ${work}`, { number: ticket.number, kind: work });
}

/** QA's record, the ping it answers (with that ping's deadline) and its own deadline met, in one change. */
async function recordQualityWork(ctx: CoreContext, actor: Member, number: string, work: QualityWork, text: string, tell: (ticket: Ticket) => Promise<Notification[]>): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  refuseQualityWork(ctx, actor, ticket, work);
  const now = ctx.clock();
  const { duty, deadline } = ANSWERS[work];
  const answered = activePings(ticket).filter((p) => p.duty === duty && p.acknowledgedAt === null).map((p) => p.id);
  const met = ticket.deadlines.filter((d) => d.status === "pending" && (d.kind === deadline || (d.pingId !== null && answered.includes(d.pingId)))).map((d) => d.id);
  // Sending support or proposing measures is QA at work on it (处理中); an appraisal leaves the status.
  const status = work === "appraisal" ? ticket.status : advanceStatus(ticket.status, "in_progress");
  const { addRecords, event } = recordOf({ kind: work, text, by: actor, at: now });
  const outbox = await tell(ticket);
  await ctx.tickets.apply(ticket.id, {
    status,
    addRecords,
    acknowledgePings: { ids: answered, by: actor.id, at: now },
    meetDeadlines: { ids: met, at: now },
    events: [event, ...(answered.length ? [{ type: "acknowledged" as const, actorId: actor.id, data: { pings: answered } }] : []), ...statusEvents(ticket, status, actor.id)],
    outbox,
  });
  return done(ctx, actor, `${work}.done`, ticket.number, outbox, organisationTerms(ctx.org, localeOf(actor, ctx.defaultLocale)));
}

/** After-sales as it hears of QA's work: the handlers, less the reporter (told on their own) and the actor. */
async function toAfterSales(ctx: CoreContext, ticket: Ticket, actor: Member, message: (locale: Locale) => string): Promise<Notification[]> {
  const handlers = (await afterSalesHandlers(ctx, ticket)).filter((m) => m.id !== ticket.reporterId);
  return toMembers(ctx, handlers, actor, ticket.number, message);
}

/**
 * Level 1: who QA sent for technical support, and to do what. It meets the support deadline and
 * answers QA's technical-support ping if still open; after-sales, which QA helps act, and the
 * reporter hear of it.
 */
export function recordSupport(ctx: CoreContext, actor: Member, number: string, text: string): Promise<FlowResult> {
  const labels = actorLabels(ctx, actor);
  return recordQualityWork(ctx, actor, number, "support", text, async (ticket) => {
    const params = (l: Locale) => ({ number: ticket.number, text, ...labels(l) });
    return [...(await toAfterSales(ctx, ticket, actor, (l) => t(l, "notify.support", params(l)))), ...(await toReporter(ctx, ticket, actor, "notify.support", params))];
  });
}

/**
 * Level 2: QA's proposed measures. They meet the measures deadline, answer the propose-measures
 * ping, and go to after-sales, whose part is to coordinate them (协调处理).
 */
export function recordMeasures(ctx: CoreContext, actor: Member, number: string, text: string): Promise<FlowResult> {
  const labels = actorLabels(ctx, actor);
  return recordQualityWork(ctx, actor, number, "measures", text, (ticket) =>
    toAfterSales(ctx, ticket, actor, (l) => t(l, "notify.measures", { ...organisationTerms(ctx.org, l), number: ticket.number, text, ...labels(l), duty: t(l, "duty.coordinate") })),
  );
}

/** QA's technical appraisal of a major item (技术鉴定、核实): to after-sales, and to the team's place when there is a team. */
export function recordAppraisal(ctx: CoreContext, actor: Member, number: string, text: string): Promise<FlowResult> {
  const labels = actorLabels(ctx, actor);
  return recordQualityWork(ctx, actor, number, "appraisal", text, async (ticket) => [
    ...(await toAfterSales(ctx, ticket, actor, (l) => t(l, "notify.appraisal", { number: ticket.number, text, ...labels(l) }))),
    ...(ticket.team.length ? toTeam(ctx, ticket, "team.appraisal", (l) => ({ text, ...labels(l) })) : []),
  ]);
}
