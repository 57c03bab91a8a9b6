import { z } from "zod";
import { localeOf, type Member } from "../directory/member.js";
import { card, type Card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import type { CoreContext } from "../ports.js";
import { cardContext, ticketFor, type FlowResult } from "./flow-support.js";
import { canView } from "./permissions.js";
import type { CardContext } from "./ticket-card.js";
import type { Ticket } from "./ticket.js";
import { timelineLines, type TimelineEntry } from "./timeline.js";

/** Entries on a `/timeline` page: fifteen of the longest lines still fit one Telegram message. */
export const TIMELINE_PAGE_SIZE = 15;
/** Entries `/status` shows under "Latest"; the rest are a `/timeline` away. */
export const LATEST_ENTRIES = 5;

export const TIMELINE_USAGE = "/timeline <HL-…> [page]";

/** A page as typed: a whole number from 1. */
const pageSchema = z.coerce.number().int().min(1);

const reply = (c: Card): FlowResult => ({ replies: [c], notifications: [] });

/**
 * `/timeline <no> [page]`: the ticket's whole record (manual §4: after-sales keeps every record),
 * for whoever may see the ticket. Page 1 holds the oldest entries, so pages read like a story and a
 * page keeps its entries as the ticket grows; `/status` shows the latest.
 */
export async function showTimeline(ctx: CoreContext, actor: Member, number: string, page: string | number = 1): Promise<FlowResult> {
  const locale = localeOf(actor, ctx.defaultLocale);
  const wanted = pageSchema.safeParse(page);
  if (!wanted.success) return reply(card(t(locale, "command.usage", { usage: TIMELINE_USAGE })));
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  const entries = await ctx.tickets.timeline(ticket.id);
  const pages = pageCount(entries.length);
  if (wanted.data > pages) return reply(card(t(locale, "timeline.no_page", { number: ticket.number, pages, page: wanted.data })));
  return reply(timelinePage(ticket, entries, wanted.data, await cardContext(ctx, locale)));
}

/** A ticket with no entries still has its (empty) first page. */
const pageCount = (entries: number) => Math.max(1, Math.ceil(entries / TIMELINE_PAGE_SIZE));

/** Page `page` (from 1) of a ticket's timeline, with where it stands and how to read on. */
export function timelinePage(ticket: Pick<Ticket, "number" | "pings" | "deadlines">, entries: readonly TimelineEntry[], page: number, ctx: CardContext): Card {
  const { locale } = ctx;
  const pages = pageCount(entries.length);
  const onPage = entries.slice((page - 1) * TIMELINE_PAGE_SIZE, page * TIMELINE_PAGE_SIZE);
  const position = t(locale, "timeline.page", { page, pages });
  const footer = page < pages ? `${position} · ${t(locale, "timeline.next", { number: ticket.number, next: page + 1 })}` : position;
  return {
    title: t(locale, "timeline.title", { number: ticket.number }),
    lines: [...(onPage.length ? timelineLines(onPage, ctx, ticket) : [t(locale, "timeline.empty")]), footer],
    tone: "info",
  };
}

/** `/status`'s card with the latest entries under their heading, and where to read the rest. */
export async function withLatestEntries(ctx: CoreContext, ticket: Ticket, ticketCard: Card, cardCtx: CardContext): Promise<Card> {
  return withEntries(ticket, await ctx.tickets.timeline(ticket.id), ticketCard, cardCtx);
}

/** A ticket's card with the latest of `entries` (its whole timeline, oldest first) below it. */
export function withEntries(ticket: Ticket, entries: readonly TimelineEntry[], ticketCard: Card, cardCtx: CardContext): Card {
  if (entries.length === 0) return ticketCard;
  const { locale } = cardCtx;
  const more = entries.length > LATEST_ENTRIES ? [t(locale, "timeline.more", { count: entries.length, number: ticket.number })] : [];
  return {
    ...ticketCard,
    lines: [...ticketCard.lines, `${t(locale, "timeline.latest")}:`, ...timelineLines(entries.slice(-LATEST_ENTRIES), cardCtx, ticket), ...more],
  };
}
