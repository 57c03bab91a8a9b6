import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type ExcelJS from "exceljs";
import { afterAll, describe, expect, it } from "vitest";
import { DocumentFontMissing } from "../../../bot/documents/record-pdf.js";
import { DATE_FORMAT, TIME_FORMAT } from "../../../bot/documents/record-xlsx.js";
import { TicketDocuments } from "../../../bot/documents/ticket-documents.js";
import { isHotlineError } from "../../../core/errors.js";
import type { Locale } from "../../../core/messages/locale.js";
import type { RecordFormat } from "../../../core/records/document-archive.js";
import type { RecordValue } from "../../../core/records/record-document.js";
import { prepareTicketRecord } from "../../../core/records/record-flows.js";
import { workedMajorComplaint, workedMajorFault, workedWorkOrder } from "../../support/record-scenes.js";
import { pdfText } from "../../support/pdf-text.js";
import { GENERAL_FAULT } from "../../support/report-script.js";
import { member, useTestApp } from "../../support/test-app.js";
import { workbook } from "../../support/workbook.js";

/*
 * The manual's per-ticket forms made from tickets worked through the chat commands, opened the way
 * their readers open them: the workbook read back with exceljs, the PDF's text taken out with
 * poppler's pdftotext and its first page drawn with pdftoppm (kept under test-output/documents/).
 */

const scene = useTestApp();
const OUT = "test-output/documents";
const scratch = mkdtempSync(join(tmpdir(), "hotline-documents-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function made(number: string, format: RecordFormat, locale: Locale = "zh-CN") {
  const document = await scene.app.ticketRecords.fileTicketRecord({ number, format, locale });
  const read = await scene.app.documents.read(document.id);
  return { document, content: Buffer.from(read!.content) };
}

/** The form sheet's value cells by their label in column A. */
function formCells(book: ExcelJS.Workbook): Map<string, ExcelJS.Cell> {
  const cells = new Map<string, ExcelJS.Cell>();
  book.worksheets[0]!.eachRow((row) => {
    const label = row.getCell(1).value;
    if (typeof label === "string" && row.getCell(2).value !== null) cells.set(label, row.getCell(2));
  });
  return cells;
}

/** A sheet's rows below its header, each as its cells' values. */
function sheetRows(book: ExcelJS.Workbook, name: string): ExcelJS.CellValue[][] {
  const sheet = book.getWorksheet(name);
  if (!sheet) throw new Error(`no sheet ${name} among ${book.worksheets.map((s) => s.name).join(", ")}`);
  const rows: ExcelJS.CellValue[][] = [];
  sheet.eachRow((row, n) => n > 1 && rows.push((row.values as ExcelJS.CellValue[]).slice(1)));
  return rows;
}

/** 10:00 in Shanghai as a spreadsheet holds it: a wall-clock time with no zone, read back as that UTC time. */
const shanghai = (local: string) => new Date(`${local}:00.000Z`);

/** Page 1 drawn at 80 dpi into test-output/documents/<name>.png; its width and height in pixels. */
function firstPage(content: Buffer, name: string): { width: number; height: number } {
  mkdirSync(OUT, { recursive: true });
  const file = join(scratch, `${name}.pdf`);
  writeFileSync(file, content);
  execFileSync("pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", file, join(OUT, name)]);
  const png = readFileSync(join(OUT, `${name}.png`));
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** A4 (595 × 842 pt) at 80 dpi. */
const A4_AT_80_DPI = { width: 662, height: 936 };

describe("the major quality information report (重大售后质量信息报告单)", () => {
  it("puts every field in the workbook as what it is: numbers as numbers, times and dates as dates in Shanghai time", async () => {
    const number = await workedMajorFault(scene.app, scene.clock);
    const { document, content } = await made(number, "xlsx");
    expect(document).toMatchObject({ kind: "major_quality_report", subject: number, format: "xlsx", version: 1, locale: "zh-CN", madeFor: null });
    const book = await workbook(content);
    expect(book.worksheets.map((s) => s.name)).toEqual(["表单", "定级记录", "通知与响应", "期限", "处理记录", "回执", "时间线"]);
    const form = book.worksheets[0]!;
    expect(form.getCell("A1").value).toBe("重大售后质量信息报告单");
    expect(form.getCell("A2").value).toBe("华晨汽车售后服务事业部");
    expect(form.getCell("A3").value).toBe(`${number} · 生成于 2026-11-26 14:10（Asia/Shanghai）`);

    const cells = formCells(book);
    const value = (label: string) => cells.get(label)?.value;
    expect(value("编号")).toBe(number);
    expect(value("类型")).toBe("质量故障");
    expect(value("状态")).toBe("已解决");
    expect(value("上报时间")).toEqual(shanghai("2026-11-26T10:00"));
    expect(cells.get("上报时间")!.numFmt).toBe(TIME_FORMAT);
    expect(value("确认时间")).toEqual(shanghai("2026-11-26T10:10"));
    expect(value("报送时间")).toEqual(shanghai("2026-11-26T10:10"));
    expect(value("解决时间")).toEqual(shanghai("2026-11-26T13:40"));
    expect(value("关闭时间")).toBe("无");
    expect(value("信息来源")).toBe("特约服务中心");
    expect(value("上报渠道")).toBe("Telegram");
    expect(value("上报人")).toBe("王芳");
    expect(value("上报单位")).toBe("沈阳特约服务中心");
    expect(value("服务中心")).toBe("沈阳特约服务中心");
    expect(value("品牌")).toBe("中华");
    expect(value("车辆识别代号（VIN）")).toBe("LSGPC52U6AF102554");
    expect(value("行驶里程（公里）")).toBe(12000);
    expect(cells.get("行驶里程（公里）")!.numFmt).toBe("#,##0");
    expect(value("销售日期")).toEqual(new Date("2025-06-01T00:00:00.000Z"));
    expect(cells.get("销售日期")!.numFmt).toBe(DATE_FORMAT);
    expect(value("质量担保")).toBe("在保（售出 1 年 5 个月，12,000 km；担保 2 年/6 万公里）");
    expect(value("顾客姓名")).toBe("张先生");
    // The filed copy goes to the leaders and QA, who read the customer's contact masked.
    expect(value("联系电话")).toBe("138****5678");
    expect(value("电子邮箱")).toBe("z***@example.com");
    expect(value("告知顾客结果")).toBe("是");
    expect(value("情况描述")).toBe("行驶中制动失灵，撞上护栏");
    expect(value("人员伤亡")).toBe("否");
    expect(value("媒体介入")).toBe("没有");
    expect(value("附件数")).toBe(0);
    expect(value("级别")).toBe("重大质量信息 1 级");
    expect(value("定级依据")).toBe("造成重大质量事故，未导致人员伤亡");
    expect(value("技术支持委派")).toBe("派高峰赴沈阳现场检测制动系统");
    expect(value("处理措施")).toBe("更换制动总泵，排查同批次车辆");
    expect(value("技术鉴定")).toBe("无");
    expect(value("处理结果")).toBe("已更换制动总泵，同批次车辆排查完毕");
    expect(value("解决人")).toBe("周敏");

    expect(sheetRows(book, "定级记录")).toEqual([[shanghai("2026-11-26T10:20"), "重大质量信息 2 级", "重大质量信息 1 级", "周敏", "同批次车辆已有三起制动失灵"]]);
    const told = sheetRows(book, "通知与响应");
    expect(told).toContainEqual([shanghai("2026-11-26T10:00"), "售后服务部 周敏", "请确认工单及其级别", "是", shanghai("2026-11-26T10:10"), "周敏", "-"]);
    expect(told).toContainEqual([shanghai("2026-11-26T10:10"), "质量保证部 陈杰", "请提出处理措施", "是", shanghai("2026-11-26T10:15"), "陈杰", "-"]);
    expect(told).toContainEqual([shanghai("2026-11-26T10:20"), "质量保证部 陈杰", "请确认并立即委派人员提供技术支持", "是", shanghai("2026-11-26T10:40"), "陈杰", "-"]);
    expect(sheetRows(book, "期限")).toContainEqual(["提出处理措施", shanghai("2026-11-27T10:10"), "已取消"]);
    expect(sheetRows(book, "处理记录").map((row) => row.slice(1, 4))).toEqual([
      ["技术支持委派", "陈杰", "派高峰赴沈阳现场检测制动系统"],
      ["处理措施", "陈杰", "更换制动总泵，排查同批次车辆"],
      ["电话回执顾客", "周敏", "已电话告知张先生处理结果"],
    ]);
    expect(sheetRows(book, "回执")).toEqual([[shanghai("2026-11-26T14:10"), "电话告知顾客", "周敏: 已电话告知张先生处理结果"]]);
    const timeline = await scene.app.core.tickets.timeline((await scene.ticket(number)).id);
    const entries = sheetRows(book, "时间线");
    expect(entries).toHaveLength(timeline.length);
    expect(entries[0]).toEqual([shanghai("2026-11-26T10:00"), "王芳 上报：质量故障（特约服务中心）"]);
  });

  it("writes each field of the form's content to the workbook, with the cell type its value has", async () => {
    const number = await workedMajorFault(scene.app, scene.clock);
    const { content } = await made(number, "xlsx");
    const { document } = await prepareTicketRecord(scene.app.core, { number, locale: "zh-CN" });
    const cells = formCells(await workbook(content));
    const expected = (v: RecordValue) =>
      v.type === "text" ? v.text : v.type === "number" ? v.value : v.type === "date" ? new Date(`${v.date}T00:00:00.000Z`) : new Date(v.at.getTime() + 8 * 3_600_000);
    const fields = document.sections.flatMap((s) => s.fields);
    expect(fields).toHaveLength(34);
    expect(new Set(fields.map((f) => f.label)).size).toBe(fields.length);
    for (const field of fields) expect(cells.get(field.label)?.value, field.key).toEqual(expected(field.value));
  });

  it("prints the form in Chinese in the PDF, set in the CJK font, and draws its first page", async () => {
    const number = await workedMajorFault(scene.app, scene.clock);
    const { document, content } = await made(number, "pdf");
    expect(document).toMatchObject({ kind: "major_quality_report", format: "pdf", version: 1, byteSize: content.byteLength });
    const text = pdfText(content);
    writeFileSync(join(scratch, "major-quality-report.pdf"), content);
    expect(execFileSync("pdffonts", [join(scratch, "major-quality-report.pdf")], { encoding: "utf8" })).toContain("NotoSansCJKsc-Regular");
    for (const expected of [
      "华晨汽车售后服务事业部", "重大售后质量信息报告单", number, "上报时间", "2026-11-26 10:00", "确认时间", "2026-11-26 10:10",
      "特约服务中心", "沈阳特约服务中心", "王芳", "LSGPC52U6AF102554", "12,000", "2025-06-01", "138****5678", "张先生",
      "行驶中制动失灵，撞上护栏", "重大质量信息 1 级", "造成重大质量事故，未导致人员伤亡", "同批次车辆已有三起制动失灵",
      "请确认工单及其级别", "派高峰赴沈阳现场检测制动系统", "已更换制动总泵，同批次车辆排查完毕", "第 1 页",
    ]) {
      expect(text, expected).toContain(expected);
    }
    expect(text).not.toContain("1234 5678");
    expect(firstPage(content, "major-quality-report")).toEqual(A4_AT_80_DPI);
  });
});

describe("the major complaint report (重大投诉报告单)", () => {
  it("carries the team, its day on site, the responsibility, the agreement and its amount", async () => {
    const number = await workedMajorComplaint(scene.app, scene.clock);
    const book = await workbook((await made(number, "xlsx")).content);
    expect(book.worksheets.map((s) => s.name)).toEqual(["表单", "定级记录", "通知与响应", "期限", "处理小组", "处理记录", "回执", "时间线"]);
    expect(book.worksheets[0]!.getCell("A1").value).toBe("重大投诉报告单");
    const cells = formCells(book);
    expect(cells.get("类型")?.value).toBe("顾客投诉");
    expect(cells.get("牵头部门")?.value).toBe("售后服务部");
    expect(cells.get("到达现场时间")?.value).toEqual(shanghai("2026-11-26T12:40"));
    expect(cells.get("责任划分")?.value).toBe("制动总泵制造缺陷，责任在厂方；顾客无责任");
    expect(cells.get("处理协议")?.value).toBe("免费更换制动总泵，赔付交通费");
    expect(cells.get("协议金额（元）")?.value).toBe(5200);
    expect(cells.get("协议金额（元）")?.numFmt).toBe("#,##0.00");
    expect(cells.get("协议签订时间")?.value).toEqual(shanghai("2026-11-26T13:40"));
    expect(cells.get("财务处理")?.value).toBe("交通费 5200 元已转账至顾客账户");
    expect(cells.get("处理措施")?.value).toBe("召回同批次制动总泵检测，更换故障件");
    expect(sheetRows(book, "处理小组")).toEqual([
      ["售后服务部", "是", "周敏", "周敏", shanghai("2026-11-26T10:10"), shanghai("2026-11-26T10:10")],
      ["质量保证部", "否", "高峰", "陈杰", shanghai("2026-11-26T10:40"), shanghai("2026-11-26T10:40")],
      ["法律顾问", "否", "张伟", "张伟", shanghai("2026-11-26T10:40"), shanghai("2026-11-26T10:40")],
      ["销售财务处", "否", "李娜", "李娜", shanghai("2026-11-26T10:40"), shanghai("2026-11-26T10:40")],
    ]);
    expect(sheetRows(book, "处理记录").find((row) => row[1] === "处理协议")?.[4]).toBe(5200);
  });

  it("prints them in the PDF", async () => {
    const number = await workedMajorComplaint(scene.app, scene.clock);
    const { content } = await made(number, "pdf");
    const text = pdfText(content);
    for (const expected of ["重大投诉报告单", "顾客投诉：行驶中制动失灵撞上护栏，要求赔偿", "处理小组与协议", "2026-11-26 12:40", "制动总泵制造缺陷，责任在厂方；顾客无责任", "5,200.00", "高峰", "法律顾问", "交通费 5200 元已转账至顾客账户"]) {
      expect(text, expected).toContain(expected);
    }
    expect(firstPage(content, "major-complaint-report")).toEqual(A4_AT_80_DPI);
  });
});

describe("the customer pending work order (顾客待处理工单)", () => {
  it("takes its title from the organisation file and says when and why the hotline handed it over", async () => {
    const number = await workedWorkOrder(scene.app, scene.clock);
    const book = await workbook((await made(number, "xlsx")).content);
    expect(book.worksheets.map((s) => s.name)).toEqual(["表单", "通知与响应", "期限", "处理记录", "回执", "时间线"]);
    expect(book.worksheets[0]!.getCell("A1").value).toBe("华晨汽车顾客待处理工单");
    const cells = formCells(book);
    expect(cells.get("信息来源")?.value).toBe("服务热线");
    expect(cells.get("上报单位")?.value).toBe("客服中心");
    expect(cells.get("转交时间")?.value).toEqual(shanghai("2026-11-26T10:20"));
    expect(cells.get("转交原因")?.value).toBe("需服务中心检查线路");
    expect(cells.get("服务中心")?.value).toBe("沈阳特约服务中心");
    expect(cells.get("服务中心反馈")?.value).toBe("仪表线束插头松动，已重新插接固定");
    expect(cells.has("级别")).toBe(false);

    const { content } = await made(number, "pdf");
    const text = pdfText(content);
    for (const expected of ["华晨汽车顾客待处理工单", "顾客来电：仪表灯不亮", "需服务中心检查线路", "137****1111", "仪表线束插头松动，已重新插接固定"]) expect(text, expected).toContain(expected);
    expect(firstPage(content, "customer-work-order")).toEqual(A4_AT_80_DPI);
  });

  it("is not made for a general item a service center reported: the manual has no form for it", async () => {
    await scene.report("wang.fang", GENERAL_FAULT);
    const refused = await prepareTicketRecord(scene.app.core, { number: "HL-20261126-0001", locale: "zh-CN" }).catch((error: unknown) => error);
    expect(isHotlineError(refused, "no_record_form")).toBe(true);
    expect(await scene.app.documents.list()).toEqual([]);
  });
});

describe("who a form is made for", () => {
  it("shows the customer's contact in full only to those who may call the customer, and refuses one who may not see the ticket", async () => {
    const number = await workedMajorFault(scene.app, scene.clock);
    const contact = async (memberId: string) => {
      const { document } = await prepareTicketRecord(scene.app.core, { number, locale: "zh-CN", reader: await member(scene.app, memberId) });
      const fields = new Map(document.sections.flatMap((s) => s.fields).map((f) => [f.key, f.value]));
      return [fields.get("customer_phone"), fields.get("customer_email")].map((v) => (v?.type === "text" ? v.text : undefined));
    };
    expect(await contact("zhou.min")).toEqual(["138 1234 5678", "zhang.xiansheng@example.com"]);
    expect(await contact("wang.fang")).toEqual(["138 1234 5678", "zhang.xiansheng@example.com"]);
    expect(await contact("zhao.ming")).toEqual(["138****5678", "z***@example.com"]);
    const outsider = await prepareTicketRecord(scene.app.core, { number, locale: "zh-CN", reader: await member(scene.app, "guo.tao") }).catch((error: unknown) => error);
    expect(isHotlineError(outsider, "not_allowed")).toBe(true);

    const forAfterSales = await scene.app.ticketRecords.fileTicketRecord({ number, format: "xlsx", locale: "zh-CN", reader: await member(scene.app, "zhou.min") });
    expect(forAfterSales.madeFor).toBe("zhou.min");
  });

  it("writes the form in English for an English reader", async () => {
    const number = await workedMajorFault(scene.app, scene.clock);
    const book = await workbook((await made(number, "xlsx", "en")).content);
    expect(book.worksheets.map((s) => s.name)).toEqual(["Form", "Grading history", "Told and acknowledged", "Deadlines", "Work on record", "Receipts", "Timeline"]);
    expect(book.worksheets[0]!.getCell("A1").value).toBe("Major Quality Information Report");
    expect(book.worksheets[0]!.getCell("A2").value).toBe("Brilliance Auto After-Sales Division");
    const cells = formCells(book);
    expect(cells.get("Mileage (km)")?.value).toBe(12000);
    expect(cells.get("Level")?.value).toBe("Major, level 1");
    expect(cells.get("Reported")?.value).toEqual(shanghai("2026-11-26T10:00"));
  });
});

describe("the archive of a ticket's forms", () => {
  it("keeps each version when a form is made again, each with the checksum of its bytes", async () => {
    const number = await workedMajorFault(scene.app, scene.clock);
    const first = await made(number, "pdf");
    scene.later(60);
    const second = await made(number, "pdf");
    const xlsx = await made(number, "xlsx");
    expect([first.document.version, second.document.version, xlsx.document.version]).toEqual([1, 2, 1]);
    for (const { document, content } of [first, second, xlsx]) {
      expect(document.sha256).toBe(createHash("sha256").update(content).digest("hex"));
      expect(document.byteSize).toBe(content.byteLength);
    }
    expect(first.document.sha256).not.toBe(second.document.sha256); // made an hour later, it says so
    const ticket = await scene.ticket(number);
    expect((await scene.app.documents.list({ ticketId: ticket.id })).map((d) => [d.id, d.version, d.format])).toEqual([
      [xlsx.document.id, 1, "xlsx"],
      [second.document.id, 2, "pdf"],
      [first.document.id, 1, "pdf"],
    ]);
    expect(Buffer.from((await scene.app.documents.read(first.document.id))!.content).equals(first.content)).toBe(true);
  });

  it("refuses to set a PDF without its font, naming the file, and keeps nothing", async () => {
    const number = await workedMajorFault(scene.app, scene.clock);
    const missing = "/usr/share/fonts/none-here/NotoSansCJK-Regular.ttc";
    const documents = new TicketDocuments({ core: scene.app.core, archive: scene.app.documents, font: { path: missing, face: "NotoSansCJKsc-Regular" } });
    const refused = await documents.fileTicketRecord({ number, format: "pdf", locale: "zh-CN" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DocumentFontMissing);
    expect((refused as Error).message).toContain(missing);
    expect((refused as Error).message).toContain("fonts-noto-cjk");
    expect(await scene.app.documents.list()).toEqual([]);
  });
});
