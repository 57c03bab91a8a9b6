import { describe, expect, it } from "vitest";
import { parseEmail } from "../../../core/validation/email.js";

describe("parseEmail", () => {
  it.each([
    ["zhang.wei@example.com", "zhang.wei@example.com"],
    [" Zhang.Wei@Example.COM ", "Zhang.Wei@example.com"],
    ["ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", "zhang@example.cn"],
    ["a+receipts@mail.example.com.cn", "a+receipts@mail.example.com.cn"],
  ])("reads %s as %s", (input, expected) => {
    expect(parseEmail(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["", "empty"],
    ["zhang", "email_format"],
    ["zhang@", "email_format"],
    ["@example.com", "email_format"],
    ["zhang wei@example.com", "email_format"],
    ["zhang@example", "email_format"],
    ["zhang@@example.com", "email_format"],
    ['"zhang"@example.com', "email_format"],
    ["zhang@example.com>, <other@example.com", "email_format"],
    [`${"a".repeat(250)}@example.com`, "email_format"],
  ])("refuses %j (%s)", (input, reason) => {
    expect(parseEmail(input)).toEqual({ ok: false, reason });
  });
});
