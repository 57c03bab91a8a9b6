import { card, type Card } from "../messages/card.js";
import { t, type MessageKey } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import type { CoreContext } from "../ports.js";
import type { AttachmentRef } from "../tickets/ticket.js";
import { restoreReport, type DialogPlace, type ReportSession } from "./report-conversation.js";

/** The argument a command waits for: a choice (a level, a center), its free text, or files. */
export type Awaiting = "choice" | "text" | "files";

/**
 * A command that was sent without an argument it needs, waiting for the member's next message
 * (kept as the conversation's dialog session, so a restart still completes it). A button such as
 * `/note HL-…` leaves one; so does `/attach HL-…`, which takes files until the member is done.
 */
export interface PendingCommand {
  command: string;
  /** The ticket's number, checked when the command started waiting. */
  ticket: string;
  /** The choice, once given ("" until then). */
  choice: string;
  awaiting: Awaiting;
  /** Files added so far, while awaiting files. */
  added: number;
  /** The report this command interrupted: it is this conversation's dialog again when the command ends. */
  report?: ReportSession | undefined;
  /** Words the command keeps for when its answer comes (the agreement's `override` and its reason). */
  args?: string[] | undefined;
  /** The question it asks, where it is not the row's own (a step after the command ran). */
  ask?: MessageKey | undefined;
  /** Files sent with the command while it asks for its text: they go with it when it runs. */
  attachments?: AttachmentRef[] | undefined;
  /** The command ran already and asks for more (the agreement's signed copy): stopping keeps what it did. */
  followUp?: boolean | undefined;
}

export async function savePending(ctx: CoreContext, place: DialogPlace, pending: PendingCommand): Promise<void> {
  await ctx.dialogs.save({ memberId: place.member.id, conversation: place.conversation, dialog: "command", step: pending.awaiting, state: pending });
}

/** The command stops waiting: the report it interrupted, if any, is restored. */
export async function endPending(ctx: CoreContext, place: DialogPlace, pending: PendingCommand): Promise<void> {
  if (pending.report) await restoreReport(ctx, place, pending.report);
  else await ctx.dialogs.remove(place.member.id, place.conversation);
}

/**
 * What `/cancel` says of a waiting command; files already sent stay on the ticket, and it says so,
 * as does a command that already did its part and only asked for files after.
 */
export function stoppedCard(pending: PendingCommand, locale: Locale): Card {
  if (pending.awaiting === "files" && (pending.added > 0 || pending.followUp)) {
    return card(t(locale, "attach.finished", { number: pending.ticket, count: pending.added }), { tone: "success" });
  }
  return card(t(locale, "command.cancelled", { command: `/${pending.command}` }));
}
