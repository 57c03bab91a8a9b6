import { readFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { busyDay } from "../../support/day-scenes.js";
import { expectRefusal, useCliScene } from "../../support/cli-scene.js";

/*
 * `npx hotline export tickets …` on a database holding a busy 26 November (see `busyDay`): the CSV
 * read as bytes, the workbook read back with exceljs, and each refusal.
 */

const cliScene = useCliScene("export", busyDay);
const cli = (args: string[]) => cliScene.run(args);
const { out } = cliScene;

const HEADER = "编号,时间,类型,来源,级别,状态,品牌,VIN,里程（公里）,情况描述,来电人/顾客,电话,上报人,服务中心,解决时间,关闭时间,处理结果";

describe("npx hotline export tickets", () => {
  it("writes CSV that Excel opens with its Chinese intact: a BOM, CRLF after each record, fields with commas, quotes or line breaks quoted", async () => {
    const file = join(out, "day.csv");
    const result = await cli(["tickets", "--from", "2026-11-26", "--to", "2026-11-26", "--format", "csv", "--out", file]);
    expect(result.stdout.trim()).toBe(`Wrote 5 tickets reported 2026-11-26 to 2026-11-26 to ${file}.`);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 3).toString("hex")).toBe("efbbbf");
    const text = bytes.subarray(3).toString("utf8");
    expect(text.endsWith("\r\n")).toBe(true);
    // Six records (the header and five tickets); the letter's line break is the one LF inside a field.
    expect(text.split("\r\n")).toHaveLength(7);
    expect(text.replaceAll("\r\n", "").split("\n")).toHaveLength(2);
    const records = text.split("\r\n");
    expect(records[0]).toBe(HEADER);
    expect(records[1]).toBe("HL-20261126-0001,2026-11-26 10:00,质量故障,特约服务中心,重大质量信息 1 级,已解决,中华,LSGPC52U6AF102554,12000,行驶中制动失灵，撞上护栏,张先生,138****5678,王芳,沈阳特约服务中心,2026-11-26 13:40,-,已更换制动总泵，同批次车辆排查完毕");
    expect(records[3]).toBe('HL-20261126-0003,2026-11-26 14:40,质量故障,E-mail/传真/信件,一般质量信息,已解决,海狮,-,-,"顾客来信称""车门密封条漏水"", 洗车后\n脚垫湿透",钱先生,139****2222,周敏,北京特约服务中心,2026-11-26 15:05,-,已更换左前门密封条，顾客满意');
    expect(text).not.toContain("13700001111");
  });

  it("writes a workbook with numbers as numbers and times in Shanghai time, and keeps to the level asked for", async () => {
    const file = join(out, "level1.xlsx");
    const result = await cli(["tickets", "--from", "2026-11-20", "--to", "2026-11-26", "--level", "1", "--out", file]);
    expect(result.stdout.trim()).toBe(`Wrote 2 tickets reported 2026-11-20 to 2026-11-26 to ${file}.`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
    expect(book.worksheets.map((s) => s.name)).toEqual(["表单", "工单"]);
    expect(book.worksheets[0]!.getCell("A1").value).toBe("工单导出");
    const sheet = book.getWorksheet("工单")!;
    expect((sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).join(",")).toBe(HEADER);
    const rows: ExcelJS.CellValue[][] = [];
    sheet.eachRow((row, n) => n > 1 && rows.push((row.values as ExcelJS.CellValue[]).slice(1)));
    expect(rows.map((row) => row[0])).toEqual(["HL-20261126-0001", "HL-20261126-0005"]);
    expect(rows[0]![1]).toEqual(new Date("2026-11-26T10:00:00.000Z"));
    expect(rows[0]![8]).toBe(12000);
    expect(sheet.getCell("I2").numFmt).toBe("#,##0");
    expect(rows[0]![11]).toBe("138****5678");
    expect(rows[0]![14]).toEqual(new Date("2026-11-26T13:40:00.000Z"));
    expect(rows[1]![4]).toBe("重大质量信息 1 级");
  });

  it("refuses in one line naming the argument, exit code 2", async () => {
    const [noFrom, badLevel, backwards, badFormat, badWhat, badDay, noWhat] = await Promise.all([
      cli(["tickets", "--to", "2026-11-26"]),
      cli(["tickets", "--from", "2026-11-26", "--to", "2026-11-26", "--level", "4"]),
      cli(["tickets", "--from", "2026-11-26", "--to", "2026-11-20"]),
      cli(["tickets", "--from", "2026-11-26", "--to", "2026-11-26", "--format", "pdf"]),
      cli(["calls", "--from", "2026-11-26", "--to", "2026-11-26"]),
      cli(["tickets", "--from", "2026-02-30", "--to", "2026-03-01"]),
      cli([]),
    ]);
    expectRefusal(noFrom, "hotline export: --from is required");
    expectRefusal(badLevel, "hotline export: --level must be general, 1, 2 or 3");
    expectRefusal(backwards, "hotline export: --to is before --from (2026-11-26)");
    expectRefusal(badFormat, "hotline export: --format must be xlsx or csv");
    expectRefusal(badWhat, "hotline export: <what> must be tickets");
    expectRefusal(badDay, "hotline export: --from is not a day of the calendar");
    expectRefusal(noWhat, "hotline export: <what> is required");
  });
});
