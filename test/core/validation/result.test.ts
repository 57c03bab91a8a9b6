import { describe, it, expect } from "vitest";
import { invalid, ok, type ParseResult } from "../../../core/validation/result.js";

describe("ok", () => {
  it("wraps a value as an accepted result", () => {
    const result: ParseResult<number> = ok(42);
    expect(result).toEqual({ ok: true, value: 42 });
  });
});

describe("invalid", () => {
  it("wraps a machine code as a rejected result of any value type", () => {
    const result: ParseResult<string> = invalid("empty");
    expect(result).toEqual({ ok: false, reason: "empty" });
  });
});
