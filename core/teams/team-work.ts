import { actsOnAllTickets, localeOf, type Member } from "../directory/member.js";
import { organisationTerms } from "../directory/organisation-terms.js";
import { memberRecipient, type Notification } from "../escalation/notification.js";
import { departmentAsk, planKeyOf } from "../escalation/plan-escalation.js";
import { HotlineError } from "../errors.js";
import { card, type Card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import type { CoreContext, NewDeadline, NewPing } from "../ports.js";
import { actorLabels, cardContext, done, refuseIfFinished, statusEvents, ticketFor, toMembers, toReporter, type FlowResult } from "../tickets/flow-support.js";
import { canView, mayRecordFinance } from "../tickets/permissions.js";
import { activePings, advanceStatus, type AttachmentRef, type Ticket } from "../tickets/ticket.js";
import { departmentName, memberName, type CardContext } from "../tickets/ticket-card.js";
import { afterSalesHandlers, recordOf } from "../tickets/work-records.js";
import { formatLocalTime, minutes } from "../time/business-time.js";
import { formatFen, parseAmountCny } from "../validation/amount.js";
import { refuseTeamStep, requireTeam, toTeam, toTeamLines } from "./complaint-team.js";

/*
 * The complaint team's work on site (manual §5): 对问题进行分析鉴定，分清责任，与顾客协商出处理方案，
 * 双方达成协议后签字生效; and the money the agreement settles: 销售财务处负责相关财务处理.
 */

/** §5 分清责任: the team's analysis and how responsibility is split; the team's place hears of it. */
export async function recordResponsibility(ctx: CoreContext, actor: Member, number: string, text: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  refuseTeamStep(ctx, actor, ticket, "recorded");
  const { addRecords, event } = recordOf({ kind: "responsibility", text, by: actor, at: ctx.clock() });
  const labels = actorLabels(ctx, actor);
  const outbox = toTeam(ctx, ticket, "team.responsibility", (l) => ({ text, ...labels(l) }));
  await ctx.tickets.apply(ticket.id, { addRecords, events: [event], outbox });
  return done(ctx, actor, "responsibility.done", ticket.number, outbox);
}

/** What the agreement still waits for (§5): the team on site, every seat filled and its member's authorisation confirmed. */
interface AgreementGaps {
  notOnSite: boolean;
  emptySeats: string[];
  unconfirmed: { departmentId: string; memberId: string }[];
}

function gapsOf(ticket: Ticket): AgreementGaps {
  return {
    // A second, amended agreement is signed on site too.
    notOnSite: ticket.status !== "team_on_site" && ticket.status !== "agreement_signed",
    emptySeats: ticket.team.filter((s) => s.memberId === null).map((s) => s.departmentId),
    unconfirmed: ticket.team.flatMap((s) => (s.memberId !== null && s.confirmedAt === null ? [{ departmentId: s.departmentId, memberId: s.memberId }] : [])),
  };
}

const hasGaps = (gaps: AgreementGaps) => gaps.notOnSite || gaps.emptySeats.length > 0 || gaps.unconfirmed.length > 0;

/** The gaps in words: which seats are empty, who has not confirmed, that the team is not on site. */
function gapsText(gaps: AgreementGaps, number: string, ctx: CardContext): string {
  const { locale } = ctx;
  const list = (items: string[]) => items.join(t(locale, "timeline.list_separator"));
  return [
    ...(gaps.emptySeats.length ? [t(locale, "agreement.missing.empty", { departments: list(gaps.emptySeats.map((id) => departmentName(id, ctx))) })] : []),
    ...(gaps.unconfirmed.length ? [t(locale, "agreement.missing.unconfirmed", { members: list(gaps.unconfirmed.map((u) => t(locale, "agreement.missing.appointee", { department: departmentName(u.departmentId, ctx), who: memberName(u.memberId, ctx) }))) })] : []),
    ...(gaps.notOnSite ? [t(locale, "agreement.missing.not_on_site", { number })] : []),
  ].join(t(locale, "timeline.detail_separator"));
}

/**
 * Refuses the agreement before anything is asked: the team's checks, then what it still waits
 * for, named exactly. After-sales (and managers) read how to record it anyway, with a reason.
 */
export async function refuseAgreement(ctx: CoreContext, actor: Member, ticket: Ticket): Promise<void> {
  refuseTeamStep(ctx, actor, ticket, "agreement_signed");
  const gaps = gapsOf(ticket);
  if (!hasGaps(gaps)) return;
  const cardCtx = await cardContext(ctx, localeOf(actor, ctx.defaultLocale));
  throw new HotlineError("agreement_not_ready", `${ticket.number} is not ready for an agreement`, {
    number: ticket.number,
    missing: gapsText(gaps, ticket.number, cardCtx),
    mayOverride: actsOnAllTickets(actor, ctx.org) ? 1 : 0,
  });
}

/**
 * After-sales records the agreement before the team is complete, with the reason: only after-sales
 * (which leads the team) and managers may. Whether there is anything to override at all.
 */
export async function checkAgreementOverride(ctx: CoreContext, actor: Member, number: string): Promise<{ needed: boolean; number: string }> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  requireTeam(ticket);
  if (!actsOnAllTickets(actor, ctx.org)) throw new HotlineError("not_allowed", `${actor.id} may not override on ${ticket.number}`, { number: ticket.number, refusal: "override" });
  refuseIfFinished(ticket, "agreement_signed");
  return { needed: hasGaps(gapsOf(ticket)), number: ticket.number };
}

/** The terms and, as their last word, the agreed amount (`5.2万`, `¥52000`, `52000元`), kept in fen. */
export function splitAmount(text: string): { terms: string; amountFen: number | null } {
  const trimmed = text.trim();
  const last = /(\S+)$/.exec(trimmed)?.[1] ?? "";
  const amount = parseAmountCny(last);
  if (!amount.ok) return { terms: trimmed, amountFen: null };
  const terms = trimmed.slice(0, trimmed.length - last.length).trim();
  return { terms: terms || trimmed, amountFen: Math.round(amount.value * 100) };
}

export interface AgreementInput {
  text: string;
  /** Why after-sales records it before the team is complete; kept only when something is missing. */
  override?: string | undefined;
  /** The signed copy, sent with the command. */
  attachments: AttachmentRef[];
}

/**
 * §5 双方达成协议后签字生效: the agreement with the customer, its terms and amount on record, the
 * ticket signed. The team on site with every seat confirmed, or after-sales' reason for not
 * waiting. An amount goes to sales finance to handle, with its deadlines.
 */
export async function recordAgreement(ctx: CoreContext, actor: Member, number: string, input: AgreementInput): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  if (input.override === undefined) await refuseAgreement(ctx, actor, ticket);
  else await checkAgreementOverride(ctx, actor, ticket.number);
  const override = input.override !== undefined && hasGaps(gapsOf(ticket)) ? input.override : null;
  const now = ctx.clock();
  const { terms, amountFen } = splitAmount(input.text);
  const { addRecords, event } = recordOf({ kind: "agreement", text: terms, by: actor, at: now, amountFen, override, attachments: input.attachments });
  const finance = amountFen !== null && amountFen > 0 ? await financeAsk(ctx, ticket, actor, { terms, amountFen, now }) : undefined;
  const status = advanceStatus(ticket.status, "agreement_signed");
  const labels = actorLabels(ctx, actor);
  const at = formatLocalTime(now, ctx.timeZone);
  const amount = (l: Locale) => (amountFen === null ? "" : formatFen(amountFen, l));
  const teamLines = (l: Locale) => [
    t(l, "team.agreement", { at, ...labels(l) }),
    t(l, "team.agreement_terms", { text: terms }),
    ...(finance ? [t(l, "team.agreement_amount", { amount: amount(l), ...organisationTerms(ctx.org, l) })] : []),
    ...(override === null ? [] : [t(l, "team.agreement_override", { reason: override })]),
  ];
  const outbox = [
    ...toTeamLines(ctx, ticket, teamLines),
    ...(await toReporter(ctx, ticket, actor, "notify.agreement", () => ({ number: ticket.number }))),
    ...(finance?.outbox ?? []),
  ];
  await ctx.tickets.apply(ticket.id, {
    status,
    addRecords,
    addPings: finance?.pings ?? [],
    addDeadlines: finance?.deadlines ?? [],
    events: [
      { type: "agreement_signed", actorId: actor.id, data: override === null ? {} : { override } },
      event,
      ...statusEvents(ticket, status, actor.id),
      ...(finance?.pings ?? []).map((p) => ({ type: "pinged" as const, actorId: null, data: { memberId: p.memberId, departmentId: p.departmentId, duty: p.duty } })),
    ],
    outbox,
  });
  const locale = localeOf(actor, ctx.defaultLocale);
  if (!finance) return done(ctx, actor, "agreement.done", ticket.number, outbox);
  return done(ctx, actor, "agreement.done_amount", ticket.number, outbox, { amount: amount(locale), ...organisationTerms(ctx.org, locale) });
}

/**
 * Sales finance is asked to handle the agreed amount: its lead is pinged (acknowledged within the
 * plan's minutes) and owes the handling by `deadlines.financeMinutes`. A lead already asked and not
 * yet answering keeps the one ping; the new amount still has its deadline.
 */
async function financeAsk(ctx: CoreContext, ticket: Ticket, actor: Member, agreed: { terms: string; amountFen: number; now: Date }): Promise<{ pings: NewPing[]; deadlines: NewDeadline[]; outbox: Notification[] }> {
  const departmentId = ctx.org.complaintTeam.financeDepartment;
  const planKey = planKeyOf(ticket, { firstLine: ticket.firstLine, transferred: ticket.transferredAt !== null });
  const ask = departmentAsk({ departmentId, duty: "handle_finance", planKey, now: agreed.now }, ctx.org);
  const asked = activePings(ticket).some((p) => p.duty === "handle_finance" && p.acknowledgedAt === null);
  const owed: NewDeadline = { kind: "finance", dueAt: new Date(agreed.now.getTime() + minutes(ctx.org.deadlines.financeMinutes)), pingIndex: null, chain: ask.deadline.chain };
  const lead = await ctx.directory.findMember(ask.ping.memberId);
  const labels = actorLabels(ctx, actor);
  const message = (l: Locale): Card =>
    card(
      [
        t(l, "notify.finance_terms", { text: agreed.terms, ...labels(l) }),
        t(l, "notify.finance_by", { number: ticket.number, due: formatLocalTime(owed.dueAt, ctx.timeZone) }),
      ],
      {
        title: t(l, "notify.finance_request", { number: ticket.number, amount: formatFen(agreed.amountFen, l), ...organisationTerms(ctx.org, l) }),
        choices: [
          { id: `/finance ${ticket.number}`, label: t(l, "button.finance") },
          { id: `/ack ${ticket.number}`, label: t(l, "button.ack") },
        ],
        tone: "info",
      },
    );
  const outbox: Notification[] = lead ? [{ recipient: memberRecipient(lead, localeOf(lead, ctx.defaultLocale)), card: message(localeOf(lead, ctx.defaultLocale)), ticketNumber: ticket.number }] : [];
  return asked ? { pings: [], deadlines: [owed], outbox } : { pings: [ask.ping], deadlines: [ask.deadline, owed], outbox };
}

/** An agreement's signed copy, sent after it was recorded: the latest agreement's own files. */
export async function addAgreementCopy(ctx: CoreContext, actor: Member, number: string, attachments: AttachmentRef[]): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  const agreement = ticket.records.findLast((r) => r.kind === "agreement");
  if (!agreement) throw new HotlineError("invalid_input", `${ticket.number} has no agreement to add a copy to`); // only asked for once one is recorded
  await ctx.tickets.apply(ticket.id, {
    attachToRecord: { recordId: agreement.id, attachments },
    events: [{ type: "attachment_added", actorId: actor.id, data: { count: attachments.length, record: agreement.id } }],
    outbox: [],
  });
  return done(ctx, actor, "agreement.copy_done", ticket.number, [], { count: attachments.length });
}

/** Refuses finance's record before anything is asked: someone outside finance, a ticket without an agreed amount. */
export function refuseFinance(ctx: CoreContext, actor: Member, ticket: Ticket): void {
  if (!mayRecordFinance(actor, ctx.org)) throw new HotlineError("not_allowed", `${actor.id} is not in finance`, { number: ticket.number, refusal: "finance" });
  const agreed = ticket.records.some((r) => r.kind === "agreement" && r.amountFen !== null && r.amountFen > 0);
  if (!agreed) throw new HotlineError("not_called_for", `${ticket.number} has no agreed amount`, { number: ticket.number, kind: "finance" });
}

/**
 * §5 销售财务处负责相关财务处理: how finance handled the agreed amount. It meets the finance deadline,
 * answers finance's ping, and after-sales hears of it. Money may be settled after the ticket is
 * resolved, so a finished ticket takes it too.
 */
export async function recordFinance(ctx: CoreContext, actor: Member, number: string, text: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  refuseFinance(ctx, actor, ticket);
  const now = ctx.clock();
  const answered = activePings(ticket).filter((p) => p.duty === "handle_finance" && p.acknowledgedAt === null).map((p) => p.id);
  const met = ticket.deadlines.filter((d) => d.status === "pending" && (d.kind === "finance" || (d.pingId !== null && answered.includes(d.pingId)))).map((d) => d.id);
  const { addRecords, event } = recordOf({ kind: "finance", text, by: actor, at: now });
  const labels = actorLabels(ctx, actor);
  const outbox = toMembers(ctx, await afterSalesHandlers(ctx, ticket), actor, ticket.number, (l) => t(l, "notify.finance", { number: ticket.number, text, ...labels(l) }));
  await ctx.tickets.apply(ticket.id, {
    addRecords,
    acknowledgePings: { ids: answered, by: actor.id, at: now },
    meetDeadlines: { ids: met, at: now },
    events: [event, ...(answered.length ? [{ type: "acknowledged" as const, actorId: actor.id, data: { pings: answered } }] : [])],
    outbox,
  });
  return done(ctx, actor, "finance.done", ticket.number, outbox, organisationTerms(ctx.org, localeOf(actor, ctx.defaultLocale)));
}
