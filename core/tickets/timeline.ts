import { z } from "zod";
import { organisationTerms } from "../directory/organisation-terms.js";
import { CATALOG, t, type MessageKey, type MessageParams } from "../messages/catalog.js";
import { pick } from "../messages/locale.js";
import { truncate } from "../messages/truncate.js";
import { formatLocalTime } from "../time/business-time.js";
import { findRule } from "../triage/rules.js";
import { formatFen } from "../validation/amount.js";
import { departmentName, memberName, severityText, type CardContext } from "./ticket-card.js";
import type { Ticket, TimelineEventType } from "./ticket.js";

/**
 * One entry of a ticket's timeline as it was recorded (manual §4: after-sales keeps every record).
 * `type` is any string: entries outlive the code that wrote them, and a type this version does not
 * know still reads, as a generic line.
 */
export interface TimelineEntry {
  id: number;
  type: TimelineEventType | string;
  actorId: string | null;
  data: Record<string, unknown>;
  at: Date;
}

/** What the renderer may look up on the ticket: whose pings an acknowledgement answered, a deadline's duty. */
export type TimelineTicket = Pick<Ticket, "pings" | "deadlines">;

/** Free text people typed (notes, reasons, feedback) is clipped to this many characters in a timeline. */
export const TIMELINE_TEXT_MAX = 200;
/**
 * And a whole line to this many: fifteen of them (a `/timeline` page) with the page's title and
 * footer stay under the 3,900 characters the Telegram renderer puts in one message.
 */
export const TIMELINE_LINE_MAX = 250;

interface Env {
  ctx: CardContext;
  ticket: TimelineTicket;
  /** The actor's name, or the bot's for entries no person caused. */
  who: string;
}

/** An entry's sentence, or undefined when its data is not what the type's flow writes. */
type Sentence = (entry: TimelineEntry, env: Env) => string | undefined;

/** A sentence for data of a known shape: data that does not parse gets the generic line, never a throw. */
function sentence<S extends z.ZodType>(schema: S, render: (data: z.infer<S>, env: Env) => string): Sentence {
  return (entry, env) => {
    const parsed = schema.safeParse(entry.data);
    return parsed.success ? render(parsed.data, env) : undefined;
  };
}

const nothing = z.object({});
const text = z.object({ text: z.string() });
const level = z.union([z.literal(1), z.literal(2), z.literal(3)]).nullable();
const grade = z.object({ category: z.enum(["general", "major"]), level });
const pingData = z.object({ memberId: z.string().nullable(), departmentId: z.string().nullable(), duty: z.string() });
const pingIds = z.object({ pings: z.array(z.number()).default([]) });
const deadlineData = z.object({ deadline: z.number().optional(), kind: z.string() });
const departmentData = z.object({ departmentId: z.string() });

const SENTENCES: Record<TimelineEventType, Sentence> = {
  created: sentence(z.object({ kind: z.string(), source: z.string() }), (d, env) =>
    say(env, "timeline.created", { kind: label(env, `kind.${d.kind}`, d.kind), source: label(env, `source.${d.source}`, d.source) }),
  ),
  classified: sentence(z.object({ level, category: z.enum(["general", "major"]).optional(), rules: z.array(z.string()).default([]) }), (d, env) => {
    // Entries written before "to be graded" existed carry no category: a null level was general then.
    const severity = { category: d.category ?? (d.level === null ? "general" : "major"), level: d.level } as const;
    const classified = say(env, "timeline.classified", { severity: severityText(severity, env.ctx.locale) });
    const reasons = d.rules.map((id) => {
      const rule = findRule(id);
      return rule ? pick(rule.text(env.ctx.org.triage), env.ctx.locale) : id;
    });
    return reasons.length ? say(env, "timeline.with_detail", { sentence: classified, detail: reasons.join(say(env, "timeline.detail_separator")) }) : classified;
  }),
  pinged: sentence(pingData, (d, env) => say(env, "timeline.pinged", { whom: pinged(d, env), duty: label(env, `duty.${d.duty}`, d.duty) })),
  acknowledged: sentence(pingIds, (d, env) => withPings(say(env, "timeline.acknowledged"), d.pings, env)),
  taken: sentence(pingIds, (d, env) => withPings(say(env, "timeline.taken"), d.pings, env)),
  note: sentence(text.extend({ answers: z.array(z.string()).default([]) }), (d, env) => {
    const said = d.answers.length
      ? say(env, "timeline.note_answering", { asked: d.answers.map((id) => memberName(id, env.ctx)).join(say(env, "timeline.list_separator")) })
      : say(env, "timeline.note");
    return withText(said, d.text, env);
  }),
  info_requested: sentence(text, (d, env) => withText(say(env, "timeline.info_requested"), d.text, env)),
  status_changed: sentence(z.object({ from: z.string(), to: z.string() }), (d, env) =>
    say(env, "timeline.status_changed", { from: label(env, `status.${d.from}`, d.from), to: label(env, `status.${d.to}`, d.to) }),
  ),
  // Resolutions recorded before results were kept carry no text.
  resolved: sentence(z.object({ result: z.string().default("") }), (d, env) => withText(say(env, "timeline.resolved"), d.result, env)),
  closed: sentence(nothing, (_d, env) => say(env, "timeline.closed")),
  reminded: sentence(deadlineData.extend({ to: z.string() }), (d, env) => say(env, "timeline.reminded", { to: memberName(d.to, env.ctx), what: owed(d, env) })),
  escalated: sentence(deadlineData.extend({ from: z.string(), to: z.string(), step: z.number() }), (d, env) =>
    say(env, "timeline.escalated", { what: owed(d, env), from: memberName(d.from, env.ctx), to: memberName(d.to, env.ctx), step: d.step }),
  ),
  deadline_missed: sentence(deadlineData, (d, env) => say(env, "timeline.deadline_missed", { what: owed(d, env) })),
  team_formed: sentence(z.object({ departments: z.array(z.string()) }), (d, env) =>
    say(env, "timeline.team_formed", { departments: d.departments.map((id) => departmentName(id, env.ctx)).join(say(env, "timeline.list_separator")) }),
  ),
  team_appointed: sentence(departmentData.extend({ memberId: z.string() }), (d, env) =>
    say(env, "timeline.team_appointed", { appointee: memberName(d.memberId, env.ctx), department: departmentName(d.departmentId, env.ctx) }),
  ),
  team_confirmed: sentence(departmentData, (d, env) => say(env, "timeline.team_confirmed", { department: departmentName(d.departmentId, env.ctx) })),
  team_on_site: sentence(nothing, (_d, env) => say(env, "timeline.team_on_site")),
  agreement_signed: sentence(z.object({ override: z.string().optional() }), (d, env) =>
    d.override === undefined ? say(env, "timeline.agreement_signed") : say(env, "timeline.agreement_signed_override", { reason: truncate(d.override, TIMELINE_TEXT_MAX) }),
  ),

  confirmed: sentence(z.object({ level }), (d, env) => say(env, "timeline.confirmed", { severity: severityText({ category: "major", level: d.level }, env.ctx.locale) })),
  released: sentence(z.object({ confirmed: z.boolean() }), (d, env) => say(env, d.confirmed ? "timeline.released" : "timeline.released_unconfirmed")),
  graded: sentence(z.object({ from: grade, to: grade, reason: z.string().default("") }), (d, env) =>
    withText(say(env, "timeline.graded", { from: gradeText(d.from, env), to: gradeText(d.to, env) }), d.reason, env),
  ),
  ping_cancelled: sentence(pingData, (d, env) => say(env, "timeline.ping_cancelled", { whom: pinged(d, env), duty: label(env, `duty.${d.duty}`, d.duty) })),
  deadline_cancelled: sentence(deadlineData, (d, env) => say(env, "timeline.deadline_cancelled", { what: owed(d, env) })),
  assigned: sentence(z.object({ from: z.string().nullable().default(null), to: z.string() }), (d, env) =>
    d.from === null
      ? say(env, "timeline.assigned", { to: serviceCenterName(d.to, env) })
      : say(env, "timeline.reassigned", { from: serviceCenterName(d.from, env), to: serviceCenterName(d.to, env) }),
  ),
  feedback: sentence(text, (d, env) => withText(say(env, "timeline.feedback"), d.text, env)),
  transferred: sentence(z.object({ reason: z.string().default("") }), (d, env) =>
    withText(say(env, "timeline.transferred", organisationTerms(env.ctx.org, env.ctx.locale)), d.reason, env),
  ),
  attachment_added: sentence(z.object({ count: z.number() }), (d, env) => say(env, "timeline.attachment_added", { count: d.count })),
  team_seat_added: sentence(departmentData, (d, env) => say(env, "timeline.team_seat_added", { department: departmentName(d.departmentId, env.ctx) })),
  team_seat_removed: sentence(departmentData.extend({ memberId: z.string().nullable().default(null) }), (d, env) =>
    d.memberId === null
      ? say(env, "timeline.team_seat_removed", { department: departmentName(d.departmentId, env.ctx) })
      : say(env, "timeline.team_seat_removed_member", { department: departmentName(d.departmentId, env.ctx), member: memberName(d.memberId, env.ctx) }),
  ),
  work_recorded: sentence(z.object({ kind: z.string(), text: z.string(), amountFen: z.number().nullable().default(null) }), (d, env) => {
    const recorded = say(env, "timeline.work_recorded", { what: label(env, `record.${d.kind}`, d.kind) });
    return withText(d.amountFen === null ? recorded : say(env, "timeline.with_detail", { sentence: recorded, detail: formatFen(d.amountFen, env.ctx.locale) }), d.text, env);
  }),
  receipt_sent: sentence(z.object({ channel: z.string() }), (d, env) => say(env, "timeline.receipt_sent", { channel: label(env, `receipt_channel.${d.channel}`, d.channel) })),
  receipt_failed: sentence(z.object({ channel: z.string(), error: z.string().default("") }), (d, env) =>
    withText(say(env, "timeline.receipt_failed", { channel: label(env, `receipt_channel.${d.channel}`, d.channel) }), d.error, env),
  ),
  vehicle_return_requested: sentence(z.object({ transport: z.string(), storage: z.string(), note: z.string().default("") }), (d, env) =>
    withText(say(env, "timeline.vehicle_return_requested", { transport: departmentName(d.transport, env.ctx), storage: departmentName(d.storage, env.ctx) }), d.note, env),
  ),
};

const say = (env: Env, key: MessageKey, params: MessageParams = {}) => t(env.ctx.locale, key, { who: env.who, ...params });

/** The catalog's word for a value, or the value itself when this version has no word for it (a status added later). */
function label(env: Env, key: string, fallback: string): string {
  return Object.hasOwn(CATALOG, key) ? t(env.ctx.locale, key as MessageKey) : fallback;
}

/**
 * Text as typed, on one line and clipped: the adapters escape it. Line breaks become spaces so
 * that each entry stays one line of the list.
 */
function withText(said: string, typed: string, env: Env): string {
  const oneLine = typed.replace(/\s*[\r\n]+\s*/g, " ").trim();
  return oneLine ? say(env, "timeline.with_text", { sentence: said, text: truncate(oneLine, TIMELINE_TEXT_MAX) }) : said;
}

function pinged(ping: z.infer<typeof pingData>, env: Env): string {
  const member = ping.memberId === null ? "" : memberName(ping.memberId, env.ctx);
  return ping.departmentId === null ? member : [departmentName(ping.departmentId, env.ctx), member].filter(Boolean).join(" ");
}

/** An acknowledgement with what it answered: `周敏 响应了（售后服务部：请确认并定级）`. */
function withPings(said: string, ids: number[], env: Env): string {
  const answered = env.ticket.pings
    .filter((p) => ids.includes(p.id))
    .map((p) => say(env, "timeline.ping_part", { whom: p.departmentId ? departmentName(p.departmentId, env.ctx) : memberName(p.memberId, env.ctx), duty: label(env, `duty.${p.duty}`, p.duty) }));
  return answered.length ? say(env, "timeline.with_detail", { sentence: said, detail: answered.join(say(env, "timeline.detail_separator")) }) : said;
}

/** What a deadline asks for, in words: the ping's duty for an acknowledgement (as its reminders say), its kind otherwise. */
function owed(data: z.infer<typeof deadlineData>, env: Env): string {
  const deadline = env.ticket.deadlines.find((d) => d.id === data.deadline);
  const ping = deadline?.pingId === undefined ? undefined : env.ticket.pings.find((p) => p.id === deadline.pingId);
  if (data.kind === "acknowledge" && ping) return label(env, `duty.${ping.duty}`, ping.duty);
  return label(env, `deadline.${data.kind}`, data.kind);
}

/** A grade: general, a major level, or major still to be graded (no level yet). */
function gradeText(g: z.infer<typeof grade>, env: Env): string {
  return severityText({ category: g.category, level: g.category === "general" ? null : g.level }, env.ctx.locale);
}

function serviceCenterName(id: string, env: Env): string {
  const center = env.ctx.org.serviceCenters.find((c) => c.id === id);
  return center ? pick(center.name, env.ctx.locale) : id;
}

/** `11-26 10:05` in business time: the ticket's number already says the year. */
const when = (at: Date, ctx: CardContext) => formatLocalTime(at, ctx.timeZone).slice(5);

/** What an entry says, without its time: `周敏 响应了（售后服务部：请确认并定级）`. Records put the time in a column of its own. */
export function timelineSentence(entry: TimelineEntry, ctx: CardContext, ticket: TimelineTicket = { pings: [], deadlines: [] }): string {
  const env: Env = { ctx, ticket, who: entry.actorId === null ? t(ctx.locale, "timeline.system") : memberName(entry.actorId, ctx) };
  const render = Object.hasOwn(SENTENCES, entry.type) ? SENTENCES[entry.type as keyof typeof SENTENCES] : undefined;
  return render?.(entry, env) ?? say(env, "timeline.unknown", { type: entry.type });
}

/** One entry in the reader's language, e.g. `11-26 10:05 周敏 响应了（售后服务部：请确认并定级）`. */
export function timelineLine(entry: TimelineEntry, ctx: CardContext, ticket?: TimelineTicket): string {
  return truncate(`${when(entry.at, ctx)} ${timelineSentence(entry, ctx, ticket)}`, TIMELINE_LINE_MAX);
}

/** One line per entry, in the order given. */
export function timelineLines(entries: readonly TimelineEntry[], ctx: CardContext, ticket?: TimelineTicket): string[] {
  return entries.map((entry) => timelineLine(entry, ctx, ticket));
}
