import { createHash } from "node:crypto";
import type ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { makeTicketExport } from "../../bot/documents/ticket-export-file.js";
import type { ArchivedDocument } from "../../core/records/document-archive.js";
import { CONTENT_TYPES, documentFileName } from "../../core/records/document-files.js";
import { pdfText } from "../support/pdf-text.js";
import { LEVEL2_FAULT } from "../support/report-script.js";
import { FIRST_TICKET, useTestApp } from "../support/test-app.js";
import { workbook } from "../support/workbook.js";
import { ConsoleBrowser, signInLink, useConsole } from "./console-http.js";

/*
 * The reports page's documents and exports, through the bot's real HTTP server: the period's
 * records made on the page, each downloaded and checked against the archive's checksum and opened
 * as its reader opens it; the tickets' export; and who gets none of it.
 */

const scene = useTestApp();
const consoleServer = useConsole(scene, () => scene.report("wang.fang", LEVEL2_FAULT));

const DAY = "2026-11-26";
const WEEK = "2026-11-20 ~ 2026-11-26";

async function signedIn(memberId: string): Promise<ConsoleBrowser> {
  const b = new ConsoleBrowser(consoleServer.url);
  expect((await b.signInWith(await signInLink(scene.app, memberId))).status).toBe(303);
  return b;
}

/** The document ids the last page links to, in order. */
const linkedIds = (b: ConsoleBrowser) => [...b.lastPage.matchAll(/href="\/console\/documents\/(\d+)"/g)].map((m) => Number(m[1]));
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

/** Every cell's text in a workbook, sheet by sheet. */
function cellsOf(book: ExcelJS.Workbook): string[] {
  const cells: string[] = [];
  book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => void cells.push(String(cell.value)))));
  return cells;
}

/** The page's "make the documents now" button pressed: the page it lands on. */
async function makeDocuments(b: ConsoleBrowser, page: string, fields: Record<string, string>): Promise<Response> {
  await b.get(page);
  const made = await b.post("/console/reports/documents", fields);
  expect(made.status).toBe(303);
  return b.get(made.headers.get("location")!);
}

describe("the reports page's documents", () => {
  it("a manager makes the day's documents and downloads each, byte for byte as the archive keeps it", async () => {
    const b = await signedIn("zhao.ming");
    await b.get("/console/reports");
    expect(b.lastPage).toContain("此期间还没有存档的文档。");
    expect(b.lastPage).toContain('<button type="submit" aria-describedby="make-hint">立即生成文档</button>');

    const landed = await makeDocuments(b, "/console/reports", { period: "today" });
    expect(landed.status).toBe(200);
    expect(b.lastPage).toContain("已生成 7 份文档并存档。");
    const kept = await scene.app.documents.list({ period: DAY });
    expect(kept.map((d) => `${d.kind}.${d.format}`).sort()).toEqual([
      "daily_charts.png", "hotline_call_log.pdf", "hotline_call_log.xlsx", "mail_log.pdf", "mail_log.xlsx", "major_problems_daily.pdf", "major_problems_daily.xlsx",
    ]);
    expect(kept.every((d) => d.version === 1 && d.locale === "zh-CN" && d.madeFor === null)).toBe(true);
    expect(linkedIds(b).sort()).toEqual(kept.map((d) => d.id).sort());
    expect(b.lastPage).toContain("售后服务电话接听日报表（PDF）");
    expect(b.lastPage).toContain("第 1 版 · 2026-11-26 10:");

    const byKind = new Map<string, Buffer>();
    for (const document of kept) {
      const response = await b.get(`/console/documents/${document.id}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(CONTENT_TYPES[document.format]);
      const name = documentFileName(document, { org: scene.app.org, locale: "zh-CN" });
      expect(response.headers.get("content-disposition")).toBe(
        `attachment; filename="${document.kind}-${DAY}-v1.${document.format}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      );
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("cache-control")).toBe("no-store");
      const bytes = await bytesOf(response);
      expect(sha256(bytes)).toBe(document.sha256);
      expect(bytes.byteLength).toBe(document.byteSize);
      byKind.set(`${document.kind}.${document.format}`, bytes);
    }
    expect(pdfText(byKind.get("hotline_call_log.pdf")!)).toContain(FIRST_TICKET);
    expect(pdfText(byKind.get("major_problems_daily.pdf")!)).toContain("售后服务部重大质量问题日报告");
    expect(cellsOf(await workbook(byKind.get("hotline_call_log.xlsx")!))).toContain(FIRST_TICKET);
    expect((await workbook(byKind.get("mail_log.xlsx")!)).worksheets.length).toBeGreaterThan(1);
    expect(byKind.get("daily_charts.png")!.subarray(1, 4).toString("latin1")).toBe("PNG");
  });

  it("makes them again as new versions, and lists only the newest of each", async () => {
    const b = await signedIn("zhou.min");
    await makeDocuments(b, `/console/reports?date=${DAY}`, { date: DAY });
    const first = linkedIds(b);
    await makeDocuments(b, `/console/reports?date=${DAY}`, { date: DAY });
    const second = linkedIds(b);
    expect(second).toHaveLength(7);
    expect(second.some((id) => first.includes(id))).toBe(false);
    expect(b.lastPage).toContain("第 2 版");
    expect(b.lastPage).not.toContain("第 1 版");
    expect(await scene.app.documents.list({ period: DAY })).toHaveLength(14);
  });

  it("a quiet day gets its documents too, and a double click makes them once", async () => {
    const b = await signedIn("zhao.ming");
    await b.get("/console/reports?date=2026-11-25");
    const [one, two] = await Promise.all([b.post("/console/reports/documents", { date: "2026-11-25" }), b.post("/console/reports/documents", { date: "2026-11-25" })]);
    expect([one.status, two.status]).toEqual([303, 303]);
    expect(one.headers.get("location")).toMatch(/^\/console\/reports\?date=2026-11-25&result=/);
    const kept = await scene.app.documents.list({ period: "2026-11-25" });
    expect(kept).toHaveLength(7);
    await b.get(one.headers.get("location")!);
    expect(linkedIds(b)).toHaveLength(7);
    expect(pdfText(Buffer.from((await scene.app.documents.read(kept.find((d) => d.kind === "hotline_call_log" && d.format === "pdf")!.id))!.content))).toContain("无");
  });

  it("the week gets its measures and their trend, listed on the week's page and not on the day's", async () => {
    const b = await signedIn("zhao.ming");
    await makeDocuments(b, "/console/reports?period=week", { period: "week" });
    expect(b.lastPage).toContain("已生成 3 份文档并存档。");
    const kept = await scene.app.documents.list({ period: WEEK });
    expect(kept.map((d) => `${d.kind}.${d.format}`).sort()).toEqual(["weekly_measures.pdf", "weekly_measures.xlsx", "weekly_trend.png"]);
    expect(linkedIds(b).sort()).toEqual(kept.map((d) => d.id).sort());
    const pdf = kept.find((d) => d.format === "pdf")!;
    const response = await b.get(`/console/documents/${pdf.id}`);
    expect(response.headers.get("content-disposition")).toContain(`filename="weekly_measures-2026-11-20_2026-11-26-v1.pdf"`);
    expect(sha256(await bytesOf(response))).toBe(pdf.sha256);
    await b.get("/console/reports?period=week&lang=en");
    expect(b.lastPage).toContain("<h2 id=\"documents-heading\">Documents</h2>");
    expect(b.lastPage).toContain("Weekly Service Measures (PDF)");
    expect(b.lastPage).toMatch(/version 1 · made 2026-11-26 10:\d\d · \d+\.\d KB/);
    expect(b.lastPage).toContain(">Make the documents now</button>");
    await b.get("/console/reports");
    expect(linkedIds(b)).toEqual([]);
  });

  it("refuses a form without its token (403) and an unreadable date (400), and makes nothing", async () => {
    const b = await signedIn("zhao.ming");
    await b.get("/console/reports");
    expect((await b.post("/console/reports/documents", { period: "today" }, { csrf: false })).status).toBe(403);
    expect((await b.post("/console/reports/documents", { _csrf: "forged", period: "today" })).status).toBe(403);
    await b.get("/console/reports");
    expect((await b.post("/console/reports/documents", { date: "2026-02-30" })).status).toBe(400);
    expect(b.lastPage).toContain("无法识别此日期");
    expect((await b.get("/console/reports?date=2026-11-25-and-more")).status).toBe(400);
    expect((await b.get("/console/reports/export?date=2026-13-01&format=csv")).status).toBe(400);
    expect(await scene.app.documents.list()).toEqual([]);
  });
});

describe("who gets the documents", () => {
  let made: ArchivedDocument[];
  beforeEach(async () => {
    made = await scene.app.periodRecords.fileDailyRecords({ day: DAY, locale: "zh-CN" });
  });

  it("a hotline agent and a service center's staff get 404 for the page, its documents, its export and its button", async () => {
    for (const memberId of ["liu.fang", "wang.fang"]) {
      const b = await signedIn(memberId);
      await b.get("/console");
      expect((await b.get("/console/reports")).status).toBe(404);
      for (const document of made) expect((await b.get(`/console/documents/${document.id}`)).status, `${memberId} ${document.kind}`).toBe(404);
      expect((await b.get("/console/reports/export?period=today&format=csv")).status).toBe(404);
      await b.get("/console");
      expect((await b.post("/console/reports/documents", { period: "today" })).status).toBe(404);
    }
    expect(await scene.app.documents.list()).toHaveLength(made.length);
  });

  it("serves no ticket's form at /console/documents, nor an unknown or non-numeric id", async () => {
    const afterSales = await signedIn("zhou.min");
    expect((await afterSales.get(`/console/tickets/${FIRST_TICKET}/record/pdf`)).status).toBe(200);
    const form = (await scene.app.documents.list()).find((d) => d.ticketId !== null)!;
    for (const id of [String(form.id), "999999", "abc", "0", "1e1", `${made[0]!.id}.pdf`, "12345678901234567890"]) {
      expect((await afterSales.get(`/console/documents/${id}`)).status, id).toBe(404);
    }
    expect((await afterSales.get(`/console/documents/${made[0]!.id}`)).status).toBe(200);
  });
});

describe("the period's export", () => {
  it("is the CLI's export: CSV with a BOM holding the ticket, its phone masked", async () => {
    const b = await signedIn("zhao.ming");
    await b.get("/console/reports");
    expect(b.lastPage).toContain('action="/console/reports/export"');
    const response = await b.get("/console/reports/export?period=today&level=&format=csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="tickets-${DAY}-${DAY}.csv"; filename*=UTF-8''tickets-${DAY}-${DAY}.csv`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const bytes = await bytesOf(response);
    expect(bytes.subarray(0, 3).toString("hex")).toBe("efbbbf");
    const csv = bytes.toString("utf8");
    expect(csv).toContain(FIRST_TICKET);
    expect(csv).toContain("138****5678");
    expect(csv).not.toContain("13812345678");
    const cli = await makeTicketExport(scene.app.core, { filter: { from: DAY, to: DAY }, format: "csv", locale: "zh-CN" });
    expect(bytes.equals(cli.content)).toBe(true);
  });

  it("comes as a workbook for the week, of one level when asked", async () => {
    const b = await signedIn("zhou.min");
    const week = await b.get("/console/reports/export?period=week&level=2&format=xlsx");
    expect(week.headers.get("content-type")).toBe(CONTENT_TYPES.xlsx);
    expect(week.headers.get("content-disposition")).toContain(`filename="tickets-2026-11-20-${DAY}-level2.xlsx"`);
    const book = await workbook(await bytesOf(week));
    const sheet = book.getWorksheet("工单")!;
    expect(sheet.getCell("A2").value).toBe(FIRST_TICKET);
    expect(sheet.getCell("L2").value).toBe("138****5678");
    const none = (await bytesOf(await b.get("/console/reports/export?period=week&level=1&format=csv"))).toString("utf8");
    expect(none).not.toContain(FIRST_TICKET);
    expect((await b.get("/console/reports/export?period=week&level=4&format=csv")).status).toBe(400);
    expect((await b.get("/console/reports/export?period=week&format=pdf")).status).toBe(400);
  });
});
