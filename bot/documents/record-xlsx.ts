import ExcelJS from "exceljs";
import { t } from "../../core/messages/catalog.js";
import type { RecordDocument, RecordValue } from "../../core/records/record-document.js";
import { wallClock } from "../../core/time/business-time.js";

/** Excel refuses sheet names longer than this, or holding any of `[]:*?/\`. */
export const SHEET_NAME_MAX = 31;
const SHEET_NAME_FORBIDDEN = /[[\]:*?/\\]/g;

/** How each kind of number reads in a cell; the cell keeps the number itself. */
const NUMBER_FORMATS: Record<Extract<RecordValue, { type: "number" }>["unit"], string> = {
  km: "#,##0",
  cny: "#,##0.00",
  count: "0",
  minutes: "#,##0.0",
  share: "0.0%",
};
export const TIME_FORMAT = "yyyy-mm-dd hh:mm";
export const DATE_FORMAT = "yyyy-mm-dd";

const HEADING_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE8EEF4" } };

/**
 * A cell's value and format. Times are written as the business time zone's wall clock: a cell holds
 * no zone, and exceljs writes a Date's UTC fields, so 10:00 in Shanghai must go in as 10:00 UTC.
 */
function cellOf(value: RecordValue, timeZone: string): { value: ExcelJS.CellValue; numFmt?: string } {
  switch (value.type) {
    case "text":
      return { value: value.text };
    case "number":
      return { value: value.value, numFmt: NUMBER_FORMATS[value.unit] };
    case "time":
      return { value: wallClock(value.at, timeZone), numFmt: TIME_FORMAT };
    case "date": {
      const [year, month, day] = value.date.split("-").map(Number) as [number, number, number];
      return { value: new Date(Date.UTC(year, month - 1, day)), numFmt: DATE_FORMAT };
    }
  }
}

function setCell(cell: ExcelJS.Cell, value: RecordValue, timeZone: string): void {
  const { value: content, numFmt } = cellOf(value, timeZone);
  cell.value = content;
  if (numFmt) cell.numFmt = numFmt;
  cell.alignment = { vertical: "top", wrapText: true, horizontal: value.type === "text" ? "left" : "right" };
}

/** A sheet name Excel takes, unique in the workbook. */
function sheetName(wanted: string, taken: Set<string>): string {
  const base = wanted.replace(SHEET_NAME_FORBIDDEN, " ").trim().slice(0, SHEET_NAME_MAX) || "Sheet";
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base.slice(0, SHEET_NAME_MAX - String(n).length - 1)} ${n}`;
  taken.add(name.toLowerCase());
  return name;
}

/**
 * The record as a workbook: the form on the first sheet (title, organisation, then each section's
 * label and value), and each list on a sheet of its own, one row per item, for filtering and sums.
 */
export async function renderRecordXlsx(record: RecordDocument): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = record.organisation;
  workbook.title = record.title;
  workbook.created = record.madeAt;
  const taken = new Set<string>();

  const form = workbook.addWorksheet(sheetName(t(record.locale, "document.sheet.form"), taken), { views: [{ state: "frozen", ySplit: 3 }] });
  form.columns = [{ width: 26 }, { width: 80 }];
  const banner = (text: string, size: number) => {
    const row = form.addRow([text]);
    form.mergeCells(row.number, 1, row.number, 2);
    row.getCell(1).font = { size, bold: size > 11 };
    row.getCell(1).alignment = { horizontal: "center" };
  };
  banner(record.title, 16);
  banner(record.organisation, 11);
  banner(record.subtitle, 9);
  for (const section of record.sections) {
    form.addRow([]);
    const heading = form.addRow([section.heading]);
    form.mergeCells(heading.number, 1, heading.number, 2);
    heading.getCell(1).font = { bold: true };
    heading.getCell(1).fill = HEADING_FILL;
    for (const field of section.fields) {
      const row = form.addRow([field.label]);
      row.getCell(1).alignment = { vertical: "top" };
      setCell(row.getCell(2), field.value, record.timeZone);
    }
  }

  for (const table of record.tables) {
    const sheet = workbook.addWorksheet(sheetName(table.heading, taken), { views: [{ state: "frozen", ySplit: 1 }] });
    sheet.columns = table.columns.map((column) => ({ header: column.label, key: column.key, width: column.key === "text" || column.key === "entry" ? 60 : 20 }));
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).fill = HEADING_FILL;
    if (table.rows.length === 0) sheet.addRow([record.none]);
    for (const values of table.rows) {
      const row = sheet.addRow([]);
      values.forEach((value, i) => setCell(row.getCell(i + 1), value, record.timeZone));
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
