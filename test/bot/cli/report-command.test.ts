import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../support/run-cli.js";
import { freshDatabaseFile } from "../../support/test-app.js";

let db: ReturnType<typeof freshDatabaseFile>;
beforeEach(() => {
  db = freshDatabaseFile();
});
afterEach(() => db.cleanup());

const cli = (args: string[]) => runCli(["report", ...args], { env: { DATABASE_URL: `file:${db.file}` } });

describe("npx hotline report", () => {
  it("prints both reports for a date, as text or as JSON, and refuses a bad date", async () => {
    const [text, json, bad] = await Promise.all([cli(["--date", "2026-11-25"]), cli(["--date", "2026-11-25", "--json"]), cli(["--date", "25/11/2026"])]);
    expect(text.stdout).toContain("售后服务部重大质量问题日报告 2026-11-25");
    expect(text.stdout).toContain("售后服务电话接听日报表 2026-11-25");
    const reports = JSON.parse(json.stdout);
    expect(reports.hotline).toMatchObject({ period: { from: "2026-11-25", to: "2026-11-25" }, total: 0, handled: 0, pending: 0 });
    expect(reports.majorProblems.newByLevel).toEqual({ 1: [], 2: [], 3: [], ungraded: [] });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--date");
  });
});
