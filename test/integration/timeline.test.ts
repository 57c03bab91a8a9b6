import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { freshDatabaseFile, say, startTestApp, type TestClock } from "../support/test-app.js";
import { LEVEL2_FAULT } from "../support/report-script.js";

let app: App;
let db: ReturnType<typeof freshDatabaseFile>;
let clock: TestClock;
const NUMBER = "HL-20261126-0001";

beforeEach(async () => {
  db = freshDatabaseFile();
  clock = { now: new Date("2026-11-26T02:00:00Z") }; // 10:00 in Shanghai
  app = await startTestApp(db.file, clock);
  for (const line of [...LEVEL2_FAULT, "1"]) await say(app, "wang.fang", line);
});

afterEach(async () => {
  await app.close();
  db.cleanup();
});

const later = (minutes: number) => (clock.now = new Date(clock.now.getTime() + minutes * 60_000));
const ticket = async () => (await app.core.tickets.findByNumber(NUMBER))!;

/** The level-2 fault worked on: confirmed by after-sales, acknowledged by QA, a question answered, notes, resolved. */
async function workOnIt() {
  later(5);
  await say(app, "zhou.min", `/ack ${NUMBER}`);
  later(5);
  await say(app, "chen.jie", `/ack ${NUMBER}`);
  later(5);
  await say(app, "chen.jie", `/ask ${NUMBER} 请补充仪表照片`);
  later(5);
  await say(app, "wang.fang", `/note ${NUMBER} 照片已上传`);
  for (let i = 1; i <= 6; i++) {
    later(1);
    await say(app, "zhou.min", `/note ${NUMBER} 跟进 ${i}`);
  }
  later(5);
  await say(app, "chen.jie", `/resolve ${NUMBER} 已更换制动总泵`);
}

/** The 21 entries, oldest first, as after-sales reads them in Chinese. */
const STORY = [
  "11-26 10:00 王芳 上报：质量故障（特约服务中心）",
  "11-26 10:00 定级：重大质量信息 2 级（造成重大质量事故，未导致人员伤亡）",
  "11-26 10:00 通知 售后服务部 周敏：请确认工单及其级别",
  "11-26 10:05 周敏 响应了（售后服务部：请确认工单及其级别）",
  "11-26 10:05 周敏 确认了工单：重大质量信息 2 级",
  "11-26 10:05 重大质量信息报告已发出",
  "11-26 10:05 状态：待确认 → 已确认",
  "11-26 10:05 通知 质量保证部 陈杰：请提出处理措施",
  "11-26 10:05 通知 赵明：知会",
  "11-26 10:10 陈杰 响应了（质量保证部：请提出处理措施）",
  "11-26 10:10 状态：已确认 → 已响应",
  "11-26 10:15 陈杰 请上报人补充信息：请补充仪表照片",
  "11-26 10:20 王芳 答复 陈杰 的提问：照片已上传",
  "11-26 10:21 周敏 备注：跟进 1",
  "11-26 10:22 周敏 备注：跟进 2",
  "11-26 10:23 周敏 备注：跟进 3",
  "11-26 10:24 周敏 备注：跟进 4",
  "11-26 10:25 周敏 备注：跟进 5",
  "11-26 10:26 周敏 备注：跟进 6",
  "11-26 10:31 陈杰 标记解决：已更换制动总泵",
  "11-26 10:31 状态：已响应 → 已解决",
];

describe("/timeline", () => {
  it("pages a ticket's whole record, oldest first, fifteen entries a page, saying how to read on", async () => {
    await workOnIt();

    const first = await say(app, "zhou.min", `/timeline ${NUMBER}`);
    expect(first.replies).toHaveLength(1);
    expect(first.replies[0]!.title).toBe(`${NUMBER} · 动态`);
    expect(first.replies[0]!.lines).toEqual([...STORY.slice(0, 15), `第 1/2 页 · 下一页：/timeline ${NUMBER} 2`]);

    const second = await say(app, "zhou.min", `/timeline hl-20261126-1 2`);
    expect(second.replies[0]!.lines).toEqual([...STORY.slice(15), "第 2/2 页"]);
    expect(first.notifications).toEqual([]);
  });

  it("reads in the reader's language", async () => {
    await workOnIt();
    await say(app, "chen.jie", "/lang en");
    const page = await say(app, "chen.jie", `/timeline ${NUMBER} 2`);
    expect(page.replies[0]!.title).toBe(`${NUMBER} · Timeline`);
    expect(page.replies[0]!.lines).toEqual([
      "11-26 10:23 Zhou Min noted: 跟进 3",
      "11-26 10:24 Zhou Min noted: 跟进 4",
      "11-26 10:25 Zhou Min noted: 跟进 5",
      "11-26 10:26 Zhou Min noted: 跟进 6",
      "11-26 10:31 Chen Jie resolved it: 已更换制动总泵",
      "11-26 10:31 Status: Acknowledged → Resolved",
      "page 2 of 2",
    ]);
  });

  it("answers a page past the end, or one that is not a number, with what there is", async () => {
    expect((await say(app, "zhou.min", `/timeline ${NUMBER} 3`)).text).toBe(`${NUMBER} 的动态共 1 页，没有第 3 页。`);
    expect((await say(app, "zhou.min", `/timeline ${NUMBER} 0`)).text).toBe("用法：/timeline <HL-…> [page]");
    expect((await say(app, "zhou.min", `/timeline ${NUMBER} two`)).text).toBe("用法：/timeline <HL-…> [page]");
    expect((await say(app, "zhou.min", "/timeline")).text).toBe("用法：/timeline <HL-…> [page]");
    expect((await say(app, "zhou.min", "/timeline HL-20261126-0009")).text).toBe("找不到工单 HL-20261126-0009。");
  });

  it("is refused, with nothing of the ticket in the answer, to members who may not see the ticket", async () => {
    await workOnIt();
    // Another center's staff, and a department this level-2 fault does not concern.
    const otherCenter = await say(app, "guo.tao", `/timeline ${NUMBER}`);
    expect(otherCenter.text).toBe(
      `You may not see ${NUMBER}: only the reporter, their service center, pinged departments, After-Sales Department and managers can.`,
    );
    const publicRelations = await say(app, "sun.li", `/timeline ${NUMBER}`);
    expect(publicRelations.text).toContain(`你无权查看 ${NUMBER}`);
    expect(publicRelations.text).not.toContain("跟进");

    // Those /status lets in, /timeline lets in: the reporter's colleague at the center, a pinged department, a manager.
    for (const allowed of ["ma.jun", "gao.feng", "qian.hao"]) {
      expect((await say(app, allowed, `/timeline ${NUMBER}`)).replies[0]!.lines[0]).toBe(STORY[0]);
    }
  });

});

describe("/status", () => {
  it("shows the latest five entries under their heading, and where to read the rest", async () => {
    await workOnIt();
    const status = await say(app, "wang.fang", `/status ${NUMBER}`);
    const { lines } = status.replies[0]!;
    const heading = lines.indexOf("最近动态:");
    expect(heading).toBeGreaterThan(0);
    expect(lines.slice(heading + 1)).toEqual([...STORY.slice(-5), `共 21 条，查看全部：/timeline ${NUMBER}`]);
    expect(status.replies[0]!.fields?.find((f) => f.label === "状态")?.value).toBe("已解决");
  });

  it("gives no hint when the latest entries are all there are", async () => {
    await say(app, "zhou.min", "/lang en");
    const { lines } = (await say(app, "zhou.min", `/status ${NUMBER}`)).replies[0]!;
    expect(lines.slice(lines.indexOf("Latest:") + 1)).toEqual([
      "11-26 10:00 Wang Fang reported it: Quality fault (Service center)",
      "11-26 10:00 Classified: Major, level 2 (A major quality accident without casualties)",
      "11-26 10:00 Pinged After-Sales Department Zhou Min: confirm the ticket and its level",
    ]);
  });
});

describe("the ticket store's timeline", () => {
  it("orders by time, then by the order written, and reads a row whose data is not JSON as a generic line", async () => {
    const { id } = await ticket();
    // Written last, but recorded as happening before the report's own entries.
    await app.db.ticketEvent.create({ data: { ticketId: id, type: "note", actorId: "zhou.min", data: "{not json", at: new Date("2026-11-26T01:59:00Z") } });

    const entries = await app.core.tickets.timeline(id);
    expect(entries.map((e) => e.type)).toEqual(["note", "created", "classified", "pinged"]);
    expect(entries[0]!.data).toEqual({});
    expect(entries[1]).toMatchObject({ actorId: "wang.fang", data: { kind: "fault", source: "service_center" }, at: new Date("2026-11-26T02:00:00Z") });
    const [written, ...reported] = entries.map((e) => e.id);
    expect(reported).toEqual([...reported].sort((a, b) => a - b));
    expect(written).toBeGreaterThan(reported.at(-1)!);

    expect((await say(app, "zhou.min", `/timeline ${NUMBER}`)).replies[0]!.lines[0]).toBe("11-26 09:59 周敏 记录了“note”");
    expect(await app.core.tickets.timeline(id + 1)).toEqual([]);
  });
});
