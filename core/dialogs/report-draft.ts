import type { AttachmentRef, Brand, TicketKind, TicketSource } from "../tickets/ticket.js";
import type { TriageAnswers } from "../triage/answers.js";

/**
 * The answers of a report in progress. A key that is present has been answered (null means
 * "skipped / unknown"); an absent key is still to be asked.
 */
export interface ReportDraft {
  kind?: TicketKind;
  source?: TicketSource;
  brand?: Brand;
  vin?: string | null;
  mileageKm?: number | null;
  /** YYYY-MM-DD; null: unknown. */
  saleDate?: string | null;
  description?: string;
  /** Only the questions that were asked; omitted answers count as "no" for the classification. */
  triage: TriageAnswers;
  customerName?: string;
  customerPhone?: string;
  /** Null: the customer gave none. */
  customerEmail?: string | null;
  /** False: the customer asked not to be contacted. */
  contactCustomer?: boolean;
  attachments: AttachmentRef[];
  attachmentsDone?: boolean;
}

export type DialogMode = "asking" | "summary" | "choose_edit";

export interface ReportDialogState {
  draft: ReportDraft;
  mode: DialogMode;
}

export const emptyReportState = (): ReportDialogState => ({ draft: { triage: {}, attachments: [] }, mode: "asking" });
