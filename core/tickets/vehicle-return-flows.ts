import { localeOf, type Member } from "../directory/member.js";
import type { Duty, Organisation } from "../directory/organisation.js";
import { organisationTerms } from "../directory/organisation-terms.js";
import { memberRecipient, type Notification } from "../escalation/notification.js";
import { planVehicleReturn } from "../escalation/plan-escalation.js";
import { HotlineError } from "../errors.js";
import { card, type Card, type Choice } from "../messages/card.js";
import { t, type MessageKey } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import type { CoreContext, NewDeadline, NewPing } from "../ports.js";
import { formatLocalTime } from "../time/business-time.js";
import { actorLabels, cardContext, done, refuseIfFinished, ticketFor, toMembers, toReporter, type FlowResult, type Refusal } from "./flow-support.js";
import { mayArrangeReturn, mayRecordStorage, mayRecordTransport } from "./permissions.js";
import { stageOf } from "./replan-ticket.js";
import { activePings, type DeadlineKind, type Ticket, type WorkRecordKind } from "./ticket.js";
import { departmentName, memberName, ticketFields, type CardContext } from "./ticket-card.js";
import { vehicleReturnOf } from "./vehicle-return.js";

/*
 * A returned faulty vehicle (§5: 销售公司物流部负责退回的故障车辆的运输，计划物流部负责贮存和保管):
 * after-sales arranges the return, sales logistics brings the vehicle back, planning logistics
 * stores and keeps it. Each step is on the timeline and the ticket's card.
 */

/** What each logistics leg owes and how it is recorded. */
interface Leg {
  duty: Extract<Duty, "transport_vehicle" | "store_vehicle">;
  deadline: Extract<DeadlineKind, "transport" | "storage">;
  record: Extract<WorkRecordKind, "transported" | "stored">;
  command: string;
  button: MessageKey;
  /** The line telling the lead what to record by when. */
  dueLine: MessageKey;
  allowed: (member: Member, org: Organisation) => boolean;
  refusal: Refusal;
  /** What after-sales hears once it is done. */
  notice: MessageKey;
  done: MessageKey;
}

const TRANSPORT: Leg = {
  duty: "transport_vehicle",
  deadline: "transport",
  record: "transported",
  command: "/transported",
  button: "button.transported",
  dueLine: "notify.transport_by",
  allowed: mayRecordTransport,
  refusal: "transport",
  notice: "notify.transported",
  done: "transported.done",
};

const STORAGE: Leg = {
  duty: "store_vehicle",
  deadline: "storage",
  record: "stored",
  command: "/stored",
  button: "button.stored",
  dueLine: "notify.storage_by",
  allowed: mayRecordStorage,
  refusal: "storage",
  notice: "notify.stored",
  done: "stored.done",
};

const LEGS = [TRANSPORT, STORAGE] as const;
const legOf = (duty: Duty) => LEGS.find((leg) => leg.duty === duty);

function requireLogistics(org: Organisation, number: string): NonNullable<Organisation["logistics"]> {
  if (!org.logistics) throw new HotlineError("no_logistics", "the organisation names no logistics departments", { number });
  return org.logistics;
}

/**
 * `/return`: after-sales arranges the vehicle's return. Each logistics lead is pinged to
 * acknowledge and owes its milestone by its deadline; the reporter, whose center has the vehicle,
 * hears who will fetch it. Arranged once.
 */
export async function requestVehicleReturn(ctx: CoreContext, actor: Member, number: string, note: string): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m) => mayArrangeReturn(m, ctx.org), "return");
  refuseIfFinished(ticket, "return_requested");
  const logistics = requireLogistics(ctx.org, ticket.number);
  if (vehicleReturnOf(ticket).requested) throw new HotlineError("return_already_arranged", `${ticket.number} has a return arranged`, { number: ticket.number });
  const now = ctx.clock();
  // The logistics departments are named (checked above), so there is a plan.
  const plan = planVehicleReturn({ severity: ticket, stage: stageOf(ticket), now }, ctx.org)!;
  const locale = localeOf(actor, ctx.defaultLocale);
  const cardCtx = await cardContext(ctx, locale);
  const labels = actorLabels(ctx, actor);
  const arranged = (l: Locale) => t(l, note ? "notify.vehicle_return_note" : "notify.vehicle_return_by", { note, ...labels(l) });
  const toLeads = plan.pings.flatMap((ping, pingIndex) => {
    const lead = cardCtx.members.get(ping.memberId);
    const leg = legOf(ping.duty);
    if (!lead || !leg || lead.id === actor.id) return [];
    const dueAt = (found: (d: NewDeadline) => boolean) => plan.deadlines.find(found)!.dueAt;
    const due = { acknowledge: dueAt((d) => d.pingIndex === pingIndex), milestone: dueAt((d) => d.kind === leg.deadline) };
    return [leadNotice(ticket, ping, leg, lead, { ...cardCtx, locale: localeOf(lead, ctx.defaultLocale) }, arranged, due)];
  });
  // The reporter's center has the vehicle: it hears who will fetch it.
  const reporter = await toReporter(ctx, ticket, actor, "notify.vehicle_return_reporter", (l) => ({ number: ticket.number, ...labels(l), ...organisationTerms(ctx.org, l) }));
  const outbox = [...toLeads, ...reporter];
  await ctx.tickets.apply(ticket.id, {
    addPings: plan.pings,
    addDeadlines: plan.deadlines,
    events: [
      { type: "vehicle_return_requested", actorId: actor.id, data: { transport: logistics.transport, storage: logistics.storage, note } },
      ...plan.pings.map((p) => ({ type: "pinged" as const, actorId: null, data: { memberId: p.memberId, departmentId: p.departmentId, duty: p.duty } })),
    ],
    outbox,
  });
  const leadName = (duty: Duty) => memberName(plan.pings.find((p) => p.duty === duty)?.memberId ?? null, cardCtx);
  return done(ctx, actor, "return.done", ticket.number, outbox, {
    ...organisationTerms(ctx.org, locale),
    transportLead: leadName("transport_vehicle"),
    storageLead: leadName("store_vehicle"),
  });
}

/** A lead's ping: what to do, by when to acknowledge and to record it, with Ack / Take and the milestone's button. */
function leadNotice(ticket: Ticket, ping: NewPing, leg: Leg, lead: Member, cardCtx: CardContext, arranged: (l: Locale) => string, due: { acknowledge: Date; milestone: Date }): Notification {
  const { locale } = cardCtx;
  const when = (at: Date) => formatLocalTime(at, cardCtx.timeZone);
  const body: Card = {
    title: t(locale, "notify.vehicle_return", { number: ticket.number }),
    lines: [
      `${departmentName(ping.departmentId, cardCtx)}: ${t(locale, `duty.${ping.duty}`)}`,
      arranged(locale),
      t(locale, "notify.ack_by", { due: when(due.acknowledge), number: ticket.number }),
      t(locale, leg.dueLine, { due: when(due.milestone), number: ticket.number }),
    ],
    fields: ticketFields(ticket, cardCtx, { only: ["kind", "vehicle", "description", "serviceCenter", "customerName"] }),
    choices: [
      { id: `/ack ${ticket.number}`, label: t(locale, "button.ack") },
      { id: `/take ${ticket.number}`, label: t(locale, "button.take") },
      milestoneChoice(leg, ticket.number, locale),
    ],
    tone: "info",
  };
  return { recipient: memberRecipient(lead, locale), card: body, ticketNumber: ticket.number };
}

const milestoneChoice = (leg: Leg, number: string, locale: Locale): Choice => ({ id: `${leg.command} ${number}`, label: t(locale, leg.button) });

/** `/transported`: sales logistics brought the vehicle back; planning logistics now expects it. */
export const recordTransport = (ctx: CoreContext, actor: Member, number: string, note: string) => recordMilestone(ctx, actor, number, note, TRANSPORT);

/** `/stored`: planning logistics stored and keeps the vehicle, once it is back. */
export const recordStorage = (ctx: CoreContext, actor: Member, number: string, note: string) => recordMilestone(ctx, actor, number, note, STORAGE);

/**
 * A leg done: recorded on the ticket, its deadline met and its department's ping acknowledged;
 * after-sales (its lead and whoever arranged the return) is told, and after a transport so is
 * the storage lead, with the button to record the storage.
 */
async function recordMilestone(ctx: CoreContext, actor: Member, number: string, note: string, leg: Leg): Promise<FlowResult> {
  requireLogistics(ctx.org, number);
  const ticket = await ticketFor(ctx, actor, number, (m) => leg.allowed(m, ctx.org), leg.refusal);
  const locale = localeOf(actor, ctx.defaultLocale);
  const cardCtx = await cardContext(ctx, locale);
  const state = vehicleReturnOf(ticket);
  if (!state.requested) throw new HotlineError("return_not_requested", `${ticket.number} has no return arranged`, { number: ticket.number });
  const recorded = ticket.records.find((r) => r.kind === leg.record);
  if (recorded) {
    throw new HotlineError("milestone_recorded", `${ticket.number} has ${leg.record} already`, {
      number: ticket.number,
      what: t(locale, `record.${leg.record}`),
      who: memberName(recorded.by, cardCtx),
      at: formatLocalTime(recorded.at, ctx.timeZone),
    });
  }
  // The vehicle is stored once it is back: planning logistics expects it from sales logistics.
  if (leg === STORAGE && !state.transported) throw new HotlineError("not_transported", `${ticket.number} is not transported yet`, { number: ticket.number });
  const now = ctx.clock();
  const pingIds = activePings(ticket)
    .filter((p) => p.duty === leg.duty && p.acknowledgedAt === null)
    .map((p) => p.id);
  const deadlineIds = ticket.deadlines
    .filter((d) => d.status === "pending" && (d.pingId === null ? d.kind === leg.deadline : pingIds.includes(d.pingId)))
    .map((d) => d.id);
  const outbox = await milestoneNotices(ctx, ticket, actor, leg, note, cardCtx);
  await ctx.tickets.apply(ticket.id, {
    addRecords: [{ kind: leg.record, text: note, amountFen: null, override: null, by: actor.id, at: now, attachments: [] }],
    acknowledgePings: { ids: pingIds, by: actor.id, at: now },
    meetDeadlines: { ids: deadlineIds, at: now },
    events: [
      ...(pingIds.length ? [{ type: "acknowledged" as const, actorId: actor.id, data: { pings: pingIds } }] : []),
      { type: "work_recorded", actorId: actor.id, data: { kind: leg.record, text: note, amountFen: null } },
    ],
    outbox,
  });
  return done(ctx, actor, leg.done, ticket.number, outbox, organisationTerms(ctx.org, locale));
}

async function milestoneNotices(ctx: CoreContext, ticket: Ticket, actor: Member, leg: Leg, note: string, cardCtx: CardContext): Promise<Notification[]> {
  const labels = actorLabels(ctx, actor);
  const lines = (l: Locale) => [t(l, leg.notice, { number: ticket.number, ...labels(l) }), ...(note ? [t(l, "notify.record_note", { note })] : [])];
  const afterSalesIds = new Set([leadOf(ctx.org, ctx.org.afterSalesDepartment), await arrangerOf(ctx, ticket)]);
  const afterSales = toMembers(ctx, [...afterSalesIds].map((id) => (id ? cardCtx.members.get(id) : undefined)), actor, ticket.number, (l) => lines(l).join("\n"));
  if (leg !== TRANSPORT) return afterSales;
  // Planning logistics now expects the vehicle: it gets the button to record the storage.
  const storageLead = cardCtx.members.get(leadOf(ctx.org, ctx.org.logistics!.storage) ?? "");
  if (!storageLead || storageLead.id === actor.id) return afterSales;
  const locale = localeOf(storageLead, ctx.defaultLocale);
  const storageDue = ticket.deadlines.find((d) => d.kind === STORAGE.deadline && d.status !== "cancelled")?.dueAt;
  const dueLine = storageDue ? [t(locale, STORAGE.dueLine, { due: formatLocalTime(storageDue, ctx.timeZone), number: ticket.number })] : [];
  const toStorage: Notification = {
    recipient: memberRecipient(storageLead, locale),
    card: card([...lines(locale), ...dueLine], { choices: [milestoneChoice(STORAGE, ticket.number, locale)], tone: "info" }),
    ticketNumber: ticket.number,
  };
  return [...afterSales, toStorage];
}

const leadOf = (org: Organisation, departmentId: string) => org.departments.find((d) => d.id === departmentId)?.lead;

/** Who arranged the return: they hear how it goes, beside after-sales' lead. */
async function arrangerOf(ctx: CoreContext, ticket: Ticket): Promise<string | undefined> {
  const entries = await ctx.tickets.timeline(ticket.id);
  return entries.findLast((e) => e.type === "vehicle_return_requested")?.actorId ?? undefined;
}
