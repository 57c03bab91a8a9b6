import { directPlatformOf, type Member } from "../directory/member.js";
import type { Platform } from "../directory/organisation.js";
import type { Card, Choice } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import { isFinished, type Ticket } from "../tickets/ticket.js";
import { deadlineLines, departmentName, memberName, pingLines, reasonLines, severityText, ticketFields, type CardContext } from "../tickets/ticket-card.js";
import { formatLocalTime } from "../time/business-time.js";
import type { EscalationPlan } from "./plan-escalation.js";
import { teamCard } from "../teams/team-card.js";
import type { LiveView, Notification, Recipient } from "./notification.js";

export interface NoticeContext extends Omit<CardContext, "locale"> {
  defaultLocale: Locale;
}

export function memberRecipient(member: Member, locale: Locale, context?: Platform | null): Recipient {
  const platform = directPlatformOf(member, context) ?? null;
  return { kind: "member", memberId: member.id, name: pick(member.name, locale), platform, address: platform ? (member.identities[platform] ?? null) : null };
}

export const localeOf = (member: Member, fallback: Locale): Locale => member.locale ?? fallback;

/** Acknowledge / Take / Resolve buttons; their ids are the commands themselves, well under 64 bytes. */
export function ticketActions(number: string, locale: Locale): Choice[] {
  return [
    { id: `/ack ${number}`, label: t(locale, "button.ack") },
    { id: `/take ${number}`, label: t(locale, "button.take") },
    { id: `/resolve ${number}`, label: t(locale, "button.resolve") },
  ];
}

/** The messages a new ticket sends: one to each pinged person, one to each escalation channel. */
export function newTicketNotices(ticket: Ticket, plan: EscalationPlan, ctx: NoticeContext): Notification[] {
  const pingedMembers = [...new Set(ticket.pings.map((p) => p.memberId).filter((id): id is string => id !== null))];
  const direct = pingedMembers.flatMap((memberId) => {
    const member = ctx.members.get(memberId);
    return member ? [directNotice(ticket, member, ctx)] : [];
  });
  const channels = plan.channelIds.map((channelId) => channelNotice(ticket, channelId, ctx));
  return [...direct, ...channels, ...departmentGroupNotices(ticket, ctx)];
}

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
function departmentGroupNotices(ticket: Ticket, ctx: NoticeContext): Notification[] {
  const pinged = new Set(ticket.pings.map((p) => p.departmentId));
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

function headline(ticket: Ticket, locale: Locale): string {
  return t(locale, "notify.new_ticket", { number: ticket.number, severity: severityText(ticket.level, locale) });
}

/** The complaint team the rules picked and its same-day deadline, read off the ticket's pings. */
function teamLine(ticket: Ticket, cardCtx: CardContext): string[] {
  const onSite = ticket.deadlines.find((d) => d.kind === "on_site");
  if (!onSite) return [];
  const teamDuties = new Set(["lead_complaint_team", "appoint_team_member"]);
  const departments = ticket.pings.filter((p) => teamDuties.has(p.duty) && p.departmentId).map((p) => departmentName(p.departmentId, cardCtx)).join("、");
  return [t(cardCtx.locale, "notify.team", { departments, due: formatLocalTime(onSite.dueAt, cardCtx.timeZone) })];
}

function directNotice(ticket: Ticket, member: Member, ctx: NoticeContext): Notification {
  const locale = localeOf(member, ctx.defaultLocale);
  const cardCtx: CardContext = { ...ctx, locale };
  const mine = ticket.pings.filter((p) => p.memberId === member.id);
  const ackDue = ticket.deadlines.find((d) => d.kind === "acknowledge" && mine.some((p) => p.id === d.pingId));
  const card: Card = {
    title: headline(ticket, locale),
    lines: [
      ...mine.map((p) => (p.departmentId ? `${departmentName(p.departmentId, cardCtx)}: ` : "") + t(locale, `duty.${p.duty}`)),
      ...reasonLines(ticket.matched, ctx.org.triage, locale),
      ...teamLine(ticket, cardCtx),
      ...(ackDue ? [t(locale, "notify.ack_by", { due: formatLocalTime(ackDue.dueAt, ctx.timeZone), number: ticket.number })] : []),
    ],
    fields: ticketFields(ticket, cardCtx),
    choices: ackDue ? ticketActions(ticket.number, locale) : undefined,
    tone: ticket.level === 1 ? "warning" : "info",
  };
  return { recipient: memberRecipient(member, locale), card, ticketNumber: ticket.number };
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
  const mentioned = [...new Set(ticket.pings.map((p) => p.memberId).filter((id): id is string => id !== null))];
  const deadlines = deadlineLines(ticket, cardCtx);
  return {
    title: headline(ticket, locale),
    lines: [
      ...pingLines(ticket, cardCtx),
      ...reasonLines(ticket.matched, cardCtx.org.triage, locale),
      ...teamLine(ticket, cardCtx),
      ...(deadlines.length ? [`${t(locale, "field.deadlines")}:`, ...deadlines] : []),
    ],
    fields: ticketFields(ticket, cardCtx),
    mentions: mentioned.map((memberId) => ({ memberId, name: memberName(memberId, cardCtx) })),
    choices: isFinished(ticket.status) ? [] : ticketActions(ticket.number, locale),
    tone: ticket.level === 1 ? "warning" : "info",
  };
}
