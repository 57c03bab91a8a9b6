import { defaultOrganisation } from "../../support/organisation.js";
import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_LENGTH, renderForTelegram } from "../../../bot/telegram/render-telegram.js";
import { commandMenu } from "../../../bot/telegram/telegram-commands.js";
import type { Locale } from "../../../core/messages/locale.js";
import { TIMELINE_PAGE_SIZE, timelinePage } from "../../../core/tickets/timeline-flows.js";
import { TIMELINE_LINE_MAX, type TimelineEntry } from "../../../core/tickets/timeline.js";
import { cardContextIn } from "../../support/card-context.js";

const noMentions = { telegramIdOf: () => undefined };
/** What Telegram counts: UTF-16 code units of the text once the markup is parsed. */
const shownText = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const visible = (html: string) => shownText(html).length;

const TICKET = { number: "HL-20261126-0001", pings: [], deadlines: [] };

/**
 * The longest entries there are: every kind that carries typed text, with far more text than is
 * shown, by members with long names, and a note answering three people. Two pages' worth, so the
 * first page has its "next" hint too.
 */
function longestEntries(typed: string): TimelineEntry[] {
  const at = new Date("2026-11-26T02:05:00Z");
  const kinds: [string, string, Record<string, unknown>][] = [
    ["transferred", "liu.fang", { reason: typed }],
    ["graded", "zhou.min", { from: { category: "general", level: null }, to: { category: "major", level: null }, reason: typed }],
    ["note", "wang.fang", { text: typed, answers: ["chen.jie", "zhou.min", "zhao.ming"] }],
    ["feedback", "wang.fang", { text: typed }],
    ["info_requested", "chen.jie", { text: typed }],
  ];
  return Array.from({ length: TIMELINE_PAGE_SIZE * 2 }, (_, i) => {
    const [type, actorId, data] = kinds[i % kinds.length]!;
    return { id: i + 1, type, actorId, data, at };
  });
}

describe("a full /timeline page on Telegram", () => {
  it.each<Locale>(["zh-CN", "en"])("fits one message in %s, however much was typed", (locale) => {
    const card = timelinePage(TICKET, longestEntries("顾客<反映>&车辆".repeat(100)), 1, cardContextIn(locale));
    expect(card.lines).toHaveLength(TIMELINE_PAGE_SIZE + 1);
    for (const line of card.lines) expect([...line].length).toBeLessThanOrEqual(TIMELINE_LINE_MAX);

    const messages = renderForTelegram(card, noMentions);
    expect(messages).toHaveLength(1);
    expect(visible(messages[0]!.text)).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(messages[0]!.text).toContain("/timeline HL-20261126-0001 2");
  });

  it("splits under the limit, losing nothing, when the typed text is all characters Telegram counts twice", () => {
    const card = timelinePage(TICKET, longestEntries("🚗".repeat(300)), 1, cardContextIn("en"));
    const messages = renderForTelegram(card, noMentions);
    for (const m of messages) expect(visible(m.text)).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.map((m) => shownText(m.text)).join("\n")).toBe([card.title, ...card.lines].join("\n"));
  });
});

describe("the Telegram command menu", () => {
  it("offers /timeline in both languages", () => {
    expect(commandMenu("zh", defaultOrganisation()).find((c) => c.command === "timeline")?.description).toBe("工单的全部动态：/timeline <HL-…> [page]");
    expect(commandMenu("en", defaultOrganisation()).find((c) => c.command === "timeline")?.description).toBe("The ticket's whole timeline: /timeline <HL-…> [page]");
  });
});
