import type { RecordTable, RecordValue } from "../../core/records/record-document.js";
import { formatLocalTime } from "../../core/time/business-time.js";

/** UTF-8's byte order mark: without it Excel reads a CSV in the system's ANSI code page and garbles Chinese. */
export const UTF8_BOM = "\uFEFF";
/** RFC 4180: records end with CRLF. */
const CRLF = "\r\n";

/** A value as a CSV field: numbers plain (no grouping, so Excel reads them as numbers), times in the business time zone. */
function fieldOf(value: RecordValue, timeZone: string): string {
  switch (value.type) {
    case "text":
      return value.text;
    case "number":
      return String(value.value);
    case "time":
      return formatLocalTime(value.at, timeZone);
    case "date":
      return value.date;
  }
}

/** RFC 4180 §2: a field holding a comma, a double quote or a line break goes in double quotes, its quotes doubled. */
export function csvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/** A record's list as CSV for Excel: UTF-8 with a BOM, the column labels first, CRLF after every record. */
export function renderTableCsv(table: RecordTable, timeZone: string): Buffer {
  const lines = [table.columns.map((c) => csvField(c.label)), ...table.rows.map((row) => row.map((value) => csvField(fieldOf(value, timeZone))))];
  return Buffer.from(UTF8_BOM + lines.map((line) => line.join(",") + CRLF).join(""), "utf8");
}
