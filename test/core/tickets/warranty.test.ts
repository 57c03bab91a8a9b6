import { describe, expect, it } from "vitest";
import type { Organisation } from "../../../core/directory/organisation.js";
import type { Brand } from "../../../core/tickets/ticket.js";
import { lastWarrantyDay, vehicleAge, warrantyOf, type WarrantyFacts } from "../../../core/tickets/warranty.js";
import { warrantyLine } from "../../../core/tickets/warranty-line.js";

/** Two years or 60,000 km for Haise, three years or 100,000 km for Zhonghua, nothing for other brands. */
const ORG: Pick<Organisation, "warranty"> = { warranty: { haise: { years: 2, km: 60_000 }, zhonghua: { years: 3, km: 100_000 } } };
const TWO_YEARS = { years: 2, km: 60_000 };

const vehicle = (saleDate: string | null, mileageKm: number | null, brand: Brand = "haise"): WarrantyFacts => ({ brand, saleDate, mileageKm });

describe("warrantyOf (§5: 质量担保期内的故障维修按质量担保规定的要求执行)", () => {
  it("is in with both the years and the kilometres within the terms", () => {
    expect(warrantyOf(vehicle("2025-08-20", 12_000), ORG, "2026-11-26")).toEqual({ status: "in", terms: TWO_YEARS, age: { years: 1, months: 3 }, mileageKm: 12_000 });
  });

  describe("the years, counted from the sale date to the day the fault was reported", () => {
    it("keeps the anniversary day itself within the warranty, as the Civil Code counts periods", () => {
      expect(warrantyOf(vehicle("2024-11-26", 12_000), ORG, "2026-11-26").status).toBe("in");
    });

    it("ends the warranty the day after the anniversary", () => {
      expect(warrantyOf(vehicle("2024-11-26", 12_000), ORG, "2026-11-27")).toEqual({ status: "out", reason: "years", terms: TWO_YEARS, age: { years: 2, months: 0 }, mileageKm: 12_000 });
    });

    it("is in on the day of the sale", () => {
      expect(warrantyOf(vehicle("2026-11-26", 0), ORG, "2026-11-26")).toMatchObject({ status: "in", age: { years: 0, months: 0 } });
    });

    it("ends a sale of 29 February on 28 February of a year without one", () => {
      expect(lastWarrantyDay("2024-02-29", 2)).toBe("2026-02-28");
      expect(warrantyOf(vehicle("2024-02-29", 1_000), ORG, "2026-02-28").status).toBe("in");
      expect(warrantyOf(vehicle("2024-02-29", 1_000), ORG, "2026-03-01")).toMatchObject({ status: "out", reason: "years" });
    });

    it("ends a sale of 29 February on 29 February when the last year has one", () => {
      expect(lastWarrantyDay("2024-02-29", 4)).toBe("2028-02-29");
      const fourYears = { warranty: { haise: { years: 4, km: 150_000 } } };
      expect(warrantyOf(vehicle("2024-02-29", 1_000), fourYears, "2028-02-29").status).toBe("in");
      expect(warrantyOf(vehicle("2024-02-29", 1_000), fourYears, "2028-03-01").status).toBe("out");
    });

    it("ends a sale of 28 February on 28 February, though the last year has a 29th", () => {
      expect(lastWarrantyDay("2026-02-28", 2)).toBe("2028-02-28");
      expect(warrantyOf(vehicle("2026-02-28", 1_000), ORG, "2028-02-29")).toMatchObject({ status: "out", reason: "years" });
    });

    it("counts each brand's own years", () => {
      expect(warrantyOf(vehicle("2023-12-01", 50_000, "zhonghua"), ORG, "2026-11-26")).toMatchObject({ status: "in", terms: { years: 3, km: 100_000 } });
      expect(warrantyOf(vehicle("2023-12-01", 50_000, "haise"), ORG, "2026-11-26")).toMatchObject({ status: "out", reason: "years" });
    });
  });

  describe("the kilometres", () => {
    it("keeps exactly the limit within the warranty", () => {
      expect(warrantyOf(vehicle("2025-08-20", 60_000), ORG, "2026-11-26").status).toBe("in");
    });

    it("ends it one kilometre over the limit, though the years are within", () => {
      expect(warrantyOf(vehicle("2025-08-20", 60_001), ORG, "2026-11-26")).toEqual({ status: "out", reason: "km", terms: TWO_YEARS, age: { years: 1, months: 3 }, mileageKm: 60_001 });
    });

    it("ends it even when the sale date is unknown: whichever limit comes first ends it", () => {
      expect(warrantyOf(vehicle(null, 65_000), ORG, "2026-11-26")).toEqual({ status: "out", reason: "km", terms: TWO_YEARS, age: null, mileageKm: 65_000 });
    });
  });

  it("says the years when both limits are passed", () => {
    expect(warrantyOf(vehicle("2020-01-01", 200_000), ORG, "2026-11-26")).toMatchObject({ status: "out", reason: "years", mileageKm: 200_000 });
  });

  it("ends it on the years when the mileage is unknown", () => {
    expect(warrantyOf(vehicle("2020-01-01", null), ORG, "2026-11-26")).toMatchObject({ status: "out", reason: "years", mileageKm: null });
  });

  describe("unknown", () => {
    it("when the sale date is unknown and the kilometres are within", () => {
      expect(warrantyOf(vehicle(null, 12_000), ORG, "2026-11-26")).toEqual({ status: "unknown", reason: "no_sale_date", terms: TWO_YEARS, mileageKm: 12_000 });
      expect(warrantyOf(vehicle(null, null), ORG, "2026-11-26")).toMatchObject({ status: "unknown", reason: "no_sale_date" });
    });

    it("when the mileage is unknown while the years are within", () => {
      expect(warrantyOf(vehicle("2025-08-20", null), ORG, "2026-11-26")).toEqual({ status: "unknown", reason: "no_mileage", terms: TWO_YEARS, age: { years: 1, months: 3 } });
    });

    it("when the brand has no terms, whatever else is known", () => {
      expect(warrantyOf(vehicle("2025-08-20", 12_000, "other"), ORG, "2026-11-26")).toEqual({ status: "unknown", reason: "no_terms" });
      expect(warrantyOf(vehicle("2010-01-01", 900_000, "other"), ORG, "2026-11-26")).toEqual({ status: "unknown", reason: "no_terms" });
    });
  });
});

describe("vehicleAge", () => {
  it("counts a month complete on its same date", () => {
    expect(vehicleAge("2025-08-20", "2026-11-19")).toEqual({ years: 1, months: 2 });
    expect(vehicleAge("2025-08-20", "2026-11-20")).toEqual({ years: 1, months: 3 });
  });

  it("counts no age before the sale", () => {
    expect(vehicleAge("2026-11-27", "2026-11-26")).toEqual({ years: 0, months: 0 });
  });
});

describe("the warranty line of a ticket's card", () => {
  const line = (facts: WarrantyFacts, locale: "zh-CN" | "en") => warrantyLine({ ...facts, localDate: "2026-11-26" }, ORG, locale);

  it.each([
    ["in", vehicle("2025-08-20", 12_000), "质量担保：在保（售出 1 年 3 个月，12,000 km；担保 2 年/6 万公里）", "Warranty: in warranty (sold 1 year 3 months ago, 12,000 km; terms 2 years / 60,000 km)"],
    ["out on the years", vehicle("2024-10-01", 12_000), "质量担保：已过保，超过担保年限（售出 2 年 1 个月，12,000 km；担保 2 年/6 万公里）", "Warranty: out of warranty, past its years (sold 2 years 1 month ago, 12,000 km; terms 2 years / 60,000 km)"],
    ["out on the kilometres", vehicle(null, 65_000), "质量担保：已过保，超过担保里程（65,000 km；担保 2 年/6 万公里）", "Warranty: out of warranty, past its mileage (65,000 km; terms 2 years / 60,000 km)"],
    ["unknown without a sale date", vehicle(null, null), "质量担保：不确定，销售日期不详（担保 2 年/6 万公里）", "Warranty: unknown, no sale date (terms 2 years / 60,000 km)"],
    ["unknown without the mileage", vehicle("2026-11-01", null), "质量担保：不确定，里程不详（售出不满 1 个月；担保 2 年/6 万公里）", "Warranty: unknown, no mileage (sold less than a month ago; terms 2 years / 60,000 km)"],
    ["unknown without terms", vehicle("2025-08-20", 12_000, "other"), "质量担保：不确定，其他未设担保条款", "Warranty: unknown, no warranty terms for Other"],
    ["of a brand with other terms", vehicle("2025-11-26", 1_500, "zhonghua"), "质量担保：在保（售出 1 年，1,500 km；担保 3 年/10 万公里）", "Warranty: in warranty (sold 1 year ago, 1,500 km; terms 3 years / 100,000 km)"],
  ])("reads %s in both languages", (_what, facts, zh, en) => {
    expect(line(facts, "zh-CN")).toBe(zh);
    expect(line(facts, "en")).toBe(en);
  });

  it("counts a limit that is not a round ten thousand in kilometres", () => {
    const odd = { warranty: { haise: { years: 1, km: 45_500 } } };
    expect(warrantyLine({ ...vehicle(null, null), localDate: "2026-11-26" }, odd, "zh-CN")).toBe("质量担保：不确定，销售日期不详（担保 1 年/45,500 公里）");
  });
});
