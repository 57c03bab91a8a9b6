import type { DialogInput } from "../dialogs/report-steps.js";
import { isHotlineError } from "../errors.js";
import { card, type Card, type Choice } from "../messages/card.js";
import { CATALOG, t, type MessageKey } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import type { CoreContext, DialogSession } from "../ports.js";
import { ticketFor, type FlowResult } from "../tickets/flow-support.js";
import { normalizeTicketNumber } from "../tickets/ticket.js";
import type { Member } from "../directory/member.js";
import { COMMAND_TABLE, findCommand, formFor, type CommandCall, type CommandResult, type CommandRow, type CommandTable } from "./commands.js";
import { endPending, savePending, type Awaiting, type PendingCommand } from "./pending-command.js";
import { refusal } from "./refusal.js";
import { reply, reportPrompt, type DialogPlace, type ReportSession } from "./report-conversation.js";

/** A command as typed or pressed: its word, the words after it, and everything after the word. */
export interface TypedCommand {
  name: string;
  args: string[];
  rest: string;
}

/** The message a command came in: who, where, and what it carried. */
export type CommandMessage = DialogPlace & DialogInput & { seenByOthers?: boolean | undefined };

/** A row's arguments as the message brought them, and the first it still lacks (they are asked for in this order). */
interface ReadArguments {
  call: Pick<CommandCall, "ticket" | "choice" | "args" | "text">;
  missing: Awaiting | undefined;
}

const dropWord = (text: string) => text.replace(/^\S+\s*/, "");

/** What the conversation does with commands, for one table of them. */
export interface CommandRunner {
  /**
   * Runs a command from the table. A command that was waiting for an argument is dropped first (the
   * report it interrupted is restored); one that lacks its text, choice or files asks for them and
   * waits; one without its ticket number answers with its usage.
   */
  run(ctx: CoreContext, message: CommandMessage, command: TypedCommand, session: DialogSession | undefined, locale: Locale): Promise<FlowResult>;
  /**
   * The member's next message to a waiting command: the option or the text it asked for completes
   * and runs it; files are added one message after another until Done.
   */
  continuePending(ctx: CoreContext, message: CommandMessage, pending: PendingCommand, locale: Locale): Promise<FlowResult>;
  /** A waiting command's question, to show again when the member comes back (the terminal chat). */
  prompt(ctx: CoreContext, pending: PendingCommand, locale: Locale): Card | undefined;
}

export function commandRunner(table: CommandTable): CommandRunner {
  return {
    run: (ctx, message, command, session, locale) => runCommand(table, ctx, message, command, session, locale),
    continuePending: (ctx, message, pending, locale) => continuePending(table, ctx, message, pending, locale),
    prompt: (ctx, pending, locale) => {
      const row = table.find(pending.command);
      return row && promptCard(ctx, row, pending, locale);
    },
  };
}

/**
 * The form a button's command opens for its missing text, once the ticket and the member pass the
 * checks the command makes before asking (nobody fills in an agreement the team is not ready for).
 * Undefined when it would be refused: the press then runs as the command, and the refusal answers it.
 */
export async function formToOpen(ctx: CoreContext, member: Member, command: string): Promise<{ ask: MessageKey; number: string } | undefined> {
  const form = formFor(command);
  const access = form && findCommand(command.slice(1).split(" ")[0]!)?.access;
  if (!form || !access) return form;
  try {
    const ticket = await ticketFor(ctx, member, form.number, access.allowed(ctx), access.refusal);
    await access.ready?.(ctx, member, ticket);
    return { ...form, number: ticket.number };
  } catch (error) {
    if (isHotlineError(error)) return undefined;
    throw error;
  }
}

/** The conversation's commands: the table in commands.ts. */
export const COMMAND_RUNNER = commandRunner(COMMAND_TABLE);

async function runCommand(table: CommandTable, ctx: CoreContext, message: CommandMessage, command: TypedCommand, session: DialogSession | undefined, locale: Locale): Promise<FlowResult> {
  const row = table.find(command.name);
  if (!row) return reply(card(t(locale, "command.unknown", { command: `/${command.name}` })));
  const interrupted = session?.dialog === "command" ? (session.state as PendingCommand) : undefined;
  if (interrupted) await endPending(ctx, message, interrupted);
  const report = interrupted ? interrupted.report : session && { step: session.step, state: session.state };
  const read = readArguments(ctx, row, command, message.attachments?.length ?? 0, locale);
  if (typeof read === "string") return reply(usageCard(read, locale));
  const call: CommandCall = { ...callBase(ctx, message, locale, report), ...read.call, interrupted };
  if (!read.missing) return followUp(ctx, message, row, { ticket: call.ticket, report }, await row.run(call), locale);
  // Checked before asking: nobody should type a note the ticket then refuses.
  let ticket = call.ticket;
  if (row.access) {
    const checked = await ticketFor(ctx, message.member, call.ticket, row.access.allowed(ctx), row.access.refusal);
    await row.access.ready?.(ctx, message.member, checked);
    ticket = checked.number;
  }
  const files = message.attachments?.length ? message.attachments : undefined;
  const pending: PendingCommand = { command: row.name, ticket, choice: call.choice, awaiting: read.missing, added: 0, report, attachments: files };
  await savePending(ctx, message, pending);
  return reply(promptCard(ctx, row, pending, locale));
}

/**
 * A command that ran and asks for more (the agreement's reason, then its terms, then the signed
 * copy) waits for it as any command waits for its text; one that asks nothing is done.
 */
async function followUp(ctx: CoreContext, message: CommandMessage, row: CommandRow, place: { ticket: string; report: ReportSession | undefined }, result: CommandResult, locale: Locale): Promise<FlowResult> {
  const next = result.next;
  if (!next) return result;
  const ticket = normalizeTicketNumber(place.ticket) ?? place.ticket;
  const pending: PendingCommand = { command: row.name, ticket, choice: "", awaiting: next.awaiting, added: 0, report: place.report, args: next.args, ask: next.ask, followUp: true };
  await savePending(ctx, message, pending);
  return { replies: [...result.replies, promptCard(ctx, row, pending, locale)], notifications: result.notifications };
}

function callBase(ctx: CoreContext, message: CommandMessage, locale: Locale, report: ReportSession | undefined) {
  return {
    ctx,
    member: message.member,
    locale,
    conversation: message.conversation,
    seenByOthers: message.seenByOthers ?? false,
    attachments: message.attachments ?? [],
    report,
  };
}

/** The row's arguments from the message, what is missing, or the usage line's text when it cannot be asked for. */
function readArguments(ctx: CoreContext, row: CommandRow, command: TypedCommand, files: number, locale: Locale): ReadArguments | string {
  let words = command.args;
  let rest = command.rest;
  const ticket = row.ticket ? (words[0] ?? "") : "";
  if (row.ticket) {
    if (!ticket) return row.usage;
    [words, rest] = [words.slice(1), dropWord(rest)];
  }
  let choice = "";
  if (row.choice && words[0] !== undefined) {
    const options = row.choice.options(ctx, locale);
    const option = matchChoice({ text: words[0] }, options, { byNumber: false });
    if (!option) return `${row.usage}\n${t(locale, "command.options", { options: options.map((o) => o.id).join(", ") })}`;
    [choice, words, rest] = [option.id, words.slice(1), dropWord(rest)];
  }
  const text = row.text ? rest.trim() : "";
  if (!row.text && words.length < (row.minArgs ?? 0)) return row.usage;
  const call = { ticket, choice, args: row.text ? [] : words, text };
  return { call, missing: missingIn(row, call, files) };
}

function missingIn(row: CommandRow, call: Pick<CommandCall, "choice" | "text">, files: number): Awaiting | undefined {
  if (row.choice && !call.choice) return "choice";
  if (row.text?.required && !call.text) return "text";
  if (row.files && files === 0) return "files";
  return undefined;
}

const usageCard = (usage: string, locale: Locale) => card(t(locale, "command.usage", { usage }));

/** The question a waiting command asks: its choice's options, its text, or files with a Done button. */
function promptCard(ctx: CoreContext, row: CommandRow, pending: PendingCommand, locale: Locale): Card {
  const number = pending.ticket;
  switch (pending.awaiting) {
    case "choice":
      return card(t(locale, pending.ask ?? row.choice!.ask, { number }), { tone: "question", choices: row.choice!.options(ctx, locale) });
    case "text": {
      // A required text is waited for (see missingIn), or one a command asks for after it ran; an optional one never.
      const ask = pending.ask ?? (row.text?.required ? row.text.ask : undefined);
      return ask ? card(t(locale, ask, { number }), { tone: "question" }) : usageCard(row.usage, locale);
    }
    case "files":
      return card(t(locale, pending.ask ?? row.files!.ask, { number }), { tone: "question", choices: [doneChoice(locale)] });
  }
}

const doneChoice = (locale: Locale): Choice => ({ id: "done", label: t(locale, "done") });

const DONE_WORDS = new Set(["1", "ok", "好", "好了", CATALOG.done.zh, CATALOG.done.en.toLowerCase()]);

/** The Done button, its number in a numbered list (WeCom, the terminal), or its word in either language. */
function isDone(input: DialogInput): boolean {
  if (input.choice !== undefined) return input.choice === "done";
  return DONE_WORDS.has(input.text?.trim().toLowerCase() ?? "");
}

/** A pressed option, or one typed by its id, its label or (in a numbered list) its number. */
function matchChoice(input: DialogInput, options: Choice[], { byNumber }: { byNumber: boolean }): Choice | undefined {
  if (input.choice !== undefined) return options.find((o) => o.id === input.choice);
  const text = input.text?.trim().toLowerCase();
  if (!text) return undefined;
  const named = options.find((o) => o.id.toLowerCase() === text || o.label.toLowerCase() === text);
  if (named || !byNumber || !/^\d+$/.test(text)) return named;
  return options[Number(text) - 1];
}

async function continuePending(table: CommandTable, ctx: CoreContext, message: CommandMessage, pending: PendingCommand, locale: Locale): Promise<FlowResult> {
  const row = table.find(pending.command);
  if (!row) {
    // A command this version no longer has: nothing to complete.
    await endPending(ctx, message, pending);
    return reply(card(t(locale, "command.cancelled", { command: `/${pending.command}` })));
  }
  const again = (reason: "invalid.choice" | "invalid.empty" | "invalid.attachment_expected") =>
    reply(card(t(locale, reason), { tone: "error" }), promptCard(ctx, row, pending, locale));
  const base = { ...callBase(ctx, message, locale, pending.report), ticket: pending.ticket, choice: pending.choice, args: pending.args ?? [], text: "", interrupted: undefined };
  switch (pending.awaiting) {
    case "choice": {
      const option = matchChoice(message, row.choice!.options(ctx, locale), { byNumber: true });
      if (!option) return again("invalid.choice");
      if (row.text?.required) {
        const next: PendingCommand = { ...pending, choice: option.id, awaiting: "text" };
        await savePending(ctx, message, next);
        return reply(promptCard(ctx, row, next, locale));
      }
      return complete(ctx, message, row, pending, locale, await runRefusing(ctx, row, { ...base, choice: option.id }));
    }
    case "text": {
      const text = message.text?.trim();
      if (!text) return again("invalid.empty");
      const attachments = [...(pending.attachments ?? []), ...base.attachments];
      return complete(ctx, message, row, pending, locale, await runRefusing(ctx, row, { ...base, text, attachments }));
    }
    case "files": {
      if (message.attachments?.length) return addFiles(ctx, message, row, pending, base);
      if (!isDone(message)) return again("invalid.attachment_expected");
      const done = card(t(locale, "attach.finished", { number: pending.ticket, count: pending.added }), { tone: "success" });
      return finish(ctx, message, pending, locale, reply(done));
    }
  }
}

/** Each message of files is added at once, so none is lost if the member never presses Done. */
async function addFiles(ctx: CoreContext, message: CommandMessage, row: CommandRow, pending: PendingCommand, call: CommandCall): Promise<FlowResult> {
  const result = await row.run(call);
  await savePending(ctx, message, { ...pending, added: pending.added + call.attachments.length });
  const locale = call.locale;
  const replies = result.replies.map((r, i, all) => (i === all.length - 1 ? { ...r, lines: [...r.lines, t(locale, "attach.more")], choices: [doneChoice(locale)] } : r));
  return { replies, notifications: result.notifications };
}

/** The answer completed the command: it is done, or it asks for more (see `followUp`). */
async function complete(ctx: CoreContext, message: CommandMessage, row: CommandRow, pending: PendingCommand, locale: Locale, result: CommandResult): Promise<FlowResult> {
  if (!result.next) return finish(ctx, message, pending, locale, result);
  return followUp(ctx, message, row, { ticket: pending.ticket, report: pending.report }, result, locale);
}

/**
 * The command stops waiting, its `result` in hand: the report it interrupted is restored and its
 * open question shown again after the result.
 */
async function finish(ctx: CoreContext, message: CommandMessage, pending: PendingCommand, locale: Locale, result: FlowResult): Promise<FlowResult> {
  await endPending(ctx, message, pending);
  const resumed = pending.report ? [reportPrompt(ctx, pending.report, locale)] : [];
  return { replies: [...result.replies, ...resumed], notifications: result.notifications };
}

/** A refusal is an answer like any other here: the interrupted report still comes back after it. */
async function runRefusing(ctx: CoreContext, row: CommandRow, call: CommandCall): Promise<CommandResult> {
  try {
    return await row.run(call);
  } catch (error) {
    if (isHotlineError(error)) return reply(refusal(error, call.locale, ctx.org));
    throw error;
  }
}
