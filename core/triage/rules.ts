import type { LocalizedText } from "../messages/locale.js";
import type { TriageAnswers } from "./answers.js";

export type Level = 1 | 2 | 3;

/** The amounts that tip a claim into a level; the organisation file may tune them. */
export interface TriageThresholds {
  /** A claim of this many CNY or more is level 2 (manual: 5万元以上). @defaultValue 50000 */
  level2ClaimCny: number;
  /** A claim of this many CNY or more is level 3 (manual: 1万元以上). @defaultValue 10000 */
  level3ClaimCny: number;
}

export const DEFAULT_THRESHOLDS: TriageThresholds = { level2ClaimCny: 50_000, level3ClaimCny: 10_000 };

/** One criterion of the manual. Its id is stable: tickets record it. */
export interface TriageRule {
  id: string;
  /** Null: the answer makes the item major (§4 重要质量信息) without meeting a level's criteria. */
  level: Level | null;
  text: (thresholds: TriageThresholds) => LocalizedText;
  matches: (answers: TriageAnswers, thresholds: TriageThresholds) => boolean;
}

const fixed = (zh: string, en: string) => () => ({ zh, en });
const wan = (cny: number) => `${cny / 10_000}万元`;

/** The manual's criteria, most severe first, then §4's definition of important information. "X元以上" is read as "X or more". */
export const TRIAGE_RULES: readonly TriageRule[] = [
  {
    id: "l1.casualties",
    level: 1,
    text: fixed("造成重大质量事故，导致人员伤亡", "A major quality accident with casualties"),
    matches: (a) => a.casualties === true,
  },
  {
    id: "l1.media",
    level: 1,
    text: fixed("媒体即将曝光或已曝光，对公司声誉造成重大损失", "Media about to expose or already exposed it, with major damage to the company's reputation"),
    matches: (a) => a.media === "imminent" || a.media === "exposed",
  },
  {
    id: "l1.manufacturing-loss-complaint",
    level: 1,
    text: fixed("由制造失误造成用户损失，而产生用户投诉", "A manufacturing fault caused the user a loss and the user complained"),
    matches: (a) => a.manufacturingLossComplaint === true,
  },
  {
    id: "l1.loss-exceeds-vehicle-value",
    level: 1,
    text: fixed("对公司损失超过车辆本身价值", "The company's loss exceeds the vehicle's own value"),
    matches: (a) => a.lossExceedsVehicleValue === true,
  },
  {
    id: "l2.major-accident",
    level: 2,
    text: fixed("造成重大质量事故，未导致人员伤亡", "A major quality accident without casualties"),
    matches: (a) => a.majorAccident === true && a.casualties !== true,
  },
  {
    id: "l2.very-frequent-complaints",
    level: 2,
    text: fixed("顾客抱怨频次非常高的功能缺陷", "A functional defect customers complain about very frequently"),
    matches: (a) => a.complaintFrequency === "very_high",
  },
  {
    id: "l2.direct-sales-impact",
    level: 2,
    text: fixed("直接影响公司销售的质量问题", "A quality problem that directly affects sales"),
    matches: (a) => a.salesImpact === "direct",
  },
  {
    id: "l2.large-claim",
    level: 2,
    text: (t) => ({ zh: `顾客索赔金额${wan(t.level2ClaimCny)}以上`, en: `A customer claim of ${t.level2ClaimCny.toLocaleString("en")} CNY or more` }),
    matches: (a, t) => (a.claimAmountCny ?? 0) >= t.level2ClaimCny,
  },
  {
    id: "l3.frequent-complaints",
    level: 3,
    text: fixed("顾客抱怨频次较高的质量缺陷", "A quality defect customers complain about frequently"),
    matches: (a) => a.complaintFrequency === "high",
  },
  {
    id: "l3.possible-sales-impact",
    level: 3,
    text: fixed("可能影响公司销售的质量信息", "Quality information that may affect sales"),
    matches: (a) => a.salesImpact === "possible",
  },
  {
    id: "l3.breakdown",
    level: 3,
    text: fixed("因质量问题导致车辆抛锚", "A breakdown on the road caused by a quality problem"),
    matches: (a) => a.breakdown === true,
  },
  {
    id: "l3.claim",
    level: 3,
    text: (t) => ({ zh: `顾客索赔金额${wan(t.level3ClaimCny)}以上`, en: `A customer claim of ${t.level3ClaimCny.toLocaleString("en")} CNY or more` }),
    matches: (a, t) => {
      const claim = a.claimAmountCny ?? 0;
      return claim >= t.level3ClaimCny && claim < t.level2ClaimCny;
    },
  },
  // §4: 重要质量信息指影响整车性能及人身安全、涉及公司声誉以及批量大…: important whatever its level.
  // Reputation and heavy losses are the level criteria above; these two have none of their own.
  {
    id: "major.safety-or-performance",
    level: null,
    text: fixed("影响整车性能及人身安全", "Affects the whole vehicle's performance or personal safety"),
    matches: (a) => a.safetyOrPerformance === true,
  },
  {
    id: "major.batch",
    level: null,
    text: fixed("涉及批量质量问题", "Concerns a batch of vehicles"),
    matches: (a) => a.batch === true,
  },
];

export function findRule(id: string): TriageRule | undefined {
  return TRIAGE_RULES.find((rule) => rule.id === id);
}
