import type { Member } from "../directory/member.js";
import { card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import type { CoreContext } from "../ports.js";
import type { FlowResult } from "../tickets/flow-support.js";
import { formatLocalTime } from "../time/business-time.js";
import { reply } from "./report-conversation.js";

/** A link sent in chat is short-lived: it sits in the chat's history. */
export const CONSOLE_LINK_MINUTES = 15;

/**
 * `/console`: a one-time link that signs the member in to the web console. Only in a private
 * conversation: whoever can read the chat could use the link.
 */
export async function sendConsoleLink(ctx: CoreContext, member: Member, seenByOthers: boolean, locale: Locale): Promise<FlowResult> {
  if (seenByOthers) return reply(card(t(locale, "console.private_only"), { tone: "warning" }));
  const link = await ctx.consoleLinks.issue(member.id, CONSOLE_LINK_MINUTES);
  if (!link) return reply(card(t(locale, "console.no_access"), { tone: "error" }));
  return reply(card([t(locale, "console.link", { minutes: CONSOLE_LINK_MINUTES, until: formatLocalTime(link.expiresAt, ctx.timeZone) }), link.url], { title: t(locale, "console.title") }));
}
