import { localeOf, type Member } from "../directory/member.js";
import type { Card, Choice } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import { organisationTerms } from "../directory/organisation-terms.js";
import { activePings, isFinished, isUngraded, type Ping, type Ticket } from "../tickets/ticket.js";
import { deadlineLines, departmentName, gradingLines, memberName, pingLines, reasonLines, severityText, ticketFields, unconfirmedLine, type CardContext } from "../tickets/ticket-card.js";
import { formatLocalTime } from "../time/business-time.js";
import { needsConfirmation, type EscalationPlan } from "./plan-escalation.js";
import { ticketFormOf } from "../records/ticket-record.js";
import { teamCard } from "../teams/team-card.js";
import { memberRecipient, type LiveView, type Notification, type Recipient } from "./notification.js";

export interface NoticeContext extends Omit<CardContext, "locale"> {
  defaultLocale: Locale;
}

/** Acknowledge / Take / Resolve buttons; their ids are the commands themselves, well under 64 bytes. */
export function ticketActions(number: string, locale: Locale): Choice[] {
  return [
    { id: `/ack ${number}`, label: t(locale, "button.ack") },
    { id: `/take ${number}`, label: t(locale, "button.take") },
    { id: `/resolve ${number}`, label: t(locale, "button.resolve") },
  ];
}

/** Which pings and channels hear of a ticket now: all of a new ticket's, or those a change adds. */
export interface NoticeScope {
  pings: readonly Ping[];
  channelIds: readonly string[];
  /** How the message opens: a new ticket, a ticket graded anew, a customer pending work order. */
  headline: "new" | "regraded" | "work_order";
  /** Lines that head each direct message (a transfer's reason). */
  preface?: ((locale: Locale) => string[]) | undefined;
}

/**
 * The messages a ticket sends when pings reach people: one to each newly pinged person (unless
 * their ping was answered as it was made: the confirmer's own), one to each escalation channel
 * that carries it now, and the group robots of the pinged departments.
 */
export function escalationNotices(ticket: Ticket, scope: NoticeScope, ctx: NoticeContext): Notification[] {
  const waiting = scope.pings.filter((p) => p.acknowledgedAt === null);
  const pingedMembers = [...new Set(waiting.map((p) => p.memberId).filter((id): id is string => id !== null))];
  const direct = pingedMembers.flatMap((memberId) => {
    const member = ctx.members.get(memberId);
    return member ? [directNotice(ticket, member, waiting, scope, ctx)] : [];
  });
  const channels = scope.channelIds.map((channelId) => channelNotice(ticket, channelId, ctx));
  return [...withTicketForm(ticket, [...direct, ...channels], ctx), ...departmentGroupNotices(ticket, waiting, ctx)];
}

/**
 * A released ticket the manual has a form for goes out with it (§4: after-sales files the major
 * quality information report to the leaders and QA): after each notice to a person or a channel,
 * the form as a file, captioned in the recipient's language.
 */
function withTicketForm(ticket: Ticket, notices: Notification[], ctx: NoticeContext): Notification[] {
  const form = ticket.releasedAt === null ? undefined : ticketFormOf(ticket);
  if (!form) return notices;
  return notices.flatMap((notice) => {
    const member = notice.recipient.kind === "member" ? ctx.members.get(notice.recipient.memberId) : undefined;
    const locale = member ? localeOf(member, ctx.defaultLocale) : ctx.defaultLocale;
    const caption: Card = { lines: [t(locale, "form.caption", { form: t(locale, `document.form.${form}`), number: ticket.number })] };
    return [notice, { recipient: notice.recipient, card: caption, ticketNumber: ticket.number, file: { kind: "ticket_form" as const } }];
  });
}

/** The messages a new ticket sends: every ping it was made with, every channel its plan names. */
export const newTicketNotices = (ticket: Ticket, plan: EscalationPlan, ctx: NoticeContext): Notification[] =>
  escalationNotices(ticket, { pings: activePings(ticket), channelIds: plan.channelIds, headline: ticket.transferredAt ? "work_order" : "new" }, ctx);

const ROBOT_PREFIX = "robot:";

/**
 * A department's WeCom group robot as a recipient: `robot:<department id>`. Its key is a secret, so
 * the outbox keeps only this reference; the adapter looks the key up when it sends.
 */
const robotChannelOf = (departmentId: string): string => `${ROBOT_PREFIX}${departmentId}`;

/** The department whose group robot a recipient is, if it is one. */
export function robotDepartmentOf(recipient: Recipient): string | undefined {
  return recipient.kind === "channel" && recipient.channelId.startsWith(ROBOT_PREFIX) ? recipient.channelId.slice(ROBOT_PREFIX.length) : undefined;
}

/**
 * A pinged department whose WeCom group has a robot hears of the ticket there too, with its own
 * lead mentioned, so the group sees who must act.
 */
function departmentGroupNotices(ticket: Ticket, pings: readonly Ping[], ctx: NoticeContext): Notification[] {
  const pinged = new Set(pings.map((p) => p.departmentId));
  const withRobots = ctx.org.departments.filter((d) => d.wecomRobotKey && pinged.has(d.id));
  if (withRobots.length === 0) return [];
  const board = ticketBoard(ticket, { ...ctx, locale: ctx.defaultLocale });
  return withRobots.map((department) => {
    const card: Card = { ...board, mentions: board.mentions?.filter((m) => m.memberId === department.lead) };
    const robot = robotChannelOf(department.id);
    const recipient: Recipient = { kind: "channel", channelId: robot, name: pick(department.name, ctx.defaultLocale), platform: "wecom", address: robot };
    return { recipient, card, ticketNumber: ticket.number };
  });
}

function headline(ticket: Ticket, locale: Locale, ctx: Pick<CardContext, "org">): string {
  const params = { number: ticket.number, severity: severityText(ticket, locale), ...organisationTerms(ctx.org, locale) };
  if (ticket.releasedAt === null) return t(locale, isUngraded(ticket) ? "notify.grade_request" : "notify.confirm_request", params);
  return t(locale, "notify.new_ticket", params);
}

const HEADLINES = { new: "notify.new_ticket", regraded: "notify.regraded_new", work_order: "notify.work_order" } as const;

/** The complaint team the rules picked and its same-day deadline, read off the ticket's pings. */
function teamLine(ticket: Ticket, cardCtx: CardContext): string[] {
  const onSite = ticket.deadlines.find((d) => d.kind === "on_site" && d.status !== "cancelled");
  if (!onSite) return [];
  const teamDuties = new Set(["lead_complaint_team", "appoint_team_member"]);
  const departments = activePings(ticket).filter((p) => teamDuties.has(p.duty) && p.departmentId).map((p) => departmentName(p.departmentId, cardCtx)).join("、");
  return [t(cardCtx.locale, "notify.team", { departments, due: formatLocalTime(onSite.dueAt, cardCtx.timeZone) })];
}

function directNotice(ticket: Ticket, member: Member, pings: readonly Ping[], scope: NoticeScope, ctx: NoticeContext): Notification {
  const opening = scope.headline;
  const locale = localeOf(member, ctx.defaultLocale);
  const cardCtx: CardContext = { ...ctx, locale };
  const mine = pings.filter((p) => p.memberId === member.id);
  // Where the organisation asks after-sales to confirm first, its confirm duty is a confirmation; else an acknowledgement.
  const confirmsFirst = needsConfirmation(ticket, ctx.org);
  const due = ticket.deadlines.find((d) => d.kind === "acknowledge" && mine.some((p) => p.id === d.pingId));
  const title =
    ticket.releasedAt === null || opening === "new"
      ? headline(ticket, locale, ctx)
      : t(locale, HEADLINES[opening], { number: ticket.number, severity: severityText(ticket, locale) });
  const card: Card = {
    title,
    lines: [
      ...(scope.preface?.(locale) ?? []),
      ...unconfirmedLine(ticket, cardCtx),
      ...mine.map((p) => (p.departmentId ? `${departmentName(p.departmentId, cardCtx)}: ` : "") + t(locale, `duty.${p.duty}`)),
      ...reasonLines(ticket.matched, ctx.org.triage, locale),
      ...gradingLines(ticket, cardCtx),
      ...teamLine(ticket, cardCtx),
      ...(due ? [dueLine(ticket, mine, due.dueAt, cardCtx, confirmsFirst)] : []),
    ],
    fields: ticketFields(ticket, cardCtx),
    choices: due ? dutyActions(ticket.number, mine, locale, confirmsFirst) : undefined,
    tone: ticket.level === 1 ? "warning" : "info",
  };
  return { recipient: memberRecipient(member, locale), card, ticketNumber: ticket.number };
}

/** What to send by when, for the duty at hand: confirm, grade, assign, or acknowledge. */
function dueLine(ticket: Ticket, mine: readonly Ping[], dueAt: Date, cardCtx: CardContext, confirmsFirst: boolean): string {
  const params = { due: formatLocalTime(dueAt, cardCtx.timeZone), number: ticket.number };
  const duties = new Set(mine.map((p) => p.duty));
  if (duties.has("confirm") && confirmsFirst) return t(cardCtx.locale, "notify.confirm_by", params);
  if (duties.has("grade")) return t(cardCtx.locale, "notify.grade_by", params);
  if (duties.has("assign_service_center")) return t(cardCtx.locale, "notify.assign_by", params);
  return t(cardCtx.locale, "notify.ack_by", params);
}

/**
 * The buttons for a duty: confirming and grading (§4 确认、定级), assigning a center, QA's support or
 * measures before Acknowledge / Take / Resolve, or those three alone.
 */
export function dutyActions(number: string, pings: readonly Pick<Ping, "duty">[], locale: Locale, confirmsFirst: boolean): Choice[] {
  const duties = new Set(pings.map((p) => p.duty));
  const take = { id: `/take ${number}`, label: t(locale, "button.take") };
  if (duties.has("confirm") && confirmsFirst) return [{ id: `/confirm ${number}`, label: t(locale, "button.confirm_ticket") }, { id: `/grade ${number}`, label: t(locale, "button.grade") }, take];
  if (duties.has("grade")) return [{ id: `/grade ${number}`, label: t(locale, "button.grade") }, take];
  if (duties.has("assign_service_center")) return [{ id: `/assign ${number}`, label: t(locale, "button.assign") }, take];
  // §4: QA records what it does for levels 1 and 2; the button asks for the text.
  if (duties.has("technical_support")) return [{ id: `/support ${number}`, label: t(locale, "button.support") }, ...ticketActions(number, locale)];
  if (duties.has("propose_measures")) return [{ id: `/measures ${number}`, label: t(locale, "button.measures") }, ...ticketActions(number, locale)];
  return ticketActions(number, locale);
}

function channelNotice(ticket: Ticket, channelId: string, ctx: NoticeContext): Notification {
  const channel = ctx.org.channels.find((c) => c.id === channelId);
  if (!channel) throw new Error(`unknown channel ${channelId}`); // the plan only names configured channels
  const card = ticketBoard(ticket, { ...ctx, locale: ctx.defaultLocale });
  const recipient: Recipient = { kind: "channel", channelId, name: pick(channel.name, ctx.defaultLocale), platform: channel.platform, address: channel.externalId };
  return { recipient, card, ticketNumber: ticket.number, view: "ticket" };
}

/** The card a live view shows now: the ticket's board, or its complaint team's roster. */
export function liveViewCard(ticket: Ticket, view: LiveView, cardCtx: CardContext): Card {
  return view === "team" ? teamCard(ticket, cardCtx) : ticketBoard(ticket, cardCtx);
}

/**
 * A ticket as an escalation channel shows it, kept current as it changes: who must act and where
 * each stands (acknowledged by whom and when, overdue, escalated), why it has its level, the facts
 * with the customer's phone masked, the deadlines, mentions of those pinged, and the actions.
 */
export function ticketBoard(ticket: Ticket, cardCtx: CardContext): Card {
  const { locale } = cardCtx;
  const mentioned = [...new Set(activePings(ticket).map((p) => p.memberId).filter((id): id is string => id !== null))];
  const deadlines = deadlineLines(ticket, cardCtx);
  return {
    title: headline(ticket, locale, cardCtx),
    lines: [
      ...unconfirmedLine(ticket, cardCtx),
      ...pingLines(ticket, cardCtx),
      ...reasonLines(ticket.matched, cardCtx.org.triage, locale),
      ...gradingLines(ticket, cardCtx),
      ...teamLine(ticket, cardCtx),
      ...(deadlines.length ? [`${t(locale, "field.deadlines")}:`, ...deadlines] : []),
    ],
    fields: ticketFields(ticket, cardCtx),
    mentions: mentioned.map((memberId) => ({ memberId, name: memberName(memberId, cardCtx) })),
    choices: isFinished(ticket.status) ? [] : ticketActions(ticket.number, locale),
    tone: ticket.level === 1 ? "warning" : "info",
  };
}
