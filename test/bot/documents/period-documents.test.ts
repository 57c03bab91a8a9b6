import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type ExcelJS from "exceljs";
import { afterAll, describe, expect, it } from "vitest";
import { CHART_SCALE, PANEL } from "../../../bot/documents/chart-png.js";
import type { ArchivedDocument } from "../../../core/records/document-archive.js";
import { busyDay, LETTER_TEXT } from "../../support/day-scenes.js";
import { useTestApp } from "../../support/test-app.js";
import { workbook } from "../../support/workbook.js";

/*
 * The daily records and the weekly measures made from a day worked through the chat commands,
 * opened the way their readers open them: the workbooks read back with exceljs, the PDFs' text
 * taken out with pdftotext and their first pages drawn with pdftoppm, the charts' PNG headers read;
 * pictures kept under test-output/documents/ to look at.
 */

const scene = useTestApp();
const OUT = "test-output/documents";
const scratch = mkdtempSync(join(tmpdir(), "hotline-period-documents-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const DAY = "2026-11-26";

async function content(document: ArchivedDocument): Promise<Buffer> {
  return Buffer.from((await scene.app.documents.read(document.id))!.content);
}

async function fileDay(day = DAY) {
  const kept = await scene.app.periodRecords.fileDailyRecords({ day, locale: "zh-CN" });
  const find = (kind: string, format: string) => {
    const document = kept.find((d) => d.kind === kind && d.format === format);
    if (!document) throw new Error(`no ${kind} ${format} among ${kept.map((d) => `${d.kind}.${d.format}`).join(", ")}`);
    return document;
  };
  return { kept, find };
}

/** A sheet as its header's labels and the rows below it, each as its cells' values. */
function sheet(book: ExcelJS.Workbook, name: string): { header: ExcelJS.CellValue[]; rows: ExcelJS.CellValue[][] } {
  const found = book.getWorksheet(name);
  if (!found) throw new Error(`no sheet ${name} among ${book.worksheets.map((s) => s.name).join(", ")}`);
  const rows: ExcelJS.CellValue[][] = [];
  found.eachRow((row, n) => n > 1 && rows.push((row.values as ExcelJS.CellValue[]).slice(1)));
  return { header: (found.getRow(1).values as ExcelJS.CellValue[]).slice(1), rows };
}

/** The summary on the first sheet, by its labels in column A. */
function summary(book: ExcelJS.Workbook): Map<string, ExcelJS.CellValue> {
  const cells = new Map<string, ExcelJS.CellValue>();
  book.worksheets[0]!.eachRow((row) => {
    const label = row.getCell(1).value;
    if (typeof label === "string" && row.getCell(2).value !== null) cells.set(label, row.getCell(2).value);
  });
  return cells;
}

/** A Shanghai wall-clock time as the spreadsheet holds it (no zone: read back as that UTC time). */
const shanghai = (local: string) => new Date(`${local}:00.000Z`);

/**
 * The PDF's text in the order it was written, each cell's wrapped lines joined again: a table's
 * narrow columns wrap long values over several lines.
 */
function pdfText(bytes: Buffer, name: string): string {
  const file = join(scratch, `${name}.pdf`);
  writeFileSync(file, bytes);
  return execFileSync("pdftotext", ["-raw", file, "-"], { encoding: "utf8" }).replace(/\n/g, "");
}

/** Page 1 at 80 dpi into test-output/documents/<name>.png; its size in pixels from the PNG header. */
function firstPage(bytes: Buffer, name: string): { width: number; height: number } {
  mkdirSync(OUT, { recursive: true });
  const file = join(scratch, `${name}.pdf`);
  writeFileSync(file, bytes);
  execFileSync("pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", file, join(OUT, name)]);
  return pngSize(readFileSync(join(OUT, `${name}.png`)));
}

/** The PNG signature, then the IHDR chunk's width and height. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  expect(png.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** A4 across (842 × 595 pt) at 80 dpi. */
const A4_LANDSCAPE_AT_80_DPI = { width: 936, height: 662 };

describe("the daily records", () => {
  it("keeps the three records as XLSX and PDF, with the day's chart as PNG, for the day as subject and period", async () => {
    await busyDay(scene.app, scene.clock);
    const { kept } = await fileDay();
    expect(kept.map((d) => [d.kind, d.format, d.subject, d.period, d.version, d.ticketId, d.madeFor])).toEqual([
      ["hotline_call_log", "pdf", DAY, DAY, 1, null, null],
      ["hotline_call_log", "xlsx", DAY, DAY, 1, null, null],
      ["mail_log", "pdf", DAY, DAY, 1, null, null],
      ["mail_log", "xlsx", DAY, DAY, 1, null, null],
      ["major_problems_daily", "pdf", DAY, DAY, 1, null, null],
      ["major_problems_daily", "xlsx", DAY, DAY, 1, null, null],
      ["daily_charts", "png", DAY, DAY, 1, null, null],
    ].map((row) => row));
    expect((await scene.app.documents.list()).length).toBe(7);
  });

  it("lists every call and report of the day in the call log's workbook, each column as what it is", async () => {
    await busyDay(scene.app, scene.clock);
    const book = await workbook(await content((await fileDay()).find("hotline_call_log", "xlsx")));
    expect(book.worksheets.map((s) => s.name)).toEqual(["表单", "来电与上报"]);
    expect(book.worksheets[0]!.getCell("A1").value).toBe("售后服务电话接听日报表");
    expect(book.worksheets[0]!.getCell("A2").value).toBe("华晨汽车售后服务事业部");
    const totals = summary(book);
    expect(totals.get("日期")).toEqual(new Date("2026-11-26T00:00:00.000Z"));
    expect(totals.get("合计")).toBe(5);
    expect(totals.get("按来源")).toBe("特约服务中心 2，服务热线 2，E-mail/传真/信件 1");
    expect(totals.get("已处理")).toBe(2);
    expect(totals.get("待处理")).toBe(3);
    const calls = sheet(book, "来电与上报");
    expect(calls.header).toEqual(["编号", "时间", "来电人/顾客", "电话", "上报人", "服务中心", "来源", "内容", "级别", "处理情况", "待处理"]);
    expect(calls.rows).toEqual([
      ["HL-20261126-0001", shanghai("2026-11-26T10:00"), "张先生", "138****5678", "王芳 · 沈阳特约服务中心", "沈阳特约服务中心", "特约服务中心", "质量故障：行驶中制动失灵，撞上护栏", "重大质量信息 1 级", "已解决：已更换制动总泵，同批次车辆排查完毕", "否"],
      ["HL-20261126-0002", shanghai("2026-11-26T14:10"), "赵女士", "137****1111", "刘芳 · 客服中心", "沈阳特约服务中心", "服务热线", "质量故障：顾客来电：仪表灯不亮", "一般质量信息", "处理中：已委派沈阳特约服务中心", "是"],
      ["HL-20261126-0003", shanghai("2026-11-26T14:40"), "钱先生", "139****2222", "周敏 · 售后服务部", "北京特约服务中心", "E-mail/传真/信件", `质量故障：${LETTER_TEXT}`, "一般质量信息", "已解决：已更换左前门密封条，顾客满意", "否"],
      ["HL-20261126-0004", shanghai("2026-11-26T15:05"), "李女士", "024****5678", "王芳 · 沈阳特约服务中心", "沈阳特约服务中心", "特约服务中心", "质量故障：空调异响，怠速时明显", "一般质量信息", "待确认", "是"],
      ["HL-20261126-0005", shanghai("2026-11-26T15:15"), "王先生", "139****5678", "王芳 · 沈阳特约服务中心", "沈阳特约服务中心", "服务热线", "顾客投诉：顾客投诉车辆自燃，媒体已报道", "重大质量信息 1 级", "处理小组组建中：派员赴现场核查自燃原因", "是"],
    ]);
    expect(book.getWorksheet("来电与上报")!.getCell("B2").numFmt).toBe("yyyy-mm-dd hh:mm");
  });

  it("lists each item received by mail, fax or letter with its handling, and each open major problem with who holds it", async () => {
    await busyDay(scene.app, scene.clock);
    const { find } = await fileDay();
    const mail = await workbook(await content(find("mail_log", "xlsx")));
    expect(mail.worksheets[0]!.getCell("A1").value).toBe("售后E-mail(传真或信件)接收处理记录");
    expect(summary(mail).get("接收件数")).toBe(1);
    const items = sheet(mail, "接收与处理");
    expect(items.header).toEqual(["编号", "接收时间", "来件人", "电话", "登记人", "内容", "服务中心", "处理情况", "处理结果", "解决时间"]);
    expect(items.rows).toEqual([
      ["HL-20261126-0003", shanghai("2026-11-26T14:40"), "钱先生", "139****2222", "周敏 · 售后服务部", `质量故障：${LETTER_TEXT}`, "北京特约服务中心", "已解决：已更换左前门密封条，顾客满意", "已更换左前门密封条，顾客满意", shanghai("2026-11-26T15:05")],
    ]);

    const major = await workbook(await content(find("major_problems_daily", "xlsx")));
    expect(major.worksheets[0]!.getCell("A1").value).toBe("售后服务部重大质量问题日报告");
    const totals = summary(major);
    expect(totals.get("当日新增重大问题")).toBe("重大质量信息 1 级 2");
    expect(totals.get("未结重大问题")).toBe(1);
    expect(totals.get("当日解决或关闭")).toBe(1);
    const problems = sheet(major, "重大质量问题");
    expect(problems.header).toEqual(["编号", "时间", "级别", "内容", "处理措施", "状态", "负责人", "处理结果", "解决时间"]);
    expect(problems.rows).toEqual([
      ["HL-20261126-0001", shanghai("2026-11-26T10:00"), "重大质量信息 1 级", "质量故障：行驶中制动失灵，撞上护栏", "更换制动总泵，排查同批次车辆", "已解决", "周敏、陈杰", "已更换制动总泵，同批次车辆排查完毕", shanghai("2026-11-26T13:40")],
      ["HL-20261126-0005", shanghai("2026-11-26T15:15"), "重大质量信息 1 级", "顾客投诉：顾客投诉车辆自燃，媒体已报道", "派员赴现场核查自燃原因", "处理小组组建中", "周敏、陈杰", "-", "-"],
    ]);
  });

  it("prints the records in Chinese in landscape PDFs, the chart on the call log and the major problems report, and draws their first pages", async () => {
    await busyDay(scene.app, scene.clock);
    const { find } = await fileDay();
    const expected: Record<string, string[]> = {
      hotline_call_log: ["售后服务电话接听日报表", "华晨汽车售后服务事业部", "来电与上报", "HL-20261126-0002", "2026-11-26 14:10", "赵女士", "137****1111", "顾客来电：仪表灯不亮", "已委派沈阳特约服务中心", "图表", "第 1 页"],
      mail_log: ["售后E-mail(传真或信件)接收处理记录", "钱先生", "车门密封条漏水", "北京特约服务中心", "已更换左前门密封条，顾客满意"],
      major_problems_daily: ["售后服务部重大质量问题日报告", "重大质量信息 1 级", "派员赴现场核查自燃原因", "处理小组组建中", "周敏、陈杰", "更换制动总泵，排查同批次车辆"],
    };
    for (const [kind, phrases] of Object.entries(expected)) {
      const bytes = await content(find(kind, "pdf"));
      expect(firstPage(bytes, kind)).toEqual(A4_LANDSCAPE_AT_80_DPI);
      const text = pdfText(bytes, kind);
      for (const phrase of phrases) expect(text, `${kind}: ${phrase}`).toContain(phrase);
      expect(text).not.toContain("13700001111");
      // pdfimages lists each picture (and its transparency as an smask): the chart at its own size in pixels.
      const images = execFileSync("pdfimages", ["-list", join(scratch, `${kind}.pdf`)], { encoding: "utf8" }).trim().split("\n").slice(2).map((line) => line.trim().split(/\s+/));
      const pictures = images.filter((columns) => columns[2] === "image").map((columns) => [Number(columns[3]), Number(columns[4])]);
      expect(pictures, `${kind}'s pictures`).toEqual(kind === "mail_log" ? [] : [[3 * PANEL.width * CHART_SCALE, PANEL.height * CHART_SCALE]]);
    }
  });

  it("draws the day's chart as a PNG of three panels at twice the size, its Chinese labels in the CJK font", async () => {
    await busyDay(scene.app, scene.clock);
    const png = await content((await fileDay()).find("daily_charts", "png"));
    expect(pngSize(png)).toEqual({ width: 3 * PANEL.width * CHART_SCALE, height: PANEL.height * CHART_SCALE });
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, "daily-charts.png"), png);
  });

  it("still makes short records on a quiet day: the summary at zero and each list reading 无", async () => {
    const { kept, find } = await fileDay("2026-11-25");
    expect(kept).toHaveLength(7);
    for (const [kind, sheetName] of [["hotline_call_log", "来电与上报"], ["mail_log", "接收与处理"], ["major_problems_daily", "重大质量问题"]] as const) {
      const book = await workbook(await content(find(kind, "xlsx")));
      expect(sheet(book, sheetName).rows, kind).toEqual([["无"]]);
      const bytes = await content(find(kind, "pdf"));
      firstPage(bytes, `quiet-${kind}`);
      expect(pdfText(bytes, `quiet-${kind}`)).toContain("无");
      expect(execFileSync("pdfinfo", [join(scratch, `quiet-${kind}.pdf`)], { encoding: "utf8" })).toMatch(/Pages:\s+1\n/);
    }
    expect(summary(await workbook(await content(find("hotline_call_log", "xlsx")))).get("合计")).toBe(0);
  });

  it("keeps the earlier version when a day's records are made again, each with its own checksum", async () => {
    await busyDay(scene.app, scene.clock);
    const first = await fileDay();
    scene.later(60);
    await scene.app.core.tickets.findByNumber("HL-20261126-0004");
    const second = await fileDay();
    expect(second.kept.map((d) => d.version)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    const all = await scene.app.documents.list();
    expect(all).toHaveLength(14);
    const callLogs = all.filter((d) => d.kind === "hotline_call_log" && d.format === "pdf").map((d) => d.version).sort();
    expect(callLogs).toEqual([1, 2]);
    // The second was made an hour later: its subtitle (and so its bytes) differ, and both stay readable.
    expect(second.find("hotline_call_log", "pdf").sha256).not.toBe(first.find("hotline_call_log", "pdf").sha256);
    expect(pdfText(await content(first.find("hotline_call_log", "pdf")), "v1")).toContain("生成于 2026-11-26 15:20");
    expect(pdfText(await content(second.find("hotline_call_log", "pdf")), "v2")).toContain("生成于 2026-11-26 16:20");
  });
});

describe("the weekly measures", () => {
  it("keeps the measures of the seven days as XLSX and PDF with the trend chart beside them", async () => {
    await busyDay(scene.app, scene.clock);
    const kept = await scene.app.periodRecords.fileWeeklyMeasures({ day: DAY, locale: "zh-CN" });
    const period = "2026-11-20 ~ 2026-11-26";
    expect(kept.map((d) => [d.kind, d.format, d.subject, d.version])).toEqual([
      ["weekly_measures", "pdf", period, 1],
      ["weekly_measures", "xlsx", period, 1],
      ["weekly_trend", "png", period, 1],
    ]);
    const [pdf, xlsx, png] = await Promise.all(kept.map(content));
    expect(pngSize(png!)).toEqual({ width: 2 * PANEL.width * CHART_SCALE, height: PANEL.height * CHART_SCALE });
    writeFileSync(join(OUT, "weekly-trend.png"), png!);

    const book = await workbook(xlsx!);
    expect(book.worksheets.map((s) => s.name)).toEqual(["表单", "响应用时（按部门和级别）", "解决用时（按解决单位和级别）", "期限完成情况", "服务中心考核", "每日趋势"]);
    expect(summary(book).get("合计")).toBe(5);
    const acknowledge = sheet(book, "响应用时（按部门和级别）");
    expect(acknowledge.header).toEqual(["部门", "级别", "件数", "中位数（分钟）", "90 分位（分钟）"]);
    // After-sales confirmed 0001 ten minutes after it came in, 0005 five minutes after; QA acknowledged 0001's pings after 5 and 20 minutes.
    expect(acknowledge.rows).toEqual([
      ["售后服务部", "重大质量信息 1 级", 3, 5, 10],
      ["售后服务部", "一般质量信息", 2, 5, 5],
      ["质量保证部", "重大质量信息 1 级", 3, 5, 20],
    ]);
    const resolve = sheet(book, "解决用时（按解决单位和级别）");
    expect(resolve.rows).toEqual([
      ["售后服务部", "重大质量信息 1 级", 1, 220, 220],
      ["售后服务部", "一般质量信息", 1, 25, 25],
    ]);
    const centers = sheet(book, "服务中心考核");
    expect(centers.header).toEqual(["服务中心", "上报件数", "按时反馈", "反馈超时", "按时率", "超时期限"]);
    expect(centers.rows).toEqual([
      ["沈阳特约服务中心", 4, 0, 0, "-", 0],
      ["北京特约服务中心", 1, 1, 0, 1, 0],
      ["广州特约服务中心", 0, 0, 0, "-", 0],
    ]);
    expect(book.getWorksheet("服务中心考核")!.getCell("E3").numFmt).toBe("0.0%");
    const trend = sheet(book, "每日趋势");
    expect(trend.rows.map((row) => row.slice(1))).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [5, 2, 0]]);
    expect(trend.rows[0]![0]).toEqual(new Date("2026-11-20T00:00:00.000Z"));

    const text = pdfText(pdf!, "weekly-measures");
    for (const phrase of ["售后服务考核周报", period, "响应用时（按部门和级别）", "售后服务部", "220.0", "100.0%", "每日趋势", "图表"]) expect(text, phrase).toContain(phrase);
    expect(firstPage(pdf!, "weekly-measures")).toEqual(A4_LANDSCAPE_AT_80_DPI);
  });
});
