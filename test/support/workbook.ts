import ExcelJS from "exceljs";

/** A workbook's bytes read back as Excel reads them, with exceljs. */
export async function workbook(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  return book;
}
