import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { workedMajorFault } from "../../support/record-scenes.js";
import { GENERAL_FAULT } from "../../support/report-script.js";
import { expectRefusal, useCliScene } from "../../support/cli-scene.js";
import { say } from "../../support/test-app.js";

/*
 * `npx hotline documents …` as an operator runs it, on a database where a major fault was worked
 * through to its result and a general fault was reported.
 */

const FAULT = "HL-20261126-0001";
const GENERAL = "HL-20261126-0002";

const cliScene = useCliScene("documents", async (app, clock) => {
  await workedMajorFault(app, clock);
  for (const line of [...GENERAL_FAULT, "1"]) await say(app, "wang.fang", line);
});
const cli = cliScene.run;
const { out } = cliScene;
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("npx hotline documents", () => {
  it("makes a ticket's form, keeps each version, lists them and writes one back out with its checksum checked", async () => {
    const xlsx = join(out, "form.xlsx");
    const made = await cli(["ticket", "hl-20261126-1", "--format", "xlsx", "--out", xlsx]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain(`Made the major_quality_report of ${FAULT}, version 1, and kept it as document 1.`);
    expect(made.stdout).toContain(`sha256 ${sha256(xlsx)}`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    expect(book.worksheets[0]!.getCell("A1").value).toBe("重大售后质量信息报告单");

    const pdf = join(out, "form.pdf");
    const [again, asPdf] = [await cli(["ticket", FAULT, "--format", "xlsx", "--out", join(out, "again.xlsx"), "--locale", "en", "--as", "zhou.min"]), await cli(["ticket", FAULT, "--out", pdf])];
    expect(again.stdout).toContain("version 2, and kept it as document 2");
    expect(asPdf.stdout).toContain("version 1, and kept it as document 3");
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe("%PDF-");

    const list = await cli(["list", "--ticket", FAULT]);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trimEnd().split("\n");
    expect(lines.map((line) => line.split(/\s+/).slice(0, 6))).toEqual([
      ["#3", "major_quality_report", FAULT, "v1", "pdf", "zh-CN"],
      ["#2", "major_quality_report", FAULT, "v2", "xlsx", "en"],
      ["#1", "major_quality_report", FAULT, "v1", "xlsx", "zh-CN"],
    ]);
    expect(lines[0]).toContain(`sha256 ${sha256(pdf)}`);
    expect(lines[0]).toMatch(/ \d{4}-\d{2}-\d{2} \d{2}:\d{2} \+08:00 /);
    expect(lines[1]).toContain("for zhou.min");
    expect(lines[2]).toContain("filed copy");
    expect((await cli(["list", "--ticket", GENERAL])).stdout.trim()).toBe(`No documents of ${GENERAL} yet.`);

    const back = join(out, "back.xlsx");
    const got = await cli(["get", "1", "--out", back]);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toContain(`Checksum verified; written to ${back}.`);
    expect(readFileSync(back).equals(readFileSync(xlsx))).toBe(true);
  });

  it("refuses bad arguments in one line that names the argument, exit code 2", async () => {
    const missingFolder = join(out, "no-such-folder", "form.pdf");
    const results = await Promise.all([
      cli(["ticket", FAULT, "--format", "docx"]),
      cli(["ticket", "20261126"]),
      cli(["ticket"]),
      cli(["ticket", FAULT, "--locale", "fr"]),
      cli(["ticket", FAULT, "--out", missingFolder]),
      cli(["ticket", FAULT, "--out", out]),
      cli(["ticket", FAULT, "--as", "nobody"]),
      cli(["ticket", FAULT, "--as", "guo.tao"]),
      cli(["ticket", "HL-20261126-0009"]),
      cli(["ticket", GENERAL]),
      cli(["get", "first", "--out", join(out, "x.pdf")]),
      cli(["get", "1"]),
      cli(["get", "999", "--out", join(out, "x.pdf")]),
      cli(["list", "--ticket", "yesterday"]),
      cli(["print"]),
      cli([]),
    ]);
    const problems = [
      "hotline documents: --format must be pdf or xlsx",
      '<number> must be a ticket number such as HL-20261126-0001, not "20261126"',
      "<number> is required",
      "--locale must be zh-CN or en",
      "--out names a folder that does not exist",
      "--out names a folder: give a file name",
      '--as names no member of the directory ("nobody"',
      `--as guo.tao may not see ${FAULT}`,
      "<number> There is no ticket HL-20261126-0009.",
      `<number> ${GENERAL} has no form of its own`,
      "<id> must be a document's id",
      "--out is required",
      "<id> names no document (999",
      '--ticket must be a ticket number such as HL-20261126-0001, not "yesterday"',
      'unknown action "print" (ticket, list or get)',
      "missing the action (ticket, list or get)",
    ];
    results.forEach((result, i) => expectRefusal(result, problems[i]!));
    expect(existsSync(missingFolder)).toBe(false);
  });

  it("says which font file is missing when a PDF cannot be set, and keeps nothing", async () => {
    const before = (await cli(["list"])).stdout;
    const result = await cli(["ticket", FAULT, "--format", "pdf", "--out", join(out, "boxes.pdf")], { DOCUMENT_FONT: "/opt/fonts/missing/NotoSansCJK-Regular.ttc" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the PDF font /opt/fonts/missing/NotoSansCJK-Regular.ttc (DOCUMENT_FONT) is missing: install Debian's fonts-noto-cjk");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(out, "boxes.pdf"))).toBe(false);
    expect((await cli(["list"])).stdout).toBe(before);
  });

  it("refuses to write out a document whose bytes no longer match their checksum", async () => {
    const made = await cli(["ticket", FAULT, "--format", "xlsx", "--out", join(out, "to-damage.xlsx")]);
    const id = Number(/kept it as document (\d+)/.exec(made.stdout)![1]);
    const sqlite = new BetterSqlite3(cliScene.databaseFile);
    sqlite.prepare(`UPDATE "Document" SET "content" = ? WHERE "id" = ?`).run(Buffer.from("not the workbook"), id);
    sqlite.close();
    const target = join(out, "damaged.xlsx");
    const result = await cli(["get", String(id), "--out", target]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`document ${id} is damaged`);
    expect(result.stderr).toContain("nothing was written");
    expect(existsSync(target)).toBe(false);
  });
});
