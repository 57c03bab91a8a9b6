import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshDatabaseFile } from "../../support/test-app.js";
import { LEVEL2_FAULT } from "../../support/report-script.js";
import { eventually } from "../../support/eventually.js";
import { runCli, startCli, type RunningCli } from "../../support/run-cli.js";
import { openDatabase } from "../../../prisma/sqlite/sqlite-database.js";

let db: ReturnType<typeof freshDatabaseFile>;
const running: RunningCli[] = [];
beforeEach(() => {
  db = freshDatabaseFile();
});
afterEach(() => {
  running.splice(0).forEach((cli) => cli.kill());
  db.cleanup();
});

/** A chat left open, as in a terminal: stdin stays open until the test types /quit. */
function openChat(member: string): RunningCli {
  const cli = startCli(["chat", "--as", member], { env: { DATABASE_URL: `file:${db.file}` } });
  running.push(cli);
  return cli;
}

const printed = (cli: RunningCli, text: string | RegExp, timeoutMs = 20_000) =>
  eventually(
    () => (typeof text === "string" ? cli.stdout().includes(text) : text.test(cli.stdout())),
    () => `waiting for ${String(text)} in:\n${cli.stdout()}\n${cli.stderr()}`,
    timeoutMs,
  );

/** The messages a chat showed as sent to its member: each "→ to you" line with the card under it. */
const deliveredBlocks = (cli: RunningCli) =>
  cli
    .stdout()
    .split(/^(?=\S)/m)
    .filter((block) => block.startsWith("→ to you"));

/** Resolves with the exit code, or with "still running" after the time given. */
const exitWithin = (cli: RunningCli, ms: number) => Promise.race([cli.exited, new Promise<string>((resolve) => setTimeout(() => resolve("still running"), ms))]);

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
    // §4: after-sales confirms it first; QA and the channel hear of it once confirmed.
    expect(first.stdout).toContain("→ slack direct message to 周敏 (U0000000AS1)");
    expect(first.stdout).not.toContain("陈杰 (U0000000QA1)");
    const confirmed = await chat("zhou.min", [`/confirm ${number}`]);
    expect(confirmed.stdout).toContain(`已确认 ${number}：重大质量信息 2 级。已通报：陈杰、赵明、#重大质量信息`);
    const client = await openDatabase(`file:${db.file}`);
    try {
      const outbox = (await client.delivery.findMany({ where: { kind: "message" } })).map((row) => [JSON.parse(row.recipient).name, JSON.parse(row.payload)]);
      expect(outbox.map(([name]) => name)).toEqual(expect.arrayContaining(["陈杰", "重大质量信息"]));
      expect(outbox.find(([name]) => name === "重大质量信息")![1].mentions.map((m: { name: string }) => m.name)).toEqual(["周敏", "陈杰", "赵明"]);
    } finally {
      await client.$disconnect();
    }

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

  it("leaves on /quit while its input stays open, as a terminal's does", async () => {
    const chat = openChat("wang.fang");
    await printed(chat, "/quit leaves");
    chat.type("/quit");
    expect(await exitWithin(chat, 10_000)).toBe(0);
  });

  it("shows each member what the bot sends them: the lead sees the ping, acknowledges it, the reporter sees the notice", async () => {
    const lead = openChat("chen.jie");
    const reporter = openChat("wang.fang");
    const afterSales = openChat("zhou.min");
    await Promise.all([printed(lead, "/quit leaves"), printed(reporter, "/quit leaves"), printed(afterSales, "/quit leaves")]);

    reporter.type(...LEVEL2_FAULT, "1");
    const number = (await printed(reporter, /✔ (HL-\d{8}-\d{4})/)) && /HL-\d{8}-\d{4}/.exec(reporter.stdout())![0];
    // After-sales is asked to confirm it first (§4), then QA hears of it.
    await printed(afterSales, "→ to you on slack");
    afterSales.type(`/confirm ${number}`);
    await printed(afterSales, `已确认 ${number}`);
    // chen.jie's direct platform is Slack: the ping appears in his terminal as it goes there.
    await printed(lead, "→ to you on slack");
    expect(lead.stdout()).toContain(`新工单 ${number}：重大质量信息 2 级`);
    expect(lead.stdout()).toContain(`[响应] /ack ${number}`);

    lead.type(`/ack ${number}`);
    await printed(lead, `已响应 ${number}。`);
    // The reporter hears back on her direct platform: wang.fang's is WeCom.
    await printed(reporter, `你上报的 ${number} 已由 陈杰（质量保证部）响应。`);
    expect(reporter.stdout()).toContain("→ to you on wecom");
    // Each sees only the messages to them, each once.
    const [toLead, toReporter] = [deliveredBlocks(lead), deliveredBlocks(reporter)];
    expect(toLead).toHaveLength(1);
    expect(toLead[0]).toContain("新工单");
    expect(toReporter).toHaveLength(2);
    expect(toReporter[0]).toContain("已由 周敏（售后服务部）确认");
    expect(toReporter[1]).toContain("已由 陈杰（质量保证部）响应");

    for (const chat of [reporter, lead, afterSales]) chat.type("/quit");
    expect(await Promise.all([reporter, lead, afterSales].map((chat) => exitWithin(chat, 10_000)))).toEqual([0, 0, 0]);

    // Shown, not delivered: the rows still wait for the bot to send them on Slack and WeCom.
    const client = await openDatabase(`file:${db.file}`);
    try {
      const toMembers = (await client.delivery.findMany({ where: { kind: "message" } })).filter((row) => ["chen.jie", "wang.fang"].includes(JSON.parse(row.recipient).memberId));
      expect(toMembers.length).toBeGreaterThanOrEqual(2);
      expect(toMembers.every((row) => row.status === "pending" && row.attempts === 0)).toBe(true);
    } finally {
      await client.$disconnect();
    }
  });

  it("does not show what was in the outbox before the chat started", async () => {
    await chat("wang.fang", [...LEVEL2_FAULT, "1"]);
    const lead = openChat("chen.jie");
    await printed(lead, "/quit leaves");
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // two polls
    expect(lead.stdout()).not.toContain("→ to you");
    lead.type("/quit");
    expect(await exitWithin(lead, 10_000)).toBe(0);
  });

  it("sends a file to the report with /attach <file>, and adds files to the ticket after with /attach HL-…", async () => {
    const dir = dirname(db.file);
    const [photo, report, invoice] = ["dashboard.jpg", "inspection.pdf", "invoice.pdf"].map((name) => {
      writeFileSync(join(dir, name), name);
      return join(dir, name);
    });
    const first = await chat("wang.fang", [...LEVEL2_FAULT.slice(0, -1), `/attach ${photo}`, "完成", "1"]);
    expect(first.stdout).toContain("已收到 1 个附件");
    const number = /HL-\d{8}-\d{4}/.exec(first.stdout)![0];

    const second = await chat("wang.fang", [`/attach ${number}`, `/attach ${report}`, "1", `/attach ${number} ${invoice}`]);
    expect(second.stdout).toContain(`请发送 ${number} 的照片或文件`);
    expect(second.stdout).toContain(`已为 ${number} 添加 1 个附件。\n继续发送，或点“完成”。`);
    expect(second.stdout).toContain(`${number} 的附件已添加完毕（共 1 个）。`);

    const client = await openDatabase(`file:${db.file}`);
    try {
      const files = await client.attachment.findMany({ orderBy: { id: "asc" } });
      expect(files.map((f) => [f.platform, f.fileId, f.name])).toEqual([
        ["terminal", photo, "dashboard.jpg"],
        ["terminal", report, "inspection.pdf"],
        ["terminal", invoice, "invoice.pdf"],
      ]);
      expect(await client.ticketEvent.count({ where: { type: "attachment_added" } })).toBe(2);
    } finally {
      await client.$disconnect();
    }
  });
});
