import { localeOf, type Member } from "../directory/member.js";
import type { Platform } from "../directory/organisation.js";
import type { ReportDraft } from "../dialogs/report-draft.js";
import { newTicketNotices } from "../escalation/escalation-notices.js";
import type { Notification } from "../escalation/notification.js";
import { isHeld, needsConfirmation, ON_REQUEST_DEADLINES, planEscalation, type TicketStage } from "../escalation/plan-escalation.js";
import { organisationTerms } from "../directory/organisation-terms.js";
import { HotlineError } from "../errors.js";
import { card, type Card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import { truncate } from "../messages/truncate.js";
import type { CoreContext, NewTicket, TicketChange } from "../ports.js";
import { localDate } from "../time/business-time.js";
import type { Classification } from "../triage/classify.js";
import { formTeam } from "../teams/complaint-team.js";
import { canAct, canClose, canResolve, canView, mayCallCustomer, mayGrade } from "./permissions.js";
import { confirmTicket } from "./after-sales-flows.js";
import { receiptChannelOf, receiptNotifications } from "./receipts.js";
import { actorLabels, cardContext, done, refuseIfFinished, statusEvents, ticketFor, toMembers, toReporter, type FlowResult } from "./flow-support.js";
import { activePings, advanceStatus, isUngraded, type DeadlineKind, type Ping, type Severity, type Ticket, type TicketStatus } from "./ticket.js";
import { departmentName, reasonLines, severityText, ticketCard } from "./ticket-card.js";
import { timelinePage, withEntries, withLatestEntries } from "./timeline-flows.js";



/** Turns a confirmed report into a ticket with its escalation plan, deadlines and pings. */
export async function openTicket(
  ctx: CoreContext,
  report: { reporter: Member; draft: ReportDraft; classification: Classification; originPlatform: Platform | null },
): Promise<FlowResult> {
  const { reporter, draft, classification } = report;
  const now = ctx.clock();
  const locale = localeOf(reporter, ctx.defaultLocale);
  const stage = intakeStage(reporter, classification, ctx);
  const input: NewTicket = {
    ...toNewTicket(draft, classification, reporter),
    originPlatform: report.originPlatform,
    releasedAt: stage.released ? now : null,
    firstLine: stage.firstLine,
    transferredAt: null,
  };
  const plan = planEscalation({ kind: input.kind, source: input.source, severity: classification, answers: draft.triage, stage, now, timeZone: ctx.timeZone }, ctx.org);
  const cardCtx = await cardContext(ctx, locale);
  let notifications: Notification[] = [];
  const ticket = await ctx.tickets.create(
    {
      ticket: input,
      localDate: localDate(now, ctx.timeZone),
      pings: plan.pings,
      deadlines: plan.deadlines,
      events: [
        { type: "created", actorId: reporter.id, data: { kind: input.kind, source: input.source } },
        { type: "classified", actorId: null, data: { level: classification.level, category: classification.category, rules: classification.matched.map((m) => m.rule) } },
        ...plan.pings.map((p) => ({ type: "pinged" as const, actorId: null, data: { memberId: p.memberId, departmentId: p.departmentId, duty: p.duty } })),
      ],
    },
    (created) => (notifications = newTicketNotices(created, plan, { ...cardCtx, defaultLocale: ctx.defaultLocale })),
  );
  const notified = notifications.map((n) => (n.recipient.kind === "channel" ? `#${n.recipient.name}` : n.recipient.name)).join("、");
  const reply = card(
    [
      t(locale, "ticket.created", { number: ticket.number }),
      `${t(locale, "summary.severity")}: ${severityText(ticket, locale)}`,
      ...reasonLines(ticket.matched, ctx.org.triage, locale),
      ...(plan.held ? [t(locale, isUngraded(ticket) ? "ticket.held_for_grading" : "ticket.held_for_confirmation", organisationTerms(ctx.org, locale))] : []),
      ...(ticket.firstLine ? [t(locale, "ticket.first_line", { number: ticket.number, ...organisationTerms(ctx.org, locale) })] : []),
      ...(notified ? [t(locale, "ticket.notified", { names: notified })] : []),
    ],
    { title: ticket.number, tone: "success" },
  );
  return { replies: [reply], notifications, openedTicket: ticket.number };
}

/**
 * Where a report starts in the loop: a service center's own report is assigned to it (§4: the
 * center repairs and reports back); a hotline agent's general call is the customer-service center's
 * to handle first; a major item waits for after-sales to confirm (or grade) it.
 */
function intakeStage(reporter: Member, severity: Severity, ctx: CoreContext): TicketStage {
  const hotline = ctx.org.customerServiceDepartment;
  const firstLine = severity.category === "general" && hotline !== undefined && reporter.departmentId === hotline;
  return { released: !isHeld(severity, { released: false }, ctx.org), firstLine, transferred: false, serviceCenterId: reporter.serviceCenterId ?? null };
}

function toNewTicket(draft: ReportDraft, classification: Classification, reporter: Member): Omit<NewTicket, "originPlatform" | "releasedAt" | "firstLine" | "transferredAt"> {
  const { kind, source, brand, description, customerName, customerPhone } = draft;
  if (!kind || !source || !brand || !description || !customerName || !customerPhone) {
    throw new HotlineError("invalid_input", "the report is incomplete"); // the dialog submits only complete drafts
  }
  return {
    kind,
    source,
    brand,
    description,
    customerName,
    customerPhone,
    vin: draft.vin ?? null,
    mileageKm: draft.mileageKm ?? null,
    saleDate: draft.saleDate ?? null,
    customerEmail: draft.customerEmail ?? null,
    doNotContact: draft.contactCustomer === false,
    category: classification.category,
    level: classification.level,
    matched: classification.matched.map(({ rule, level }) => ({ rule, level })),
    answers: draft.triage,
    status: "open",
    reporterId: reporter.id,
    serviceCenterId: reporter.serviceCenterId ?? null,
    attachments: draft.attachments,
  };
}





function pendingPingsOf(actor: Member, ticket: Ticket) {
  return activePings(ticket).filter(
    (p) => p.needsAck && !p.acknowledgedAt && (p.memberId === actor.id || (p.departmentId !== null && p.departmentId === actor.departmentId)),
  );
}

/** The status an acknowledgement moves to: after-sales confirming, or leading the complaint team. */
function statusAfterAck(actor: Member, ticket: Ticket, ctx: CoreContext): TicketStatus {
  if (actor.departmentId !== ctx.org.afterSalesDepartment) return "acknowledged";
  return ticket.pings.some((p) => p.duty === "lead_complaint_team") ? "team_forming" : "confirmed";
}

/**
 * The pings an actor's acknowledgement answers: their own and their department's, and any whose
 * deadline has been escalated to them (the senior manager acknowledging for a silent lead).
 */
function acknowledgement(ctx: CoreContext, actor: Member, ticket: Ticket, now: Date): Omit<TicketChange, "events" | "outbox"> & { pingIds: number[]; toAppoint: Ping[] } {
  const escalatedToActor = ticket.deadlines.filter((d) => d.status === "pending" && d.pingId !== null && d.step > 0 && d.chain[d.step] === actor.id);
  const owed = [...new Set([...pendingPingsOf(actor, ticket).map((p) => p.id), ...escalatedToActor.map((d) => d.pingId!)])].map((id) => ticket.pings.find((p) => p.id === id)!);
  // §5 小组成员应得到授权: a department's part on the team is its appointed member; acknowledging is not appointing.
  const toAppoint = owed.filter((p) => p.duty === "appoint_team_member");
  const pingIds = owed.filter((p) => p.duty !== "appoint_team_member").map((p) => p.id);
  const deadlineIds = ticket.deadlines.filter((d) => d.status === "pending" && d.pingId !== null && pingIds.includes(d.pingId)).map((d) => d.id);
  return {
    pingIds,
    toAppoint,
    acknowledgePings: { ids: pingIds, by: actor.id, at: now },
    meetDeadlines: { ids: deadlineIds, at: now },
  };
}

/** What an acknowledgement says of the seats still to fill: appoint a member, by command or picker. */
async function appointInstead(ctx: CoreContext, actor: Member, ticket: Ticket, pings: readonly Ping[]): Promise<Card> {
  const cardCtx = await cardContext(ctx, localeOf(actor, ctx.defaultLocale));
  const departments = [...new Set(pings.map((p) => p.departmentId).filter((id): id is string => id !== null))];
  return card(
    departments.map((id) => t(cardCtx.locale, "ack.appoint_instead", { number: ticket.number, department: departmentName(id, cardCtx) })),
    {
      tone: "info",
      pickers: departments.map((id) => ({ id: `/appoint ${ticket.number} ${id}`, label: t(cardCtx.locale, "team.picker", { department: departmentName(id, cardCtx) }) })),
    },
  );
}



/** Acknowledging and taking both answer the actor's pings; they differ in what they demand and where they lead. */
const ENGAGEMENTS = {
  acknowledged: {
    event: "acknowledged",
    notice: "notify.acknowledged",
    done: "ack.done",
    needsPendingPing: true,
    target: (actor: Member, ticket: Ticket, ctx: CoreContext): TicketStatus => statusAfterAck(actor, ticket, ctx),
  },
  taken: {
    event: "taken",
    notice: "notify.taken",
    done: "take.done",
    needsPendingPing: false,
    target: (): TicketStatus => "in_progress",
  },
} as const;

async function engage(ctx: CoreContext, actor: Member, number: string, how: keyof typeof ENGAGEMENTS): Promise<FlowResult> {
  const engagement = ENGAGEMENTS[how];
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canAct(m, tk, ctx.org), "act");
  refuseIfFinished(ticket, how);
  const { pingIds, toAppoint, ...ack } = acknowledgement(ctx, actor, ticket, ctx.clock());
  const appointHint = toAppoint.length ? [await appointInstead(ctx, actor, ticket, toAppoint)] : [];
  if (engagement.needsPendingPing && pingIds.length === 0) {
    if (appointHint.length) return { replies: appointHint, notifications: [] };
    throw new HotlineError("nothing_to_acknowledge", `nothing on ${ticket.number} awaits ${actor.id}`, { number: ticket.number });
  }
  // Where after-sales confirms first, answering the confirmation ping is confirming: the ticket goes out to its whole plan (§4).
  const confirming = ticket.pings.some((p) => pingIds.includes(p.id) && p.duty === "confirm");
  if (confirming && needsConfirmation(ticket, ctx.org) && mayGrade(actor, ctx.org)) return confirmTicket(ctx, actor, number, how);
  const status = advanceStatus(ticket.status, engagement.target(actor, ticket, ctx));
  const labels = actorLabels(ctx, actor);
  const outbox = await toReporter(ctx, ticket, actor, engagement.notice, (l) => ({ number: ticket.number, ...labels(l) }));
  const team = leadsTheTeam(ticket, pingIds) ? await formTeam(ctx, actor, { ...ticket, status }, ctx.clock()) : { events: [], outbox: [] };
  await ctx.tickets.apply(ticket.id, {
    ...ack,
    status,
    addTeamSeats: team.addTeamSeats,
    events: [{ type: engagement.event, actorId: actor.id, data: { pings: pingIds } }, ...statusEvents(ticket, status, actor.id), ...team.events],
    outbox: [...outbox, ...team.outbox],
  });
  const result = done(ctx, actor, engagement.done, ticket.number, outbox);
  return { ...result, replies: [...result.replies, ...appointHint] };
}

/** After-sales answering its "lead the complaint team" ping forms the team (once). */
function leadsTheTeam(ticket: Ticket, pingIds: number[]): boolean {
  return ticket.team.length === 0 && ticket.pings.some((p) => pingIds.includes(p.id) && p.duty === "lead_complaint_team");
}

export const acknowledgeTicket = (ctx: CoreContext, actor: Member, number: string) => engage(ctx, actor, number, "acknowledged");

/** Taking a ticket on acknowledges the taker's pings too. */
export const takeTicket = (ctx: CoreContext, actor: Member, number: string) => engage(ctx, actor, number, "taken");


/**
 * A note on the timeline. Others' notes reach the reporter; the reporter's note answers whoever
 * asked for more (`/ask`) since the reporter last wrote, and reaches them.
 */
export async function addNote(ctx: CoreContext, actor: Member, number: string, text: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  const labels = actorLabels(ctx, actor);
  const askers = ticket.reporterId === actor.id ? await openQuestionsOf(ctx, ticket) : [];
  const outbox = [
    ...(await toReporter(ctx, ticket, actor, "notify.noted", (l) => ({ number: ticket.number, text, ...labels(l) }))),
    ...toMembers(ctx, await Promise.all(askers.map((id) => ctx.directory.findMember(id))), actor, ticket.number, (l) => t(l, "notify.answered", { number: ticket.number, text, ...labels(l) })),
  ];
  const data = askers.length ? { text, answers: askers } : { text };
  await ctx.tickets.apply(ticket.id, { events: [{ type: "note", actorId: actor.id, data }], outbox });
  return done(ctx, actor, "note.done", ticket.number, outbox);
}

/** Who asked the reporter for more (`/ask`) since the reporter's last note: the questions still open. */
async function openQuestionsOf(ctx: CoreContext, ticket: Ticket): Promise<string[]> {
  const entries = await ctx.tickets.timeline(ticket.id);
  const lastAnswer = entries.findLastIndex((e) => e.type === "note" && e.actorId === ticket.reporterId);
  const askers = entries.slice(lastAnswer + 1).flatMap((e) => (e.type === "info_requested" && e.actorId && e.actorId !== ticket.reporterId ? [e.actorId] : []));
  return [...new Set(askers)];
}

/** A department that must act asks the reporter for more; the question lands on the timeline. */
export async function requestInformation(ctx: CoreContext, actor: Member, number: string, text: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canAct(m, tk, ctx.org), "act");
  const labels = actorLabels(ctx, actor);
  // The Answer button sends `/note HL-…`, which asks the reporter for the text.
  const answer = (l: Locale) => [{ id: `/note ${ticket.number}`, label: t(l, "button.answer") }];
  const outbox = await toReporter(ctx, ticket, actor, "notify.info_requested", (l) => ({ number: ticket.number, text, ...labels(l) }), answer);
  await ctx.tickets.apply(ticket.id, { events: [{ type: "info_requested", actorId: actor.id, data: { text } }], outbox });
  return done(ctx, actor, "ask.done", ticket.number, outbox);
}

const OUTLASTS_RESOLUTION: ReadonlySet<DeadlineKind> = new Set(["receipt", ...ON_REQUEST_DEADLINES]);

/**
 * Resolving records the result and sends the receipt (回执, manual §4) to the reporter, the service
 * center and the customer. It meets every pending deadline but those of work that goes on after it:
 * the receipt's, met when a receipt actually went out or was given by phone (`/receipt`), and what
 * was asked for on request (a returned vehicle's transport and storage, finance's handling).
 */
export async function resolveTicket(ctx: CoreContext, actor: Member, number: string, result: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canResolve(m, tk, ctx.org), "act");
  refuseIfFinished(ticket, "resolved");
  const now = ctx.clock();
  const audience = { org: ctx.org, members: await ctx.directory.listMembers(), defaultLocale: ctx.defaultLocale };
  const outbox = receiptNotifications(ticket, { result, resolver: actor }, audience);
  await ctx.tickets.apply(ticket.id, {
    status: "resolved",
    resolvedAt: now,
    fields: { result, resolvedBy: actor.id },
    meetDeadlines: { ids: ticket.deadlines.filter((d) => d.status === "pending" && !OUTLASTS_RESOLUTION.has(d.kind)).map((d) => d.id), at: now },
    events: [{ type: "resolved", actorId: actor.id, data: { result } }, ...statusEvents(ticket, "resolved", actor.id)],
    outbox,
  });
  const locale = localeOf(actor, ctx.defaultLocale);
  const sent = [...new Set(outbox.map((n) => receiptChannelOf(n.recipient, ticket.reporterId)))];
  const list = sent.length ? sent.map((channel) => t(locale, `receipt_channel.${channel}`)).join(t(locale, "timeline.list_separator")) : t(locale, "resolve.nobody", { number: ticket.number });
  return done(ctx, actor, "resolve.done", ticket.number, outbox, { sent: list });
}

/** `/receipt <no> phone [note]`: the customer was told the result by phone; meets the receipt deadline. */
export async function recordPhoneReceipt(ctx: CoreContext, actor: Member, number: string, note: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => mayCallCustomer(m, tk, ctx.org), "receipt");
  if (ticket.status !== "resolved" && ticket.status !== "closed") throw new HotlineError("not_resolved", `${ticket.number} is ${ticket.status}`, { number: ticket.number });
  const now = ctx.clock();
  await ctx.tickets.apply(ticket.id, {
    addRecords: [{ kind: "phone_receipt", text: note, amountFen: null, override: null, by: actor.id, at: now, attachments: [] }],
    meetDeadlines: { ids: ticket.deadlines.filter((d) => d.status === "pending" && d.kind === "receipt").map((d) => d.id), at: now },
    events: [{ type: "work_recorded", actorId: actor.id, data: { kind: "phone_receipt", text: note } }],
    outbox: [],
  });
  return done(ctx, actor, "receipt.phone_done", ticket.number, []);
}


export async function closeTicket(ctx: CoreContext, actor: Member, number: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m) => canClose(m, ctx.org), "close");
  if (ticket.status !== "resolved") {
    throw new HotlineError("invalid_transition", `${ticket.number} is ${ticket.status}`, { number: ticket.number, status: ticket.status, action: "closed" });
  }
  await ctx.tickets.apply(ticket.id, {
    status: "closed",
    closedAt: ctx.clock(),
    events: [{ type: "closed", actorId: actor.id }, ...statusEvents(ticket, "closed", actor.id)],
    outbox: [],
  });
  return done(ctx, actor, "close.done", ticket.number, []);
}

/** The ticket for `/status`; `seenByOthers` when the answer lands where others read it (a group). */
export async function showTicket(ctx: CoreContext, actor: Member, number: string, where: { seenByOthers: boolean }): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  const cardCtx = await cardContext(ctx, localeOf(actor, ctx.defaultLocale));
  const fullPhone = !where.seenByOthers && mayCallCustomer(actor, ticket, ctx.org);
  return { replies: [await withLatestEntries(ctx, ticket, ticketCard(ticket, cardCtx, { fullPhone }), cardCtx)], notifications: [] };
}

/**
 * A ticket's card as /status shows it and the first page of its timeline, for a ticket the caller
 * has read already (a page shows both): the timeline is read once for the two.
 */
export async function showTicketWithTimeline(ctx: CoreContext, actor: Member, ticket: Ticket, where: { seenByOthers: boolean }): Promise<{ card: Card; timeline: Card }> {
  if (!canView(actor, ticket, ctx.org)) throw new HotlineError("not_allowed", `${actor.id} may not view ${ticket.number}`, { number: ticket.number, refusal: "view" });
  const cardCtx = await cardContext(ctx, localeOf(actor, ctx.defaultLocale));
  const entries = await ctx.tickets.timeline(ticket.id);
  const fullPhone = !where.seenByOthers && mayCallCustomer(actor, ticket, ctx.org);
  return { card: withEntries(ticket, entries, ticketCard(ticket, cardCtx, { fullPhone }), cardCtx), timeline: timelinePage(ticket, entries, 1, cardCtx) };
}

export async function listMine(ctx: CoreContext, actor: Member): Promise<FlowResult> {
  const locale = localeOf(actor, ctx.defaultLocale);
  const tickets = await ctx.tickets.listConcerning(actor);
  if (tickets.length === 0) return { replies: [card(t(locale, "mine.none"))], notifications: [] };
  const lines = tickets.map(
    (tk) => `${tk.number} · ${severityText(tk, locale)} · ${t(locale, `status.${tk.status}`)} · ${truncate(tk.description, 40)}`,
  );
  return { replies: [card(lines, { title: t(locale, "mine.title") })], notifications: [] };
}
