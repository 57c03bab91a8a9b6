import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ESCALATION_CHANNEL,
  LEVEL2_FAULT_STEPS,
  SCENARIO_PLATFORMS,
  startScenario,
  ticketNumberIn,
  type Scenario,
} from "../support/platforms/index.js";
import { UNGRADED_FAULT } from "../support/report-script.js";

/*
 * The after-sales loop of manual §4 through the real adapters, on every platform: each numbered
 * point of the loop as the people who use it see it, buttons pressed where the platform has them.
 */

/** A hotline call with nothing major about it: every severity question answered no. */
const HOTLINE_CALL = ["/new", "1", "2", "1", "unknown", "unknown", "顾客来电：仪表灯不亮", "否", "没有", "否", "否", "否", "个别", "无影响", "无", "否", "否", "否", "赵女士", "13700001111", "unknown", "无", "是", "完成", "1"];

describe.each(SCENARIO_PLATFORMS)("the after-sales loop on %s", (platform) => {
  let scenario: Scenario;
  beforeEach(async () => {
    scenario = await startScenario({ platform });
  });
  afterEach(() => scenario.stop());

  async function type(memberId: string, lines: readonly string[]) {
    let last = await scenario.say(memberId, lines[0]!);
    for (const line of lines.slice(1)) last = await scenario.say(memberId, line);
    return last;
  }

  /** wang.fang's level-2 fault, and after-sales' request to confirm it. */
  async function reportLevel2() {
    const number = ticketNumberIn((await scenario.walk("wang.fang", LEVEL2_FAULT_STEPS)).text);
    const request = await scenario.waitForInbox("zhou.min", (m) => m.text.includes(`新工单 ${number}`), { what: "after-sales' request to confirm" });
    return { number, request };
  }

  const about = async (memberId: string, number: string) => (await scenario.inbox(memberId)).filter((m) => m.text.includes(number));

  it("1. holds a major report for after-sales to confirm; its Confirm button sends it to QA and the channel", async () => {
    const { number, request } = await reportLevel2();
    expect(request.text).toContain("请售后服务部确认");
    expect(request.buttons.map((b) => b.command)).toEqual(expect.arrayContaining([`/confirm ${number}`, `/grade ${number}`]));
    await scenario.settle();
    expect(await about("chen.jie", number)).toEqual([]);
    expect((await scenario.channel(ESCALATION_CHANNEL)).filter((m) => m.text.includes(number))).toEqual([]);

    const confirmed = await scenario.press("zhou.min", `/confirm ${number}`);
    expect(confirmed.text).toContain(`已确认 ${number}：重大质量信息 2 级`);
    const ping = await scenario.waitForInbox("chen.jie", (m) => m.text.includes(`新工单 ${number}`), { what: "QA's ping once confirmed" });
    expect(ping.text).toContain("质量保证部: 请提出处理措施");
    await scenario.waitForInbox("wang.fang", (m) => m.text.includes(`你上报的 ${number} 已由 周敏（售后服务部）确认`));
    await scenario.settle();
    expect((await scenario.channel(ESCALATION_CHANNEL)).filter((m) => m.text.includes(number) && !m.file)).toHaveLength(1);
  });

  it("1. sends it out marked unconfirmed once the confirmation deadline passes, and escalates the confirmation", async () => {
    const { number } = await reportLevel2();
    scenario.clock.advance({ minutes: 31 });
    expect(await scenario.fireDueDeadlines()).toBeGreaterThan(0);
    const ping = await scenario.waitForInbox("chen.jie", (m) => m.text.includes(`新工单 ${number}`), { what: "QA's ping on the deadline" });
    expect(ping.text).toContain("售后服务部尚未确认");
    const escalated = await scenario.waitForInbox("zhao.ming", (m) => m.text.includes("现转由你处理"), { what: "the confirmation escalated" });
    expect(escalated.text).toContain("请确认工单及其级别");
    expect((await scenario.press("zhao.ming", `/ack ${number}`)).text).toContain(`已确认 ${number}`);
  });

  it("2. grades by buttons (the level, then the reason): QA loses what level 3 no longer needs, the reporter is told", async () => {
    const { number } = await reportLevel2();
    await scenario.press("zhou.min", `/confirm ${number}`);
    await scenario.waitForInbox("chen.jie", (m) => m.text.includes(`新工单 ${number}`));
    const levels = await scenario.press("zhou.min", `/grade ${number}`);
    expect(levels.text).toContain(`将 ${number} 定级为`);
    expect(levels.buttons.map((b) => b.command)).toEqual(["general", "1", "2", "3"]);
    expect((await scenario.press("zhou.min", "3")).text).toContain(`请输入定级理由（${number}`);
    expect((await scenario.say("zhou.min", "复核：未造成重大事故")).text).toContain(`已将 ${number} 定级为 重大质量信息 3 级（原为 重大质量信息 2 级）`);
    await scenario.waitForInbox("chen.jie", (m) => m.text.includes("不再需要你：请提出处理措施"), { what: "QA told it lost its ping" });
    await scenario.waitForInbox("wang.fang", (m) => m.text.includes(`你上报的 ${number} 已由 周敏 定级为 重大质量信息 3 级`));
    const ticket = (await scenario.app.core.tickets.findByNumber(number))!;
    expect(ticket.deadlines.find((d) => d.kind === "measures")?.status).toBe("cancelled");
  });

  it("3. files important information that meets no level for after-sales to grade", async () => {
    const filed = await type("wang.fang", [...UNGRADED_FAULT, "1"]);
    expect(filed.text).toContain("重大质量信息（待定级）");
    const number = ticketNumberIn(filed.text);
    const request = await scenario.waitForInbox("zhou.min", (m) => m.text.includes(`新工单 ${number}`), { what: "after-sales' request to grade" });
    expect(request.text).toContain("请售后服务部定级");
    expect(request.buttons.map((b) => b.command)).toContain(`/grade ${number}`);
  });

  it("4 and 5. a hotline call: transferred as a work order, assigned by button, the center's feedback back to after-sales", async () => {
    const filed = await type("liu.fang", HOTLINE_CALL);
    expect(filed.text).toContain("由客服中心处理");
    const number = ticketNumberIn(filed.text);
    expect((await scenario.say("liu.fang", `/transfer ${number} 需服务中心检查线路`)).text).toContain(`已将 ${number} 作为顾客待处理工单转交售后服务部`);

    const workOrder = await scenario.waitForInbox("zhou.min", (m) => m.text.includes(`顾客待处理工单 ${number}`), { what: "the work order" });
    expect(workOrder.text).toContain("需服务中心检查线路");
    const centers = await scenario.press("zhou.min", `/assign ${number}`);
    expect(centers.buttons.map((b) => b.command)).toEqual(["sc-shenyang", "sc-beijing", "sc-guangzhou"]);
    expect((await scenario.press("zhou.min", "sc-shenyang")).text).toContain(`已将 ${number} 委派给沈阳特约服务中心`);

    const assigned = await scenario.waitForInbox("wang.fang", (m) => m.text.includes(`${number} 已由 周敏 委派给沈阳特约服务中心处理`), { what: "the center told" });
    expect(assigned.text).toContain(`/feedback ${number}`);
    expect((await scenario.say("wang.fang", "/mine")).text).toContain(number);
    expect((await scenario.say("wang.fang", `/feedback ${number} 仪表保险丝烧断，已更换`)).text).toContain(`已记录 ${number} 的处理结果`);
    await scenario.waitForInbox("zhou.min", (m) => m.text.includes("仪表保险丝烧断，已更换"), { what: "after-sales told of the result" });
  });

  it("6. closes the loop: the reporter's answer reaches whoever asked, and /timeline shows the record", async () => {
    const { number } = await reportLevel2();
    await scenario.press("zhou.min", `/confirm ${number}`);
    await scenario.waitForInbox("chen.jie", (m) => m.text.includes(`新工单 ${number}`));
    await scenario.say("chen.jie", `/ask ${number} 请补充仪表照片`);
    const question = await scenario.waitForInbox("wang.fang", (m) => m.text.includes("请补充仪表照片"), { what: "the question to the reporter" });
    // Its Answer button asks the reporter for the text.
    expect(question.buttons.map((b) => b.command)).toEqual([`/note ${number}`]);
    expect((await scenario.press("wang.fang", `/note ${number}`)).text).toContain(`请输入 ${number} 的备注内容`);
    await scenario.say("wang.fang", "照片稍后上传，车辆在店");
    await scenario.waitForInbox("chen.jie", (m) => m.text.includes(`王芳 回复了你对 ${number} 的询问：照片稍后上传，车辆在店`), { what: "the answer to QA" });
    const timeline = await scenario.say("chen.jie", `/timeline ${number}`);
    expect(timeline.text).toContain("确认了工单：重大质量信息 2 级");
    expect(timeline.text).toContain("王芳 答复 陈杰 的提问：照片稍后上传，车辆在店");
  });

  it("7. resolves by the Resolve button, which asks for the result (a form on Slack); the reporter and the center get it, and the call to the customer is recorded", async () => {
    const { number } = await reportLevel2();
    await scenario.press("zhou.min", `/confirm ${number}`);
    await scenario.waitForInbox("chen.jie", (m) => m.text.includes(`新工单 ${number}`));
    expect((await scenario.press("chen.jie", `/resolve ${number}`)).text).toContain(`请输入 ${number} 的处理结果`);
    const resolved = await scenario.say("chen.jie", "更换制动总泵 <b>批次</b> & 试车正常");
    expect(resolved.text).toContain(`${number} 已标记为解决。回执发送：上报人、服务中心、短信通知顾客`);
    const receipt = await scenario.waitForInbox("wang.fang", (m) => m.text.includes(`回执：你上报的 ${number} 已处理完毕`), { what: "the reporter's receipt" });
    expect(receipt.text).toContain("处理结果：更换制动总泵 <b>批次</b> & 试车正常");
    const ticket = (await scenario.app.core.tickets.findByNumber(number))!;
    expect(ticket).toMatchObject({ status: "resolved", result: "更换制动总泵 <b>批次</b> & 试车正常", resolvedBy: "chen.jie" });
    // After-sales records the call to the customer; /status shows the result and the warranty (sale date unknown).
    expect((await scenario.say("zhou.min", `/receipt ${number} phone 已致电张先生`)).text).toContain(`已记录 ${number} 的电话回执`);
    const status = await scenario.say("zhou.min", `/status ${number}`);
    expect(status.text).toContain("✔ 处理结果：更换制动总泵 <b>批次</b> & 试车正常（陈杰，");
    expect(status.text).toContain("质量担保：不确定");
  });
});
