import type { Card, CardField, Choice } from "../messages/card.js";
import { CATALOG, t, type MessageKey, type MessageParams } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import { BRANDS, TICKET_KINDS, TICKET_SOURCES, type AttachmentRef } from "../tickets/ticket.js";
import type { TriageAnswers, TriageField } from "../triage/answers.js";
import { couldRaiseLevel } from "../triage/classify.js";
import type { TriageThresholds } from "../triage/rules.js";
import { parseAmountCny } from "../validation/amount.js";
import { parseEmail } from "../validation/email.js";
import { parseMileageKm } from "../validation/mileage.js";
import { parsePhone } from "../validation/phone.js";
import type { ParseResult } from "../validation/result.js";
import { parseSaleDate } from "../validation/sale-date.js";
import { parseVin } from "../validation/vin.js";
import type { ReportDraft } from "./report-draft.js";

/** What a member sent: text, a pressed button, files. */
export interface DialogInput {
  text?: string | undefined;
  choice?: string | undefined;
  attachments?: AttachmentRef[] | undefined;
}

export interface StepEnv {
  locale: Locale;
  thresholds: TriageThresholds;
  /** The business day (YYYY-MM-DD): a sale date cannot be later. */
  today: string;
}

export type StepResult = { ok: true; draft: ReportDraft } | { ok: false; reason: MessageKey; params?: MessageParams };

/** One question of the report dialog. */
export interface Step {
  id: string;
  /** The label of the answer in the summary and the edit menu. */
  label: MessageKey;
  isAnswered(draft: ReportDraft): boolean;
  /** Adaptive steps return false once their answer could no longer matter. */
  applies(draft: ReportDraft, env: StepEnv): boolean;
  prompt(draft: ReportDraft, env: StepEnv): Card;
  accept(input: DialogInput, draft: ReportDraft, env: StepEnv): StepResult;
  clear(draft: ReportDraft): ReportDraft;
  summary(draft: ReportDraft, env: StepEnv): string | undefined;
}

const MAX_TEXT = 2000;
const MAX_NAME = 50;

interface Option<V> {
  id: string;
  value: V;
  label: MessageKey;
  /** Other words people type for this option. */
  synonyms?: string[];
}

const YES_NO: Option<boolean>[] = [
  { id: "yes", value: true, label: "yes", synonyms: ["y", "yes", "是", "有", "是的", "对"] },
  { id: "no", value: false, label: "no", synonyms: ["n", "no", "否", "没有", "无", "不是", "没"] },
];

const choicesOf = (options: readonly Option<unknown>[], locale: Locale): Choice[] =>
  options.map((o) => ({ id: o.id, label: t(locale, o.label) }));

/**
 * Finds the option a member meant: a pressed button, its number in the list (WeCom and the
 * terminal show numbered options), or its label in either language.
 */
export function matchOption<V>(input: DialogInput, options: Option<V>[], { byNumber = true } = {}): Option<V> | undefined {
  if (input.choice !== undefined) return options.find((o) => o.id === input.choice);
  const text = input.text?.trim().toLowerCase();
  if (!text) return undefined;
  const index = byNumber && /^\d+$/.test(text) ? Number(text) - 1 : -1;
  if (index >= 0) return options[index];
  return options.find((o) => {
    const labels = [o.id, CATALOG[o.label].zh, CATALOG[o.label].en, ...(o.synonyms ?? [])];
    return labels.some((label) => label.toLowerCase() === text);
  });
}

const question = (key: MessageKey, locale: Locale, choices?: Choice[], params?: MessageParams): Card => ({
  lines: [t(locale, key, params)],
  choices,
  tone: "question",
});

/** A question answered by typing (a VIN, a number): its buttons are shortcuts, typed digits are the answer. */
const typedQuestion = (key: MessageKey, locale: Locale, choices?: Choice[]): Card => ({ ...question(key, locale, choices), typedAnswer: true });

type PlainField = "kind" | "source" | "brand" | "vin" | "mileageKm" | "saleDate" | "description" | "customerName" | "customerPhone" | "customerEmail" | "contactCustomer";

/** What every question stored in one draft field shares: answered once the key is present. */
function draftField(field: PlainField): Pick<Step, "id" | "label" | "isAnswered" | "applies" | "clear"> {
  return {
    id: field,
    label: `field.${field}`,
    isAnswered: (d) => d[field] !== undefined,
    applies: () => true,
    clear: (d) => ({ ...d, [field]: undefined }),
  };
}

function choiceStep<K extends "kind" | "source" | "brand", V extends NonNullable<ReportDraft[K]>>(
  field: K,
  ask: MessageKey,
  options: Option<V>[],
): Step {
  return {
    ...draftField(field),
    prompt: (_d, env) => question(ask, env.locale, choicesOf(options, env.locale)),
    accept: (input, draft) => {
      const option = matchOption(input, options);
      return option ? { ok: true, draft: { ...draft, [field]: option.value } } : { ok: false, reason: "invalid.choice" };
    },
    summary: (d, env) => {
      const option = options.find((o) => o.value === d[field]);
      return option && t(env.locale, option.label);
    },
  };
}

const UNKNOWN: Option<null> = { id: "unknown", value: null, label: "unknown", synonyms: ["不知道", "无", "skip", "跳过", "-"] };

/** A typed answer checked by a parser; `optional` steps offer "Unknown". */
/** An e-mail address nobody gave: "None" rather than "Unknown". */
const NO_EMAIL: Option<null> = { id: "none", value: null, label: "email.none", synonyms: ["无", "没有", "none", "no", "skip", "跳过", "-"] };

function parsedStep<K extends "vin" | "mileageKm" | "saleDate" | "customerPhone" | "customerEmail", V>(
  field: K,
  ask: MessageKey,
  parse: (text: string, env: StepEnv) => ParseResult<V>,
  store: (value: V) => NonNullable<ReportDraft[K]>,
  options: { optional: boolean; none?: Option<null>; show?: (d: ReportDraft) => string | undefined },
): Step {
  const none = options.none ?? UNKNOWN;
  return {
    ...draftField(field),
    prompt: (_d, env) => typedQuestion(ask, env.locale, options.optional ? choicesOf([none], env.locale) : undefined),
    accept: (input, draft, env) => {
      if (options.optional && matchOption(input, [none], { byNumber: false })) return { ok: true, draft: { ...draft, [field]: null } };
      const parsed = parse(input.text ?? "", env);
      return parsed.ok ? { ok: true, draft: { ...draft, [field]: store(parsed.value) } } : { ok: false, reason: `invalid.${parsed.reason}` };
    },
    summary: (d, env) => (d[field] === null ? t(env.locale, none.label) : (options.show?.(d) ?? String(d[field] ?? ""))),
  };
}

function freeTextStep(field: "description" | "customerName", ask: MessageKey, min: number, max: number): Step {
  return {
    ...draftField(field),
    prompt: (_d, env) => question(ask, env.locale),
    accept: (input, draft) => {
      const text = (input.text ?? "").trim();
      if (!text) return { ok: false, reason: "invalid.empty" };
      if ([...text].length < min) return { ok: false, reason: "invalid.description_short" };
      if ([...text].length > max) return { ok: false, reason: "invalid.too_long", params: { max } };
      return { ok: true, draft: { ...draft, [field]: text } };
    },
    summary: (d) => d[field],
  };
}

/** A triage question; asked only while some answer to it could still raise the level. */
function triageStep<F extends TriageField>(field: F, options: Option<NonNullable<TriageAnswers[F]>>[] | "amount"): Step {
  const ask = `ask.${field}` as MessageKey;
  const noClaim: Option<number> = { id: "none", value: 0, label: "claim.none", synonyms: ["无", "没有", "0", "no", "none"] };
  return {
    id: `triage.${field}`,
    label: "field.triage",
    isAnswered: (d) => d.triage[field] !== undefined,
    applies: (d, env) => couldRaiseLevel(field, d.triage, env.thresholds),
    prompt: (_d, env) =>
      options === "amount" ? typedQuestion(ask, env.locale, choicesOf([noClaim], env.locale)) : question(ask, env.locale, choicesOf(options, env.locale)),
    accept: (input, draft) => {
      const setTo = (value: unknown): StepResult => ({ ok: true, draft: { ...draft, triage: { ...draft.triage, [field]: value } } });
      if (options === "amount") {
        if (matchOption(input, [noClaim], { byNumber: false })) return setTo(0);
        const parsed = parseAmountCny(input.text ?? "");
        return parsed.ok ? setTo(parsed.value) : { ok: false, reason: `invalid.${parsed.reason}` };
      }
      const option = matchOption(input, options);
      return option ? setTo(option.value) : { ok: false, reason: "invalid.choice" };
    },
    clear: (d) => {
      const { [field]: _removed, ...rest } = d.triage;
      return { ...d, triage: rest };
    },
    summary: () => undefined,
  };
}

/** §4: the result goes back to the customer, unless they asked not to be contacted. */
const contactStep: Step = {
  ...draftField("contactCustomer"),
  prompt: (_d, env) => question("ask.contactCustomer", env.locale, choicesOf(YES_NO, env.locale)),
  accept: (input, draft) => {
    const option = matchOption(input, YES_NO);
    return option ? { ok: true, draft: { ...draft, contactCustomer: option.value } } : { ok: false, reason: "invalid.choice" };
  },
  summary: (d, env) => (d.contactCustomer === undefined ? undefined : t(env.locale, d.contactCustomer ? "yes" : "no")),
};

const attachmentsStep: Step = {
  id: "attachments",
  label: "field.attachments",
  isAnswered: (d) => d.attachmentsDone === true,
  applies: () => true,
  prompt: (d, env) =>
    question(d.attachments.length ? "attachments.received" : "ask.attachments", env.locale, [{ id: "done", label: t(env.locale, "done") }], {
      count: d.attachments.length,
    }),
  accept: (input, draft) => {
    if (input.attachments?.length) return { ok: true, draft: { ...draft, attachments: [...draft.attachments, ...input.attachments] } };
    const done: Option<true> = { id: "done", value: true, label: "done", synonyms: ["ok", "好", "好了", "没有", "无", "skip", "跳过"] };
    if (matchOption(input, [done])) return { ok: true, draft: { ...draft, attachmentsDone: true } };
    return { ok: false, reason: "invalid.attachment_expected" };
  },
  clear: (d) => ({ ...d, attachments: [], attachmentsDone: undefined }),
  summary: (d) => String(d.attachments.length),
};

const enumOptions = <V extends string>(values: readonly V[], prefix: string): Option<V>[] =>
  values.map((value) => ({ id: value, value, label: `${prefix}.${value}` as MessageKey }));

/**
 * The report dialog's questions in order (DESIGN.md "Handling"): what, where from, which
 * vehicle, what happened, the manual's severity questions (most severe criteria first, so an
 * early level 1 ends the triage), the customer (the sale date is on their invoice; an e-mail and
 * whether they may be told the result), then files.
 */
export const REPORT_STEPS: readonly Step[] = [
  choiceStep("kind", "ask.kind", enumOptions(TICKET_KINDS, "kind")),
  choiceStep("source", "ask.source", enumOptions(TICKET_SOURCES, "source")),
  choiceStep("brand", "ask.brand", enumOptions(BRANDS, "brand")),
  parsedStep("vin", "ask.vin", parseVin, (vin) => vin, { optional: true }),
  parsedStep("mileageKm", "ask.mileage", parseMileageKm, (km) => km, {
    optional: true,
    show: (d) => `${d.mileageKm?.toLocaleString("en")} km`,
  }),
  freeTextStep("description", "ask.description", 5, MAX_TEXT),
  triageStep("casualties", YES_NO),
  triageStep("media", enumOptions(["none", "imminent", "exposed"] as const, "media")),
  triageStep("manufacturingLossComplaint", YES_NO),
  triageStep("lossExceedsVehicleValue", YES_NO),
  triageStep("majorAccident", YES_NO),
  triageStep("complaintFrequency", enumOptions(["none", "high", "very_high"] as const, "frequency")),
  triageStep("salesImpact", enumOptions(["none", "possible", "direct"] as const, "sales")),
  triageStep("claimAmountCny", "amount"),
  triageStep("breakdown", YES_NO),
  // §4's definition of important information, asked only while no level's criteria are met.
  triageStep("safetyOrPerformance", YES_NO),
  triageStep("batch", YES_NO),
  freeTextStep("customerName", "ask.customerName", 1, MAX_NAME),
  parsedStep("customerPhone", "ask.customerPhone", parsePhone, (phone) => phone.display, { optional: false }),
  // §5: repairs within the warranty period follow the warranty rules; it starts at the sale.
  parsedStep("saleDate", "ask.saleDate", (text, env) => parseSaleDate(text, env.today), (date) => date, { optional: true }),
  parsedStep("customerEmail", "ask.customerEmail", parseEmail, (address) => address, { optional: true, none: NO_EMAIL }),
  contactStep,
  attachmentsStep,
];

/** The answers shown before submitting, one field per answered question (triage shown as its result). */
export function summaryFields(draft: ReportDraft, env: StepEnv): CardField[] {
  return REPORT_STEPS.flatMap((step) => {
    const value = step.isAnswered(draft) ? step.summary(draft, env) : undefined;
    return value === undefined ? [] : [{ label: t(env.locale, step.label), value }];
  });
}
