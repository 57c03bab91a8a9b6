import type { Member } from "../directory/member.js";
import { organisationTerms } from "../directory/organisation-terms.js";
import { platformSchema, type Organisation, type Platform } from "../directory/organisation.js";
import { advanceReport, promptFor, stepIdOf } from "../dialogs/report-dialog.js";
import { emptyReportState, type ReportDialogState } from "../dialogs/report-draft.js";
import type { DialogInput, StepEnv } from "../dialogs/report-steps.js";
import { localeOf } from "../escalation/escalation-notices.js";
import { HotlineError, isHotlineError } from "../errors.js";
import { card, type Card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import type { CoreContext } from "../ports.js";
import { showReports } from "../reports/report-flows.js";
import { canReport, mayGrade } from "../tickets/permissions.js";
import { normalizeTicketNumber } from "../tickets/ticket.js";
import {
  acknowledgeTicket,
  addNote,
  closeTicket,
  listMine,
  openTicket,
  requestInformation,
  resolveTicket,
  showTicket,
  takeTicket,
} from "../tickets/ticket-flows.js";
import type { FlowResult, Refusal, TicketAction } from "../tickets/flow-support.js";
import { showTimeline, TIMELINE_USAGE } from "../tickets/timeline-flows.js";
import { appointTeamMember, confirmAppointment, recordAgreement, recordOnSite, showTeam } from "../teams/complaint-team.js";
import { assignChoices, assignTicket, confirmTicket, gradeChoices, gradeTicket, parseGrade, recordFeedback, transferTicket } from "../tickets/after-sales-flows.js";

/** One message from a known member, as every adapter hands it to the core. */
export interface InboundMessage extends DialogInput {
  member: Member;
  /** Identifies the chat, e.g. `telegram:-100123`: dialogs are kept per member per conversation. */
  conversation: string;
  /** Answers land where others read them too (a group chat); absent means a private conversation. */
  seenByOthers?: boolean | undefined;
}

const reply = (...replies: Card[]): FlowResult => ({ replies, notifications: [] });

/**
 * The single entry point of the conversation: a command, an answer to the dialog in progress,
 * or a hint. Domain refusals come back as replies in the member's language, never as throws.
 */
export async function handleMessage(ctx: CoreContext, message: InboundMessage): Promise<FlowResult> {
  const locale = localeOf(message.member, ctx.defaultLocale);
  try {
    const command = commandOf(message);
    if (command) return await runCommand(ctx, message, command, locale);
    const session = await ctx.dialogs.find(message.member.id, message.conversation);
    if (!session) return reply(card(t(locale, "dialog.idle")));
    return await continueReport(ctx, message, session.state as ReportDialogState, locale);
  } catch (error) {
    if (isHotlineError(error)) return reply(refusal(error, locale, ctx.org));
    throw error;
  }
}

interface Command {
  name: string;
  args: string[];
  rest: string;
}

/** Button ids that start with "/" are commands too (e.g. the Acknowledge button is `/ack HL-…`). */
function commandOf(message: InboundMessage): Command | undefined {
  const raw = (message.choice?.startsWith("/") ? message.choice : message.text)?.trim();
  if (!raw?.startsWith("/")) return undefined;
  const [head = "", ...args] = raw.split(/\s+/);
  // Telegram appends the bot's name in groups: /status@hotline_bot
  const name = head.slice(1).split("@")[0]!.toLowerCase();
  const rest = raw.slice(head.length).trim();
  return { name, args, rest };
}

async function runCommand(ctx: CoreContext, message: InboundMessage, command: Command, locale: Locale): Promise<FlowResult> {
  const { member } = message;
  const withNumber = (usage: string, run: (number: string) => Promise<FlowResult>) => {
    const number = command.args[0];
    return number ? run(number) : Promise.resolve(reply(card(t(locale, "command.usage", { usage }))));
  };
  switch (command.name) {
    case "start":
    case "help":
      return reply(card(t(locale, "help", organisationTerms(ctx.org, locale))));
    case "new":
      return startReport(ctx, message, locale);
    case "cancel":
      return cancelReport(ctx, message, locale);
    case "lang":
      return switchLanguage(ctx, member, command.args[0], locale);
    case "status":
      return withNumber("/status <HL-…>", (n) => showTicket(ctx, member, n, { seenByOthers: message.seenByOthers ?? false }));
    case "timeline":
      return withNumber(TIMELINE_USAGE, (n) => showTimeline(ctx, member, n, command.args[1]));
    case "mine":
      return listMine(ctx, member);
    case "report":
      return showReports(ctx, member, command.args[0]);
    case "ack":
      return withNumber("/ack <HL-…>", (n) => acknowledgeTicket(ctx, member, n));
    case "take":
      return withNumber("/take <HL-…>", (n) => takeTicket(ctx, member, n));
    case "resolve":
      return withNumber("/resolve <HL-…>", (n) => resolveTicket(ctx, member, n));
    case "close":
      return withNumber("/close <HL-…>", (n) => closeTicket(ctx, member, n));
    case "team":
      return withNumber("/team <HL-…>", (n) => showTeam(ctx, member, n));
    case "appoint": {
      const [number, first, second] = command.args;
      const appointee = second ?? first;
      if (!number || !appointee) return reply(card(t(locale, "command.usage", { usage: "/appoint <HL-…> [department] <member>" })));
      return appointTeamMember(ctx, member, number, appointee, second ? first : undefined);
    }
    case "confirm":
      return withNumber("/confirm <HL-…>", (n) => confirmSomething(ctx, member, n));
    case "grade": {
      const [number, level] = command.args;
      if (!number) return reply(card(t(locale, "command.usage", { usage: "/grade <HL-…> <general|1|2|3> <reason>" })));
      if (!level) return gradeChoices(ctx, member, number);
      const target = parseGrade(level);
      if (!target) throw new HotlineError("unknown_level", `unknown level ${level}`);
      const reason = command.rest.slice(number.length).trim().slice(level.length).trim();
      if (!reason) return reply(card(t(locale, "command.usage", { usage: "/grade <HL-…> <general|1|2|3> <reason>" })));
      return gradeTicket(ctx, member, number, target, reason);
    }
    case "assign": {
      const [number] = command.args;
      if (!number) return reply(card(t(locale, "command.usage", { usage: "/assign <HL-…> <service center>" })));
      const center = command.rest.slice(number.length).trim();
      return center ? assignTicket(ctx, member, number, center) : assignChoices(ctx, member, number);
    }
    case "onsite":
      return withNumber("/onsite <HL-…>", (n) => recordOnSite(ctx, member, n));
    case "agreement":
      return withNumber("/agreement <HL-…>", (n) => recordAgreement(ctx, member, n));
    case "note":
    case "ask":
    case "feedback":
    case "transfer": {
      const [number] = command.args;
      const text = command.rest.slice(number?.length ?? 0).trim();
      if (!number || !text) return reply(card(t(locale, "command.usage", { usage: `/${command.name} <HL-…> <text>` })));
      const run = { note: addNote, ask: requestInformation, feedback: recordFeedback, transfer: transferTicket }[command.name];
      return run(ctx, member, number, text);
    }
    default:
      return reply(card(t(locale, "command.unknown", { command: `/${command.name}` })));
  }
}

/**
 * `/confirm`: an appointee confirms their seat on the complaint team; after-sales confirms a ticket.
 * One word for both, as people say it; a seat awaiting the member comes first.
 */
async function confirmSomething(ctx: CoreContext, member: Member, number: string): Promise<FlowResult> {
  const ticket = await ctx.tickets.findByNumber(normalizeTicketNumber(number) ?? number);
  const seat = ticket?.team.some((s) => s.memberId === member.id && !s.confirmedAt);
  if (seat || !mayGrade(member, ctx.org)) return confirmAppointment(ctx, member, number);
  return confirmTicket(ctx, member, number);
}

/** Conversations are named `<platform>:<chat id>`; the terminal and tests use other prefixes. */
function platformOf(conversation: string): Platform | null {
  const parsed = platformSchema.safeParse(conversation.split(":")[0]);
  return parsed.success ? parsed.data : null;
}

function env(ctx: CoreContext, locale: Locale): StepEnv {
  return { locale, thresholds: ctx.org.triage };
}

async function saveReport(ctx: CoreContext, message: InboundMessage, state: ReportDialogState, locale: Locale): Promise<void> {
  await ctx.dialogs.save({
    memberId: message.member.id,
    conversation: message.conversation,
    dialog: "report",
    step: stepIdOf(state, env(ctx, locale)),
    state,
  });
}

/** `/new` while a report is open resumes it rather than throwing the answers away. */
async function startReport(ctx: CoreContext, message: InboundMessage, locale: Locale): Promise<FlowResult> {
  if (!canReport(message.member, ctx.org)) throw new HotlineError("not_allowed", `${message.member.id} may not report`, { refusal: "report" });
  const existing = await ctx.dialogs.find(message.member.id, message.conversation);
  if (existing) {
    const prompt = promptFor(existing.state as ReportDialogState, env(ctx, locale));
    return reply(card(t(locale, "dialog.restart_confirm")), prompt);
  }
  const state = emptyReportState();
  await saveReport(ctx, message, state, locale);
  return reply(promptFor(state, env(ctx, locale)));
}

async function cancelReport(ctx: CoreContext, message: InboundMessage, locale: Locale): Promise<FlowResult> {
  const existing = await ctx.dialogs.find(message.member.id, message.conversation);
  if (!existing) return reply(card(t(locale, "dialog.nothing_to_cancel")));
  await ctx.dialogs.remove(message.member.id, message.conversation);
  return reply(card(t(locale, "dialog.cancelled")));
}

async function continueReport(ctx: CoreContext, message: InboundMessage, state: ReportDialogState, locale: Locale): Promise<FlowResult> {
  const outcome = advanceReport(state, message, env(ctx, locale));
  switch (outcome.kind) {
    case "continue":
      await saveReport(ctx, message, outcome.state, locale);
      return reply(...outcome.replies);
    case "cancel":
      return cancelReport(ctx, message, locale);
    case "submit": {
      // The ticket is stored before the dialog is dropped: a crash in between leaves the summary
      // to confirm again, never a lost report.
      const result = await openTicket(ctx, {
        reporter: message.member,
        draft: outcome.draft,
        classification: outcome.classification,
        originPlatform: platformOf(message.conversation),
      });
      await ctx.dialogs.remove(message.member.id, message.conversation);
      return result;
    }
  }
}

async function switchLanguage(ctx: CoreContext, member: Member, requested: string | undefined, current: Locale): Promise<FlowResult> {
  const wanted = requested?.toLowerCase();
  const locale: Locale = wanted?.startsWith("en") ? "en" : wanted?.startsWith("zh") || wanted === "中文" ? "zh-CN" : current === "en" ? "zh-CN" : "en";
  await ctx.directory.setLocale(member.id, locale);
  return reply(card(t(locale, "lang.switched")));
}

/** A domain error as the member reads it: every code has its sentence in the catalog, none shows a developer's message. */
export function refusal(error: HotlineError, locale: Locale, org: Organisation): Card {
  const number = String(error.details.number ?? "");
  const terms = organisationTerms(org, locale);
  const text = (() => {
    switch (error.code) {
      case "invalid_input":
      case "invalid_config":
        return t(locale, `error.${error.code}`);
      case "ticket_not_found":
        return t(locale, "error.ticket_not_found", { number: normalizeTicketNumber(number) ?? number });
      case "not_allowed":
        return t(locale, `error.not_allowed.${(error.details.refusal as Refusal | "report" | "reports") ?? "act"}`, { number, ...terms });
      case "invalid_transition":
        return t(locale, "error.invalid_transition", {
          number,
          status: t(locale, `status.${error.details.status as "open"}`),
          action: t(locale, `action.${error.details.action as TicketAction}`),
        });
      case "nothing_to_acknowledge":
      case "nothing_to_confirm":
      case "no_team":
        return t(locale, `error.${error.code}`, { number, ...terms });
      case "no_seat":
      case "not_in_department":
      case "unknown_member":
      case "unknown_service_center":
      case "unknown_level":
      case "already_assigned":
        return t(locale, `error.${error.code}`, error.details);
      case "not_awaiting_confirmation":
      case "not_assigned":
      case "not_first_line":
        return t(locale, `error.${error.code}`, { number, ...terms });
    }
  })();
  return card(text, { tone: "error" });
}

/** The question a member left open in this conversation, to show again when they come back. */
export async function pendingPrompt(ctx: CoreContext, member: Member, conversation: string): Promise<Card | undefined> {
  const session = await ctx.dialogs.find(member.id, conversation);
  if (!session) return undefined;
  return promptFor(session.state as ReportDialogState, env(ctx, localeOf(member, ctx.defaultLocale)));
}
