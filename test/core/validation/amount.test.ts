import { describe, it, expect } from "vitest";
import { parseAmountCny } from "../../../core/validation/amount.js";

describe("parseAmountCny", () => {
  it.each([
    ["50000", 50000],
    ["50,000", 50000],
    ["12000.5", 12000.5],
    ["1,234,567.89", 1234567.89],
    ["0", 0],
  ])("accepts the plain number %s", (input, value) => {
    expect(parseAmountCny(input)).toEqual({ ok: true, value });
  });

  it.each([
    ["50000元", 50000],
    ["50000 元", 50000],
    ["500块", 500],
    ["500块钱", 500],
    ["¥ 12,000", 12000],
    ["￥12000", 12000],
    ["CNY 800", 800],
    ["800 RMB", 800],
    ["rmb800", 800],
  ])("accepts the currency-marked amount %s", (input, value) => {
    expect(parseAmountCny(input)).toEqual({ ok: true, value });
  });

  it.each([
    ["5万", 50000],
    ["1.2万元", 12000],
    ["1.1万", 11000],
    ["3千", 3000],
    ["2.5千元", 2500],
    ["1亿", 100000000],
    ["5 万", 50000],
    ["¥5万", 50000],
  ])("accepts the Chinese magnitude unit in %s", (input, value) => {
    expect(parseAmountCny(input)).toEqual({ ok: true, value });
  });

  it.each([
    ["5万3千", 53000],
    ["1亿5000万", 150000000],
    ["2万5千元", 25000],
  ])("accepts the compound amount %s", (input, value) => {
    expect(parseAmountCny(input)).toEqual({ ok: true, value });
  });

  it("folds full-width digits and separators", () => {
    expect(parseAmountCny("５万")).toEqual({ ok: true, value: 50000 });
    expect(parseAmountCny("￥１２，０００．５")).toEqual({ ok: true, value: 12000.5 });
  });

  it("rounds to two decimals, half away from zero on the typed digits", () => {
    expect(parseAmountCny("1.005")).toEqual({ ok: true, value: 1.01 });
    expect(parseAmountCny("12.344")).toEqual({ ok: true, value: 12.34 });
    expect(parseAmountCny("1.23456万")).toEqual({ ok: true, value: 12345.6 });
  });

  it("rejects an empty or blank answer as empty", () => {
    expect(parseAmountCny("")).toEqual({ ok: false, reason: "empty" });
    expect(parseAmountCny(" \t ")).toEqual({ ok: false, reason: "empty" });
  });

  it.each(["-500", "−500", "-5万", "-¥500", "¥-500", "- 500元"])(
    "rejects the negative amount %s",
    (input) => {
      expect(parseAmountCny(input)).toEqual({ ok: false, reason: "amount_negative" });
    },
  );

  it.each([
    ["garbage", "abc"],
    ["a bare currency sign", "¥"],
    ["a bare unit", "元"],
    ["two numbers", "500 600"],
    ["a range", "500-600"],
    ["a number then an unrelated word", "500 dollars"],
    ["badly grouped separators", "5,0000"],
    ["a trailing decimal point", "500."],
    ["a leading decimal point", ".5"],
    ["Chinese numerals", "五万"],
    ["a unitless remainder after a unit", "5万3"],
    ["units in rising order", "3千5万"],
    ["a part too large for its slot", "5万13千"],
    ["a fractional part in a compound", "1.5万3千"],
    ["a repeated unit", "5万万"],
    ["an explicit plus sign", "+500"],
    ["exponent notation", "5e4"],
    ["an amount too large to store exactly", "1000000亿"],
  ])("rejects %s", (_label, input) => {
    expect(parseAmountCny(input)).toEqual({ ok: false, reason: "amount_format" });
  });
});
