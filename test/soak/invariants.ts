/**
 * What a soak must find at the end, from what the simulated people saw (the fake's messages), what
 * the database holds and what the chaos did. Each invariant gives its counts and a few examples.
 */
import type { ChaosRecord } from "./chaos.js";
import type { Inbox, InboxMessage, Platform } from "./inbox.js";
import { firstLine, noticeKind } from "./notices.js";
import { directChannelOf } from "./slack.js";
import { nextFiring, type DeadlineRow, type DeliveryRow, type FiringEvent, type Snapshot } from "./snapshot.js";
import { CATALOG } from "../../core/messages/catalog.js";
import { isReply, type ReplyKey } from "./scripts.js";
import { REPORT_TAG, type LeadAction, type ReportRun, type SentUpdate } from "./users.js";

export interface Invariant {
  name: string;
  ok: boolean;
  /** The figures, in a line. */
  figures: string;
  /** A few cases that broke it, to start looking from. */
  examples: string[];
}

export interface SoakOutcome {
  runs: ReportRun[];
  leadActions: LeadAction[];
  chaos: ChaosRecord[];
  /** When the users started (epoch ms). */
  startedAt: number;
  snapshot: Snapshot;
  /** What each platform's fake got: Telegram's always (most staff report there). */
  inboxes: { telegram: Inbox; slack?: Inbox; wecom?: Inbox };
  /** Direct chats of the soak's members and the escalation channels, as chatKey() writes them. */
  checkedChats: Set<string>;
  unexpectedExits: number;
  deadlines: { acknowledgeMinutes: number; reminderMinutesBefore: number };
  thresholds: { lateMs: number; flushReconcileMs: number; duplicatesPerKill: number; overdueGraceMs: number };
}

const EXAMPLES = 5;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "12.3 s into the run, 0.4 s before kill #2": where a finding sits among the chaos. */
function when(outcome: Pick<SoakOutcome, "startedAt" | "chaos">, at: number): string {
  const kills = outcome.chaos.filter((record) => record.event.kind === "kill");
  const nearest = kills.map((record, i) => ({ i, gap: at - record.at })).sort((a, b) => Math.abs(a.gap) - Math.abs(b.gap))[0];
  const aim = (i: number) => {
    const event = kills[i]!.event;
    return event.kind === "kill" ? ` (aimed ${kills[i]!.unaimed ? "but unaimed" : event.aim})` : "";
  };
  const near = nearest && Math.abs(nearest.gap) < 10_000 ? `, ${(Math.abs(nearest.gap) / 1000).toFixed(3)} s ${nearest.gap < 0 ? "before" : "after"} kill #${nearest.i + 1}${aim(nearest.i)}` : "";
  return `${seconds(at - outcome.startedAt)} into the run${near}`;
}

/** "; the last kill before it: #3, aimed at a deadline, 15.2 s before": a timer in hand at a kill waits. */
function lastKillBefore(outcome: Pick<SoakOutcome, "chaos">, at: number): string {
  const kills = outcome.chaos.filter((record) => record.event.kind === "kill");
  const i = kills.findLastIndex((record) => record.at <= at);
  if (i < 0) return "";
  const { event, at: killedAt, unaimed } = kills[i]!;
  const aim = event.kind === "kill" ? (unaimed ? "unaimed" : `aimed ${event.aim}`) : "";
  return `; the last kill before it: #${i + 1}, ${aim}, ${seconds(at - killedAt)} before`;
}

function invariant(name: string, broken: string[], figures: string): Invariant {
  return { name, ok: broken.length === 0, figures, examples: broken.slice(0, EXAMPLES) };
}

export function checkInvariants(outcome: SoakOutcome): { invariants: Invariant[]; duplicatesByKind: Map<string, number>; duplicates: Duplicate[]; firingLateness: number[] } {
  const late = lateReplies(outcome);
  const delivered = checkDeliveries(outcome, [...late.values()]);
  const firings = checkFirings(outcome);
  return {
    invariants: [
      ...checkReports(outcome),
      checkTicketNumbers(outcome),
      checkReplies(outcome, late),
      ...delivered.invariants,
      checkPingNotices(outcome),
      ...firings.invariants,
      invariant("the bot never exited by itself", outcome.unexpectedExits > 0 ? [`${outcome.unexpectedExits} exit(s) nobody asked for (see the bot's log)`] : [], `${outcome.unexpectedExits} unexpected exit(s)`),
    ],
    duplicatesByKind: delivered.duplicatesByKind,
    duplicates: delivered.duplicates,
    firingLateness: firings.lateness,
  };
}

/** HL-<day>-<n>: the business day's date and its count, from 1. */
const TICKET_NUMBER = /^HL-(\d{8})-(\d{4,})$/;

/**
 * Each day's ticket numbers are 1, 2, 3… with none twice and none left out: each report takes the
 * next under the day's lock, and one rolled back gives its number back.
 */
export function checkTicketNumbers({ snapshot }: Pick<SoakOutcome, "snapshot">): Invariant {
  const byDay = new Map<string, number[]>();
  const malformed: string[] = [];
  for (const { number } of snapshot.tickets) {
    const parts = TICKET_NUMBER.exec(number);
    if (!parts) {
      malformed.push(`${number} is not HL-<yyyymmdd>-<nnnn>`);
      continue;
    }
    byDay.set(parts[1]!, [...(byDay.get(parts[1]!) ?? []), Number(parts[2])]);
  }
  const broken = [...malformed];
  for (const [day, numbers] of byDay) {
    const sorted = [...numbers].sort((a, b) => a - b);
    const twice = sorted.filter((n, i) => i > 0 && sorted[i - 1] === n);
    const missing = Array.from({ length: sorted.at(-1)! }, (_, i) => i + 1).filter((n) => !sorted.includes(n));
    if (twice.length) broken.push(`${day}: ${twice.map((n) => `#${n}`).join(", ")} given twice`);
    if (missing.length) broken.push(`${day}: ${missing.slice(0, 10).map((n) => `#${n}`).join(", ")}${missing.length > 10 ? ` and ${missing.length - 10} more` : ""} missing among ${sorted.length} tickets`);
  }
  const days = [...byDay].map(([day, numbers]) => `${day}: ${numbers.length}`).join(", ");
  return invariant("ticket numbers unique and gapless per day", broken, `${snapshot.tickets.length} tickets (${days || "none"}); ${broken.length} day(s) or numbers wrong`);
}

function checkReports(outcome: SoakOutcome): Invariant[] {
  const { runs, snapshot } = outcome;
  const byNumber = new Map(snapshot.tickets.map((ticket) => [ticket.number, ticket]));
  const byTag = new Map<string, string[]>();
  for (const ticket of snapshot.tickets) {
    const tag = REPORT_TAG.exec(ticket.description)?.[0];
    if (tag) byTag.set(tag, [...(byTag.get(tag) ?? []), ticket.number]);
  }
  const confirmed = runs.filter((run) => run.ticketNumber);
  const lost = confirmed.filter((run) => {
    const ticket = byNumber.get(run.ticketNumber!);
    return !ticket || !ticket.description.includes(run.tag);
  });
  const submitted = runs.filter((run) => run.submitted);
  const untold = submitted.filter((run) => !run.ticketNumber);
  const doubled = [...byTag].filter(([, numbers]) => numbers.length > 1);
  const runTags = new Set(runs.map((run) => run.tag));
  const stray = snapshot.tickets.filter((ticket) => {
    const tag = REPORT_TAG.exec(ticket.description)?.[0];
    return !tag || !runTags.has(tag) || !runs.find((run) => run.tag === tag)!.submitted;
  });
  const untoldStored = untold.filter((run) => byTag.has(run.tag)).length;
  return [
    invariant(
      "no confirmed report lost",
      lost.map((run) => `${run.who} was told ${run.ticketNumber} for ${run.tag}, which the database ${byNumber.has(run.ticketNumber!) ? "holds for another report" : "does not hold"}`),
      `${confirmed.length} reports confirmed with a number, ${lost.length} not in the database`,
    ),
    invariant(
      "every submitted report got its ticket number",
      untold.map((run) => {
        const submit = run.updates.at(-1)!;
        return `${run.who} pressed Submit on ${run.tag} (update ${submit.updateId}, ${when(outcome, submit.sentAt)}) and never heard its number (${byTag.has(run.tag) ? `the ticket ${byTag.get(run.tag)!.join(", ")} exists` : "no ticket exists"})`;
      }),
      `${submitted.length} submitted, ${submitted.length - untold.length} told their number, ${untold.length} never told (${untoldStored} of them stored)`,
    ),
    invariant(
      "no ticket doubled",
      [...doubled.map(([tag, numbers]) => `${tag} became ${numbers.length} tickets: ${numbers.join(", ")}`), ...stray.map((ticket) => `${ticket.number} belongs to no submitted report: ${ticket.description.slice(0, 60)}`)],
      `${snapshot.tickets.length} tickets for ${byTag.size} tagged reports, ${doubled.length} doubled, ${stray.length} without a submitted report`,
    ),
  ];
}

/**
 * Replies that came only after the person stopped waiting: found in the chat between the update
 * and the person's next one. They count as lost (nobody waits that long) and are told apart.
 */
function lateReplies({ runs, inboxes }: SoakOutcome): Map<SentUpdate, InboxMessage> {
  const late = new Map<SentUpdate, InboxMessage>();
  const byPerson = new Map<string, SentUpdate[]>();
  for (const update of runs.flatMap((run) => run.updates)) byPerson.set(update.who, [...(byPerson.get(update.who) ?? []), update]);
  for (const updates of byPerson.values()) {
    for (const [i, update] of updates.entries()) {
      const inbox = inboxes[update.platform];
      if (update.reply || !isReplyKey(update.expected) || !inbox) continue;
      const until = updates[i + 1]?.fromIndex ?? Infinity;
      const found = inbox.messages(update.chatId).find((message) => message.index >= update.fromIndex && message.index < until && isReply(update.expected as ReplyKey, message.text));
      if (found) late.set(update, found);
    }
  }
  return late;
}

const isReplyKey = (key: string): key is ReplyKey => key === "ticket.created" || key in CATALOG;

function checkReplies(outcome: SoakOutcome, late: Map<SentUpdate, InboxMessage>): Invariant {
  const { runs, leadActions } = outcome;
  const staff = runs.flatMap((run) => run.updates);
  const leads = leadActions.map((action) => action.update);
  const all: SentUpdate[] = [...staff, ...leads];
  const lost = all.filter((update) => !update.reply);
  const abandoned = runs.filter((run) => run.abandoned).length;
  const waits = all.flatMap((update) => (update.reply ? [update.reply.at - update.sentAt] : []));
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  return invariant(
    "no reply lost",
    lost.map((update) => {
      const arrived = late.get(update);
      const after = arrived ? `; it came ${seconds(arrived.at - update.sentAt)} later` : "";
      return `${update.who} sent "${update.text.slice(0, 40)}" (update ${update.updateId}, ${when(outcome, update.sentAt)}) and never got ${update.expected}${after}`;
    }),
    `${all.length} updates sent (${staff.length} by staff, ${leads.length} by leads), ${all.length - lost.length} answered, ${lost.length} lost (${late.size} of them came after the wait); ` +
      `${abandoned} report(s) given up after replies stopped; reply wait p50 ${ms(percentile(waits, 50))}, p99 ${ms(percentile(waits, 99))}, max ${ms(Math.max(0, ...waits))}`,
  );
}

/** A chat on a platform, as "telegram:200000001" or "slack:D0000000AS1". */
export const chatKey = (platform: string, chatId: number | string) => `${platform}:${chatId}`;

/**
 * Where an outbox row goes, as a chat key: a Slack user's direct messages are channel D…. A
 * complaint team's Slack channel is opened by the adapter, and a Slack reply that is ephemeral or a
 * command's response leaves nothing in a channel, so those rows are checked by status only.
 */
function rowChat(row: DeliveryRow): string | undefined {
  if (row.address === null || (row.recipientKind === "team" && row.platform === "slack")) return undefined;
  if (row.recipientKind === "reply" && row.platform === "slack") {
    const target = JSON.parse(row.address) as { kind: string; channel?: string };
    return target.kind === "channel" && target.channel ? chatKey("slack", target.channel) : undefined;
  }
  return chatKey(row.platform, row.platform === "slack" && /^[UW]/.test(row.address) ? directChannelOf(row.address) : row.address);
}

function allMessages({ inboxes, checkedChats }: SoakOutcome): InboxMessage[] {
  return [inboxes.telegram, inboxes.slack, inboxes.wecom].flatMap((inbox) => (inbox ? inbox.chatIds().filter((chat) => checkedChats.has(chatKey(inbox.platform, chat))).flatMap((chat) => [...inbox.messages(chat)]) : []));
}

/** The (chat, first line) a message is matched by: how outbox rows and what the people saw are matched. */
const lineKey = (message: InboxMessage) => `${chatKey(message.platform, message.chatId)}\u0000${firstLine(message.text)}`;

/** Messages per (chat, first line). */
function countByLine(messages: InboxMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of messages) counts.set(lineKey(message), (counts.get(lineKey(message)) ?? 0) + 1);
  return counts;
}

/** A message that arrived once more than the outbox and the replies account for. */
export interface Duplicate {
  platform: Platform;
  /** The notice's catalog key, or "direct reply". */
  kind: string;
  /** When the extra copy arrived (epoch ms): the last of its (chat, first line). */
  at: number;
  /** "chat telegram:710004 "…"". */
  described: string;
}

function checkDeliveries(outcome: SoakOutcome, lateArrivals: InboxMessage[]): { invariants: Invariant[]; duplicatesByKind: Map<string, number>; duplicates: Duplicate[] } {
  const { snapshot, runs, leadActions, chaos } = outcome;
  const rows = snapshot.deliveries;
  const unsent = rows.filter((row) => row.status !== "sent");
  const arrivals = new Map<string, InboxMessage[]>();
  for (const message of allMessages(outcome)) arrivals.set(lineKey(message), [...(arrivals.get(lineKey(message)) ?? []), message]);
  const received = new Map([...arrivals].map(([key, messages]) => [key, messages.length]));
  // Duplicates are counted among what arrived before the snapshot was read: a message that arrived
  // later may come from a row the snapshot did not see yet (a deadline firing as the run ends).
  const receivedBySnapshot = new Map([...arrivals].map(([key, messages]) => [key, messages.filter((message) => message.at <= snapshot.at).length]));
  const answered = [...runs.flatMap((run) => run.updates), ...leadActions.map((action) => action.update)].flatMap((update) => (update.reply ? [update.reply] : []));
  const replies = countByLine([...answered, ...lateArrivals]);
  const expected = new Map<string, number>();
  for (const row of rows) {
    const chat = rowChat(row);
    // A form is a file with its caption: the caption is what arrives as the message's text.
    if (row.status !== "sent" || (row.kind !== "message" && row.kind !== "form") || chat === undefined) continue;
    const key = `${chat}\u0000${row.firstLine}`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const neverArrived: string[] = [];
  for (const [key, count] of expected) {
    const got = received.get(key) ?? 0;
    if (got < count) neverArrived.push(`${describeKey(key)}: marked sent ${count}×, arrived ${got}×`);
  }
  const duplicatesByKind = new Map<string, number>();
  let duplicates = 0;
  const duplicateExamples: string[] = [];
  const found: Duplicate[] = [];
  for (const [key, got] of receivedBySnapshot) {
    // A direct reply may or may not be an outbox row; what arrived past both counts is a duplicate.
    const extra = got - Math.max(expected.get(key) ?? 0, replies.get(key) ?? 0);
    if (extra <= 0) continue;
    const kind = noticeKind(key.split("\u0000")[1]!) ?? "direct reply";
    duplicatesByKind.set(kind, (duplicatesByKind.get(kind) ?? 0) + extra);
    duplicates += extra;
    const last = arrivals.get(key)!.filter((message) => message.at <= snapshot.at).at(-1)!;
    found.push({ platform: last.platform, kind, at: last.at, described: describeKey(key) });
    duplicateExamples.push(`${describeKey(key)}: arrived ${got}×, the last ${when(outcome, last.at)}`);
  }
  const kills = chaos.filter((record) => record.event.kind === "kill").length;
  const allowed = kills * outcome.thresholds.duplicatesPerKill;
  const statusCounts = countBy(rows, (row) => row.status);
  return {
    invariants: [
      invariant(
        "every outbox message delivered",
        [...unsent.map((row) => `delivery ${row.id} (${row.kind} to ${row.memberId ?? row.address}: "${row.firstLine.slice(0, 40)}") ended ${row.status} after ${row.attempts} attempt(s)${row.lastError ? `: ${row.lastError}` : ""}`), ...neverArrived],
        `${rows.length} outbox rows: ${[...statusCounts].map(([status, n]) => `${n} ${status}`).join(", ")}; ${neverArrived.length} marked sent but never arrived`,
      ),
      invariant(
        `duplicates within ${outcome.thresholds.duplicatesPerKill} per kill`,
        duplicates > allowed ? duplicateExamples : [],
        `${duplicates} duplicate message(s) for ${kills} kill(s) (allowed ${allowed})${duplicates ? `: ${[...duplicatesByKind].map(([kind, n]) => `${n} ${kind}`).join(", ")}` : ""}`,
      ),
    ],
    duplicatesByKind,
    duplicates: found,
  };
}

function describeKey(key: string): string {
  const [chat, line] = key.split("\u0000");
  return `chat ${chat} "${line!.slice(0, 50)}"`;
}

function checkPingNotices(outcome: SoakOutcome): Invariant {
  const { snapshot } = outcome;
  const received = new Set<string>();
  for (const message of allMessages(outcome)) {
    if (noticeKind(message.text) === "notify.new_ticket") received.add(`${chatKey(message.platform, message.chatId)}\u0000${firstLine(message.text)}`);
  }
  // The new-ticket notice each pinged person's row was written with, and whether it arrived there.
  const notices = new Map<string, string[]>();
  for (const row of snapshot.deliveries) {
    const chat = rowChat(row);
    if (row.memberId && chat && row.recipientKind === "member" && row.kind === "message" && noticeKind(row.firstLine) === "notify.new_ticket") {
      notices.set(row.memberId, [...(notices.get(row.memberId) ?? []), `${chat}\u0000${row.firstLine}`]);
    }
  }
  const missing: string[] = [];
  for (const ping of snapshot.pings) {
    const keys = (notices.get(ping.memberId) ?? []).filter((key) => key.includes(`${ping.number}：`) || key.includes(`${ping.number}:`));
    if (!keys.some((key) => received.has(key))) missing.push(`${ping.memberId} was pinged on ${ping.number} and never got its notice${keys.length ? "" : " (no outbox row was written for it)"}`);
  }
  return invariant("each pinged person received the new ticket", missing, `${snapshot.pings.length} pings of people, ${missing.length} without their notice`);
}

/** When each firing of a deadline was due: reminders before each step, escalations and the miss at it. */
function checkFirings(outcome: SoakOutcome): { invariants: Invariant[]; lateness: number[] } {
  const { snapshot, chaos, deadlines: policy, thresholds } = outcome;
  const stepMs = policy.acknowledgeMinutes * 60_000;
  const reminderMs = policy.reminderMinutesBefore * 60_000;
  const firstStepMs: Record<string, number> = { acknowledge: stepMs, measures: stepMs * 1.5, feedback: stepMs * 2, receipt: stepMs * 2.5 };
  const flushes = chaos.filter((record) => record.event.kind === "flush").map((record) => record.at);
  const byDeadline = new Map<number, FiringEvent[]>();
  for (const firing of snapshot.firings) byDeadline.set(firing.deadlineId, [...(byDeadline.get(firing.deadlineId) ?? []), firing]);

  const doubled: string[] = [];
  const inconsistent: string[] = [];
  const overdue: string[] = [];
  const late: string[] = [];
  const lateness: number[] = [];
  let excused = 0;
  let skippedReminders = 0;
  const judge = (deadline: DeadlineRow, what: string, dueAt: number, firedAt: number) => {
    const lag = firedAt - dueAt;
    lateness.push(lag);
    if (lag <= thresholds.lateMs) return;
    // A flushed Redis loses its timers until the next reconcile (every minute): a documented delay.
    if (flushes.some((flush) => flush <= firedAt && firedAt <= flush + thresholds.flushReconcileMs)) {
      excused += 1;
      return;
    }
    late.push(`${deadline.number} ${deadline.kind} #${deadline.id}: ${what} fired ${seconds(lag)} after its time (due ${when(outcome, dueAt)}${lastKillBefore(outcome, dueAt)})`);
  };

  for (const deadline of snapshot.deadlines) {
    const events = (byDeadline.get(deadline.id) ?? []).sort((a, b) => a.at - b.at);
    const escalations = events.filter((event) => event.type === "escalated");
    const misses = events.filter((event) => event.type === "deadline_missed");
    const steps = escalations.map((event) => event.step);
    if (new Set(steps).size !== steps.length || misses.length > 1) doubled.push(`${deadline.number} #${deadline.id}: escalated to steps [${steps.join(", ")}], missed ${misses.length}×`);
    if (escalations.length !== deadline.step || (deadline.status === "missed") !== (misses.length === 1)) {
      inconsistent.push(`${deadline.number} #${deadline.id}: at step ${deadline.step}, ${deadline.status}, but the timeline has ${escalations.length} escalation(s) and ${misses.length} miss(es)`);
    }
    const first = firstStepMs[deadline.kind];
    if (first === undefined) continue; // on-site deadlines fall at the end of the local day
    // Step s is due one step after the escalation that began it (the first, after the ticket opened).
    const dues = [deadline.ticketCreatedAt + first, ...escalations.map((event) => event.at + stepMs)];
    for (const [step, owner] of deadline.chain.entries()) {
      if (step >= dues.length) break;
      const reminders = events.filter((event) => event.type === "reminded" && event.to === owner);
      if (reminders.length > 1) doubled.push(`${deadline.number} #${deadline.id}: ${owner} reminded ${reminders.length}×`);
      const closedAt = escalations.find((event) => event.step === step + 1)?.at ?? misses[0]?.at;
      if (reminders[0]) judge(deadline, `the reminder to ${owner}`, dues[step]! - reminderMs, reminders[0].at);
      else if (closedAt !== undefined) skippedReminders += 1; // the step ended before its reminder went out
    }
    for (const event of escalations) judge(deadline, `the escalation to step ${event.step}`, dues[event.step! - 1]!, event.at);
    if (misses[0]) judge(deadline, "the miss", dues[deadline.chain.length - 1]!, misses[0].at);
    if (deadline.status === "pending") {
      const due = nextFiring(deadline.dueAt, deadline.remindersSent, reminderMs);
      if (due < snapshot.at - thresholds.overdueGraceMs) overdue.push(`${deadline.number} ${deadline.kind} #${deadline.id}: step ${deadline.step}, due to fire ${seconds(snapshot.at - due)} before the end and never did`);
    }
  }
  const count = (type: FiringEvent["type"]) => snapshot.firings.filter((firing) => firing.type === type).length;
  const statuses = countBy(snapshot.deadlines, (deadline) => deadline.status);
  const exercised = [count("reminded") > 0 ? [] : ["no reminder fired"], count("escalated") > 0 ? [] : ["no deadline escalated"], count("deadline_missed") > 0 ? [] : ["no deadline was missed"]].flat();
  return {
    invariants: [
      invariant(
        "deadline chains complete",
        [...overdue, ...inconsistent, ...doubled, ...exercised.map((what) => `${what}: the run was too short for the chains`)],
        `${snapshot.deadlines.length} deadlines (${[...statuses].map(([status, n]) => `${n} ${status}`).join(", ")}); ${count("reminded")} reminders, ${count("escalated")} escalations, ${count("deadline_missed")} misses; ` +
          `${overdue.length} overdue and never fired, ${inconsistent.length} timelines out of step, ${doubled.length} firings doubled`,
      ),
      invariant(
        `deadlines fire within ${seconds(thresholds.lateMs)} of their time`,
        late,
        `${lateness.length} firings: lateness p50 ${seconds(percentile(lateness, 50))}, p99 ${seconds(percentile(lateness, 99))}, max ${seconds(Math.max(0, ...lateness))}; ` +
          `${late.length} late, ${excused} late after a Redis flush (allowed up to ${seconds(thresholds.flushReconcileMs)}); ${skippedReminders} reminders skipped because their step ended first`,
      ),
    ],
    lateness,
  };
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
