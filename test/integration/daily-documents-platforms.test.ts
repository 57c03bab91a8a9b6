import { createHash } from "node:crypto";
import ExcelJS from "exceljs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LEVEL2_FAULT_STEPS, startScenario, ticketNumberIn, type BotMessage, type Scenario } from "../support/platforms/index.js";
import { withoutConfirmation } from "../support/organisation.js";
import { pdfText } from "../support/pdf-text.js";

const DAY = "2026-11-26";
/** What the after-sales department's evening report carries, and the managers'. */
const HOTLINE_FILES = [`${DAY}-售后服务电话接听日报表.pdf`, `${DAY}-售后服务电话接听日报表.xlsx`, `${DAY}-售后E-mail(传真或信件)接收处理记录.pdf`, `${DAY}-售后E-mail(传真或信件)接收处理记录.xlsx`, `${DAY}-日报图表.png`];
const MAJOR_PROBLEM_FILES = [`${DAY}-售后服务部重大质量问题日报告.pdf`, `${DAY}-售后服务部重大质量问题日报告.xlsx`, `${DAY}-日报图表.png`];

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function workbookText(bytes: Buffer): Promise<string> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  const cells: string[] = [];
  book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => void cells.push(String(cell.text)))));
  return cells.join("\n");
}

describe.each(["telegram", "slack", "wecom"] as const)("the evening reports on %s", (platform) => {
  let scenario: Scenario;
  beforeEach(async () => {
    scenario = await startScenario({ platform, orgEdit: withoutConfirmation });
  });
  afterEach(() => scenario.stop());

  /** The files that came after the reader's evening report, in order. */
  async function filesAfterReport(memberId: string, title: string, count: number): Promise<BotMessage[]> {
    await scenario.waitForInbox(memberId, (m) => m.text.includes(title), { what: `${memberId}'s evening report` });
    const inbox = await scenario.inbox(memberId);
    const report = inbox.findIndex((m) => m.text.includes(title) && !m.file);
    return inbox.slice(report + 1).filter((m) => m.file).slice(0, count);
  }

  it("carries the day's records and chart to after-sales and the managers, as the archive keeps them", async () => {
    const number = ticketNumberIn((await scenario.walk("wang.fang", LEVEL2_FAULT_STEPS)).text);
    await scenario.settle();
    await scenario.sendDailyReports();

    const hotline = await filesAfterReport("wu.lei", "售后服务电话接听日报", HOTLINE_FILES.length);
    expect(hotline.map((m) => m.file)).toEqual(HOTLINE_FILES);
    expect(hotline[0]!.text).toContain(`售后服务电话接听日报表：${DAY}`);
    const majorProblems = await filesAfterReport("feng.gang", "重大质量问题日报", MAJOR_PROBLEM_FILES.length);
    expect(majorProblems.map((m) => m.file)).toEqual(MAJOR_PROBLEM_FILES);

    // Each file is the document the archive kept, byte for byte.
    const archive = await scenario.app.documents.list();
    for (const message of [...hotline, ...majorProblems]) {
      const bytes = message.fileBytes!;
      expect(bytes, message.file).toBeInstanceOf(Buffer);
      expect(archive.map((d) => d.sha256)).toContain(sha256(bytes));
    }
    // And reads as what it is: the call log and the major problems report name the day's ticket.
    expect(pdfText(hotline[0]!.fileBytes!)).toContain(number);
    expect(await workbookText(hotline[1]!.fileBytes!)).toContain(number);
    expect(pdfText(majorProblems[0]!.fileBytes!)).toContain(number);
    expect(await workbookText(majorProblems[1]!.fileBytes!)).toContain(number);
    const chart = hotline[4]!.fileBytes!;
    expect(chart.subarray(12, 16).toString("ascii")).toBe("IHDR");
    expect(chart.readUInt32BE(16)).toBeGreaterThan(400);
    expect(await scenario.app.db.delivery.count({ where: { status: "failed" } })).toBe(0);
  });
});
