import { advanceReport, type ReportOutcome } from "../../core/dialogs/report-dialog.js";
import { emptyReportState, type ReportDialogState } from "../../core/dialogs/report-draft.js";
import type { DialogInput, StepEnv } from "../../core/dialogs/report-steps.js";
import type { Card } from "../../core/messages/card.js";
import { CATALOG, type MessageKey } from "../../core/messages/catalog.js";
import type { Locale } from "../../core/messages/locale.js";
import type { AttachmentRef } from "../../core/tickets/ticket.js";
import { DEFAULT_THRESHOLDS } from "../../core/triage/rules.js";

/** The environment the dialog runs in, with the manual's default claim thresholds. */
export const envFor = (locale: Locale): StepEnv => ({ locale, thresholds: DEFAULT_THRESHOLDS, today: "2026-11-26" });
export const ZH = envFor("zh-CN");
export const EN = envFor("en");

export const text = (value: string): DialogInput => ({ text: value });
export const choice = (id: string): DialogInput => ({ choice: id });
export const files = (...refs: AttachmentRef[]): DialogInput => ({ attachments: refs });

export const photo = (fileId: string): AttachmentRef => ({ platform: "telegram", fileId, kind: "photo" });
export const doc = (fileId: string, name: string): AttachmentRef => ({ platform: "telegram", fileId, kind: "document", name });

/** A VIN whose check digit (6) is right; see test/core/validation/vin.test.ts. */
export const VALID_VIN = "LSGPC52U6AF102554";

/** Kind, source, brand, VIN, mileage and description of an ordinary quality fault. */
export const VEHICLE_INPUTS: readonly DialogInput[] = [
  choice("fault"),
  choice("service_center"),
  choice("haise"),
  text(VALID_VIN),
  text("12000"),
  text("发动机异响，怠速抖动"),
];

/** Every severity question answered "no" / "none", in the order they are asked. */
export const ALL_NO_TRIAGE: readonly DialogInput[] = [
  choice("no"), // casualties
  choice("none"), // media
  choice("no"), // manufacturingLossComplaint
  choice("no"), // lossExceedsVehicleValue
  choice("no"), // majorAccident
  choice("none"), // complaintFrequency
  choice("none"), // salesImpact
  choice("none"), // claimAmountCny
  choice("no"), // breakdown
  choice("no"), // safetyOrPerformance (§4: important information)
  choice("no"), // batch
];

/** The sale date (unknown), no e-mail, and the customer may be told the result. */
export const CONTACT_INPUTS: readonly DialogInput[] = [choice("unknown"), choice("none"), choice("yes")];

/** Customer name, phone, contact, and no attachments. */
export const CUSTOMER_INPUTS: readonly DialogInput[] = [text("张伟"), text("13812345678"), ...CONTACT_INPUTS, choice("done")];

/** A whole report of general information, up to (not including) the summary answer. */
export const GENERAL_REPORT: readonly DialogInput[] = [...VEHICLE_INPUTS, ...ALL_NO_TRIAGE, ...CUSTOMER_INPUTS];

/** A whole level-1 report (casualties), up to the summary. */
export const CASUALTIES_REPORT: readonly DialogInput[] = [...VEHICLE_INPUTS, choice("yes"), ...CUSTOMER_INPUTS];

const INVALID_PATTERNS: RegExp[] = (Object.keys(CATALOG) as MessageKey[])
  .filter((key) => key.startsWith("invalid."))
  .flatMap((key) => [CATALOG[key].zh, CATALOG[key].en])
  .map((message) => new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\{\w+\\\}/g, ".*")}$`));

/** Whether a reply starts with one of the "invalid answer" messages. */
export const isRejection = (reply: Card | undefined): boolean =>
  reply !== undefined && (reply.tone === "error" || INVALID_PATTERNS.some((p) => p.test(reply.lines[0] ?? "")));

export interface Fed {
  /** The state after the last input that continued the dialog. */
  state: ReportDialogState;
  /** The outcome of the last input. */
  last: ReportOutcome;
  /** The replies to the last input (empty if it submitted or cancelled). */
  replies: Card[];
}

/**
 * Feeds inputs through `advanceReport` one by one, carrying the state. Throws, naming the input,
 * if any input is rejected or if the dialog ends (submit / cancel) before the last input.
 */
export function feed(inputs: readonly DialogInput[], env: StepEnv, start: ReportDialogState = emptyReportState()): Fed {
  let state = start;
  let last: ReportOutcome | undefined;
  for (const [i, input] of inputs.entries()) {
    if (last && last.kind !== "continue") {
      throw new Error(`input #${i} ${JSON.stringify(input)} was sent after the dialog ended with "${last.kind}"`);
    }
    const outcome = advanceReport(state, input, env);
    if (outcome.kind === "continue") {
      if (outcome.state === state || isRejection(outcome.replies[0])) {
        throw new Error(
          `input #${i} ${JSON.stringify(input)} was rejected: ${JSON.stringify(outcome.replies[0]?.lines)} (state ${JSON.stringify(state)})`,
        );
      }
      state = outcome.state;
    }
    last = outcome;
  }
  if (!last) throw new Error("feed() needs at least one input");
  const ended: ReportOutcome = last;
  return { state, last: ended, replies: ended.kind === "continue" ? ended.replies : [] };
}
