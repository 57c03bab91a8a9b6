import { describe, expect, it } from "vitest";
import { parseSaleDate } from "../../../core/validation/sale-date.js";

const TODAY = "2026-11-26";

describe("parseSaleDate", () => {
  it.each([
    ["2024-03-05", "2024-03-05"],
    ["2024/3/5", "2024-03-05"],
    ["2024.03.05", "2024-03-05"],
    ["2024年3月5日", "2024-03-05"],
    ["２０２４年３月５日", "2024-03-05"],
    ["20240305", "2024-03-05"],
    [" 2026-11-26 ", "2026-11-26"],
    ["2024-02-29", "2024-02-29"],
  ])("reads %s as %s", (input, expected) => {
    expect(parseSaleDate(input, TODAY)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["去年", "date_format"],
    ["2024-13-01", "date_format"],
    ["2023-02-29", "date_format"],
    ["2024-04-31", "date_format"],
    ["1970-01-01", "date_format"],
    ["24-3-5", "date_format"],
    ["2026-11-27", "date_future"],
  ])("refuses %j (%s)", (input, reason) => {
    expect(parseSaleDate(input, TODAY)).toEqual({ ok: false, reason });
  });
});
