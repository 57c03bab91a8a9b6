import { localeOf, type Member } from "../directory/member.js";
import { memberRecipient, type Notification } from "../escalation/notification.js";
import { HotlineError } from "../errors.js";
import { card, type Card, type Choice } from "../messages/card.js";
import { t, type MessageKey, type MessageParams } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import type { CoreContext } from "../ports.js";
import { isFinished, normalizeTicketNumber, type Ticket, type TicketStatus } from "./ticket.js";
import type { CardContext } from "./ticket-card.js";

/*
 * What every ticket flow shares: loading a ticket with a permission check, telling the reporter,
 * and answering the actor.
 */

/** What a flow answers the member who asked, and what it sends to others. */
export interface FlowResult {
  replies: Card[];
  notifications: Notification[];
  /** The number of the ticket this flow filed, when it filed one. */
  openedTicket?: string | undefined;
}

export async function cardContext(ctx: CoreContext, locale: Locale): Promise<CardContext> {
  const members = new Map((await ctx.directory.listMembers()).map((m) => [m.id, m]));
  return { locale, org: ctx.org, timeZone: ctx.timeZone, members };
}

/** Which refusal a member reads: the catalog has a sentence for each. */
export type Refusal = "view" | "act" | "close" | "team" | "appoint" | "grade" | "assign" | "feedback" | "transfer" | "receipt" | "return" | "transport" | "storage" | "quality" | "finance" | "team_seats" | "override";

export type Check = (member: Member, ticket: Ticket) => boolean;

/** Loads a ticket the actor may handle, or throws the refusal they will read. */
export async function ticketFor(ctx: CoreContext, actor: Member, rawNumber: string, allowed: Check, refusal: Refusal): Promise<Ticket> {
  const number = normalizeTicketNumber(rawNumber) ?? rawNumber;
  const ticket = await ctx.tickets.findByNumber(number);
  if (!ticket) throw new HotlineError("ticket_not_found", `no ticket ${number}`, { number });
  if (!allowed(actor, ticket)) {
    throw new HotlineError("not_allowed", `${actor.id} may not ${refusal} ${number}`, { number, refusal });
  }
  return ticket;
}

/** Actions a finished ticket refuses; each has its catalog word (`action.*`). */
export type TicketAction =
  | "acknowledged"
  | "taken"
  | "resolved"
  | "appointed"
  | "team_on_site"
  | "agreement_signed"
  | "confirmed"
  | "graded"
  | "assigned"
  | "feedback"
  | "transferred"
  | "return_requested"
  | "recorded"
  | "team_changed";

export function refuseIfFinished(ticket: Ticket, action: TicketAction): void {
  if (isFinished(ticket.status)) {
    throw new HotlineError("invalid_transition", `${ticket.number} is ${ticket.status}`, { number: ticket.number, status: ticket.status, action });
  }
}

/** A message to the reporter about their ticket, unless they did it themselves; `choices`: the buttons it offers. */
export async function toReporter(
  ctx: CoreContext,
  ticket: Ticket,
  actor: Member,
  key: MessageKey,
  params: (locale: Locale) => MessageParams,
  choices?: (locale: Locale) => Choice[],
): Promise<Notification[]> {
  if (ticket.reporterId === actor.id) return [];
  const reporter = await ctx.directory.findMember(ticket.reporterId);
  if (!reporter) return [];
  const locale = localeOf(reporter, ctx.defaultLocale);
  return [{ recipient: memberRecipient(reporter, locale, ticket.originPlatform), card: card(t(locale, key, params(locale)), { choices: choices?.(locale) }), ticketNumber: ticket.number }];
}

/** A message to each of these members, in their own language; the actor is not told of what they did. */
export function toMembers(ctx: CoreContext, members: readonly (Member | undefined)[], actor: Member | null, ticketNumber: string, message: (locale: Locale) => string): Notification[] {
  return members.flatMap((member) => {
    if (!member || member.id === actor?.id) return [];
    const locale = localeOf(member, ctx.defaultLocale);
    return [{ recipient: memberRecipient(member, locale), card: card(message(locale), { tone: "info" }), ticketNumber }];
  });
}

export function statusEvents(ticket: Ticket, next: TicketStatus, actorId: string) {
  return next === ticket.status ? [] : [{ type: "status_changed" as const, actorId, data: { from: ticket.status, to: next } }];
}

export function actorLabels(ctx: CoreContext, actor: Member) {
  return (locale: Locale) => {
    const department = ctx.org.departments.find((d) => d.id === actor.departmentId);
    return { who: pick(actor.name, locale), department: department ? pick(department.name, locale) : "-" };
  };
}

/** The actor's confirmation, in their language, with what the change sends to others. */
export function done(ctx: CoreContext, actor: Member, key: MessageKey, number: string, notifications: Notification[], params: MessageParams = {}): FlowResult {
  const locale = localeOf(actor, ctx.defaultLocale);
  return { replies: [card(t(locale, key, { number, ...params }), { tone: "success" })], notifications };
}
