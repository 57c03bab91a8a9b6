import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { pendingPrompt } from "../../core/conversation/handle-message.js";
import type { AttachmentRef } from "../../core/tickets/ticket.js";
import { freshDatabaseFile, say, startTestApp } from "../support/test-app.js";
import { LEVEL2_FAULT } from "../support/report-script.js";

let app: App;
let db: ReturnType<typeof freshDatabaseFile>;
const NUMBER = "HL-20261126-0001";

beforeEach(async () => {
  db = freshDatabaseFile();
  app = await startTestApp(db.file);
  // wang.fang (Shenyang staff) reports a level-2 fault pinged to after-sales (zhou.min) and QA (chen.jie).
  for (const line of [...LEVEL2_FAULT, "1"]) await say(app, "wang.fang", line);
  // After-sales confirms it, so QA is pinged and may ask (§4).
  await say(app, "zhou.min", `/confirm ${NUMBER}`);
});

afterEach(async () => {
  await app.close();
  db.cleanup();
});

const photo = (fileId: string): AttachmentRef => ({ platform: "telegram", fileId, kind: "photo" });

async function timeline(type: string) {
  const events = await app.db.ticketEvent.findMany({ where: { type }, orderBy: { id: "asc" } });
  return events.map((e) => ({ actorId: e.actorId, data: JSON.parse(e.data) as unknown }));
}

async function session(memberId: string) {
  const row = await app.db.dialogSession.findFirst({ where: { memberId } });
  return row && { dialog: row.dialog, step: row.step, state: JSON.parse(row.state) as Record<string, unknown> };
}

/** Starts a report and answers kind, source and brand: the VIN question is open. */
async function reportUpToVin(memberId: string) {
  for (const line of ["/new", "1", "1", "2"]) await say(app, memberId, line);
}

describe("a command sent without its text asks for it", () => {
  it("asks for a note when its button is pressed, and the next text is the note", async () => {
    const asked = await say(app, "zhou.min", { choice: `/note ${NUMBER}` });
    expect(asked.text).toBe(`请输入 ${NUMBER} 的备注内容（/cancel 取消）`);
    expect(asked.replies[0]!.tone).toBe("question");
    expect(await session("zhou.min")).toMatchObject({ dialog: "command", step: "text", state: { command: "note", ticket: NUMBER } });

    const noted = await say(app, "zhou.min", "已联系服务站，明早到现场");
    expect(noted.text).toBe(`已为 ${NUMBER} 添加备注。`);
    expect(noted.notifications).toHaveLength(1); // the reporter hears of it
    expect(await timeline("note")).toEqual([{ actorId: "zhou.min", data: { text: "已联系服务站，明早到现场" } }]);
    expect(await session("zhou.min")).toBeNull();
    expect((await say(app, "zhou.min", "再来一句")).text).toContain("发送 /new 开始上报");
  });

  it("asks a typed /ask for its question in the member's language, and sends the reporter the answer it was given", async () => {
    await say(app, "chen.jie", "/lang en");
    expect((await say(app, "chen.jie", "/ask hl-20261126-1")).text).toBe(`Type what the reporter should add to ${NUMBER} (/cancel to stop)`);
    const asked = await say(app, "chen.jie", "制动管路是否更换过？");
    expect(asked.text).toBe(`The reporter has been asked for more on ${NUMBER}.`);
    expect(asked.notifications[0]!.card.lines[0]).toContain("制动管路是否更换过？");
    expect(await timeline("info_requested")).toEqual([{ actorId: "chen.jie", data: { text: "制动管路是否更换过？" } }]);
  });

  it("shows the waiting command's question again to a member who comes back (the terminal chat)", async () => {
    await say(app, "zhou.min", `/attach ${NUMBER}`);
    const zhou = (await app.directory.findMember("zhou.min"))!;
    const prompt = await app.unitOfWork.run(({ core }) => pendingPrompt(core, zhou, "telegram:zhou.min"));
    expect(prompt).toMatchObject({ lines: [`请发送 ${NUMBER} 的照片或文件（可多张）；发完请点“完成”（/cancel 取消）。`], choices: [{ id: "done" }] });
  });

  it("asks again when the answer brings no text", async () => {
    await say(app, "zhou.min", `/note ${NUMBER}`);
    const again = await say(app, "zhou.min", { attachments: [photo("AgAC-1")] });
    expect(again.text).toBe(`内容不能为空，请重新输入。\n请输入 ${NUMBER} 的备注内容（/cancel 取消）`);
    expect(await session("zhou.min")).toMatchObject({ dialog: "command" });
  });

  it("drops the waiting command on /cancel, and says there is nothing left to cancel after", async () => {
    await say(app, "zhou.min", { choice: `/note ${NUMBER}` });
    expect((await say(app, "zhou.min", "/cancel")).text).toBe("已取消 /note。");
    expect(await session("zhou.min")).toBeNull();
    expect(await timeline("note")).toEqual([]);
    expect((await say(app, "zhou.min", "/cancel")).text).toBe("当前没有进行中的上报。");
  });

  it("runs another command typed instead, and drops the waiting one", async () => {
    await say(app, "zhou.min", `/note ${NUMBER}`);
    expect((await say(app, "zhou.min", `/status ${NUMBER}`)).text).toContain("重大质量信息 2 级");
    expect(await session("zhou.min")).toBeNull();
    expect((await say(app, "zhou.min", "这不是备注")).text).toContain("发送 /new 开始上报");
    expect(await timeline("note")).toEqual([]);
  });

  it("keeps a waiting command through an unknown command", async () => {
    await say(app, "zhou.min", `/note ${NUMBER}`);
    expect((await say(app, "zhou.min", "/nte")).text).toContain("未知命令 /nte");
    expect((await say(app, "zhou.min", "备注内容")).text).toBe(`已为 ${NUMBER} 添加备注。`);
  });

  it("still answers a missing ticket number with the usage line, and asks nothing", async () => {
    expect((await say(app, "zhou.min", { choice: "/note" })).text).toBe("用法：/note <HL-…> <text>");
    expect((await say(app, "zhou.min", "/ask")).text).toBe("用法：/ask <HL-…> <question>");
    expect(await session("zhou.min")).toBeNull();
  });

  it("checks the ticket before asking: an unknown ticket and a member who may not act are told at once", async () => {
    expect((await say(app, "zhou.min", "/note HL-20991231-0001")).text).toBe("找不到工单 HL-20991231-0001。");
    expect((await say(app, "guo.tao", `/note ${NUMBER}`)).text).toMatch(/^You may not see HL-20261126-0001/);
    expect((await say(app, "ma.jun", `/ask ${NUMBER}`)).text).toContain("你无权对 HL-20261126-0001 执行此操作");
    expect(await app.db.dialogSession.count()).toBe(0);
  });

  it("runs at once when the text is there, as before", async () => {
    expect((await say(app, "zhou.min", `/note ${NUMBER} 已电话联系顾客`)).text).toBe(`已为 ${NUMBER} 添加备注。`);
    expect(await session("zhou.min")).toBeNull();
  });
});

describe("a report open in the conversation", () => {
  it("is kept while a command waits for its text, restored afterwards with its question shown again", async () => {
    await reportUpToVin("wang.fang");
    const asked = await say(app, "wang.fang", { choice: `/note ${NUMBER}` });
    expect(asked.text).toBe(`请输入 ${NUMBER} 的备注内容（/cancel 取消）`);
    expect(await session("wang.fang")).toMatchObject({ dialog: "command", state: { report: { step: "vin" } } });

    const noted = await say(app, "wang.fang", "顾客补充：事发时车速约60公里");
    expect(noted.replies.map((r) => r.lines[0])).toEqual([`已为 ${NUMBER} 添加备注。`, "请输入车辆识别代号（VIN，17位）："]);
    expect(await session("wang.fang")).toMatchObject({ dialog: "report", step: "vin" });
    expect((await say(app, "wang.fang", "LSGPC52U6AF102554")).text).toContain("行驶里程");
  });

  it("comes back on /cancel of the waiting command, and a second /cancel cancels the report", async () => {
    await reportUpToVin("wang.fang");
    await say(app, "wang.fang", `/note ${NUMBER}`);
    const cancelled = await say(app, "wang.fang", "/cancel");
    expect(cancelled.text).toBe("已取消 /note。\n请输入车辆识别代号（VIN，17位）：");
    expect(await session("wang.fang")).toMatchObject({ dialog: "report", step: "vin" });
    expect((await say(app, "wang.fang", "/cancel")).text).toBe("已取消本次上报，未保存任何内容。");
    expect(await session("wang.fang")).toBeNull();
  });

  it("comes back when another command replaces the waiting one: /new continues it", async () => {
    await reportUpToVin("wang.fang");
    await say(app, "wang.fang", `/note ${NUMBER}`);
    const resumed = await say(app, "wang.fang", "/new");
    expect(resumed.text).toBe("你有一份未完成的上报，已从中断处继续：\n请输入车辆识别代号（VIN，17位）：");
    expect((await say(app, "wang.fang", "LSGPC52U6AF102554")).text).toContain("行驶里程");
  });

  it("comes back after a refusal of the completed command", async () => {
    await reportUpToVin("wang.fang");
    await say(app, "wang.fang", `/note ${NUMBER}`);
    // The ticket is refused to her between the question and the answer: another center's now.
    await app.db.ticket.update({ where: { number: NUMBER }, data: { serviceCenterId: "sc-beijing", reporterId: "guo.tao" } });
    const refused = await say(app, "wang.fang", "备注");
    expect(refused.replies.map((r) => r.tone)).toEqual(["error", "question"]);
    expect(refused.text).toContain("你无权查看 HL-20261126-0001");
    expect(await session("wang.fang")).toMatchObject({ dialog: "report", step: "vin" });
  });
});

describe("/attach after submission", () => {
  it("attaches the files sent with the command at once, with an attachment_added event", async () => {
    const result = await say(app, "wang.fang", { text: `/attach ${NUMBER}`, attachments: [photo("AgAC-1"), photo("AgAC-2")] });
    expect(result.text).toBe(`已为 ${NUMBER} 添加 2 个附件。`);
    const ticket = (await app.core.tickets.findByNumber(NUMBER))!;
    expect(ticket.attachments).toEqual([photo("AgAC-1"), photo("AgAC-2")]);
    expect(await timeline("attachment_added")).toEqual([{ actorId: "wang.fang", data: { count: 2 } }]);
    expect(await session("wang.fang")).toBeNull();
  });

  it("asks for files, adds each message's until Done, and restores the report it interrupted", async () => {
    await reportUpToVin("wang.fang");
    const asked = await say(app, "wang.fang", { choice: `/attach ${NUMBER}` });
    expect(asked.text).toBe(`请发送 ${NUMBER} 的照片或文件（可多张）；发完请点“完成”（/cancel 取消）。`);
    expect(asked.replies[0]!.choices).toEqual([{ id: "done", label: "完成" }]);

    const first = await say(app, "wang.fang", { attachments: [photo("AgAC-1")] });
    expect(first.text).toBe(`已为 ${NUMBER} 添加 1 个附件。\n继续发送，或点“完成”。`);
    expect(first.replies.at(-1)!.choices).toEqual([{ id: "done", label: "完成" }]);
    expect((await say(app, "wang.fang", "这是什么")).text).toContain("请发送照片或文件，或点“完成”。");
    await say(app, "wang.fang", { text: "仪表盘", attachments: [{ platform: "telegram", fileId: "BQAC-1", kind: "document", name: "检测报告.pdf" }] });

    const done = await say(app, "wang.fang", { choice: "done" });
    expect(done.text).toBe(`${NUMBER} 的附件已添加完毕（共 2 个）。\n请输入车辆识别代号（VIN，17位）：`);
    const ticket = (await app.core.tickets.findByNumber(NUMBER))!;
    expect(ticket.attachments.map((a) => a.fileId)).toEqual(["AgAC-1", "BQAC-1"]);
    expect(ticket.attachments[1]).toMatchObject({ kind: "document", name: "检测报告.pdf" });
    expect(await timeline("attachment_added")).toHaveLength(2);
    expect(await session("wang.fang")).toMatchObject({ dialog: "report", step: "vin" });
  });

  it("ends on the word 完成 or done, and on /cancel keeps what was sent", async () => {
    await say(app, "zhou.min", `/attach ${NUMBER}`);
    expect((await say(app, "zhou.min", "完成")).text).toBe(`${NUMBER} 的附件已添加完毕（共 0 个）。`);
    await say(app, "zhou.min", `/attach ${NUMBER}`);
    await say(app, "zhou.min", { attachments: [photo("AgAC-9")] });
    expect((await say(app, "zhou.min", "/cancel")).text).toBe(`${NUMBER} 的附件已添加完毕（共 1 个）。`);
    expect((await app.core.tickets.findByNumber(NUMBER))!.attachments).toEqual([photo("AgAC-9")]);
    expect(await session("zhou.min")).toBeNull();
  });

  it("is for those who may see the ticket", async () => {
    expect((await say(app, "guo.tao", { text: `/attach ${NUMBER}`, attachments: [photo("AgAC-1")] })).text).toMatch(/^You may not see HL-20261126-0001/);
    expect((await say(app, "guo.tao", `/attach ${NUMBER}`)).text).toMatch(/^You may not see HL-20261126-0001/);
    expect((await app.core.tickets.findByNumber(NUMBER))!.attachments).toEqual([]);
    expect(await app.db.dialogSession.count()).toBe(0);
  });
});
