import type { Locale } from "../messages/locale.js";

/**
 * One value of a record, typed so that each renderer writes it as what it is: a spreadsheet keeps
 * numbers as numbers and times as dates, a PDF prints them in the business time zone.
 */
export type RecordValue =
  | { type: "text"; text: string }
  /**
   * `unit`: kilometres, yuan (CNY, two decimals), a count, minutes (a duration, one decimal) or a
   * share (0–1, shown as a percentage).
   */
  | { type: "number"; value: number; unit: "km" | "cny" | "count" | "minutes" | "share" }
  /** An instant, shown in the record's business time zone. */
  | { type: "time"; at: Date }
  /** A calendar day, `YYYY-MM-DD`, with no time of its own (a sale date). */
  | { type: "date"; date: string };

export interface RecordField {
  /** Stable across languages, for readers that look a field up (tests, later exports). */
  key: string;
  label: string;
  value: RecordValue;
}

/** A block of the form: a heading and its label–value fields. */
export interface RecordSection {
  key: string;
  heading: string;
  fields: RecordField[];
}

/** A list on the form (grading history, who was told): columns and one row per item, oldest first. */
export interface RecordTable {
  key: string;
  heading: string;
  columns: { key: string; label: string }[];
  rows: RecordValue[][];
}

/**
 * A record as a document's content, in one language, with no layout: what the PDF and the XLSX
 * renderers both draw from, so the two never say different things.
 */
export interface RecordDocument {
  /** Which of the manual's records it is (a form name, as archived). */
  kind: string;
  /** The form's title, as the organisation prints it. */
  title: string;
  /** The organisation's name, from its file. */
  organisation: string;
  /** Under the title: the number and when it was made. */
  subtitle: string;
  locale: Locale;
  /** IANA zone the times are written in. */
  timeZone: string;
  madeAt: Date;
  sections: RecordSection[];
  tables: RecordTable[];
  /** What an empty list reads: `无`. */
  none: string;
  /** Printed across the page (a daily log's many columns). @defaultValue false: portrait */
  landscape?: boolean;
}

export const text = (value: string): RecordValue => ({ type: "text", text: value });
export const time = (at: Date): RecordValue => ({ type: "time", at });
export const count = (value: number): RecordValue => ({ type: "number", value, unit: "count" });
