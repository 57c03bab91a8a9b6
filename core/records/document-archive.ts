import type { Locale } from "../messages/locale.js";

/** What the archive keeps: records as PDF and XLSX, and the charts drawn for them as PNG. */
export const DOCUMENT_FORMATS = ["pdf", "xlsx", "png"] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];
/** The formats a record (a form, a daily record) is made in; its charts come as PNG beside it. */
export const RECORD_FORMATS = ["pdf", "xlsx"] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** A generated document as the archive keeps it (manual §4: 归档保存), without its bytes. */
export interface ArchivedDocument {
  id: number;
  /** Which record (a form name such as `major_quality_report`). */
  kind: string;
  /** What it records: the ticket's number, or the period of a daily record. */
  subject: string;
  ticketId: number | null;
  period: string | null;
  format: DocumentFormat;
  locale: Locale;
  /** The member it was made for; null: the copy filed to the leaders and QA (customer's contact masked). */
  madeFor: string | null;
  /** 1, then one more each time the same record is made again in the same format: earlier ones stay. */
  version: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  byteSize: number;
  createdAt: Date;
}

export type NewDocument = Pick<ArchivedDocument, "kind" | "subject" | "ticketId" | "period" | "format" | "locale" | "madeFor"> & { content: Uint8Array };

/** The archive of generated documents. */
export interface DocumentArchive {
  /** Keeps a document as the next version of its kind, subject and format. */
  keep(document: NewDocument): Promise<ArchivedDocument>;
  /** Newest first; only a ticket's when `ticketId` is given, only a period's (as its documents' `period` reads) when `period` is. */
  list(filter?: { ticketId?: number; period?: string }): Promise<ArchivedDocument[]>;
  /** The document and its bytes, checked against the checksum kept with them; undefined if there is no such id. */
  read(id: number): Promise<{ document: ArchivedDocument; content: Uint8Array } | undefined>;
}
