import type { Card, Choice } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import { reasonLines, severityText } from "../tickets/ticket-card.js";
import { classify, type Classification } from "../triage/classify.js";
import type { ReportDialogState, ReportDraft } from "./report-draft.js";
import { matchOption, REPORT_STEPS, summaryFields, type DialogInput, type Step, type StepEnv } from "./report-steps.js";

export type ReportOutcome =
  | { kind: "continue"; state: ReportDialogState; replies: Card[] }
  | { kind: "submit"; draft: ReportDraft; classification: Classification }
  | { kind: "cancel" };

/** The next question: the first that applies and has no answer yet. */
export function currentStep(draft: ReportDraft, env: StepEnv): Step | undefined {
  return REPORT_STEPS.find((step) => !step.isAnswered(draft) && step.applies(draft, env));
}

/** What the member should see now: the current question, the summary, or the edit menu. */
export function promptFor(state: ReportDialogState, env: StepEnv): Card {
  if (state.mode === "choose_edit") return editMenu(state.draft, env);
  const step = currentStep(state.draft, env);
  return step ? step.prompt(state.draft, env) : summaryCard(state.draft, env);
}

export function stepIdOf(state: ReportDialogState, env: StepEnv): string {
  return state.mode === "asking" ? (currentStep(state.draft, env)?.id ?? "summary") : state.mode;
}

/** Takes one input and moves the report on; a bad answer is re-asked with the reason, never lost. */
export function advanceReport(state: ReportDialogState, input: DialogInput, env: StepEnv): ReportOutcome {
  if (state.mode === "choose_edit") return chooseEdit(state, input, env);
  const step = currentStep(state.draft, env);
  if (!step) return onSummary(state, input, env);
  const result = step.accept(input, state.draft, env);
  if (!result.ok) {
    const retry = step.prompt(state.draft, env);
    return { kind: "continue", state, replies: [{ ...retry, lines: [t(env.locale, result.reason, result.params), ...retry.lines], tone: "error" }] };
  }
  return proceed({ draft: result.draft, mode: "asking" }, env);
}

function proceed(state: ReportDialogState, env: StepEnv): ReportOutcome {
  const next: ReportDialogState = currentStep(state.draft, env) ? state : { ...state, mode: "summary" };
  return { kind: "continue", state: next, replies: [promptFor(next, env)] };
}

const SUMMARY_OPTIONS = [
  { id: "confirm", value: "confirm", label: "confirm", synonyms: ["确认", "提交", "ok", "yes", "是"] },
  { id: "edit", value: "edit", label: "edit", synonyms: ["改"] },
  { id: "cancel", value: "cancel", label: "cancel", synonyms: ["取消"] },
] as const satisfies Parameters<typeof matchOption>[1];

function summaryCard(draft: ReportDraft, env: StepEnv): Card {
  const classification = classify(draft.triage, env.thresholds);
  return {
    title: t(env.locale, "summary.title"),
    lines: [
      `${t(env.locale, "summary.severity")}: ${severityText(classification, env.locale)}`,
      ...(classification.matched.length ? [`${t(env.locale, "summary.reasons")}:`, ...reasonLines(classification.matched, env.thresholds, env.locale)] : []),
    ],
    fields: summaryFields(draft, env),
    choices: SUMMARY_OPTIONS.map((o) => ({ id: o.id, label: t(env.locale, o.label) })),
    tone: "question",
  };
}

function onSummary(state: ReportDialogState, input: DialogInput, env: StepEnv): ReportOutcome {
  const option = matchOption(input, [...SUMMARY_OPTIONS]);
  switch (option?.value) {
    case "confirm":
      return { kind: "submit", draft: state.draft, classification: classify(state.draft.triage, env.thresholds) };
    case "cancel":
      return { kind: "cancel" };
    case "edit": {
      const next: ReportDialogState = { ...state, mode: "choose_edit" };
      return { kind: "continue", state: next, replies: [editMenu(state.draft, env)] };
    }
    default: {
      const summary = summaryCard(state.draft, env);
      return { kind: "continue", state, replies: [{ ...summary, lines: [t(env.locale, "invalid.choice"), ...summary.lines], tone: "error" }] };
    }
  }
}

/** One entry per answer that can be changed; the severity questions are re-asked together. */
function editableSteps(draft: ReportDraft): Step[] {
  const answered = REPORT_STEPS.filter((step) => step.isAnswered(draft));
  return answered.filter((step, i) => answered.findIndex((other) => other.label === step.label) === i);
}

function editChoices(draft: ReportDraft, env: StepEnv): Choice[] {
  return editableSteps(draft).map((step) => ({ id: `edit:${step.id}`, label: t(env.locale, step.label) }));
}

function editMenu(draft: ReportDraft, env: StepEnv): Card {
  return { lines: [t(env.locale, "edit.which")], choices: editChoices(draft, env), tone: "question" };
}

function chooseEdit(state: ReportDialogState, input: DialogInput, env: StepEnv): ReportOutcome {
  const options = editableSteps(state.draft).map((step) => ({ id: `edit:${step.id}`, value: step, label: step.label }));
  const chosen = matchOption(input, options)?.value;
  if (!chosen) {
    const menu = editMenu(state.draft, env);
    return { kind: "continue", state, replies: [{ ...menu, lines: [t(env.locale, "invalid.choice"), ...menu.lines], tone: "error" }] };
  }
  const cleared = REPORT_STEPS.filter((step) => step.label === chosen.label).reduce((draft, step) => step.clear(draft), state.draft);
  return proceed({ draft: cleared, mode: "asking" }, env);
}
