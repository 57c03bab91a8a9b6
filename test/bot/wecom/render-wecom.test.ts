import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { MARKDOWN_MAX_BYTES, renderButtonCard, renderRobotMarkdown, renderText, splitByBytes, TEXT_MAX_BYTES } from "../../../bot/wecom/render-wecom.js";

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

describe("WeCom rendering", () => {
  it("numbers a dialog's options, brackets a typed answer's shortcuts and shows commands as what to send", () => {
    expect(renderText({ lines: ["请选择上报类型："], choices: [{ id: "fault", label: "质量故障" }, { id: "complaint", label: "顾客投诉" }] })).toEqual(["请选择上报类型：\n1. 质量故障\n2. 顾客投诉"]);
    expect(renderText({ lines: ["VIN:"], typedAnswer: true, choices: [{ id: "unknown", label: "不清楚" }] })).toEqual(["VIN:\n[不清楚]"]);
    expect(renderText({ lines: ["新工单"], choices: [{ id: "/ack HL-20261126-0001", label: "响应" }] })).toEqual(["新工单\n响应：/ack HL-20261126-0001"]);
  });

  it("splits long texts under WeCom's byte limits without cutting a character", () => {
    const line = "发动机故障".repeat(200); // 3,000 bytes
    const texts = renderText({ lines: [line, line] });
    expect(texts.length).toBeGreaterThan(2);
    for (const text of texts) expect(bytes(text)).toBeLessThanOrEqual(TEXT_MAX_BYTES);
    expect(texts.join("").replaceAll("\n", "")).toBe(line + line);
    for (const text of splitByBytes(["x".repeat(10_000)], MARKDOWN_MAX_BYTES)) expect(bytes(text)).toBeLessThanOrEqual(MARKDOWN_MAX_BYTES);
  });

  it("mentions members by userid in robot markdown, and a reporter cannot write a mention", () => {
    const [markdown] = renderRobotMarkdown(
      { title: "新工单", lines: ["顾客说：<@zhaoming> 快来 <font color=\"warning\">!</font>"], mentions: [{ memberId: "chen.jie", name: "陈杰" }, { memberId: "x", name: "无账号" }] },
      (id) => (id === "chen.jie" ? "chenjie" : undefined),
    );
    expect(markdown).toContain("<@chenjie>");
    expect(markdown).toContain("@无账号");
    expect(markdown).not.toContain("<@zhaoming>");
    expect(markdown).not.toContain("<font");
    expect(markdown).toContain("＜@zhaoming＞");
  });

  it("makes a markdown link in user text plain text, in lines and in fields", () => {
    const [markdown] = renderRobotMarkdown({ lines: ["顾客说：[点这里](http://evil.example) ![x](http://evil.example/i.png)"], fields: [{ label: "顾客", value: "[张](https://evil.example)" }] }, () => undefined);
    expect(markdown).not.toMatch(/\[[^\]]*\]\(/);
    expect(markdown).toContain("［点这里］(http://evil.example)");
    expect(markdown).toContain("顾客：［张］(https://evil.example)");
  });

  it("keeps an <a> tag from user text out of app text messages, and the app's own <member> as written", () => {
    const [text] = renderText({
      title: "<a href='http://evil.example'>工单</a>",
      lines: ['看 <a href="http://evil.example">这里</a>', "<A\nHREF='x'>y</A >"],
      pickers: [{ id: "/appoint HL-20261126-0001 quality_assurance", label: "委派成员" }],
      mentions: [{ memberId: "x", name: "<a href='http://evil.example'>周敏</a>" }],
    });
    expect(text).not.toMatch(/<\/?a\b/i);
    expect(text).toContain('看 ＜a href="http://evil.example">这里＜/a>');
    expect(text).toContain("委派成员: /appoint HL-20261126-0001 quality_assurance <member>");
  });

  it("sends a lone surrogate as U+FFFD, as UTF-8 would, in text, markdown and button cards", () => {
    const card = { title: "工单\ud800", lines: ["描述\udc00尾"], choices: [{ id: "/ack HL-1", label: "响应\ud83d" }] };
    const sent = [...renderText(card), ...renderRobotMarkdown(card, () => undefined), JSON.stringify(renderButtonCard(card, "t1"))];
    for (const text of sent) expect(text).not.toMatch(/\p{Cs}/u);
    expect(renderText(card)[0]).toContain("描述\ufffd尾");
    expect(renderButtonCard(card, "t1")!.button_list[0]!.text).toBe("响应\ufffd");
  });

  it("cuts a long line between graphemes: a flag, a family or a letter with its marks stays whole", () => {
    const graphemes = (text: string) => [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].map((g) => g.segment);
    for (const unit of ["🇨🇳", "👨‍👩‍👧‍👦", "e\u0301\u0302"]) {
      const line = `a${unit.repeat(1_000)}`;
      const texts = renderText({ lines: [line] });
      expect(texts.join("")).toBe(line);
      for (const text of texts) {
        expect(bytes(text)).toBeLessThanOrEqual(TEXT_MAX_BYTES);
        expect(graphemes(text).every((g) => g === "a" || g === unit), `${unit} cut`).toBe(true);
      }
    }
  });

  it("never sends an empty message (WeCom refuses one with 44004)", () => {
    expect(splitByBytes([""], TEXT_MAX_BYTES)).toEqual([" "]);
    expect(splitByBytes(["x".repeat(TEXT_MAX_BYTES), ""], TEXT_MAX_BYTES)).toEqual(["x".repeat(TEXT_MAX_BYTES)]);
    expect(renderText({ lines: [""] })).toEqual([" "]);
  });

  it("clips a button card's title between graphemes", () => {
    const family = "👨‍👩‍👧‍👦";
    const buttons = renderButtonCard({ title: family.repeat(30), lines: [], choices: [{ id: "/ack HL-1", label: "响应" }] }, "t1")!;
    expect(buttons.main_title.title).toBe(`${family.repeat(25)}…`);
  });
});

