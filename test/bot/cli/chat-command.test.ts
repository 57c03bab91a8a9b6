import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshDatabaseFile } from "../../support/test-app.js";
import { LEVEL2_FAULT } from "../../support/report-script.js";
import { runCli } from "../../support/run-cli.js";

let db: ReturnType<typeof freshDatabaseFile>;
beforeEach(() => {
  db = freshDatabaseFile();
});
afterEach(() => db.cleanup());

const chat = (member: string, lines: string[]) =>
  runCli(["chat", "--as", member], { stdin: lines.join("\n") + "\n", env: { DATABASE_URL: `file:${db.file}` } });

describe("npx hotline chat", () => {
  it("walks a whole report into a stored ticket, then a second run shows it with /status and /mine", async () => {
    const first = await chat("wang.fang", [...LEVEL2_FAULT, "1"]);
    expect(first.code).toBe(0);
    const number = /HL-\d{8}-\d{4}/.exec(first.stdout)?.[0];
    expect(number).toBeDefined();
    expect(first.stdout).toContain("重大质量信息 2 级");
    expect(first.stdout).toContain("造成重大质量事故，未导致人员伤亡");
    expect(first.stdout).toContain("→ slack direct message to 陈杰 (U0000000QA1)");
    expect(first.stdout).toContain("→ slack channel 重大质量信息 (C0000ESCAL)");
    expect(first.stdout).toContain("@周敏 @陈杰 @赵明");

    const second = await chat("wang.fang", [`/status ${number}`, "/mine"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`${number} · 重大质量信息 2 级`);
    expect(second.stdout).toContain("LSGPC52U6AF102554");
    expect(second.stdout).toContain("质量保证部 陈杰: 请提出处理措施");
    expect(second.stdout).toContain("与你相关的工单");
  });

  it("resumes a report left half-way when the chat is started again", async () => {
    await chat("ma.jun", LEVEL2_FAULT.slice(0, 4)); // kind, source, brand answered
    const again = await chat("ma.jun", []);
    expect(again.stdout).toContain("请输入车辆识别代号");
  });

  it("refuses an unknown member and lists the ids to use", async () => {
    const result = await chat("nobody", []);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown member "nobody"');
    expect(result.stderr).toContain("wang.fang");
  });
});
