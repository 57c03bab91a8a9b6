import { existsSync } from "node:fs";
import PDFDocument from "pdfkit";
import { t } from "../../core/messages/catalog.js";
import type { RecordDocument, RecordTable, RecordValue } from "../../core/records/record-document.js";
import { formatLocalTime } from "../../core/time/business-time.js";

/** The font a PDF is set in: a file with Chinese in it, and the face to use when it is a collection. */
export interface PdfFont {
  path: string;
  /** PostScript name of the face in a .ttc collection, e.g. NotoSansCJKsc-Regular. */
  face: string;
}

/** The PDF could not be set: its font is missing or unusable. Says which file and how to fix it. */
export class DocumentFontMissing extends Error {
  override readonly name = "DocumentFontMissing";
}

const MARGIN = 48;
const LABEL_WIDTH = 130;
const PAD = 4;
const SIZES = { organisation: 10, title: 18, subtitle: 9, heading: 11, body: 9.5, table: 8.5, footer: 8 };
/** Columns of free text, which take the room a table has to spare. */
const FREE_TEXT = new Set(["text", "entry", "reason", "outcome"]);
const COLOURS = { band: "#E8EEF4", rule: "#C8D0D8", muted: "#555555", text: "#000000" };

/** A value as the PDF prints it: numbers grouped, times in the business time zone. */
export function printed(value: RecordValue, timeZone: string): string {
  switch (value.type) {
    case "text":
      return value.text;
    case "number":
      return value.value.toLocaleString("en", value.unit === "cny" ? { minimumFractionDigits: 2, maximumFractionDigits: 2 } : {});
    case "time":
      return formatLocalTime(value.at, timeZone);
    case "date":
      return value.date;
  }
}

function openFont(doc: PDFKit.PDFDocument, font: PdfFont): void {
  if (!existsSync(font.path)) {
    throw new DocumentFontMissing(`the PDF font ${font.path} (DOCUMENT_FONT) is missing: install Debian's fonts-noto-cjk, or set DOCUMENT_FONT to a font file with Chinese in it`);
  }
  const collection = /\.(ttc|dfont)$/i.test(font.path);
  try {
    doc.registerFont("body", font.path, collection ? font.face : undefined);
    doc.font("body");
  } catch (error) {
    throw new DocumentFontMissing(`the PDF font ${font.path} (DOCUMENT_FONT, face ${font.face} from DOCUMENT_FONT_FACE) could not be used: ${(error as Error).message}`);
  }
}

/**
 * The record as an A4 PDF set in a CJK font: the title with the organisation's name, each section
 * as label and value, each list as a table whose header repeats on a new page, page numbers below.
 */
export async function renderRecordPdf(record: RecordDocument, font: PdfFont): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
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

  band(heading: string): void {
    const height = SIZES.heading + 2 * PAD + 2;
    // A heading is never left alone at the foot of a page.
    this.ensure(height + 3 * (SIZES.body + 2 * PAD));
    const y = this.doc.y;
    this.doc.rect(MARGIN, y, this.width, height).fill(COLOURS.band);
    this.doc.fillColor(COLOURS.text).fontSize(SIZES.heading).text(heading, MARGIN + PAD, y + PAD, { width: this.width - 2 * PAD });
    this.doc.y = y + height;
  }

  /**
   * One row of cells, as tall as its tallest cell, with a rule below; `fill` shades it (a table's
   * header), `labelled` greys its first cell (a form's label beside its value).
   */
  row(cells: string[], widths: number[], size: number, options: { fill?: string; colour?: string; labelled?: boolean } = {}): void {
    this.doc.fontSize(size);
    const heights = cells.map((cell, i) => this.doc.heightOfString(cell || " ", { width: widths[i]! - 2 * PAD }));
    const height = Math.max(...heights) + 2 * PAD;
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

  /** A list: its heading, its column header (again on each new page), a row per item or `无`. */
  table(table: RecordTable, record: RecordDocument): void {
    this.band(table.heading);
    // Free text gets three shares of the width, a time (2026-11-26 10:40) enough for one line, the rest one.
    const shares = table.columns.map((c) => (FREE_TEXT.has(c.key) ? 3 : c.key === "at" || c.key.endsWith("_at") ? 1.5 : 1));
    const unit = this.width / shares.reduce((a, b) => a + b, 0);
    const widths = shares.map((share) => share * unit);
    const header = () => this.row(table.columns.map((c) => c.label), widths, SIZES.table, { fill: COLOURS.band, colour: COLOURS.muted });
    header();
    if (table.rows.length === 0) {
      this.row([record.none], [this.width], SIZES.table);
      return;
    }
    for (const values of table.rows) {
      const cells = values.map((value) => printed(value, record.timeZone));
      const before = this.doc.bufferedPageRange().count;
      this.doc.fontSize(SIZES.table);
      const height = Math.max(...cells.map((cell, i) => this.doc.heightOfString(cell || " ", { width: widths[i]! - 2 * PAD }))) + 2 * PAD;
      if (this.ensure(height) && this.doc.bufferedPageRange().count > before) header();
      this.row(cells, widths, SIZES.table);
    }
  }
}
