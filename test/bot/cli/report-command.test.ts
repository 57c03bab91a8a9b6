import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { busyDay } from "../../support/day-scenes.js";
import { expectRefusal, useCliScene } from "../../support/cli-scene.js";
import { runCli } from "../../support/run-cli.js";

const cliScene = useCliScene("report", busyDay);
const cli = (args: string[]) => cliScene.run(args);
const { out } = cliScene;

const pngSize = (file: string) => {
  const png = readFileSync(file);
  expect(png.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
};

describe("npx hotline report", () => {
  it("prints both reports for a date, as text or as JSON", async () => {
    const [text, json, quiet] = await Promise.all([cli(["--date", "2026-11-26"]), cli(["--date", "2026-11-26", "--format", "json"]), cli(["--date", "2026-11-25", "--json"])]);
    expect(text.stdout).toContain("售后服务部重大质量问题日报告 2026-11-26");
    expect(text.stdout).toContain("售后服务电话接听日报表 2026-11-26");
    expect(JSON.parse(json.stdout).hotline).toMatchObject({ period: { from: "2026-11-26", to: "2026-11-26" }, total: 5, handled: 2, pending: 3 });
    const reports = JSON.parse(quiet.stdout);
    expect(reports.hotline).toMatchObject({ total: 0, handled: 0, pending: 0 });
    expect(reports.majorProblems.newByLevel).toEqual({ 1: [], 2: [], 3: [], ungraded: [] });
  });

  it("makes the day's three records as workbooks, keeps them, and writes them beside --out with the chart; again, as version 2", async () => {
    const file = join(out, "day.xlsx");
    const first = await cli(["--date", "2026-11-26", "--format", "xlsx", "--out", file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("Made the records of 2026-11-26 and kept them in the archive:");
    for (const kind of ["hotline_call_log", "mail_log", "major_problems_daily"]) {
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(readFileSync(join(out, `day-${kind}.xlsx`)) as unknown as ArrayBuffer);
      expect(book.worksheets[0]!.getCell("A1").value, kind).toMatch(/售后/);
    }
    expect(pngSize(join(out, "day-daily_charts.png"))).toEqual({ width: 2280, height: 560 });
    expect(existsSync(join(out, "day-hotline_call_log.pdf"))).toBe(false);

    const again = await cli(["--date", "2026-11-26", "--format", "pdf", "--out", join(out, "again.pdf")]);
    expect(again.stdout).toMatch(/hotline_call_log\s+v2\s/);
    expect(readFileSync(join(out, "again-mail_log.pdf")).subarray(0, 5).toString()).toBe("%PDF-");
    const list = await runCli(["documents", "list"], { env: { DATABASE_URL: `file:${cliScene.databaseFile}` } });
    expect(list.stdout.match(/hotline_call_log {2}2026-11-26 {2}v\d/g)?.sort()).toEqual(["hotline_call_log  2026-11-26  v1", "hotline_call_log  2026-11-26  v1", "hotline_call_log  2026-11-26  v2", "hotline_call_log  2026-11-26  v2"]);
  });

  it("makes the week's measures as one PDF at --out, the trend chart beside it, and as JSON", async () => {
    const file = join(out, "week.pdf");
    const made = await cli(["--week", "--date", "2026-11-26", "--format", "pdf", "--out", file]);
    expect(made.stdout).toContain("Made the measures of 2026-11-20 ~ 2026-11-26");
    expect(readFileSync(file).subarray(0, 5).toString()).toBe("%PDF-");
    expect(pngSize(join(out, "week-weekly_trend.png"))).toEqual({ width: 1520, height: 560 });
    const json = JSON.parse((await cli(["--week", "--date", "2026-11-26", "--format", "json"])).stdout);
    expect(json.measures.reported).toBe(5);
    expect(json.measures.centers[0]).toEqual({ centerId: "sc-shenyang", reports: 4, feedbackMet: 0, feedbackMissed: 0, missedDeadlines: 0 });
  });

  it("refuses a bad date, format, locale or --out in one line naming it, exit code 2", async () => {
    const [badDate, csv, locale, textOut, missingFolder] = await Promise.all([
      cli(["--date", "25/11/2026"]),
      cli(["--date", "2026-11-26", "--format", "csv"]),
      cli(["--locale", "fr"]),
      cli(["--out", join(out, "x.txt")]),
      cli(["--format", "pdf", "--out", join(out, "no-such-folder", "day.pdf")]),
    ]);
    expectRefusal(badDate, "hotline report: --date must be a date as YYYY-MM-DD");
    expectRefusal(csv, "hotline report: --format must be text, json, xlsx or pdf");
    expectRefusal(locale, "hotline report: --locale must be zh-CN or en");
    expectRefusal(textOut, "hotline report: --out writes a file, which text is not");
    expectRefusal(missingFolder, "hotline report: --out names a folder that does not exist");
  });
});
