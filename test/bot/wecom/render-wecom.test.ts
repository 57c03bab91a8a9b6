import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { MARKDOWN_MAX_BYTES, renderRobotMarkdown, renderText, splitByBytes, TEXT_MAX_BYTES } from "../../../bot/wecom/render-wecom.js";

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
});
