import type { ReportDialogState } from "../dialogs/report-draft.js";
import { localeOf, type Member } from "../directory/member.js";
import { card, type Card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import { truncate } from "../messages/truncate.js";
import type { CoreContext } from "../ports.js";
import { canView } from "../tickets/permissions.js";
import { reasonLines, severityText } from "../tickets/ticket-card.js";
import { localDate } from "../time/business-time.js";
import { classify } from "../triage/classify.js";

/** How many earlier tickets a caller's history shows. */
export const HISTORY_SHOWN = 5;

/**
 * A report in progress as an agent on the phone watches it beside the questions: the severity and
 * the criteria it meets as the answers stand (what the summary will say), and the caller's history
 * (earlier tickets for the same VIN or phone) once either is given. Undefined when no report is open.
 */
export async function reportSoFar(ctx: CoreContext, member: Member, conversation: string): Promise<Card[] | undefined> {
  const session = await ctx.dialogs.find(member.id, conversation);
  if (session?.dialog !== "report") return undefined;
  const { draft } = session.state as ReportDialogState;
  const locale = localeOf(member, ctx.defaultLocale);
  const classification = classify(draft.triage, ctx.org.triage);
  const severity = card(
    [
      `${t(locale, "summary.severity")}: ${severityText(classification, locale)}`,
      ...(classification.matched.length ? [`${t(locale, "summary.reasons")}:`, ...reasonLines(classification.matched, ctx.org.triage, locale)] : []),
    ],
    { title: t(locale, "so_far.title") },
  );
  if (!draft.vin && !draft.customerPhone) return [severity];
  const earlier = await ctx.tickets.history({ vin: draft.vin ?? undefined, customerPhone: draft.customerPhone }, HISTORY_SHOWN);
  const shown = earlier.filter((ticket) => canView(member, ticket, ctx.org));
  const lines = shown.map(
    (tk) => `${tk.number} · ${localDate(tk.createdAt, ctx.timeZone)} · ${severityText(tk, locale)} · ${t(locale, `status.${tk.status}`)} · ${truncate(tk.description, 40)}`,
  );
  const hidden = earlier.length - shown.length;
  const history = card(
    [...(earlier.length === 0 ? [t(locale, "so_far.no_history")] : lines), ...(hidden > 0 ? [t(locale, "so_far.history_elsewhere", { count: hidden })] : [])],
    { title: t(locale, "so_far.history") },
  );
  return [severity, history];
}
