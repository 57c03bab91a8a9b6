import { localeOf, type Member } from "../directory/member.js";
import type { DialogInput } from "../dialogs/report-steps.js";
import { isHotlineError } from "../errors.js";
import { card, type Card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import type { CoreContext } from "../ports.js";
import type { FlowResult } from "../tickets/flow-support.js";
import type { PendingCommand } from "./pending-command.js";
import { refusal } from "./refusal.js";
import { continueReport, reply, reportPrompt, type DialogPlace } from "./report-conversation.js";
import { COMMAND_RUNNER as commands, type TypedCommand } from "./run-command.js";

export { refusal } from "./refusal.js";

/** One message from a known member, as every adapter hands it to the core, where its dialog is kept. */
export interface InboundMessage extends DialogInput, DialogPlace {
  /** Answers land where others read them too (a group chat); absent means a private conversation. */
  seenByOthers?: boolean | undefined;
}

/**
 * The single entry point of the conversation: a command (see the table in commands.ts), the answer
 * a waiting command asked for, an answer to the report in progress, or a hint. Domain refusals come
 * back as replies in the member's language, never as throws.
 */
export async function handleMessage(ctx: CoreContext, message: InboundMessage): Promise<FlowResult> {
  const locale = localeOf(message.member, ctx.defaultLocale);
  try {
    const session = await ctx.dialogs.find(message.member.id, message.conversation);
    const command = commandOf(message);
    if (command) return await commands.run(ctx, message, command, session, locale);
    if (session?.dialog === "command") return await commands.continuePending(ctx, message, session.state as PendingCommand, locale);
    if (session) return await continueReport(ctx, message, session, locale);
    return reply(card(t(locale, "dialog.idle")));
  } catch (error) {
    if (isHotlineError(error)) return reply(refusal(error, locale, ctx.org));
    throw error;
  }
}

/** Button ids that start with "/" are commands too (e.g. the Acknowledge button is `/ack HL-…`). */
function commandOf(message: InboundMessage): TypedCommand | undefined {
  const raw = (message.choice?.startsWith("/") ? message.choice : message.text)?.trim();
  if (!raw?.startsWith("/")) return undefined;
  const [head = "", ...args] = raw.split(/\s+/);
  // Telegram appends the bot's name in groups: /status@hotline_bot
  const name = head.slice(1).split("@")[0]!.toLowerCase();
  const rest = raw.slice(head.length).trim();
  return { name, args, rest };
}

/** The question a member left open in this conversation, to show again when they come back. */
export async function pendingPrompt(ctx: CoreContext, member: Member, conversation: string): Promise<Card | undefined> {
  const session = await ctx.dialogs.find(member.id, conversation);
  if (!session) return undefined;
  const locale = localeOf(member, ctx.defaultLocale);
  if (session.dialog === "command") return commands.prompt(ctx, session.state as PendingCommand, locale);
  return reportPrompt(ctx, session, locale);
}
