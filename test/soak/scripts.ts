/**
 * Whole reports as a staff member types them (test/support/report-script.ts), each answer paired
 * with the reply it must get: the next question of the guided dialog, the summary, or the ticket
 * number. A reply is known by its text, so a reply that never came is never mistaken for the one
 * before it sent twice.
 */
import { CATALOG, type MessageKey } from "../../core/messages/catalog.js";
import { GENERAL_FAULT, LEVEL1_COMPLAINT, LEVEL1_FAULT, LEVEL2_FAULT } from "../support/report-script.js";

export type ReplyKey = MessageKey | "ticket.created";

export interface SoakScript {
  name: string;
  /** Typed answers; the description (the 7th) gets the report's tag appended. */
  answers: readonly string[];
  /** The reply each answer gets, by catalog key. */
  replies: readonly ReplyKey[];
}

const VEHICLE: ReplyKey[] = ["ask.kind", "ask.source", "ask.brand", "ask.vin", "ask.mileage", "ask.description"];
const CUSTOMER: ReplyKey[] = ["ask.customerName", "ask.customerPhone", "ask.saleDate", "ask.customerEmail", "ask.contactCustomer", "ask.attachments", "summary.title", "ticket.created"];
/** Where the description is typed: /new, kind, source, brand, VIN, mileage, then the description. */
export const DESCRIPTION_STEP = 6;

function script(name: string, answers: readonly string[], triage: ReplyKey[]): SoakScript {
  const replies = [...VEHICLE, ...triage, ...CUSTOMER];
  const submitted = [...answers, "1"]; // "1": the summary's first button, Submit
  if (submitted.length !== replies.length) throw new Error(`script ${name}: ${submitted.length} answers but ${replies.length} replies`);
  return { name, answers: submitted, replies };
}

export const SCRIPTS: readonly SoakScript[] = [
  script("general fault", GENERAL_FAULT, [
    "ask.casualties", "ask.media", "ask.manufacturingLossComplaint", "ask.lossExceedsVehicleValue", "ask.majorAccident",
    "ask.complaintFrequency", "ask.salesImpact", "ask.claimAmountCny", "ask.breakdown", "ask.safetyOrPerformance", "ask.batch",
  ]),
  script("level-2 fault", LEVEL2_FAULT, ["ask.casualties", "ask.media", "ask.manufacturingLossComplaint", "ask.lossExceedsVehicleValue", "ask.majorAccident"]),
  script("level-1 fault", LEVEL1_FAULT, ["ask.casualties"]),
  script("level-1 complaint", LEVEL1_COMPLAINT, ["ask.casualties", "ask.media"]),
];

const TICKET_CREATED = /(?:已登记工单|Ticket) (HL-\d{8}-\d{4})/;

/** The ticket number in a "ticket created" reply. */
export function ticketNumberIn(text: string): string | undefined {
  return TICKET_CREATED.exec(text)?.[1];
}

/** Whether a message is the reply `key` names, in either language. */
export function isReply(key: ReplyKey, text: string): boolean {
  if (key === "ticket.created") return ticketNumberIn(text) !== undefined;
  const first = text.split("\n")[0]!.trim();
  return first === CATALOG[key].zh || first === CATALOG[key].en;
}

/** A cancelled report's reply, or the answer that there was nothing to cancel. */
export const isCancelReply = (text: string) => isReply("dialog.cancelled", text) || isReply("dialog.nothing_to_cancel", text);
