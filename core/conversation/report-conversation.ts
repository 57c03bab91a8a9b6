import type { Member } from "../directory/member.js";
import type { Platform } from "../directory/organisation.js";
import { advanceReport, promptFor, stepIdOf } from "../dialogs/report-dialog.js";
import { emptyReportState, type ReportDialogState } from "../dialogs/report-draft.js";
import type { DialogInput, StepEnv } from "../dialogs/report-steps.js";
import { HotlineError } from "../errors.js";
import { card, type Card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import type { CoreContext, DialogSession } from "../ports.js";
import { canReport } from "../tickets/permissions.js";
import type { FlowResult } from "../tickets/flow-support.js";
import { localDate } from "../time/business-time.js";
import { openTicket } from "../tickets/ticket-flows.js";

/** Where a dialog is kept: one per member per conversation. */
export interface DialogPlace {
  member: Member;
  /** Identifies the chat, e.g. `telegram:-100123`. */
  conversation: string;
  /** The platform the member writes on (a ticket opened here remembers it); absent for the terminal chat and the console. */
  platform?: Platform | undefined;
}

/** A report in progress as its session keeps it; a pending command keeps the one it interrupted. */
export type ReportSession = Pick<DialogSession, "step" | "state">;

export const reply = (...replies: Card[]): FlowResult => ({ replies, notifications: [] });

function env(ctx: CoreContext, locale: Locale): StepEnv {
  return { locale, thresholds: ctx.org.triage, today: localDate(ctx.clock(), ctx.timeZone) };
}

export async function saveReport(ctx: CoreContext, place: DialogPlace, state: ReportDialogState, locale: Locale): Promise<void> {
  await restoreReport(ctx, place, { step: stepIdOf(state, env(ctx, locale)), state });
}

/** Puts a report back as this conversation's dialog (after a command that interrupted it). */
export async function restoreReport(ctx: CoreContext, place: DialogPlace, report: ReportSession): Promise<void> {
  await ctx.dialogs.save({ memberId: place.member.id, conversation: place.conversation, dialog: "report", ...report });
}

/** The report's open question, to show again. */
export function reportPrompt(ctx: CoreContext, report: ReportSession, locale: Locale): Card {
  return promptFor(report.state as ReportDialogState, env(ctx, locale));
}

/** `/new` while a report is open resumes it rather than throwing the answers away. */
export async function startReport(ctx: CoreContext, place: DialogPlace, existing: ReportSession | undefined, locale: Locale): Promise<FlowResult> {
  if (!canReport(place.member, ctx.org)) throw new HotlineError("not_allowed", `${place.member.id} may not report`, { refusal: "report" });
  if (existing) return reply(card(t(locale, "dialog.restart_confirm")), reportPrompt(ctx, existing, locale));
  const state = emptyReportState();
  await saveReport(ctx, place, state, locale);
  return reply(promptFor(state, env(ctx, locale)));
}

export async function cancelReport(ctx: CoreContext, place: DialogPlace, locale: Locale): Promise<FlowResult> {
  await ctx.dialogs.remove(place.member.id, place.conversation);
  return reply(card(t(locale, "dialog.cancelled")));
}

export async function continueReport(ctx: CoreContext, place: DialogPlace & DialogInput, report: ReportSession, locale: Locale): Promise<FlowResult> {
  const outcome = advanceReport(report.state as ReportDialogState, place, env(ctx, locale));
  switch (outcome.kind) {
    case "continue":
      await saveReport(ctx, place, outcome.state, locale);
      return reply(...outcome.replies);
    case "cancel":
      return cancelReport(ctx, place, locale);
    case "submit": {
      // The ticket is stored before the dialog is dropped: a crash in between leaves the summary
      // to confirm again, never a lost report.
      const result = await openTicket(ctx, {
        reporter: place.member,
        draft: outcome.draft,
        classification: outcome.classification,
        originPlatform: place.platform ?? null,
      });
      await ctx.dialogs.remove(place.member.id, place.conversation);
      return result;
    }
  }
}
