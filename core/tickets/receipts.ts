import { localeOf, type Member } from "../directory/member.js";
import type { Organisation } from "../directory/organisation.js";
import { type CustomerRecipient, memberRecipient, type Notification, type Recipient } from "../escalation/notification.js";
import { card } from "../messages/card.js";
import { t, type MessageKey, type MessageParams } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import { parsePhone } from "../validation/phone.js";
import type { Ticket } from "./ticket.js";

/*
 * The receipt (回执, manual §4): once a ticket is resolved, after-sales sends the result back to the
 * service center and the customer. The reporter hears of it too. Which of these messages count
 * as the receipt having gone out (and so meet the receipt deadline) is marked on them: the
 * customer's, else the center's, else the reporter's.
 */

/** The resolution as the receipt tells it. */
export interface Resolution {
  result: string;
  resolver: Member;
}

export interface ReceiptAudience {
  org: Organisation;
  /** Everyone in the directory, for the center's staff. */
  members: readonly Member[];
  /** The deployment's language: customers and group chats read it. */
  defaultLocale: Locale;
}

export function receiptNotifications(ticket: Ticket, resolution: Resolution, audience: ReceiptAudience): Notification[] {
  const customer = toCustomer(ticket, resolution, audience);
  const center = toCenter(ticket, resolution, audience);
  const reporter = toReporter(ticket, resolution, audience);
  const counted = customer.length ? customer : center.length ? center : reporter;
  return [...reporter, ...center, ...customer].map((n) => (counted.includes(n) ? { ...n, purpose: "receipt" as const } : n));
}

/**
 * Where the customer can be reached: an SMS to a mobile number (a landline takes none) and an
 * e-mail when they gave one; nowhere when they asked not to be contacted.
 */
export function customerChannels(ticket: Pick<Ticket, "customerPhone" | "customerEmail" | "doNotContact" | "customerName">): CustomerRecipient[] {
  if (ticket.doNotContact) return [];
  const phone = parsePhone(ticket.customerPhone);
  const name = ticket.customerName;
  return [
    ...(phone.ok && phone.value.kind === "mobile" ? [{ kind: "customer" as const, platform: "sms" as const, address: phone.value.e164, name }] : []),
    ...(ticket.customerEmail ? [{ kind: "customer" as const, platform: "email" as const, address: ticket.customerEmail, name }] : []),
  ];
}

function toCustomer(ticket: Ticket, { result }: Resolution, { org, defaultLocale: locale }: ReceiptAudience): Notification[] {
  const params = { number: ticket.number, result, customer: ticket.customerName, center: centerName(ticket, org, locale), organisation: pick(org.name, locale) };
  const message = card([t(locale, "receipt.customer_body", params)], { title: t(locale, "receipt.customer_subject", params) });
  return customerChannels(ticket).map((recipient) => ({
    recipient,
    card: message,
    ticketNumber: ticket.number,
    // The SMS provider sends only the template it approved; its parameters are the variable parts.
    template: { id: "receipt", params: { number: ticket.number, result } },
  }));
}

/** The center's group chat where it has one, else each of its staff (the reporter is told apart). */
function toCenter(ticket: Ticket, { result, resolver }: Resolution, { org, members, defaultLocale }: ReceiptAudience): Notification[] {
  const centerId = ticket.serviceCenterId;
  if (!centerId) return [];
  const params = (locale: Locale): MessageParams => ({ number: ticket.number, result, who: pick(resolver.name, locale), center: centerName(ticket, org, locale) });
  const channel = org.channels.find((c) => c.purpose === "service_center" && c.serviceCenter === centerId);
  if (channel) {
    const locale = defaultLocale;
    return [{ recipient: { kind: "channel", channelId: channel.id, name: pick(channel.name, locale), platform: channel.platform, address: channel.externalId }, card: receiptCard(locale, "receipt.center", params(locale)), ticketNumber: ticket.number }];
  }
  const staff = members.filter((m) => m.serviceCenterId === centerId && m.id !== ticket.reporterId && m.id !== resolver.id);
  return staff.map((member) => {
    const locale = localeOf(member, defaultLocale);
    return { recipient: memberRecipient(member, locale), card: receiptCard(locale, "receipt.center", params(locale)), ticketNumber: ticket.number };
  });
}

function toReporter(ticket: Ticket, { result, resolver }: Resolution, { members, defaultLocale }: ReceiptAudience): Notification[] {
  if (ticket.reporterId === resolver.id) return [];
  const reporter = members.find((m) => m.id === ticket.reporterId);
  if (!reporter) return [];
  const locale = localeOf(reporter, defaultLocale);
  const params = { number: ticket.number, result, who: pick(resolver.name, locale) };
  return [{ recipient: memberRecipient(reporter, locale, ticket.originPlatform), card: receiptCard(locale, "notify.resolved", params), ticketNumber: ticket.number }];
}

/** Whom a receipt went to, as the timeline and the resolver's answer name them. */
export type ReceiptChannel = "sms" | "email" | "center" | "reporter";

export function receiptChannelOf(recipient: Recipient, reporterId: string): ReceiptChannel {
  if (recipient.kind === "customer") return recipient.platform;
  return recipient.kind === "member" && recipient.memberId === reporterId ? "reporter" : "center";
}

const receiptCard = (locale: Locale, key: MessageKey, params: MessageParams) => card(t(locale, key, params), { tone: "success" });

function centerName(ticket: Ticket, org: Organisation, locale: Locale): string {
  const center = org.serviceCenters.find((c) => c.id === ticket.serviceCenterId);
  return center ? pick(center.name, locale) : pick(org.name, locale);
}
