import { existsSync } from "node:fs";
import PDFDocument from "pdfkit";
import { t } from "../../core/messages/catalog.js";
import type { RecordDocument, RecordTable, RecordValue } from "../../core/records/record-document.js";
import { formatLocalTime } from "../../core/time/business-time.js";
import { parsedFont, type FontFace } from "./font-faces.js";

/** The font a PDF is set in: a file with Chinese in it, and the face to use when it is a collection. */
export type { FontFace as PdfFont } from "./font-faces.js";

/** The PDF could not be set: its font is missing or unusable. Says which file and how to fix it. */
export class DocumentFontMissing extends Error {
  override readonly name = "DocumentFontMissing";
}

const MARGIN = 48;
const LABEL_WIDTH = 130;
const PAD = 4;
/** Points: the least a column of free text gets, about eight Chinese characters at the table's size. */
const FREE_TEXT_MIN_WIDTH = 80;
const WIDTH_SAMPLE_ROWS = 200;
/** Columns of codes a reader copies whole: never wrapped while anything else can give way. */
const UNBROKEN = new Set(["number", "phone", "vin"]);
/** Points: a quarter of a landscape A4 page's height. */
const PICTURE_MAX_HEIGHT = 140;
const SIZES = { organisation: 10, title: 18, subtitle: 9, heading: 11, body: 9.5, table: 8.5, footer: 8 };
/** Columns of free text, which take the room a table has to spare. */
const FREE_TEXT = new Set(["text", "entry", "reason", "outcome", "topic", "done", "handling", "measures", "result", "description"]);
const COLOURS = { band: "#E8EEF4", rule: "#C8D0D8", muted: "#555555", text: "#000000" };

/** A value as the PDF prints it: numbers grouped, times in the business time zone. */
export function printed(value: RecordValue, timeZone: string): string {
  switch (value.type) {
    case "text":
      return value.text;
    case "number":
      if (value.unit === "share") return `${(value.value * 100).toFixed(1)}%`;
      if (value.unit === "minutes") return value.value.toLocaleString("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
      return value.value.toLocaleString("en", value.unit === "cny" ? { minimumFractionDigits: 2, maximumFractionDigits: 2 } : {});
    case "time":
      return formatLocalTime(value.at, timeZone);
    case "date":
      return value.date;
  }
}

function openFont(doc: PDFKit.PDFDocument, font: FontFace): void {
  if (!existsSync(font.path)) {
    throw new DocumentFontMissing(`the PDF font ${font.path} (DOCUMENT_FONT) is missing: install Debian's fonts-noto-cjk, or set DOCUMENT_FONT to a font file with Chinese in it`);
  }
  try {
    // pdfkit 0.20 takes a fontkit font as it is (anything with a `layout`).
    doc.registerFont("body", parsedFont(font) as unknown as string);
    doc.font("body");
  } catch (error) {
    throw new DocumentFontMissing(`the PDF font ${font.path} (DOCUMENT_FONT, face ${font.face} from DOCUMENT_FONT_FACE) could not be used: ${(error as Error).message}`);
  }
}

/** A PNG to print with the record (a chart), and its size in pixels. */
export interface PdfPicture {
  png: Buffer;
  width: number;
  height: number;
}

/**
 * The record as an A4 PDF set in a CJK font: the title with the organisation's name, each section
 * as label and value, its pictures across the page, each list as a table whose header repeats on a
 * new page, page numbers below. Landscape when the record asks for it.
 */
export async function renderRecordPdf(record: RecordDocument, font: FontFace, options: { pictures?: readonly PdfPicture[] } = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    layout: record.landscape ? "landscape" : "portrait",
    margin: MARGIN,
    bufferPages: true,
    info: { Title: `${record.title} ${record.subtitle}`, Author: record.organisation, CreationDate: record.madeAt },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve);
    doc.on("error", reject);
  });
  try {
    openFont(doc, font);
  } catch (error) {
    doc.end();
    throw error;
  }
  const page = new Page(doc);

  doc.fillColor(COLOURS.muted).fontSize(SIZES.organisation).text(record.organisation, { align: "center" });
  doc.moveDown(0.2).fillColor(COLOURS.text).fontSize(SIZES.title).text(record.title, { align: "center" });
  doc.moveDown(0.2).fillColor(COLOURS.muted).fontSize(SIZES.subtitle).text(record.subtitle, { align: "center" });
  doc.moveDown(0.8);

  for (const section of record.sections) {
    page.band(section.heading);
    for (const field of section.fields) page.row([field.label, printed(field.value, record.timeZone)], [LABEL_WIDTH, page.width - LABEL_WIDTH], SIZES.body, { labelled: true });
    doc.moveDown(0.6);
  }
  if (options.pictures?.length) {
    page.band(t(record.locale, "document.section.chart"));
    doc.moveDown(0.3);
    for (const picture of options.pictures) page.picture(picture);
    doc.moveDown(0.6);
  }
  for (const table of record.tables) {
    page.table(table, record);
    doc.moveDown(0.6);
  }

  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Writing in the bottom margin would start a page of its own.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.fillColor(COLOURS.muted).fontSize(SIZES.footer).text(t(record.locale, "document.page", { page: i - start + 1, pages: count }), MARGIN, doc.page.height - MARGIN / 2 - SIZES.footer, { width: page.width, align: "center" });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

/** Where on the page the next row goes, and the rows and bands drawn there. */
class Page {
  readonly width: number;

  constructor(private readonly doc: PDFKit.PDFDocument) {
    this.width = doc.page.width - 2 * MARGIN;
  }

  private get bottom() {
    return this.doc.page.height - MARGIN;
  }

  /** Starts a new page when `height` does not fit; true when it did. */
  private ensure(height: number): boolean {
    if (this.doc.y + height <= this.bottom) return false;
    this.doc.addPage();
    return true;
  }

  /**
   * A picture as wide as the page allows, never enlarged and no taller than PICTURE_MAX_HEIGHT (so a
   * quiet day's record with its chart stays on one page), on a new page if it does not fit.
   */
  picture(picture: PdfPicture): void {
    const width = Math.min(this.width, picture.width, (PICTURE_MAX_HEIGHT * picture.width) / picture.height);
    const height = (width * picture.height) / picture.width;
    this.ensure(height);
    const y = this.doc.y;
    this.doc.image(picture.png, MARGIN + (this.width - width) / 2, y, { width, height });
    this.doc.x = MARGIN;
    this.doc.y = y + height;
  }

  /** A heading is never left alone at the foot of a page: it needs room for `keepWith` below it (three rows of a form by default). */
  band(heading: string, keepWith = 3 * (SIZES.body + 2 * PAD)): void {
    const height = SIZES.heading + 2 * PAD + 2;
    this.ensure(height + keepWith);
    const y = this.doc.y;
    this.doc.rect(MARGIN, y, this.width, height).fill(COLOURS.band);
    this.doc.fillColor(COLOURS.text).fontSize(SIZES.heading).text(heading, MARGIN + PAD, y + PAD, { width: this.width - 2 * PAD });
    this.doc.y = y + height;
  }

  /**
   * One row of cells, as tall as its tallest cell, with a rule below; `fill` shades it (a table's
   * header), `labelled` greys its first cell (a form's label beside its value).
   */
  row(cells: string[], widths: number[], size: number, options: { fill?: string; colour?: string; labelled?: boolean; height?: number } = {}): void {
    const height = options.height ?? this.rowHeight(cells, widths, size);
    this.ensure(height);
    const y = this.doc.y;
    if (options.fill) this.doc.rect(MARGIN, y, this.width, height).fill(options.fill);
    let x = MARGIN;
    cells.forEach((cell, i) => {
      this.doc.fillColor(i === 0 && options.labelled ? COLOURS.muted : (options.colour ?? COLOURS.text));
      this.doc.text(cell, x + PAD, y + PAD, { width: widths[i]! - 2 * PAD });
      x += widths[i]!;
    });
    this.doc
      .moveTo(MARGIN, y + height)
      .lineTo(MARGIN + this.width, y + height)
      .lineWidth(0.5)
      .strokeColor(COLOURS.rule)
      .stroke();
    this.doc.x = MARGIN;
    this.doc.y = y + height;
  }

  private rowHeight(cells: string[], widths: number[], size: number): number {
    this.doc.fontSize(size);
    return Math.max(...cells.map((cell, i) => this.doc.heightOfString(cell || " ", { width: widths[i]! - 2 * PAD }))) + 2 * PAD;
  }

  /**
   * Each column as wide as its widest value or label on one line (at most a quarter of the page),
   * free text sharing what is left, at least FREE_TEXT_MIN_WIDTH each. When a table has too many
   * columns to fit, the columns of words (names, places) shrink and wrap first; those a reader
   * copies whole (numbers, phones, times) keep one line as long as anything can.
   */
  private columnWidths(table: RecordTable, rows: string[][]): number[] {
    this.doc.fontSize(SIZES.table);
    // The first rows tell a column's width well enough; measuring thousands costs more than it shows.
    const sample = rows.slice(0, WIDTH_SAMPLE_ROWS);
    const values = table.rows.slice(0, WIDTH_SAMPLE_ROWS);
    const kind = table.columns.map((column, i) => {
      if (FREE_TEXT.has(column.key)) return "free";
      const whole = UNBROKEN.has(column.key) || (values.length > 0 && values.every((row) => row[i] !== undefined && row[i].type !== "text"));
      return whole ? "whole" : "words";
    });
    const natural = table.columns.map((column, i) => {
      if (kind[i] === "free") return 0;
      const widest = Math.max(...[column.label, ...sample.map((row) => row[i] ?? "")].map((cell) => Math.max(...cell.split("\n").map((line) => this.doc.widthOfString(line)))));
      return Math.min(this.width / 4, widest + 2 * PAD + 1);
    });
    const sum = (of: "whole" | "words") => natural.reduce((total, w, i) => total + (kind[i] === of ? w : 0), 0);
    const freeCount = kind.filter((k) => k === "free").length;
    const [whole, words] = [sum("whole"), sum("words")];
    if (freeCount === 0) return natural.map((w) => (w * this.width) / (whole + words));
    const rest = this.width - whole - words;
    if (rest >= freeCount * FREE_TEXT_MIN_WIDTH) return natural.map((w, i) => (kind[i] === "free" ? rest / freeCount : w));
    const forWords = this.width - whole - freeCount * FREE_TEXT_MIN_WIDTH;
    if (forWords >= words / 2) return natural.map((w, i) => (kind[i] === "free" ? FREE_TEXT_MIN_WIDTH : kind[i] === "words" ? (w * forWords) / words : w));
    const scale = (this.width - freeCount * FREE_TEXT_MIN_WIDTH) / (whole + words);
    return natural.map((w, i) => (kind[i] === "free" ? FREE_TEXT_MIN_WIDTH : w * scale));
  }

  /** A list: its heading, its column header (again on each new page), a row per item or `无`. */
  table(table: RecordTable, record: RecordDocument): void {
    const printedRows = table.rows.map((values) => values.map((value) => printed(value, record.timeZone)));
    const widths = this.columnWidths(table, printedRows);
    const labels = table.columns.map((c) => c.label);
    const first = printedRows[0];
    // The heading goes with the column header and the first row (or the `无` of an empty list).
    this.band(table.heading, this.rowHeight(labels, widths, SIZES.table) + (first ? this.rowHeight(first, widths, SIZES.table) : SIZES.table + 2 * PAD + 4));
    const header = () => this.row(labels, widths, SIZES.table, { fill: COLOURS.band, colour: COLOURS.muted });
    header();
    if (table.rows.length === 0) {
      this.row([record.none], [this.width], SIZES.table);
      return;
    }
    for (const cells of printedRows) {
      const before = this.doc.bufferedPageRange().count;
      const height = this.rowHeight(cells, widths, SIZES.table);
      if (this.ensure(height) && this.doc.bufferedPageRange().count > before) header();
      this.row(cells, widths, SIZES.table, { height });
    }
  }
}
