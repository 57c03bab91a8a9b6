import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { freshDatabaseFile, say, startTestApp, type TestClock } from "../support/test-app.js";
import { GENERAL_FAULT, LEVEL1_COMPLAINT, LEVEL2_FAULT } from "../support/report-script.js";

let app: App;
let db: ReturnType<typeof freshDatabaseFile>;
let clock: TestClock;

beforeEach(async () => {
  db = freshDatabaseFile();
  clock = { now: new Date("2026-11-26T02:00:00Z") }; // 10:00 in Shanghai
  app = await startTestApp(db.file, clock);
});

afterEach(async () => {
  await app.close();
  db.cleanup();
});

async function report(memberId: string, lines: string[]) {
  let last = await say(app, memberId, lines[0]!);
  for (const line of lines.slice(1)) last = await say(app, memberId, line);
  return last;
}

describe("a report through the conversation, on SQLite", () => {
  it("walks a level-2 fault into a stored ticket with its number, level, reasons and pings", async () => {
    const result = await report("wang.fang", [...LEVEL2_FAULT, "1"]);
    expect(result.text).toContain("HL-20261126-0001");
    expect(result.text).toContain("重大质量信息 2 级");
    expect(result.text).toContain("造成重大质量事故，未导致人员伤亡");

    const ticket = await app.core.tickets.findByNumber("HL-20261126-0001");
    expect(ticket).toMatchObject({
      kind: "fault",
      source: "service_center",
      category: "major",
      level: 2,
      status: "open",
      brand: "zhonghua",
      vin: "LSGPC52U6AF102554",
      mileageKm: 12000,
      customerPhone: "138 1234 5678",
      reporterId: "wang.fang",
      serviceCenterId: "sc-shenyang",
      matched: [{ rule: "l2.major-accident", level: 2 }],
    });
    // §4: after-sales confirms it before QA and the leaders hear of it.
    expect(result.text).toContain("已提交售后服务部确认");
    expect(ticket!.releasedAt).toBeNull();
    expect(ticket!.pings.map((p) => [p.memberId, p.duty, p.needsAck])).toEqual([["zhou.min", "confirm", true]]);
    expect(ticket!.deadlines.map((d) => [d.kind, d.dueAt.toISOString()])).toEqual([["acknowledge", "2026-11-26T02:30:00.000Z"]]);
    const held = await app.db.delivery.findMany({ orderBy: { id: "asc" } });
    expect(held.map((d) => [d.platform, JSON.parse(d.recipient).name])).toEqual([["slack", "周敏"]]);
    expect(JSON.parse(held[0]!.payload).choices.map((c: { id: string }) => c.id)).toEqual(["/confirm HL-20261126-0001", "/grade HL-20261126-0001", "/take HL-20261126-0001"]);

    clock.now = new Date("2026-11-26T02:05:00Z");
    const confirmed = await say(app, "zhou.min", "/confirm HL-20261126-0001");
    expect(confirmed.text).toContain("已确认 HL-20261126-0001：重大质量信息 2 级。已通报：陈杰、赵明、#重大质量信息");
    const released = (await app.core.tickets.findByNumber("HL-20261126-0001"))!;
    expect(released.status).toBe("confirmed");
    expect(released.releasedAt?.toISOString()).toBe("2026-11-26T02:05:00.000Z");
    expect(released.pings.map((p) => [p.memberId, p.duty, p.acknowledgedBy])).toEqual([
      ["zhou.min", "confirm", "zhou.min"],
      ["chen.jie", "propose_measures", null],
      ["zhao.ming", "informed", null],
    ]);
    // QA's clock starts when it hears of the ticket.
    const qaAck = released.deadlines.find((d) => d.kind === "acknowledge" && d.status === "pending");
    expect(qaAck?.dueAt.toISOString()).toBe("2026-11-26T04:05:00.000Z");
    expect(released.deadlines.find((d) => d.kind === "measures")?.chain).toEqual(["chen.jie", "zhao.ming", "qian.hao"]);

    const deliveries = await app.db.delivery.findMany({ where: { kind: "message" }, orderBy: { id: "asc" } });
    expect(deliveries.map((d) => [d.platform, JSON.parse(d.recipient).name, d.status])).toEqual([
      ["slack", "周敏", "pending"],
      ["telegram", "王芳", "pending"],
      ["slack", "陈杰", "pending"],
      ["slack", "赵明", "pending"],
      ["slack", "重大质量信息", "pending"],
    ]);
    const channelCard = JSON.parse(deliveries[4]!.payload);
    expect(channelCard.mentions.map((m: { memberId: string }) => m.memberId)).toEqual(["zhou.min", "chen.jie", "zhao.ming"]);

    const events = await app.db.ticketEvent.findMany({ where: { ticketId: ticket!.id }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.type)).toEqual(["created", "classified", "pinged", "confirmed", "released", "status_changed", "pinged", "pinged"]);
    expect(await app.db.dialogSession.count()).toBe(0);
  });

  it("numbers tickets per local day and starts again the next day", async () => {
    await report("wang.fang", [...GENERAL_FAULT, "1"]);
    await report("ma.jun", [...GENERAL_FAULT, "1"]);
    clock.now = new Date("2026-11-26T16:30:00Z"); // 00:30 on the 27th in Shanghai
    const third = await report("wang.fang", [...GENERAL_FAULT, "1"]);
    const numbers = (await app.db.ticket.findMany({ orderBy: { id: "asc" } })).map((t) => t.number);
    expect(numbers).toEqual(["HL-20261126-0001", "HL-20261126-0002", "HL-20261127-0001"]);
    expect(third.text).toContain("HL-20261127-0001");
  });

  it("forms a complaint team for a major complaint once after-sales confirms it, due on site by the end of the local day", async () => {
    const result = await report("wang.fang", [...LEVEL1_COMPLAINT, "1"]);
    expect(result.text).toContain("重大质量信息 1 级");
    await say(app, "zhou.min", "/confirm HL-20261126-0001");
    const ticket = (await app.core.tickets.findByNumber("HL-20261126-0001"))!;
    // The after-sales confirmer leads the team (§5 牵头): it is formed at once.
    expect(ticket.status).toBe("team_forming");
    expect(ticket.team.map((s) => s.departmentId)).toEqual(["after_sales", "quality_assurance", "legal_counsel", "sales_finance", "public_relations"]);
    const duties = ticket.pings.map((p) => `${p.departmentId ?? p.memberId}:${p.duty}`);
    expect(duties).toEqual(
      expect.arrayContaining([
        "after_sales:lead_complaint_team",
        "quality_assurance:technical_support",
        "quality_assurance:appoint_team_member",
        "legal_counsel:appoint_team_member",
        "sales_finance:appoint_team_member",
        "public_relations:appoint_team_member",
        "feng.gang:informed",
      ]),
    );
    expect(ticket.pings.filter((p) => p.memberId === "feng.gang")).toHaveLength(1);
    expect(ticket.pings.filter((p) => p.departmentId === "after_sales").map((p) => [p.duty, p.acknowledgedBy])).toEqual([
      ["confirm", "zhou.min"],
      ["lead_complaint_team", "zhou.min"],
    ]);
    expect(ticket.deadlines.find((d) => d.kind === "on_site")?.dueAt.toISOString()).toBe("2026-11-26T15:59:59.999Z");
  });

  it("cancels a report at any step with /cancel and keeps nothing", async () => {
    await report("wang.fang", LEVEL2_FAULT.slice(0, 6));
    const cancelled = await say(app, "wang.fang", "/cancel");
    expect(cancelled.text).toContain("已取消");
    expect(await app.db.dialogSession.count()).toBe(0);
    expect(await app.db.ticket.count()).toBe(0);
    expect((await say(app, "wang.fang", "随便说点什么")).text).toContain("/new");
  });

  it("resumes a report at the same step after a restart, on the same SQLite file", async () => {
    await report("wang.fang", LEVEL2_FAULT.slice(0, 7)); // up to the description
    await app.close();
    app = await startTestApp(db.file, clock);
    const next = await say(app, "wang.fang", LEVEL2_FAULT[7]!); // answers "casualties?"
    expect(next.text).toContain("是否有媒体介入");
    const done = await report("wang.fang", [...LEVEL2_FAULT.slice(8), "1"]);
    expect(done.text).toContain("HL-20261126-0001");
    expect((await app.core.tickets.findByNumber("HL-20261126-0001"))?.description).toBe("行驶中制动失灵，撞上护栏");
  });

  it("keeps two members' reports in one group apart", async () => {
    const inGroup = async (memberId: string, text: string) => {
      const { handleMessage } = await import("../../core/conversation/handle-message.js");
      const who = (await app.directory.findMember(memberId))!;
      return app.unitOfWork.run(({ core }) => handleMessage(core, { member: who, conversation: "telegram:-1001", text }));
    };
    await inGroup("wang.fang", "/new");
    await inGroup("ma.jun", "/new");
    await inGroup("wang.fang", "2"); // complaint
    await inGroup("ma.jun", "1"); // fault
    const sessions = await app.db.dialogSession.findMany({ orderBy: { memberId: "asc" } });
    expect(sessions.map((s) => [s.memberId, JSON.parse(s.state).draft.kind])).toEqual([
      ["ma.jun", "fault"],
      ["wang.fang", "complaint"],
    ]);
  });

  it("answers in English for a member who chose English with /lang", async () => {
    expect((await say(app, "wang.fang", "/lang en")).text).toBe("Language set to English.");
    expect((await say(app, "wang.fang", "/new")).text).toContain("What are you reporting?");
    expect((await say(app, "wang.fang", "/lang")).text).toBe("已切换为中文。");
  });
});

describe("ticket commands and who may use them", () => {
  beforeEach(async () => {
    await report("wang.fang", [...LEVEL2_FAULT, "1"]);
    // After-sales confirms it, so QA and the leaders hear of it (§4).
    await say(app, "zhou.min", "/confirm HL-20261126-0001");
  });

  it("shows a ticket to its reporter and to staff of the same center, but not to another center", async () => {
    expect((await say(app, "wang.fang", "/status HL-20261126-0001")).text).toContain("HL-20261126-0001");
    const colleague = await say(app, "ma.jun", "/status hl-20261126-1");
    expect(colleague.text).toContain("HL-20261126-0001");
    expect((await say(app, "guo.tao", "/status HL-20261126-0001")).text).toMatch(/^You may not see HL-20261126-0001/);
  });

  it("gives the customer's whole phone only to those who must call them, and only in private", async () => {
    const phoneSeenBy = async (memberId: string, where: { seenByOthers?: boolean } = {}) => {
      const { text } = await say(app, memberId, "/status HL-20261126-0001", where);
      expect(text).toContain("HL-20261126-0001");
      return text.includes("138 1234 5678") ? "whole" : text.includes("138****5678") ? "masked" : "none";
    };
    expect(await phoneSeenBy("wang.fang")).toBe("whole"); // the reporter
    expect(await phoneSeenBy("ma.jun")).toBe("whole"); // the center that repairs the vehicle
    expect(await phoneSeenBy("zhou.min")).toBe("whole"); // after-sales, which sends the customer the result
    expect(await phoneSeenBy("chen.jie")).toBe("masked"); // QA, pinged
    expect(await phoneSeenBy("zhao.ming")).toBe("masked"); // a manager
    expect(await phoneSeenBy("wang.fang", { seenByOthers: true })).toBe("masked"); // the reporter, asking in the center's group
  });

  it("lists a member's tickets with /mine: the reporter's and the pinged lead's", async () => {
    expect((await say(app, "wang.fang", "/mine")).text).toContain("HL-20261126-0001");
    expect((await say(app, "chen.jie", "/mine")).text).toContain("HL-20261126-0001");
    expect((await say(app, "sun.li", "/mine")).text).toBe("没有与你相关的未结工单。");
  });

  it("lets a pinged lead acknowledge once, meets the deadline, and tells the reporter", async () => {
    clock.now = new Date("2026-11-26T02:10:00Z");
    const ack = await say(app, "chen.jie", "/ack HL-20261126-0001");
    expect(ack.text).toBe("已响应 HL-20261126-0001。");
    expect(ack.notifications).toHaveLength(1);
    expect(ack.notifications[0]!.recipient).toMatchObject({ memberId: "wang.fang", platform: "telegram", address: "200000001" });
    expect(ack.notifications[0]!.card.lines[0]).toContain("陈杰（质量保证部）");

    const ticket = (await app.core.tickets.findByNumber("HL-20261126-0001"))!;
    expect(ticket.status).toBe("acknowledged");
    const qaPing = ticket.pings.find((p) => p.memberId === "chen.jie")!;
    expect(qaPing.acknowledgedBy).toBe("chen.jie");
    expect(ticket.deadlines.find((d) => d.pingId === qaPing.id)?.status).toBe("met");
    expect(ticket.deadlines.find((d) => d.kind === "measures")?.status).toBe("pending");

    expect((await say(app, "chen.jie", "/ack HL-20261126-0001")).text).toContain("没有等待你响应的通知");
  });

  it("lets a member of a pinged department act, but refuses departments that were not pinged", async () => {
    expect((await say(app, "gao.feng", "/take HL-20261126-0001")).text).toBe("你已接手 HL-20261126-0001。");
    const refused = await say(app, "sun.li", "/ack HL-20261126-0001");
    expect(refused.text).toContain("你无权对 HL-20261126-0001 执行此操作");
    expect((await say(app, "wang.fang", "/ack HL-20261126-0001")).text).toContain("你无权");
  });

  it("moves through confirmed, in progress, resolved and closed, with a receipt for the reporter", async () => {
    expect((await app.core.tickets.findByNumber("HL-20261126-0001"))?.status).toBe("confirmed");
    expect((await say(app, "zhou.min", "/confirm HL-20261126-0001")).text).toContain("不需要确认或已确认");
    await say(app, "zhou.min", "/note HL-20261126-0001 已联系服务中心，派技术人员");
    await say(app, "zhou.min", "/take HL-20261126-0001");
    expect((await say(app, "wang.fang", "/close HL-20261126-0001")).text).toBe("只有售后服务部和领导可以关闭工单。");
    expect((await say(app, "zhou.min", "/close HL-20261126-0001")).text).toContain("不能关闭");
    const resolved = await say(app, "zhou.min", "/resolve HL-20261126-0001 已更换制动总泵");
    expect(resolved.notifications[0]?.card.lines[0]).toBe("回执：你上报的 HL-20261126-0001 已处理完毕（周敏）。处理结果：已更换制动总泵");
    expect((await say(app, "zhao.ming", "/close HL-20261126-0001")).text).toBe("HL-20261126-0001 已关闭。");

    const ticket = (await app.core.tickets.findByNumber("HL-20261126-0001"))!;
    expect(ticket.status).toBe("closed");
    expect(ticket.deadlines.every((d) => d.status === "met")).toBe(true);
    expect(ticket).toMatchObject({ result: "已更换制动总泵", resolvedBy: "zhou.min" });
    const events = await app.db.ticketEvent.findMany({ where: { ticketId: ticket.id }, orderBy: { id: "asc" } });
    expect(events.filter((e) => e.type === "status_changed").map((e) => JSON.parse(e.data).to)).toEqual([
      "confirmed",
      "in_progress",
      "resolved",
      "closed",
    ]);
    expect(events.find((e) => e.type === "note")).toMatchObject({ actorId: "zhou.min" });
    expect((await say(app, "zhou.min", "/resolve HL-20261126-0001 再次处理")).text).toContain("不能标记解决");
  });

  it("explains unknown tickets, missing arguments and unknown commands", async () => {
    expect((await say(app, "zhou.min", "/status HL-20991231-0001")).text).toBe("找不到工单 HL-20991231-0001。");
    expect((await say(app, "zhou.min", "/ack")).text).toBe("用法：/ack <HL-…>");
    expect((await say(app, "zhou.min", "/note")).text).toBe("用法：/note <HL-…> <text>");
    expect((await say(app, "zhou.min", "/note HL-20261126-0001")).text).toBe("请输入 HL-20261126-0001 的备注内容（/cancel 取消）");
    expect((await say(app, "zhou.min", "/frobnicate")).text).toContain("未知命令 /frobnicate");
  });

  it("lets only front-line members start a report", async () => {
    expect((await say(app, "chen.jie", "/new")).text).toContain("只有服务中心人员");
    expect((await say(app, "liu.fang", "/new")).text).toContain("请选择上报类型");
  });
});
