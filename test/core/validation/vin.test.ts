import { describe, it, expect } from "vitest";
import { parseVin } from "../../../core/validation/vin.js";

describe("parseVin", () => {
  it("accepts the classic ISO 3779 example whose check digit is X", () => {
    // Transliterated value × weight, position by position:
    //  1:  1×8=8   M: 4×7=28  8: 8×6=48  G: 7×5=35  D: 4×4=16  M: 4×3=12
    //  9:  9×2=18  A: 1×10=10 X: (check) ×0         K: 2×9=18  P: 7×8=56
    //  0:  0×7=0   4: 4×6=24  2: 2×5=10  7: 7×4=28  8: 8×3=24  8: 8×2=16
    // Sum 351; 351 = 31×11 + 10; remainder 10 is written X.
    expect(parseVin("1M8GDM9AXKP042788")).toEqual({ ok: true, value: "1M8GDM9AXKP042788" });
  });

  it("accepts a Chinese VIN whose check digit is derived by hand", () => {
    // L: 3×8=24  S: 2×7=14  G: 7×6=42  P: 7×5=35  C: 3×4=12  5: 5×3=15
    // 2: 2×2=4   U: 4×10=40 6: (check) ×0         A: 1×9=9   F: 6×8=48
    // 1: 1×7=7   0: 0×6=0   2: 2×5=10  5: 5×4=20  5: 5×3=15  4: 4×2=8
    // Sum 303; 303 = 27×11 + 6; check digit 6.
    expect(parseVin("LSGPC52U6AF102554")).toEqual({ ok: true, value: "LSGPC52U6AF102554" });
  });

  it("accepts a Chinese VIN whose check digit is 0", () => {
    // L: 3×8=24  H: 8×7=56  G: 7×6=42  C: 3×5=15  R: 9×4=36  2: 2×3=6
    // 6: 6×2=12  5: 5×10=50 0: (check) ×0         8: 8×9=72  8: 8×8=64
    // 0: 0×7=0   0: 0×6=0   1: 1×5=5   2: 2×4=8   3: 3×3=9   4: 4×2=8
    // Sum 407 = 37×11 exactly; check digit 0.
    expect(parseVin("LHGCR265088001234")).toEqual({ ok: true, value: "LHGCR265088001234" });
  });

  it.each(["LFV2A21K863045012", "LVSHFFAL5DF123456", "LGBH52E08JY000123", "LSVAL41Z282123456"])(
    "accepts the valid Chinese VIN %s",
    (vin) => {
      expect(parseVin(vin)).toEqual({ ok: true, value: vin });
    },
  );

  it("trims, removes spaces and dashes, and upper-cases", () => {
    expect(parseVin("  lsgpc52u6a-f10 2554 ")).toEqual({ ok: true, value: "LSGPC52U6AF102554" });
  });

  it("upper-cases a lower-case x check digit", () => {
    expect(parseVin("1m8gdm9axkp042788")).toEqual({ ok: true, value: "1M8GDM9AXKP042788" });
  });

  it("folds full-width characters typed with a Chinese IME", () => {
    expect(parseVin("ＬＳＧＰＣ５２Ｕ６ＡＦ１０２５５４")).toEqual({ ok: true, value: "LSGPC52U6AF102554" });
  });

  it("rejects an empty or blank answer as empty", () => {
    expect(parseVin("")).toEqual({ ok: false, reason: "empty" });
    expect(parseVin("  - ")).toEqual({ ok: false, reason: "empty" });
  });

  it("rejects 16 or 18 characters as the wrong length", () => {
    expect(parseVin("LSGPC52U6AF10255")).toEqual({ ok: false, reason: "vin_length" });
    expect(parseVin("LSGPC52U6AF1025544")).toEqual({ ok: false, reason: "vin_length" });
  });

  it.each(["LSGPC52U6AF1O2554", "LSGPC52U6AF1I2554", "LSGPC52U6AF1Q2554"])(
    "rejects the excluded letters I, O and Q in %s",
    (vin) => {
      expect(parseVin(vin)).toEqual({ ok: false, reason: "vin_characters" });
    },
  );

  it("rejects punctuation and Chinese characters", () => {
    expect(parseVin("LSGPC52U6AF10255.")).toEqual({ ok: false, reason: "vin_characters" });
    expect(parseVin("车架号LSGPC52U6AF102554")).toEqual({ ok: false, reason: "vin_characters" });
  });

  it("rejects a VIN whose check digit does not match", () => {
    expect(parseVin("LSGPC52U7AF102554")).toEqual({ ok: false, reason: "vin_check_digit" });
    expect(parseVin("1M8GDM9A0KP042788")).toEqual({ ok: false, reason: "vin_check_digit" });
  });

  it("rejects a single mistyped character through the check digit", () => {
    expect(parseVin("LSGPC52U6AF102555")).toEqual({ ok: false, reason: "vin_check_digit" });
  });
});
