import { describe, expect, it } from "vitest";
import { runCli } from "../../support/run-cli.js";

const classify = async (answers: unknown) => {
  const result = await runCli(["classify"], { stdin: typeof answers === "string" ? answers : JSON.stringify(answers) });
  return { ...result, json: result.code === 0 ? JSON.parse(result.stdout) : undefined };
};

describe("npx hotline classify", () => {
  it("prints one JSON object per the manual's criteria, most severe first", async () => {
    const cases: [unknown, number | null, string[]][] = [
      [{}, null, []],
      [{ casualties: true }, 1, ["l1.casualties"]],
      [{ media: "imminent" }, 1, ["l1.media"]],
      [{ media: "exposed" }, 1, ["l1.media"]],
      [{ manufacturingLossComplaint: true }, 1, ["l1.manufacturing-loss-complaint"]],
      [{ lossExceedsVehicleValue: true }, 1, ["l1.loss-exceeds-vehicle-value"]],
      [{ claimAmountCny: 9_999 }, null, []],
      [{ claimAmountCny: 10_000 }, 3, ["l3.claim"]],
      [{ claimAmountCny: 49_999 }, 3, ["l3.claim"]],
      [{ claimAmountCny: 50_000 }, 2, ["l2.large-claim"]],
      [{ breakdown: true, majorAccident: true }, 2, ["l2.major-accident", "l3.breakdown"]],
    ];
    const results = await Promise.all(cases.map(([answers]) => classify(answers)));
    results.forEach((result, i) => {
      const [answers, level, rules] = cases[i]!;
      expect(result.code, JSON.stringify(answers)).toBe(0);
      expect(result.json.level, JSON.stringify(answers)).toBe(level);
      expect(result.json.category).toBe(level === null ? "general" : "major");
      expect(result.json.matched.map((m: { rule: string }) => m.rule), JSON.stringify(answers)).toEqual(rules);
    });
    expect(results[1]!.json.matched[0]).toEqual({ rule: "l1.casualties", level: 1, text: "造成重大质量事故，导致人员伤亡" });
  });

  it("writes the reasons in English when DEFAULT_LOCALE is en", async () => {
    const result = await runCli(["classify"], { stdin: '{"breakdown": true}', env: { DEFAULT_LOCALE: "en" } });
    expect(JSON.parse(result.stdout).matched[0].text).toBe("A breakdown on the road caused by a quality problem");
  });

  it("exits 2 naming the field for a bad value, an unknown field, or input that is not one JSON object", async () => {
    const [badValue, unknownField, notJson, notObject] = await Promise.all([
      classify({ claimAmountCny: -5 }),
      classify({ casualty: true }),
      classify("{casualties: yes"),
      classify("[1, 2]"),
    ]);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain("claimAmountCny");
    expect(unknownField.code).toBe(2);
    expect(unknownField.stderr).toContain("casualty: unknown field");
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain("not valid JSON");
    expect(notObject.code).toBe(2);
    expect(notObject.stderr).toContain("one JSON object");
    for (const result of [badValue, unknownField, notJson, notObject]) expect(result.stdout).toBe("");
  });
});
