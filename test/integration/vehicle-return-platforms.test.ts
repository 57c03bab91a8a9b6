import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LEVEL2_FAULT_STEPS, SCENARIO_PLATFORMS, startScenario, ticketNumberIn, type Scenario } from "../support/platforms/index.js";

/*
 * A returned faulty vehicle (§5) and a ticket's warranty through the real adapters, on every
 * platform: after-sales types /return, the logistics leads record their legs by button or by
 * typing /transported and /stored, and everyone reads it where they are.
 */

describe.each(SCENARIO_PLATFORMS)("a returned vehicle on %s", (platform) => {
  let scenario: Scenario;
  beforeEach(async () => {
    scenario = await startScenario({ platform });
  });
  afterEach(() => scenario.stop());

  /** wang.fang's level-2 fault (a Zhonghua at 12,000 km, its sale date unknown), confirmed by after-sales. */
  async function confirmedFault() {
    const number = ticketNumberIn((await scenario.walk("wang.fang", LEVEL2_FAULT_STEPS)).text);
    await scenario.waitForInbox("zhou.min", (m) => m.text.includes(`新工单 ${number}`), { what: "after-sales' request to confirm" });
    await scenario.say("zhou.min", `/confirm ${number}`);
    return number;
  }

  it("/return pings both leads with Ack, Take and their milestone's button; the buttons record the transport, then the storage", async () => {
    const number = await confirmedFault();
    const arranged = await scenario.say("zhou.min", `/return ${number} 发动机需返厂鉴定`);
    expect(arranged.text).toContain(`已安排 ${number} 的故障车辆退回：已通知销售公司物流部 何强运输、计划物流部 陆燕贮存保管。`);

    const transport = await scenario.waitForInbox("he.qiang", (m) => m.text.includes(`退回故障车辆 ${number}`), { what: "the transport lead's ping" });
    expect(transport.text).toContain("销售公司物流部: 请负责退回故障车辆的运输");
    expect(transport.text).toContain("周敏（售后服务部）安排退回故障车辆：发动机需返厂鉴定");
    expect(transport.buttons.map((b) => b.command)).toEqual(expect.arrayContaining([`/ack ${number}`, `/take ${number}`, `/transported ${number}`]));
    const storage = await scenario.waitForInbox("lu.yan", (m) => m.text.includes(`退回故障车辆 ${number}`), { what: "the storage lead's ping" });
    expect(storage.buttons.map((b) => b.command)).toEqual(expect.arrayContaining([`/ack ${number}`, `/take ${number}`, `/stored ${number}`]));
    await scenario.waitForInbox("wang.fang", (m) => m.text.includes(`你上报的 ${number}：周敏 已安排退回故障车辆`), { what: "the reporter told" });

    expect((await scenario.press("he.qiang", `/transported ${number}`)).text).toContain(`已记录 ${number} 的故障车辆已运回，已告知售后服务部和计划物流部。`);
    await scenario.waitForInbox("zhou.min", (m) => m.text.includes(`何强（销售公司物流部）已将 ${number} 的故障车辆运回。`), { what: "after-sales told of the transport" });
    const expected = await scenario.waitForInbox("lu.yan", (m) => m.text.includes(`已将 ${number} 的故障车辆运回`), { what: "planning logistics told to expect it" });
    expect(expected.buttons.map((b) => b.command)).toContain(`/stored ${number}`);

    expect((await scenario.press("lu.yan", `/stored ${number}`)).text).toContain(`已记录 ${number} 的故障车辆已入库保管，已告知售后服务部。`);
    await scenario.waitForInbox("zhou.min", (m) => m.text.includes(`陆燕（计划物流部）已将 ${number} 的故障车辆入库保管。`), { what: "after-sales told of the storage" });

    const status = (await scenario.say("zhou.min", `/status ${number}`)).text;
    expect(status).toMatch(/退回车辆：\d{4}-\d{2}-\d{2} \d{2}:\d{2} 运回，\d{4}-\d{2}-\d{2} \d{2}:\d{2} 入库保管/);
    expect(status).toContain("质量担保：不确定，销售日期不详（12,000 km；担保 2 年/6 万公里）");
    const ticket = (await scenario.app.core.tickets.findByNumber(number))!;
    expect(ticket.records.map((r) => [r.kind, r.by])).toEqual([
      ["transported", "he.qiang"],
      ["stored", "lu.yan"],
    ]);
    expect(ticket.deadlines.filter((d) => d.kind === "transport" || d.kind === "storage").map((d) => d.status)).toEqual(["met", "met"]);
  });

  it("/transported and /stored typed with notes, and the refusals each says", async () => {
    const number = await confirmedFault();
    expect((await scenario.say("wang.fang", `/return ${number}`)).text).toContain(`只有售后服务部和领导可以安排 ${number} 的故障车辆退回。`);
    expect((await scenario.say("he.qiang", `/transported ${number}`)).text).toContain(`${number} 没有安排退回故障车辆：须先由售后服务部发送 /return ${number}。`);
    await scenario.say("zhou.min", `/return ${number}`);
    expect((await scenario.say("zhou.min", `/return ${number}`)).text).toContain(`${number} 的故障车辆退回已经安排过了`);
    expect((await scenario.say("lu.yan", `/stored ${number} 3 号库`)).text).toContain(`${number} 的故障车辆尚未运回`);
    expect((await scenario.say("lu.yan", `/transported ${number}`)).text).toContain(`只有销售公司物流部的成员可以记录 ${number} 的车辆运输。`);

    expect((await scenario.say("he.qiang", `/transported ${number} 已运抵沈阳库区`)).text).toContain(`已记录 ${number} 的故障车辆已运回`);
    await scenario.waitForInbox("zhou.min", (m) => m.text.includes("说明：已运抵沈阳库区"), { what: "after-sales told of the transport with its note" });
    expect((await scenario.say("lu.yan", `/stored ${number} 3 号库`)).text).toContain(`已记录 ${number} 的故障车辆已入库保管`);
    expect((await scenario.say("lu.yan", `/stored ${number}`)).text).toContain(`${number} 已记录车辆已入库保管（陆燕，`);
    const timeline = (await scenario.say("zhou.min", `/timeline ${number}`)).text;
    expect(timeline).toContain("周敏 安排退回故障车辆（销售公司物流部运输，计划物流部贮存）");
    expect(timeline).toContain("何强 记录车辆已运回：已运抵沈阳库区");
    expect(timeline).toContain("陆燕 记录车辆已入库保管：3 号库");
  });
});
