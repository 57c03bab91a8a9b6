import { describe, expect, it } from "vitest";
import { escapeHtml, MAX_MESSAGE_LENGTH, renderForTelegram } from "../../../bot/telegram/render-telegram.js";
import type { Card } from "../../../core/messages/card.js";

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
});
