import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeHtml, MAX_MESSAGE_LENGTH, renderForTelegram } from "../../../bot/telegram/render-telegram.js";
import { pickerHints, type Card } from "../../../core/messages/card.js";
import { formatText } from "../../fakes/telegram-bot-api.js";

const noMentions = { telegramIdOf: () => undefined };
const stripTags = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

describe("renderForTelegram", () => {
  it("renders the title bold, lines and fields, with choices as an inline keyboard of ids", () => {
    const card: Card = {
      title: "HL-20261126-0001",
      lines: ["请选择上报类型："],
      fields: [{ label: "状态", value: "待确认" }],
      choices: [
        { id: "fault", label: "质量故障" },
        { id: "complaint", label: "顾客投诉" },
      ],
    };
    const [message, ...rest] = renderForTelegram(card, noMentions);
    expect(rest).toEqual([]);
    expect(message).toEqual({
      text: "<b>HL-20261126-0001</b>\n请选择上报类型：\n<b>状态</b>: 待确认",
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      reply_markup: {
        inline_keyboard: [
          [
            { text: "质量故障", callback_data: "fault" },
            { text: "顾客投诉", callback_data: "complaint" },
          ],
        ],
      },
    });
  });

  it("escapes what a reporter typed, so it cannot format, link or fake a mention", () => {
    const hostile = '<b>urgent</b> <a href="tg://user?id=1">boss</a> & co';
    const [message] = renderForTelegram({ lines: [hostile], fields: [{ label: "情况", value: "<i>x</i>" }] }, noMentions);
    expect(message!.text).toBe(
      '&lt;b&gt;urgent&lt;/b&gt; &lt;a href="tg://user?id=1"&gt;boss&lt;/a&gt; &amp; co\n<b>情况</b>: &lt;i&gt;x&lt;/i&gt;',
    );
    expect(escapeHtml("a<b>&c")).toBe("a&lt;b&gt;&amp;c");
  });

  it("mentions members with a Telegram account for real, and others by name", () => {
    const [message] = renderForTelegram(
      { lines: ["新工单"], mentions: [{ memberId: "chen.jie", name: "陈<杰>" }, { memberId: "sun.li", name: "孙丽" }] },
      { telegramIdOf: (id) => (id === "chen.jie" ? "42" : undefined) },
    );
    expect(message!.text).toBe('新工单\n<a href="tg://user?id=42">陈&lt;杰&gt;</a> @孙丽');
  });

  it("splits long cards on line boundaries under 4,096 characters, keyboard on the last part", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `${i}: ${"很长的描述".repeat(40)}`);
    const messages = renderForTelegram({ lines, choices: [{ id: "done", label: "完成" }] }, noMentions);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(stripTags(m.text).length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(messages.slice(0, -1).every((m) => m.reply_markup === undefined)).toBe(true);
    expect(messages.at(-1)!.reply_markup).toBeDefined();
    expect(messages.map((m) => stripTags(m.text)).join("\n")).toBe(lines.join("\n"));
  });

  it("cuts a single line longer than a message without breaking an escape", () => {
    const line = "<&>".repeat(3000);
    const messages = renderForTelegram({ lines: [line] }, noMentions);
    expect(messages.length).toBe(3);
    for (const m of messages) {
      expect(stripTags(m.text).length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
      expect(m.text).not.toMatch(/&(?!lt;|gt;|amp;)/);
    }
    expect(messages.map((m) => stripTags(m.text)).join("")).toBe(line);
  });

  it("puts long labels on rows of their own", () => {
    const [message] = renderForTelegram(
      {
        lines: ["?"],
        choices: [
          { id: "a", label: "E-mail/传真/信件 (e-mail, fax or letter)" },
          { id: "b", label: "否" },
          { id: "c", label: "是" },
        ],
      },
      noMentions,
    );
    expect(message!.reply_markup!.inline_keyboard.map((row) => row.length)).toEqual([1, 2]);
  });

  it("refuses a choice id over Telegram's 64-byte callback data", () => {
    expect(() => renderForTelegram({ lines: ["?"], choices: [{ id: "回".repeat(22), label: "x" }] }, noMentions)).toThrow(/64-byte/);
    expect(() => renderForTelegram({ lines: ["?"], choices: [{ id: "/resolve HL-20261126-0001", label: "x" }] }, noMentions)).not.toThrow();
  });

  it("keeps emoji and rare characters whole when it cuts a line longer than a message", () => {
    for (const pad of [3899, 3898, 3900, 7799]) {
      const line = "x".repeat(pad) + "😀𠀀".repeat(1000);
      const messages = renderForTelegram({ lines: [line] }, noMentions);
      for (const m of messages) expect(m.text).not.toMatch(/\p{Cs}/u);
      expect(messages.map((m) => m.text).join("")).toBe(line);
    }
    const characters = new Intl.Segmenter(undefined, { granularity: "grapheme" });
    for (const [pad, character] of [[3897, "👨‍👩‍👧"], [3899, "🇨🇳"], [3899, "👍🏽"], [3899, "é"]] as const) {
      const line = "x".repeat(pad) + character.repeat(600);
      const messages = renderForTelegram({ lines: [line] }, noMentions);
      expect(messages.length).toBeGreaterThan(1);
      const seen = new Set(messages.flatMap((m) => [...characters.segment(m.text)].map(({ segment }) => segment)));
      expect([...seen].sort()).toEqual(["x", character].sort()); // no message starts or ends inside a character
      expect(messages.map((m) => m.text).join("")).toBe(line);
    }
    // A "character" longer than a message (a letter under thousands of accents) is cut between code points.
    const zalgo = "a" + "\u0301".repeat(5000);
    const pieces = renderForTelegram({ lines: [zalgo] }, noMentions);
    expect(pieces.map((m) => m.text).join("")).toBe(zalgo);
    for (const m of pieces) expect(m.text.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
  });

  it("shows `@name` in what it renders as code, so Telegram finds no mention in it", () => {
    const [message] = renderForTelegram(
      { title: "@boss 来", lines: ["请 @boss 处理 a@b.co"], fields: [{ label: "客户", value: "@boss" }], mentions: [{ memberId: "sun.li", name: "Sun_Li" }] },
      noMentions,
    );
    expect(message!.text).toBe("<code>@boss</code><b> 来</b>\n请 <code>@boss</code> 处理 a@b.co\n<b>客户</b>: <code>@boss</code>\n<code>@Sun_Li</code>");
    expect(formatText(message!.text, "HTML", undefined, "text").entities.filter((e) => e.type === "mention")).toEqual([]);
  });

  it("renders any text in any field as messages Telegram accepts, under 4,096, whole and in order", () => {
    const TELEGRAM_IDS: Record<string, string> = { "chen.jie": "100000042" };
    const options = { telegramIdOf: (id: string) => TELEGRAM_IDS[id] };
    const piece = fc.oneof(
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.constantFrom("😀", "𠀀", "👨‍👩‍👧", "<b>", "</b>", '<a href="tg://user?id=1">x</a>', "&", "&amp;", "&#55357;", "@boss", "@", "/new@bot", "\n", " ", "\u200b", "é"),
    );
    const shortText = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(""));
    // Past a message's length, with a code point of two units at or around every possible cut.
    const longText = fc
      .record({ pad: fc.nat({ max: 3_950 }), emoji: fc.constantFrom("😀", "𠀀", "👍🏽"), times: fc.integer({ min: 1, max: 2_100 }), tail: shortText })
      .map(({ pad, emoji, times, tail }) => "x".repeat(pad) + emoji.repeat(times) + tail);
    const text = fc.oneof({ weight: 4, arbitrary: shortText }, { weight: 1, arbitrary: longText });
    const card: fc.Arbitrary<Card> = fc.record({
      title: fc.option(text, { nil: undefined }),
      lines: fc.array(text, { maxLength: 5 }),
      fields: fc.array(fc.record({ label: text, value: text }), { maxLength: 3 }),
      pickers: fc.array(fc.record({ id: shortText, label: shortText }), { maxLength: 2 }),
      mentions: fc.array(fc.record({ memberId: fc.constantFrom("chen.jie", "sun.li"), name: text }), { maxLength: 3 }),
      choices: fc.option(fc.constant([{ id: "done", label: "完成" }]), { nil: undefined }),
    });
    /** The card's text as a reader should see it: linked mentions show the name, others `@name`. */
    const contentOf = (c: Card) =>
      [
        ...(c.title ? [c.title] : []),
        ...c.lines,
        ...(c.fields ?? []).map((f) => `${f.label}: ${f.value}`),
        ...pickerHints(c),
        ...(c.mentions?.length ? [c.mentions.map((m) => (TELEGRAM_IDS[m.memberId] ? m.name : `@${m.name}`)).join(" ")] : []),
      ].join("\n");
    /** Telegram trims each message, so only whitespace where one message ends and the next begins may go. */
    const readsAs = (content: string, shown: string[]) => {
      let at = 0;
      for (const text of shown) {
        while (at < content.length && /\s/.test(content[at]!)) at += 1;
        if (!content.startsWith(text, at)) return false;
        at += text.length;
      }
      return content.slice(at).trim() === "";
    };

    fc.assert(
      fc.property(card, (c) => {
        const messages = renderForTelegram(c, options);
        const shown = messages.map((m) => formatText(m.text, m.parse_mode, undefined, "text")); // throws what Telegram would refuse
        for (const { text, entities } of shown) {
          expect(text.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
          expect(text).not.toMatch(/\p{Cs}/u);
          expect(entities.filter((e) => e.type === "mention")).toEqual([]);
          for (const link of entities.filter((e) => e.type === "text_link")) expect(link).toMatchObject({ url: "tg://user?id=100000042" });
        }
        const content = contentOf(c);
        if (content.trim() === "") expect(shown.map((s) => s.text)).toEqual(["…"]);
        else expect(readsAs(content, shown.map((s) => s.text)), JSON.stringify(shown.map((s) => s.text.slice(0, 60)))).toBe(true);
        expect(messages.slice(0, -1).every((m) => m.reply_markup === undefined)).toBe(true);
        expect(messages.at(-1)!.reply_markup !== undefined).toBe(c.choices !== undefined);
      }),
      { seed: 20261126, numRuns: 300 },
    );
  });
});
