import type { LocalizedText } from "../messages/locale.js";
import type { TriageAnswers, TriageField } from "./answers.js";
import { DEFAULT_THRESHOLDS, TRIAGE_RULES, type Level, type TriageThresholds } from "./rules.js";

export interface MatchedRule {
  rule: string;
  /** Null: major by §4's definition, with no level of its own. */
  level: Level | null;
  text: LocalizedText;
}

export interface Classification {
  /** Major when any criterion is met, a level's or §4's definition of important information. */
  category: "general" | "major";
  /** 1 is the most severe; null for general information and for major information still to be graded. */
  level: Level | null;
  /** Every criterion the answers meet, most severe first. */
  matched: MatchedRule[];
}

/**
 * How severe, as a rank: general 0, major to be graded 1, then levels 3, 2, 1. Grading decides the
 * level of an ungraded item, so any level ranks above it.
 */
type Rank = number;
const rankOf = (level: Level | null): Rank => (level === null ? 1 : 5 - level);
const GENERAL: Rank = 0;

/** The manual's classification: the most severe level any answer meets, with every reason. Pure. */
export function classify(answers: TriageAnswers, thresholds: TriageThresholds = DEFAULT_THRESHOLDS): Classification {
  const matched = TRIAGE_RULES.filter((rule) => rule.matches(answers, thresholds))
    .map((rule) => ({ rule: rule.id, level: rule.level, text: rule.text(thresholds) }))
    .sort((a, b) => rankOf(b.level) - rankOf(a.level));
  const level = matched[0]?.level ?? null;
  return { category: matched.length ? "major" : "general", level, matched };
}

/** Every value a triage question can take, with "the most" for the open amount. */
const POSSIBLE_VALUES: { [F in TriageField]-?: ReadonlyArray<NonNullable<TriageAnswers[F]>> } = {
  casualties: [true],
  majorAccident: [true],
  media: ["imminent", "exposed"],
  manufacturingLossComplaint: [true],
  lossExceedsVehicleValue: [true],
  complaintFrequency: ["high", "very_high"],
  salesImpact: ["possible", "direct"],
  breakdown: [true],
  claimAmountCny: [Number.MAX_SAFE_INTEGER],
  safetyOrPerformance: [true],
  batch: [true],
};

/**
 * Whether some answer to `field` would make the ticket more severe than the answers so far do.
 * The dialog skips questions that can no longer change the level (once level 1 is settled, say).
 */
export function couldRaiseLevel(field: TriageField, answers: TriageAnswers, thresholds: TriageThresholds): boolean {
  const current = severestRank(answers, thresholds);
  return POSSIBLE_VALUES[field].some((value) => severestRank({ ...answers, [field]: value }, thresholds) > current);
}

/** The rank `classify` would give, without its reasons: the dialog asks this several times per message. */
function severestRank(answers: TriageAnswers, thresholds: TriageThresholds): Rank {
  let rank = GENERAL;
  for (const rule of TRIAGE_RULES) {
    const candidate = rankOf(rule.level);
    if (candidate > rank && rule.matches(answers, thresholds)) rank = candidate;
  }
  return rank;
}
