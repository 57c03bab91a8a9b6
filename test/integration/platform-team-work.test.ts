import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  LEVEL1_COMPLAINT_STEPS,
  LEVEL1_FAULT_STEPS,
  LEVEL2_FAULT_STEPS,
  SCENARIO_PLATFORMS,
  startScenario,
  ticketNumberIn,
  type Scenario,
  type Step,
} from "../support/platforms/index.js";

/*
 * QA's, the complaint team's and sales finance's work (manual §4, §5) through the real adapters,
 * on every platform: each command as the people who use it type it or press it, and what reaches
 * the others it concerns.
 */

/** A burst of messages goes out first (a confirmed complaint reaches a dozen people): Slack sends three a second. */
const AFTER_A_BURST = { timeoutMs: 30_000 };

describe.each(SCENARIO_PLATFORMS)("the work on record on %s", (platform) => {
  let scenario: Scenario;
  beforeEach(async () => {
    scenario = await startScenario({ platform });
  });
  afterEach(() => scenario.stop());

  /** A report by wang.fang, confirmed by after-sales from its request; returns its number. */
  async function confirmed(steps: readonly Step[]): Promise<string> {
    const number = ticketNumberIn((await scenario.walk("wang.fang", steps)).text);
    await scenario.waitForInbox("zhou.min", (m) => m.text.includes(`新工单 ${number}`), { what: "after-sales' request to confirm" });
    expect((await scenario.press("zhou.min", `/confirm ${number}`)).text).toContain(`已确认 ${number}`);
    return number;
  }

  it("level 1: QA's Support button asks who was sent; after-sales and the reporter hear of it; the appraisal follows", async () => {
    const number = await confirmed(LEVEL1_FAULT_STEPS);
    const ping = await scenario.waitForInbox("chen.jie", (m) => m.text.includes(`新工单 ${number}`), { what: "QA's ping" });
    expect(ping.buttons.map((b) => b.command)).toContain(`/support ${number}`);
    expect((await scenario.press("chen.jie", `/support ${number}`)).text).toContain(`请输入为 ${number} 委派的人员及技术支持内容`);
    expect((await scenario.say("chen.jie", "已派高峰携诊断仪赶赴沈阳服务中心")).text).toContain(`已记录 ${number} 的技术支持委派`);
    const sent = `陈杰（质量保证部）已为 ${number} 委派技术支持：已派高峰携诊断仪赶赴沈阳服务中心`;
    await scenario.waitForInbox("zhou.min", (m) => m.text.includes(sent), { what: "after-sales told of the support" });
    await scenario.waitForInbox("wang.fang", (m) => m.text.includes(sent), { what: "the reporter told of the support" });

    expect((await scenario.say("chen.jie", `/appraisal ${number} 起火系线束磨损短路，属制造质量问题`)).text).toContain(`已记录 ${number} 的技术鉴定`);
    await scenario.waitForInbox("zhou.min", (m) => m.text.includes(`完成 ${number} 的技术鉴定、核实：起火系线束磨损短路`), { what: "after-sales told of the appraisal" });
    const status = (await scenario.say("zhou.min", `/status ${number}`)).text;
    expect(status).toContain("技术支持委派（陈杰");
    expect(status).toContain("技术鉴定（陈杰");
    const ticket = (await scenario.app.core.tickets.findByNumber(number))!;
    expect(ticket.deadlines.find((d) => d.kind === "support")?.status).toBe("met");
  });

  it("level 2: QA's Measures button asks for them; they go to after-sales to coordinate", async () => {
    const number = await confirmed(LEVEL2_FAULT_STEPS);
    const ping = await scenario.waitForInbox("chen.jie", (m) => m.text.includes(`新工单 ${number}`), { what: "QA's ping" });
    expect(ping.buttons.map((b) => b.command)).toContain(`/measures ${number}`);
    expect((await scenario.press("chen.jie", `/measures ${number}`)).text).toContain(`请输入 ${number} 的处理措施`);
    expect((await scenario.say("chen.jie", "更换制动总泵，排查同批次车辆")).text).toContain(`已记录 ${number} 的处理措施，已交售后服务部协调处理`);
    const coordinate = await scenario.waitForInbox("zhou.min", (m) => m.text.includes(`提出 ${number} 的处理措施：更换制动总泵，排查同批次车辆`), { what: "after-sales given the measures" });
    expect(coordinate.text).toContain("售后服务部：请协调处理");
    expect((await scenario.app.core.tickets.findByNumber(number))!.deadlines.find((d) => d.kind === "measures")?.status).toBe("met");
  });

  it("a complaint team: seats added and removed, an appointment not acknowledged away, the split, the agreement with its signed copy, finance's handling", { timeout: 150_000 }, async () => {
    const number = await confirmed(LEVEL1_COMPLAINT_STEPS);

    // After-sales adds logistics by button, whose lead is asked to appoint; acknowledging is not appointing.
    const offered = await scenario.say("zhou.min", `/team ${number} add`);
    // The terminal numbers these options without showing what they send: they are pressed by label there.
    const logistics = offered.buttons.find((b) => b.command === `/team ${number} add logistics` || (b.command === undefined && b.label === "销售公司物流部"));
    expect(logistics, `the departments offered: ${JSON.stringify(offered.buttons)}`).toBeDefined();
    expect((await scenario.press("zhou.min", logistics!.command ?? logistics!.label)).text).toContain(`已为 ${number} 的处理小组增加销售公司物流部席位`);
    await scenario.waitForInbox("he.qiang", (m) => m.text.includes(`周敏 将销售公司物流部加入 ${number} 的重大投诉处理小组`), { what: "the logistics lead asked to appoint", ...AFTER_A_BURST });
    expect((await scenario.say("he.qiang", `/ack ${number}`)).text).toContain("响应不能代替委派");
    expect((await scenario.say("zhou.min", `/team ${number} remove logistics`)).text).toContain(`已取消 ${number} 处理小组的销售公司物流部席位`);
    await scenario.waitForInbox("he.qiang", (m) => m.text.includes("无需再委派成员"), { what: "the logistics lead released", ...AFTER_A_BURST });

    // The seats fill; the team reaches the site and settles responsibility.
    await scenario.say("chen.jie", `/appoint ${number} gao.feng`);
    expect((await scenario.say("gao.feng", `/confirm ${number}`)).text).toContain(`你已加入 ${number} 的处理小组`);
    for (const lead of ["zhang.wei", "li.na", "sun.li"]) await scenario.say(lead, `/appoint ${number} ${lead}`);
    await scenario.say("gao.feng", `/onsite ${number}`);
    expect((await scenario.say("gao.feng", `/responsibility ${number} 线束磨损致短路起火，责任在厂方`)).text).toContain(`已记录 ${number} 的原因分析和责任划分`);

    // The agreement with its amount, then the signed copy as a file, then Done.
    const signed = await scenario.say("zhou.min", `/agreement ${number} 更换同型新车，补偿误工费 5.2万`);
    expect(signed.text).toContain(`已记录：${number} 协议已签订，金额 ¥52,000.00，已请销售财务处处理。`);
    expect(signed.text).toContain(`请发送 ${number} 双方签字的协议`);
    expect((await scenario.sendFile("zhou.min", "agreement-signed.pdf")).text).toContain(`已为 ${number} 的协议添加 1 个签字文件`);
    expect((await scenario.say("zhou.min", "完成")).text).toContain(`${number} 的附件已添加完毕（共 1 个）`);

    // Sales finance is asked, presses Finance, and after-sales hears how it was handled.
    const ask = await scenario.waitForInbox("li.na", (m) => m.text.includes(`${number}：协议金额 ¥52,000.00 请销售财务处处理`), { what: "finance asked to handle the amount", ...AFTER_A_BURST });
    expect(ask.buttons.map((b) => b.command)).toContain(`/finance ${number}`);
    expect((await scenario.press("li.na", `/finance ${number}`)).text).toContain(`请输入 ${number} 的财务处理情况`);
    expect((await scenario.say("li.na", "已向顾客转账，凭证号 FK-03")).text).toContain(`已记录 ${number} 的财务处理`);
    await scenario.waitForInbox("zhou.min", (m) => m.text.includes(`李娜（销售财务处）记录 ${number} 的财务处理：已向顾客转账，凭证号 FK-03`), { what: "after-sales told of the finance handling", ...AFTER_A_BURST });

    const ticket = (await scenario.app.core.tickets.findByNumber(number))!;
    expect(ticket.status).toBe("agreement_signed");
    expect(ticket.records.map((r) => [r.kind, r.by])).toEqual([
      ["responsibility", "gao.feng"],
      ["agreement", "zhou.min"],
      ["finance", "li.na"],
    ]);
    const agreement = ticket.records[1]!;
    expect(agreement.amountFen).toBe(5_200_000);
    expect(agreement.attachments.map((a) => [a.platform, a.kind])).toEqual([[platform, "document"]]);
    expect(ticket.deadlines.filter((d) => d.kind === "finance").map((d) => d.status)).toEqual(["met"]);
    expect((await scenario.say("zhou.min", `/team ${number}`)).text).toContain("处理协议 ¥52,000.00（周敏");
  });
});
