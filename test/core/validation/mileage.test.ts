import { describe, it, expect } from "vitest";
import { parseMileageKm } from "../../../core/validation/mileage.js";

describe("parseMileageKm", () => {
  it.each([
    ["12000", 12000],
    ["12,000", 12000],
    ["12000km", 12000],
    ["12000 KM", 12000],
    ["12000 公里", 12000],
    ["12000千米", 12000],
    ["12000㎞", 12000],
    ["1.2万", 12000],
    ["1.2万公里", 12000],
    ["1.2万 km", 12000],
    ["3千公里", 3000],
    ["１２０００公里", 12000],
  ])("accepts %s", (input, value) => {
    expect(parseMileageKm(input)).toEqual({ ok: true, value });
  });

  it("reads 3千米 as 3 kilometres, not 3,000", () => {
    expect(parseMileageKm("3千米")).toEqual({ ok: true, value: 3 });
  });

  it("rounds to whole kilometres", () => {
    expect(parseMileageKm("12000.4")).toEqual({ ok: true, value: 12000 });
    expect(parseMileageKm("12000.5")).toEqual({ ok: true, value: 12001 });
    expect(parseMileageKm("1.23456万")).toEqual({ ok: true, value: 12346 });
  });

  it("accepts both ends of the range 0 to 2,000,000", () => {
    expect(parseMileageKm("0")).toEqual({ ok: true, value: 0 });
    expect(parseMileageKm("200万公里")).toEqual({ ok: true, value: 2000000 });
  });

  it("rejects an empty or blank answer as empty", () => {
    expect(parseMileageKm("")).toEqual({ ok: false, reason: "empty" });
    expect(parseMileageKm("  ")).toEqual({ ok: false, reason: "empty" });
  });

  it("rejects a reading above 2,000,000 km as out of range", () => {
    expect(parseMileageKm("2000001")).toEqual({ ok: false, reason: "mileage_range" });
    expect(parseMileageKm("1亿")).toEqual({ ok: false, reason: "mileage_range" });
  });

  it("rejects a negative reading as out of range", () => {
    expect(parseMileageKm("-100")).toEqual({ ok: false, reason: "mileage_range" });
    expect(parseMileageKm("-1.2万公里")).toEqual({ ok: false, reason: "mileage_range" });
  });

  it.each([
    ["garbage", "abc"],
    ["a bare unit", "公里"],
    ["two numbers", "12000 13000"],
    ["a range", "12000-13000"],
    ["metres", "12000米"],
    ["miles", "12000 miles"],
    ["badly grouped separators", "1,2000"],
    ["Chinese numerals", "一万二"],
    ["a currency unit", "12000元"],
  ])("rejects %s", (_label, input) => {
    expect(parseMileageKm(input)).toEqual({ ok: false, reason: "mileage_format" });
  });
});
