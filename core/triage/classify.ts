import type { LocalizedText } from "../messages/locale.js";
import type { TriageAnswers, TriageField } from "./answers.js";
import { DEFAULT_THRESHOLDS, TRIAGE_RULES, type Level, type TriageThresholds } from "./rules.js";

export interface MatchedRule {
  rule: string;
  level: Level;
  text: LocalizedText;
}

export interface Classification {
  category: "general" | "major";
  /** 1 is the most severe; null for general information. */
  level: Level | null;
  /** Every criterion the answers meet, most severe first. */
  matched: MatchedRule[];
}

/** The manual's classification: the most severe level any answer meets, with every reason. Pure. */
export function classify(answers: TriageAnswers, thresholds: TriageThresholds = DEFAULT_THRESHOLDS): Classification {
  const matched = TRIAGE_RULES.filter((rule) => rule.matches(answers, thresholds))
    .map((rule) => ({ rule: rule.id, level: rule.level, text: rule.text(thresholds) }))
    .sort((a, b) => a.level - b.level);
  const level = matched[0]?.level ?? null;
  return { category: level === null ? "general" : "major", level, matched };
}

/** Whether two levels compare as "more severe" (null is general, the least severe). */
function isMoreSevere(candidate: Level | null, current: Level | null): boolean {
  return candidate !== null && (current === null || candidate < current);
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
};

/**
 * Whether some answer to `field` would make the ticket more severe than the answers so far do.
 * The dialog skips questions that can no longer change the level (once level 1 is settled, say).
 */
export function couldRaiseLevel(field: TriageField, answers: TriageAnswers, thresholds: TriageThresholds): boolean {
  const current = severestLevel(answers, thresholds);
  return POSSIBLE_VALUES[field].some((value) => isMoreSevere(severestLevel({ ...answers, [field]: value }, thresholds), current));
}

/** The level `classify` would give, without its reasons: the dialog asks this several times per message. */
function severestLevel(answers: TriageAnswers, thresholds: TriageThresholds): Level | null {
  let level: Level | null = null;
  for (const rule of TRIAGE_RULES) if (isMoreSevere(rule.level, level) && rule.matches(answers, thresholds)) level = rule.level;
  return level;
}
