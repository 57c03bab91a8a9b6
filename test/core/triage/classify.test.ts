import { describe, expect, it } from "vitest";
import { classify, couldRaiseLevel } from "../../../core/triage/classify.js";
import { TRIAGE_RULES, DEFAULT_THRESHOLDS } from "../../../core/triage/rules.js";
import type { TriageAnswers } from "../../../core/triage/answers.js";

const rulesOf = (answers: TriageAnswers) => classify(answers).matched.map((m) => m.rule);

describe("classify", () => {
  it("calls information with no criterion met general, with no level and no reasons", () => {
    expect(classify({})).toEqual({ category: "general", level: null, matched: [] });
    expect(classify({ casualties: false, media: "none", complaintFrequency: "none", salesImpact: "none", claimAmountCny: 0 })).toEqual({
      category: "general",
      level: null,
      matched: [],
    });
  });

  it.each<[string, TriageAnswers, string]>([
    ["casualties", { casualties: true }, "l1.casualties"],
    ["media about to expose it", { media: "imminent" }, "l1.media"],
    ["media already exposed it", { media: "exposed" }, "l1.media"],
    ["a manufacturing loss the user complained about", { manufacturingLossComplaint: true }, "l1.manufacturing-loss-complaint"],
    ["a loss above the vehicle's value", { lossExceedsVehicleValue: true }, "l1.loss-exceeds-vehicle-value"],
  ])("makes %s alone level 1", (_name, answers, rule) => {
    const result = classify(answers);
    expect(result.category).toBe("major");
    expect(result.level).toBe(1);
    expect(result.matched.map((m) => m.rule)).toEqual([rule]);
  });

  it.each<[string, TriageAnswers, string]>([
    ["a major accident without casualties", { majorAccident: true }, "l2.major-accident"],
    ["very frequent complaints", { complaintFrequency: "very_high" }, "l2.very-frequent-complaints"],
    ["a direct effect on sales", { salesImpact: "direct" }, "l2.direct-sales-impact"],
  ])("makes %s level 2", (_name, answers, rule) => {
    expect(classify(answers)).toMatchObject({ category: "major", level: 2, matched: [{ rule, level: 2 }] });
  });

  it.each<[string, TriageAnswers, string]>([
    ["frequent complaints", { complaintFrequency: "high" }, "l3.frequent-complaints"],
    ["a possible effect on sales", { salesImpact: "possible" }, "l3.possible-sales-impact"],
    ["a breakdown on the road", { breakdown: true }, "l3.breakdown"],
  ])("makes %s level 3", (_name, answers, rule) => {
    expect(classify(answers)).toMatchObject({ category: "major", level: 3, matched: [{ rule, level: 3 }] });
  });

  it.each([
    [9_999, null, []],
    [10_000, 3, ["l3.claim"]],
    [49_999, 3, ["l3.claim"]],
    [50_000, 2, ["l2.large-claim"]],
    [1_000_000, 2, ["l2.large-claim"]],
  ])("reads a claim of %i CNY as level %s (X元以上 means X or more)", (claimAmountCny, level, rules) => {
    const result = classify({ claimAmountCny });
    expect(result.level).toBe(level);
    expect(result.matched.map((m) => m.rule)).toEqual(rules);
  });

  it("takes the most severe level and lists every matched rule, most severe first", () => {
    const result = classify({ breakdown: true, claimAmountCny: 60_000, media: "exposed", majorAccident: true });
    expect(result.level).toBe(1);
    expect(result.matched.map((m) => [m.rule, m.level])).toEqual([
      ["l1.media", 1],
      ["l2.major-accident", 2],
      ["l2.large-claim", 2],
      ["l3.breakdown", 3],
    ]);
  });

  it("does not call an accident with casualties a level-2 accident without casualties", () => {
    expect(rulesOf({ majorAccident: true, casualties: true })).toEqual(["l1.casualties"]);
  });

  it("uses the organisation's thresholds, in the reasons' wording too", () => {
    const thresholds = { level2ClaimCny: 80_000, level3ClaimCny: 20_000 };
    expect(classify({ claimAmountCny: 50_000 }, thresholds).level).toBe(3);
    expect(classify({ claimAmountCny: 19_999 }, thresholds).level).toBeNull();
    const [reason] = classify({ claimAmountCny: 80_000 }, thresholds).matched;
    expect(reason?.text).toEqual({ zh: "顾客索赔金额8万元以上", en: "A customer claim of 80,000 CNY or more" });
  });

  it("gives every rule a unique stable id and text in both languages", () => {
    const ids = TRIAGE_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of TRIAGE_RULES) {
      const text = rule.text(DEFAULT_THRESHOLDS);
      expect(text.zh.length).toBeGreaterThan(0);
      expect(text.en.length).toBeGreaterThan(0);
    }
  });
});

describe("couldRaiseLevel", () => {
  it("lets every question matter while nothing is known", () => {
    for (const field of ["casualties", "media", "breakdown", "claimAmountCny"] as const) {
      expect(couldRaiseLevel(field, {}, DEFAULT_THRESHOLDS)).toBe(true);
    }
  });

  it("stops asking anything once level 1 is settled", () => {
    for (const field of ["media", "majorAccident", "complaintFrequency", "claimAmountCny", "breakdown"] as const) {
      expect(couldRaiseLevel(field, { casualties: true }, DEFAULT_THRESHOLDS)).toBe(false);
    }
  });

  it("keeps level-1 questions but drops level-2 and level-3 ones once level 2 is settled", () => {
    const level2 = { majorAccident: true };
    expect(couldRaiseLevel("lossExceedsVehicleValue", level2, DEFAULT_THRESHOLDS)).toBe(true);
    expect(couldRaiseLevel("claimAmountCny", level2, DEFAULT_THRESHOLDS)).toBe(false);
    expect(couldRaiseLevel("breakdown", level2, DEFAULT_THRESHOLDS)).toBe(false);
  });

  it("still asks the claim after a level-3 answer, since a large claim makes it level 2", () => {
    expect(couldRaiseLevel("claimAmountCny", { breakdown: true }, DEFAULT_THRESHOLDS)).toBe(true);
  });

  it("agrees with classify: a question matters exactly when one of its answers gives a more severe level", () => {
    const values: { [F in keyof TriageAnswers]-?: TriageAnswers[F][] } = {
      casualties: [undefined, false, true],
      majorAccident: [undefined, true],
      media: [undefined, "none", "exposed"],
      manufacturingLossComplaint: [undefined, true],
      lossExceedsVehicleValue: [undefined, true],
      complaintFrequency: [undefined, "high", "very_high"],
      salesImpact: [undefined, "possible", "direct"],
      breakdown: [undefined, true],
      claimAmountCny: [undefined, 1_000, 500_000],
      safetyOrPerformance: [undefined, false, true],
      batch: [undefined, true],
    };
    // Ranked as couldRaiseLevel ranks: general, then major to be graded, then levels 3, 2, 1.
    const severity = (answers: TriageAnswers) => {
      const c = classify(answers);
      return c.category === "general" ? 5 : (c.level ?? 4);
    };
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 500; i++) {
      const answers = Object.fromEntries(Object.entries(values).map(([field, options]) => [field, options[Math.floor(random() * options.length)]]));
      const known = Object.fromEntries(Object.entries(answers).filter(([, v]) => v !== undefined)) as TriageAnswers;
      for (const field of Object.keys(values) as (keyof TriageAnswers)[]) {
        const raises = values[field].some((value) => value !== undefined && severity({ ...known, [field]: value }) < severity(known));
        expect(couldRaiseLevel(field, known, DEFAULT_THRESHOLDS), `${field} after ${JSON.stringify(known)}`).toBe(raises);
      }
    }
  });
});

describe("important information no level covers (§4 重要质量信息)", () => {
  it("is major with its level to be graded, for whole-vehicle performance or safety, or a batch", () => {
    expect(classify({ safetyOrPerformance: true })).toEqual({
      category: "major",
      level: null,
      matched: [{ rule: "major.safety-or-performance", level: null, text: { zh: "影响整车性能及人身安全", en: "Affects the whole vehicle's performance or personal safety" } }],
    });
    expect(classify({ batch: true }).matched.map((m) => m.rule)).toEqual(["major.batch"]);
  });

  it("takes a level's criteria first, listing the importance criteria after them", () => {
    const graded = classify({ batch: true, breakdown: true });
    expect([graded.category, graded.level]).toEqual(["major", 3]);
    expect(graded.matched.map((m) => m.rule)).toEqual(["l3.breakdown", "major.batch"]);
  });
});
