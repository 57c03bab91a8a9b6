import type { Member } from "../directory/member.js";
import { organisationTerms } from "../directory/organisation-terms.js";
import type { Organisation } from "../directory/organisation.js";
import { card, type Card, type Choice } from "../messages/card.js";
import { t, type MessageKey } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import type { CoreContext } from "../ports.js";
import { showReports } from "../reports/report-flows.js";
import { appointTeamMember, confirmAppointment, recordOnSite, refuseTeamStep, showTeam } from "../teams/complaint-team.js";
import { addTeamSeat, askSeatChange, removeTeamSeat, seatChangeOf } from "../teams/team-seats.js";
import { recordFinance, recordResponsibility, refuseAgreement, refuseFinance } from "../teams/team-work.js";
import { addAttachments } from "../tickets/add-attachments.js";
import type { Check, FlowResult, Refusal } from "../tickets/flow-support.js";
import { assignTicket, confirmTicket, gradeTicket, recordFeedback, transferTicket } from "../tickets/after-sales-flows.js";
import { recordAppraisal, recordMeasures, recordSupport, refuseQualityWork, type QualityWork } from "../tickets/quality-records.js";
import { canAct, canResolve, canView, mayAssign, mayCallCustomer, mayGiveFeedback, mayGrade, mayTransfer } from "../tickets/permissions.js";
import { recordStorage, recordTransport, requestVehicleReturn } from "../tickets/vehicle-return-flows.js";
import { normalizeTicketNumber, type AttachmentRef, type Ticket } from "../tickets/ticket.js";
import { showTimeline } from "../tickets/timeline-flows.js";
import type { Level } from "../triage/rules.js";
import {
  acknowledgeTicket,
  addNote,
  closeTicket,
  listMine,
  recordPhoneReceipt,
  requestInformation,
  resolveTicket,
  showTicket,
  takeTicket,
} from "../tickets/ticket-flows.js";
import { agreementCommand } from "./agreement-command.js";
import { sendConsoleLink } from "./console-link.js";
import { stoppedCard, type PendingCommand } from "./pending-command.js";
import { cancelReport, reply, reportPrompt, startReport, type ReportSession } from "./report-conversation.js";

/** What a command runs with, once its arguments are read from the message or asked for. */
export interface CommandCall {
  ctx: CoreContext;
  member: Member;
  locale: Locale;
  conversation: string;
  /** The answer lands where others read it too (a group chat). */
  seenByOthers: boolean;
  /** The ticket number as given, for rows that take one ("" otherwise). */
  ticket: string;
  /** The chosen option's id, for rows with a choice ("" otherwise). */
  choice: string;
  /** The words after the ticket, for rows without free text. */
  args: string[];
  /** The free text ("" when the row takes none, or an optional one was left out). */
  text: string;
  /** Files sent with the command (a photo captioned `/attach HL-…`) or after it. */
  attachments: AttachmentRef[];
  /** The report open in this conversation, if any. */
  report: ReportSession | undefined;
  /** The command that was waiting for an argument when this one came; it was dropped. */
  interrupted: PendingCommand | undefined;
}

/** An option taken before the free text: a level, a service center. */
export interface ChoiceArgument {
  /** The options: the id is what is typed (or pressed), the label what a button shows. */
  options(ctx: CoreContext, locale: Locale): Choice[];
  /** The question asked when it is missing (`{number}` is the ticket). */
  ask: MessageKey;
}

/**
 * Free text after the ticket (and the choice), to the end of the message. A required text is asked
 * for when it is missing (`ask`, where `{number}` is the ticket); an optional one is left empty.
 */
export type TextArgument = { required: true; ask: MessageKey } | { required: false };

/** Files, sent with the command or, once asked for, one message after another until Done. */
export interface FilesArgument {
  ask: MessageKey;
}

/** Who may be asked for a missing argument: the ticket is checked first, so nobody types what it would refuse. */
export interface TicketAccess {
  allowed: (ctx: CoreContext) => Check;
  refusal: Refusal;
  /** Further checks on the ticket before anything is asked (is it the step's time?): each throws the refusal the member reads. */
  ready?: (ctx: CoreContext, member: Member, ticket: Ticket) => void | Promise<void>;
}

/** What the conversation waits for once a command has run: more text, or files, asked with `ask`. */
export interface FollowUp {
  awaiting: "text" | "files";
  ask: MessageKey;
  /** Words the command keeps for the next step (the agreement's `override` and its reason). */
  args: string[];
}

/** A command's answer, and what it asks for next, if anything. */
export type CommandResult = FlowResult & { next?: FollowUp | undefined };

/**
 * One command of the conversation. Everything that lists commands reads this table: the core's
 * dispatch, `/help`, Slack's words and Telegram's menu. Arguments come in this order: the ticket,
 * the further words or a choice, then the free text (or files).
 */
export interface CommandRow {
  /** The word after "/": 1–32 of a–z, 0–9 and _, as Telegram's menu allows. */
  name: string;
  /** Other words for it, listed nowhere (Telegram opens a chat with `/start`). */
  aliases?: readonly string[];
  /** How it is typed, shown in `/help`, the menus and the usage line. */
  usage: string;
  /** What it does, in a few words (the catalog has both languages). */
  help: MessageKey;
  /** The first argument is a ticket number; without it the member reads the usage line. */
  ticket: boolean;
  /** Words after the ticket the command needs at least (`/appoint`'s member). */
  minArgs?: number;
  choice?: ChoiceArgument;
  text?: TextArgument;
  files?: FilesArgument;
  access?: TicketAccess;
  run(call: CommandCall): Promise<CommandResult>;
}

const VIEW: TicketAccess = { allowed: (ctx) => (m, tk) => canView(m, tk, ctx.org), refusal: "view" };
const GRADE: TicketAccess = { allowed: (ctx) => (m) => mayGrade(m, ctx.org), refusal: "grade" };

/** §4 定级: general, or a major level. */
const gradeOptions = (_ctx: CoreContext, locale: Locale): Choice[] => [
  { id: "general", label: t(locale, "grade.general") },
  ...([1, 2, 3] as const).map((level) => ({ id: String(level), label: t(locale, "grade.level", { level }) })),
];

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
const ACT: TicketAccess = { allowed: (ctx) => (m, tk) => canAct(m, tk, ctx.org), refusal: "act" };

/** A ticket one may see, at the step `ready` checks: QA's work, the team's, finance's. */
const viewAnd = (ready: NonNullable<TicketAccess["ready"]>): TicketAccess => ({ ...VIEW, ready });

/** QA's work (§4): free text, checked for QA and for the ticket's level before it is asked for. */
const qualityRow = (name: QualityWork & TextCommand, usage: string, run: TextFlow): CommandRow =>
  withText(name, usage, viewAnd((ctx, m, tk) => refuseQualityWork(ctx, m, tk, name)), run);
const TEAM_USAGE = "/team <HL-…> [add|remove <department>]";

/** `/team <no>`: the roster; `add`/`remove <department>` change its seats (after-sales), the departments offered as buttons when none is named. */
async function teamCommand(c: CommandCall): Promise<FlowResult> {
  const [word, ...rest] = c.args;
  if (word === undefined) return showTeam(c.ctx, c.member, c.ticket);
  const change = seatChangeOf(word);
  if (!change) return reply(card(t(c.locale, "command.usage", { usage: TEAM_USAGE })));
  const department = rest.join(" ");
  if (!department) return askSeatChange(c.ctx, c.member, c.ticket, change);
  return (change === "add" ? addTeamSeat : removeTeamSeat)(c.ctx, c.member, c.ticket, department);
}

/** The commands the catalog has a help sentence for. */
type HelpedCommand = { [K in MessageKey]: K extends `command.help.${infer N}` ? N : never }[MessageKey];

/** A command that only names a ticket. */
const onTicket = (name: HelpedCommand, run: (ctx: CoreContext, member: Member, number: string) => Promise<FlowResult>): CommandRow => ({
  name,
  usage: `/${name} <HL-…>`,
  help: `command.help.${name}`,
  ticket: true,
  run: (c) => run(c.ctx, c.member, c.ticket),
});

/** The commands the catalog has a question for, asked when their text is missing. */
type TextCommand = HelpedCommand & { [K in MessageKey]: K extends `command.ask.${infer N}` ? N : never }[MessageKey];
type TextFlow = (ctx: CoreContext, member: Member, number: string, text: string) => Promise<FlowResult>;

/** A command that names a ticket and takes free text after it, asked for when it is missing. */
const withText = (name: TextCommand, usage: string, access: TicketAccess, run: TextFlow): CommandRow => ({
  name,
  usage,
  help: `command.help.${name}`,
  ticket: true,
  text: { required: true, ask: `command.ask.${name}` },
  access,
  run: (c) => run(c.ctx, c.member, c.ticket, c.text),
});

export const COMMANDS: readonly CommandRow[] = [
  { name: "new", usage: "/new", help: "command.help.new", ticket: false, run: (c) => startReport(c.ctx, c, c.report, c.locale) },
  {
    name: "status",
    usage: "/status <HL-…>",
    help: "command.help.status",
    ticket: true,
    run: (c) => showTicket(c.ctx, c.member, c.ticket, { seenByOthers: c.seenByOthers }),
  },
  {
    name: "timeline",
    usage: "/timeline <HL-…> [page]",
    help: "command.help.timeline",
    ticket: true,
    run: (c) => showTimeline(c.ctx, c.member, c.ticket, c.args[0]),
  },
  { name: "mine", usage: "/mine", help: "command.help.mine", ticket: false, run: (c) => listMine(c.ctx, c.member) },
  onTicket("ack", acknowledgeTicket),
  onTicket("take", takeTicket),
  withText("note", "/note <HL-…> <text>", VIEW, addNote),
  withText("ask", "/ask <HL-…> <question>", ACT, requestInformation),
  {
    name: "attach",
    usage: "/attach <HL-…>",
    help: "command.help.attach",
    ticket: true,
    files: { ask: "command.ask.attach" },
    access: VIEW,
    run: (c) => addAttachments(c.ctx, c.member, c.ticket, c.attachments),
  },
  withText("resolve", "/resolve <HL-…> <result>", { allowed: (ctx) => (m, tk) => canResolve(m, tk, ctx.org), refusal: "act" }, resolveTicket),
  {
    name: "receipt",
    usage: "/receipt <HL-…> phone [note]",
    help: "command.help.receipt",
    ticket: true,
    choice: { options: (_ctx, locale) => [{ id: "phone", label: t(locale, "receipt.by_phone") }], ask: "receipt.which" },
    text: { required: false },
    access: { allowed: (ctx) => (m, tk) => mayCallCustomer(m, tk, ctx.org), refusal: "receipt" },
    run: (c) => recordPhoneReceipt(c.ctx, c.member, c.ticket, c.text),
  },
  onTicket("close", closeTicket),
  { name: "team", usage: TEAM_USAGE, help: "command.help.team", ticket: true, run: teamCommand },
  {
    name: "appoint",
    usage: "/appoint <HL-…> [department] <member>",
    help: "command.help.appoint",
    ticket: true,
    minArgs: 1,
    run: (c) => {
      const [first, second] = c.args as [string, string?];
      return appointTeamMember(c.ctx, c.member, c.ticket, second ?? first, second ? first : undefined);
    },
  },
  onTicket("confirm", confirmSomething),
  {
    name: "grade",
    usage: "/grade <HL-…> <general|1|2|3> <reason>",
    help: "command.help.grade",
    ticket: true,
    choice: { options: gradeOptions, ask: "grade.which" },
    text: { required: true, ask: "command.ask.grade" },
    access: GRADE,
    run: (c) => gradeTicket(c.ctx, c.member, c.ticket, c.choice === "general" ? "general" : (Number(c.choice) as Level), c.text),
  },
  {
    name: "assign",
    usage: "/assign <HL-…> <service center>",
    help: "command.help.assign",
    ticket: true,
    choice: { options: (ctx, locale) => ctx.org.serviceCenters.map((center) => ({ id: center.id, label: pick(center.name, locale) })), ask: "assign.which" },
    access: { allowed: (ctx) => (m) => mayAssign(m, ctx.org), refusal: "assign" },
    run: (c) => assignTicket(c.ctx, c.member, c.ticket, c.choice),
  },
  withText("feedback", "/feedback <HL-…> <result>", { allowed: (ctx) => (m, tk) => mayGiveFeedback(m, tk, ctx.org), refusal: "feedback" }, recordFeedback),
  withText("transfer", "/transfer <HL-…> <reason>", { allowed: (ctx) => (m, tk) => mayTransfer(m, ctx.org) && canView(m, tk, ctx.org), refusal: "transfer" }, transferTicket),
  qualityRow("support", "/support <HL-…> <who was sent, to do what>", recordSupport),
  qualityRow("measures", "/measures <HL-…> <measures>", recordMeasures),
  qualityRow("appraisal", "/appraisal <HL-…> <findings>", recordAppraisal),
  // §5: a returned faulty vehicle, transported by sales logistics and stored by planning logistics.
  { name: "return", usage: "/return <HL-…> [note]", help: "command.help.return", ticket: true, text: { required: false }, run: (c) => requestVehicleReturn(c.ctx, c.member, c.ticket, c.text) },
  { name: "transported", usage: "/transported <HL-…> [note]", help: "command.help.transported", ticket: true, text: { required: false }, run: (c) => recordTransport(c.ctx, c.member, c.ticket, c.text) },
  { name: "stored", usage: "/stored <HL-…> [note]", help: "command.help.stored", ticket: true, text: { required: false }, run: (c) => recordStorage(c.ctx, c.member, c.ticket, c.text) },
  onTicket("onsite", recordOnSite),
  withText("responsibility", "/responsibility <HL-…> <analysis and split>", viewAnd((ctx, m, tk) => refuseTeamStep(ctx, m, tk, "recorded")), recordResponsibility),
  {
    name: "agreement",
    usage: "/agreement <HL-…> <terms> [amount] | override <reason>",
    help: "command.help.agreement",
    ticket: true,
    text: { required: true, ask: "command.ask.agreement" },
    access: viewAnd(refuseAgreement),
    run: agreementCommand,
  },
  withText("finance", "/finance <HL-…> <what was done>", viewAnd(refuseFinance), recordFinance),
  { name: "cancel", usage: "/cancel", help: "command.help.cancel", ticket: false, run: cancel },
  { name: "report", usage: "/report [today|week|YYYY-MM-DD]", help: "command.help.report", ticket: false, run: (c) => showReports(c.ctx, c.member, c.args[0]) },
  { name: "console", usage: "/console", help: "command.help.console", ticket: false, run: (c) => sendConsoleLink(c.ctx, c.member, c.seenByOthers, c.locale) },
  { name: "lang", usage: "/lang [zh|en]", help: "command.help.lang", ticket: false, run: (c) => switchLanguage(c.ctx, c.member, c.args[0], c.locale) },
  { name: "help", aliases: ["start"], usage: "/help", help: "command.help.help", ticket: false, run: async (c) => reply(helpCard(c.ctx.org, c.locale)) },
];

/** Rows found by their words. */
export interface CommandTable {
  rows: readonly CommandRow[];
  /** The row for a command word (lower case, without "/"), aliases included. */
  find(word: string): CommandRow | undefined;
}

export function commandTable(rows: readonly CommandRow[]): CommandTable {
  const byWord = new Map(rows.flatMap((row) => [row.name, ...(row.aliases ?? [])].map((word) => [word, row] as const)));
  return { rows, find: (word) => byWord.get(word) };
}

export const COMMAND_TABLE = commandTable(COMMANDS);

export const findCommand = COMMAND_TABLE.find;

/**
 * A button's command that lacks only its free text (`/resolve HL-…`): platforms with forms ask for
 * the text in one, the others ask for it in the chat. Undefined for any other button.
 */
export function formFor(command: string): { ask: MessageKey; number: string } | undefined {
  const [word, number, ...rest] = command.split(" ");
  const row = word?.startsWith("/") ? findCommand(word.slice(1)) : undefined;
  if (!row?.text?.required || !row.ticket || !number || rest.length || row.choice || row.minArgs || row.files) return undefined;
  return { ask: row.text.ask, number };
}

/** `/help`: every command with its usage and what it does, in the member's language and the organisation's names. */
export function helpCard(org: Organisation, locale: Locale): Card {
  const terms = organisationTerms(org, locale);
  return card([t(locale, "help.title"), ...COMMANDS.map((row) => `${row.usage} ${t(locale, row.help, terms)}`), t(locale, "help.asks")]);
}

/** A chat platform's command menu: each command's name and a line on what it does and how it is typed. */
export function commandMenu(org: Organisation, locale: Locale): { command: string; description: string }[] {
  const terms = organisationTerms(org, locale);
  return COMMANDS.map((row) => {
    const sentence = t(locale, row.help, terms);
    const what = locale === "en" ? sentence.charAt(0).toUpperCase() + sentence.slice(1) : sentence;
    const takesArguments = row.usage !== `/${row.name}`;
    return { command: row.name, description: takesArguments ? `${what}${locale === "en" ? ": " : "："}${row.usage}` : what };
  });
}

/** `/cancel` stops what this conversation has open: a command waiting for its text, else the report. */
async function cancel(c: CommandCall): Promise<FlowResult> {
  if (c.interrupted) return reply(stoppedCard(c.interrupted, c.locale), ...(c.report ? [reportPrompt(c.ctx, c.report, c.locale)] : []));
  if (c.report) return cancelReport(c.ctx, c, c.locale);
  return reply(card(t(c.locale, "dialog.nothing_to_cancel")));
}

async function switchLanguage(ctx: CoreContext, member: Member, requested: string | undefined, current: Locale): Promise<FlowResult> {
  const wanted = requested?.toLowerCase();
  const locale: Locale = wanted?.startsWith("en") ? "en" : wanted?.startsWith("zh") || wanted === "中文" ? "zh-CN" : current === "en" ? "zh-CN" : "en";
  await ctx.directory.setLocale(member.id, locale);
  return reply(card(t(locale, "lang.switched")));
}
