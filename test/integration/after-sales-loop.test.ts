import { beforeEach, describe, expect, it } from "vitest";
import { fireDeadline } from "../../core/deadlines/fire-deadline.js";
import { activePings } from "../../core/tickets/ticket.js";
import { GENERAL_FAULT, LEVEL1_FAULT, UNGRADED_FAULT } from "../support/report-script.js";
import { FIRST_TICKET, say, useTestApp } from "../support/test-app.js";

/*
 * The manual's management loop (§4, §5) as after-sales runs it: confirm a major item before QA and
 * the leaders hear of it, grade it, assign general items to a service center and supervise its
 * feedback; the hotline handles its calls first and transfers what it cannot settle.
 */

const scene = useTestApp();
const NUMBER = FIRST_TICKET;
const { later, ticket, report } = scene;


/** What the outbox holds for a member, as text, oldest first. */
async function messagesTo(memberId: string): Promise<string[]> {
  const rows = await scene.app.db.delivery.findMany({ where: { kind: "message" }, orderBy: { id: "asc" } });
  return rows
    .filter((d) => JSON.parse(d.recipient).memberId === memberId)
    .map((d) => {
      const card = JSON.parse(d.payload) as { title?: string; lines: string[] };
      return [card.title, ...card.lines].filter(Boolean).join("\n");
    });
}
const channelPosts = async () => (await scene.app.db.delivery.findMany({ where: { kind: "message" } })).filter((d) => JSON.parse(d.recipient).kind === "channel");

/** Fires a deadline's timer as the jobs would, in a unit of work. */
async function fire(deadlineId: number) {
  const { fireSeq } = await scene.app.db.deadline.findUniqueOrThrow({ where: { id: deadlineId } });
  return scene.app.unitOfWork.run(({ core }) => fireDeadline(core, { deadlineId, expectedSeq: fireSeq }));
}

/** A level-1 complaint: the driver was injured (PR joins the team for level 1, not for the media). */
const INJURY_COMPLAINT = ["/new", "2", "2", "2", "unknown", "unknown", "顾客投诉车辆起火，驾驶员受伤", "是", "王先生", "13912345678", "unknown", "无", "是", "完成"];

describe("a level-1 complaint waits for after-sales' confirmation (§4: 经售后服务部确认后 … 报送)", () => {
  beforeEach(() => report("wang.fang", INJURY_COMPLAINT));

  it("asks after-sales alone to confirm it; QA and the leaders hear nothing yet", async () => {
    const held = await ticket();
    expect(held.releasedAt).toBeNull();
    expect(held.pings.map((p) => [p.memberId, p.duty])).toEqual([["zhou.min", "confirm"]]);
    const [request] = await messagesTo("zhou.min");
    expect(request).toContain(`新工单 ${NUMBER}：重大质量信息 1 级，请售后服务部确认`);
    expect(request).toContain("请在 2026-11-26 10:10 前确认");
    for (const unheard of ["chen.jie", "zhao.ming", "qian.hao", "feng.gang", "sun.li", "li.na", "zhang.wei"]) expect(await messagesTo(unheard)).toEqual([]);
    expect(await channelPosts()).toEqual([]);
    // QA cannot even see it before it is confirmed.
    expect((await say(scene.app, "chen.jie", `/status ${NUMBER}`)).text).toContain("你无权查看");
  });

  it("goes out anyway, marked not yet confirmed, when the confirmation deadline passes, and climbs the after-sales chain", async () => {
    const confirmation = held(await ticket());
    later(10);
    expect(await fire(confirmation)).toMatchObject({ kind: "next" });

    const released = await ticket();
    expect(released.releasedAt?.toISOString()).toBe("2026-11-26T02:10:00.000Z");
    const qa = await messagesTo("chen.jie");
    expect(qa[0]).toContain("⚠ 售后服务部尚未确认：确认时限已过，先行通报。");
    expect(qa[0]).toContain("质量保证部: 请确认并立即委派人员提供技术支持");
    expect((await messagesTo("qian.hao"))[0]).toContain("尚未确认");
    expect((await channelPosts()).map((d) => JSON.parse(d.recipient).channelId)).toEqual(["escalations"]);
    expect(JSON.parse((await channelPosts())[0]!.payload).lines[0]).toContain("尚未确认");
    // The confirmation itself moved up to the senior manager, who may confirm it.
    expect((await messagesTo("zhao.ming")).some((m) => m.includes("现转由你处理"))).toBe(true);
    const events = await scene.app.db.ticketEvent.findMany({ where: { ticketId: released.id }, orderBy: { id: "asc" } });
    expect(events.filter((e) => e.type === "released").map((e) => JSON.parse(e.data))).toEqual([{ confirmed: false }]);

    later(1);
    const confirmed = await say(scene.app, "zhao.ming", `/confirm ${NUMBER}`);
    expect(confirmed.text).toContain(`已确认 ${NUMBER}`);
    const after = await ticket();
    expect(after.pings.find((p) => p.duty === "confirm")?.acknowledgedBy).toBe("zhao.ming");
    expect((await say(scene.app, "chen.jie", `/status ${NUMBER}`)).text).not.toContain("尚未确认");
  });

  it("grading it to 2 cancels the level-1-only pings and PR's seat, tells those who lose them, and adds QA's measures", async () => {
    await say(scene.app, "zhou.min", `/confirm ${NUMBER}`);
    await say(scene.app, "sun.li", `/appoint ${NUMBER} sun.li`);
    expect((await ticket()).team.map((s) => s.departmentId)).toContain("public_relations");
    later(30);

    const graded = await say(scene.app, "zhou.min", `/grade ${NUMBER} 2 经核实无人员伤亡，媒体报道已澄清`);
    expect(graded.text).toBe(`已将 ${NUMBER} 定级为 重大质量信息 2 级（原为 重大质量信息 1 级）。`);

    const after = await ticket();
    expect(after.level).toBe(2);
    expect(after.gradings).toEqual([
      { from: { category: "major", level: 1 }, to: { category: "major", level: 2 }, by: "zhou.min", reason: "经核实无人员伤亡，媒体报道已澄清", at: new Date("2026-11-26T02:30:00Z") },
    ]);
    const cancelled = after.pings.filter((p) => p.cancelledAt !== null).map((p) => [p.memberId, p.duty]);
    expect(cancelled).toEqual([
      ["chen.jie", "technical_support"],
      ["qian.hao", "informed"],
    ]);
    expect(activePings(after).map((p) => [p.memberId, p.duty])).toEqual(
      expect.arrayContaining([
        ["chen.jie", "propose_measures"],
        ["li.na", "appoint_team_member"],
      ]),
    );
    // PR's appointment ping is done (sun.li appointed herself), so it stays on record; her seat goes.
    expect(after.team.map((s) => s.departmentId)).toEqual(["after_sales", "quality_assurance", "legal_counsel", "sales_finance"]);
    // QA's technical support is level 1's alone: its acknowledgement and its deadline go.
    expect(after.deadlines.filter((d) => d.status === "cancelled").map((d) => d.kind)).toEqual(["acknowledge", "support"]);
    expect(after.deadlines.find((d) => d.kind === "measures")).toMatchObject({ status: "pending", dueAt: new Date("2026-11-27T02:30:00Z") });

    const toQa = await messagesTo("chen.jie");
    expect(toQa).toContainEqual(expect.stringContaining("不再需要你：请确认并立即委派人员提供技术支持"));
    expect(toQa.at(-1)).toContain(`${NUMBER} 已定级为 重大质量信息 2 级，需要你处理`);
    expect(toQa.at(-1)).toContain("质量保证部: 请提出处理措施");
    expect((await messagesTo("sun.li")).at(-1)).toContain("处理小组不再设华晨公关部席位");
    expect((await messagesTo("qian.hao")).at(-1)).toContain("不再需要你：知会");
    expect((await messagesTo("wang.fang")).at(-1)).toBe(`你上报的 ${NUMBER} 已由 周敏 定级为 重大质量信息 2 级（原为 重大质量信息 1 级）：经核实无人员伤亡，媒体报道已澄清`);
    const card = (await say(scene.app, "zhou.min", `/status ${NUMBER}`)).text;
    expect(card).toContain("• 重大质量信息 1 级 → 重大质量信息 2 级（周敏，2026-11-26 10:30）：经核实无人员伤亡，媒体报道已澄清");

    // Graded back to 1: the same rules, the other way. QA's support duty is asked anew.
    later(5);
    await say(scene.app, "zhou.min", `/grade ${NUMBER} 1 媒体再次报道`);
    const back = await ticket();
    expect(back.level).toBe(1);
    expect(activePings(back).filter((p) => p.memberId === "chen.jie").map((p) => p.duty)).toEqual(expect.arrayContaining(["technical_support", "appoint_team_member"]));
    expect(back.pings.find((p) => p.duty === "propose_measures")?.cancelledAt).not.toBeNull();
    expect(back.deadlines.find((d) => d.kind === "measures")?.status).toBe("cancelled");
    expect(back.team.map((s) => s.departmentId)).toContain("public_relations");
    expect(back.gradings).toHaveLength(2);
  });

  it("refuses grading to those who may not, and an unknown level", async () => {
    expect((await say(scene.app, "wang.fang", `/grade ${NUMBER} 3 小问题`)).text).toContain("只有售后服务部和领导可以确认或定级");
    expect((await say(scene.app, "zhou.min", `/grade ${NUMBER} 5 太严重`)).text).toBe("用法：/grade <HL-…> <general|1|2|3> <reason>\n可选：general, 1, 2, 3");
    // The Grade button sends `/grade HL-…`: the levels come as buttons, then the reason is asked for.
    const levels = await say(scene.app, "zhou.min", { choice: `/grade ${NUMBER}` });
    expect(levels.replies[0]!.choices?.map((c) => c.label)).toEqual(["一般", "1 级", "2 级", "3 级"]);
    expect((await say(scene.app, "zhou.min", { choice: levels.replies[0]!.choices![2]!.id })).text).toBe(`请输入定级理由（${NUMBER}，/cancel 取消）`);
    await say(scene.app, "zhou.min", "核实后无人受伤");
    expect((await ticket()).level).toBe(2);
  });
});

describe("the reporter's answer reaches whoever asked (closing the loop)", () => {
  it("sends the reporter's note to each member who asked since the reporter last wrote, once", async () => {
    await report("wang.fang", LEVEL1_FAULT);
    await say(scene.app, "zhou.min", `/confirm ${NUMBER}`);
    await say(scene.app, "chen.jie", `/ask ${NUMBER} 请提供仪表盘照片`);
    await say(scene.app, "zhou.min", `/ask ${NUMBER} 顾客是否已离开现场？`);
    const answer = await say(scene.app, "wang.fang", `/note ${NUMBER} 照片已上传，顾客仍在现场`);
    expect(answer.notifications.map((n) => [n.recipient.kind === "member" && n.recipient.memberId, n.card.lines[0]])).toEqual([
      ["chen.jie", `王芳 回复了你对 ${NUMBER} 的询问：照片已上传，顾客仍在现场`],
      ["zhou.min", `王芳 回复了你对 ${NUMBER} 的询问：照片已上传，顾客仍在现场`],
    ]);
    const note = await scene.app.db.ticketEvent.findFirstOrThrow({ where: { type: "note", actorId: "wang.fang" } });
    expect(JSON.parse(note.data)).toEqual({ text: "照片已上传，顾客仍在现场", answers: ["chen.jie", "zhou.min"] });
    // Answered: a further note from the reporter reaches no one.
    expect((await say(scene.app, "wang.fang", `/note ${NUMBER} 补充：车辆已拖至服务中心`)).notifications).toEqual([]);
    expect((await say(scene.app, "wang.fang", `/timeline ${NUMBER}`)).text).toContain("王芳 答复 陈杰、周敏 的提问：照片已上传，顾客仍在现场");
  });
});

/** The confirmation deadline of a held ticket. */
function held(t: Awaited<ReturnType<typeof ticket>>): number {
  const confirm = t.pings.find((p) => p.duty === "confirm")!;
  return t.deadlines.find((d) => d.pingId === confirm.id)!.id;
}

describe("important information no level covers (§4 重要质量信息)", () => {
  it("files a brake failure without an accident as major, to be graded, with after-sales alone", async () => {
    await report("wang.fang", UNGRADED_FAULT);
    const filed = await ticket();
    expect(filed).toMatchObject({ category: "major", level: null, releasedAt: null, matched: [{ rule: "major.safety-or-performance", level: null }] });
    expect(filed.pings.map((p) => [p.memberId, p.duty])).toEqual([["zhou.min", "grade"]]);
    expect((await messagesTo("zhou.min"))[0]).toContain("重大质量信息（待定级），请售后服务部定级");

    await say(scene.app, "zhou.min", `/grade ${NUMBER} 3 同批次车辆多起投诉`);
    const graded = await ticket();
    expect(graded.level).toBe(3);
    expect(graded.releasedAt).not.toBeNull();
    // Grading confirms: the after-sales lead's confirmation is answered as it is made.
    expect(graded.pings.map((p) => [p.memberId, p.duty, p.acknowledgedBy])).toEqual([
      ["zhou.min", "grade", "zhou.min"],
      ["zhou.min", "confirm", "zhou.min"],
      ["zhou.min", "handle", null],
      ["chen.jie", "informed", null],
    ]);
    expect((await messagesTo("chen.jie"))[0]).toContain("已定级为 重大质量信息 3 级");
  });

  it("counts it as to be graded in the daily report", async () => {
    await report("wang.fang", UNGRADED_FAULT);
    const { showReports } = await import("../../core/reports/report-flows.js");
    const zhou = (await scene.app.directory.findMember("zhou.min"))!;
    const result = await scene.app.unitOfWork.run(({ core }) => showReports(core, zhou, undefined));
    expect(result.replies[0]!.lines.join("\n")).toContain(`待定级 ${NUMBER}`);
  });
});

describe("a general fault goes to a service center and comes back with its result (§4 委派、监督)", () => {
  it("assigns a service center's own report to it from the start: nothing for after-sales to assign", async () => {
    await report("wang.fang", GENERAL_FAULT);
    const own = await ticket();
    expect(own.serviceCenterId).toBe("sc-shenyang");
    expect(own.pings).toEqual([]);
    expect(own.deadlines.map((d) => [d.kind, d.chain[0]])).toEqual([
      ["feedback", "ma.jun"],
      ["receipt", "zhou.min"],
    ]);
    const feedback = await say(scene.app, "ma.jun", `/feedback ${NUMBER} 已更换空调压缩机，试车正常`);
    expect(feedback.text).toBe(`已记录 ${NUMBER} 的处理结果，已告知售后服务部。`);
    expect((await messagesTo("zhou.min")).at(-1)).toContain("沈阳特约服务中心反馈 HL-20261126-0001 的处理结果（马骏）：已更换空调压缩机，试车正常");
    expect((await ticket()).deadlines.find((d) => d.kind === "feedback")?.status).toBe("met");
  });
});

describe("a hotline call (§4 客服中心 … 顾客待处理工单)", () => {
  const CALL = ["/new", "1", "2", "1", "unknown", "unknown", "顾客来电：仪表灯不亮", "否", "没有", "否", "否", "否", "个别", "无影响", "无", "否", "否", "否", "赵女士", "13700001111", "unknown", "无", "是", "完成"];

  it("is resolved by the agent, or transferred to after-sales, assigned to a center, which reports back before its deadline", async () => {
    // The first call the hotline settles itself.
    await report("liu.fang", CALL);
    const first = await ticket();
    expect(first).toMatchObject({ firstLine: true, serviceCenterId: null, source: "hotline" });
    expect(first.pings.map((p) => [p.departmentId, p.duty, p.needsAck])).toEqual([["customer_service", "handle_call", false]]);
    expect(first.deadlines).toEqual([]);
    expect(await messagesTo("zhou.min")).toEqual([]);
    expect((await say(scene.app, "liu.fang", `/resolve ${NUMBER} 电话指导顾客重置空调系统`)).text).toContain("已标记为解决");

    // The second she cannot: she transfers it as a customer pending work order.
    later(20);
    await report("liu.fang", CALL);
    const second = "HL-20261126-0002";
    expect((await say(scene.app, "wang.fang", `/status ${second}`)).text).toContain("你无权查看");
    const transferred = await say(scene.app, "liu.fang", `/transfer ${second} 需服务中心检查线路`);
    expect(transferred.text).toBe(`已将 ${second} 作为顾客待处理工单转交售后服务部。`);
    const workOrder = await ticket(second);
    expect(workOrder).toMatchObject({ firstLine: false });
    expect(workOrder.transferredAt).not.toBeNull();
    const afterSalesPing = activePings(workOrder).find((p) => p.duty === "assign_service_center")!;
    expect(workOrder.deadlines.find((d) => d.pingId === afterSalesPing.id)?.dueAt.toISOString()).toBe("2026-11-26T06:20:00.000Z");
    const notice = (await messagesTo("zhou.min")).at(-1)!;
    expect(notice).toContain(`顾客待处理工单 ${second}`);
    expect(notice).toContain("刘芳（客服中心）转交顾客待处理工单 HL-20261126-0002：需服务中心检查线路");
    expect(notice).toContain(`请在 2026-11-26 14:20 前委派服务中心：/assign ${second} <服务中心>`);
    expect((await say(scene.app, "liu.fang", `/transfer ${second} 再转一次`)).text).toContain("不是客服中心自行处理的来电");

    // After-sales assigns it to Shenyang; the center's staff hear of it and see it.
    later(30);
    const assigned = await say(scene.app, "zhou.min", `/assign ${second} sc-shenyang`);
    expect(assigned.text).toBe(`已将 ${second} 委派给沈阳特约服务中心，反馈期限 2026-11-28 10:50。`);
    expect((await messagesTo("wang.fang")).at(-1)).toContain(`${second} 已由 周敏 委派给沈阳特约服务中心处理：顾客来电：仪表灯不亮`);
    expect((await messagesTo("ma.jun")).at(-1)).toContain(`/feedback ${second} <结果>`);
    expect((await say(scene.app, "wang.fang", "/mine")).text).toContain(second);
    expect((await say(scene.app, "wang.fang", `/status ${second}`)).text).toContain("服务中心: 沈阳特约服务中心");
    expect((await say(scene.app, "liu.fang", `/assign ${second} sc-beijing`)).text).toContain("只有售后服务部和领导可以委派服务中心");
    expect((await say(scene.app, "guo.tao", `/feedback ${second} done`)).text).toContain("Only staff of the center");
    const assignedTicket = await ticket(second);
    expect(assignedTicket.pings.find((p) => p.duty === "assign_service_center")?.acknowledgedBy).toBe("zhou.min");
    expect(assignedTicket.deadlines.find((d) => d.kind === "feedback")).toMatchObject({ status: "pending", chain: ["ma.jun", "zhou.min", "zhao.ming", "qian.hao"] });

    // The center reports back well before its deadline.
    later(24 * 60);
    await say(scene.app, "wang.fang", `/feedback ${second} 仪表保险丝烧断，已更换`);
    const done = await ticket(second);
    expect(done.deadlines.find((d) => d.kind === "feedback")?.status).toBe("met");
    expect(done.status).toBe("in_progress");
    expect((await messagesTo("zhou.min")).at(-1)).toContain("仪表保险丝烧断，已更换");
  });

  it("moves to another center with /assign again: the first is told, its feedback deadline is cancelled", async () => {
    await report("liu.fang", CALL);
    await say(scene.app, "liu.fang", `/transfer ${NUMBER} 需上门`);
    await say(scene.app, "zhou.min", `/assign ${NUMBER} sc-shenyang`);
    later(60);
    await say(scene.app, "zhou.min", `/assign ${NUMBER} 北京特约服务中心`);
    const moved = await ticket();
    expect(moved.serviceCenterId).toBe("sc-beijing");
    expect(moved.deadlines.filter((d) => d.kind === "feedback").map((d) => [d.status, d.chain[0]])).toEqual([
      ["cancelled", "ma.jun"],
      ["pending", "guo.tao"],
    ]);
    expect((await messagesTo("wang.fang")).at(-1)).toBe(`${NUMBER} 已由 周敏 改派给北京特约服务中心，你们中心不再负责。`);
    expect((await messagesTo("guo.tao")).at(-1)).toContain("assigned HL-20261126-0001 to Beijing Authorized Service Center");
    expect((await say(scene.app, "zhou.min", `/assign ${NUMBER} sc-beijing`)).text).toBe(`${NUMBER} 已由北京特约服务中心负责。`);
    expect((await say(scene.app, "zhou.min", `/assign ${NUMBER} nowhere`)).text).toContain("可选：sc-shenyang, sc-beijing, sc-guangzhou");
  });

  it("goes straight to after-sales' confirmation when the call is major", async () => {
    await report("liu.fang", LEVEL1_FAULT.map((line, i) => (i === 2 ? "2" : line)));
    const major = await ticket();
    expect(major).toMatchObject({ firstLine: false, level: 1, releasedAt: null });
    expect(major.pings.map((p) => [p.memberId, p.duty])).toEqual([["zhou.min", "confirm"]]);
  });
});
