import { beforeEach, describe, expect, it } from "vitest";
import type { Notification } from "../../core/escalation/notification.js";
import { GENERAL_FAULT, LEVEL1_COMPLAINT, LEVEL1_FAULT, LEVEL2_FAULT } from "../support/report-script.js";
import { FIRST_TICKET, say, useTestApp } from "../support/test-app.js";

/*
 * Quality assurance's work as records (manual §4): at level 1 QA sends people for technical support
 * (立即委派相关人员提供技术支持), at level 2 it proposes the measures after-sales coordinates
 * (提出处理措施，售后服务部给予协调处理), and it appraises any major item (§5 技术鉴定、核实).
 */

const scene = useTestApp();
const NUMBER = FIRST_TICKET;
const { later, ticket, report } = scene;

/** Who a flow's messages go to, with their first line. */
const told = (notifications: Notification[]) => notifications.map((n) => [n.recipient.kind === "member" ? n.recipient.memberId : n.recipient.kind, n.card.lines.join("\n")]);
/** The latest message the outbox holds for a member, with its buttons. */
async function lastTo(memberId: string) {
  const rows = await scene.app.db.delivery.findMany({ where: { kind: "message" }, orderBy: { id: "asc" } });
  const mine = rows.filter((d) => JSON.parse(d.recipient).memberId === memberId);
  return JSON.parse(mine.at(-1)!.payload) as { title?: string; lines: string[]; choices?: { id: string; label: string }[] };
}

describe("technical support at level 1 (§4: 立即委派相关人员提供技术支持)", () => {
  beforeEach(async () => {
    await report("wang.fang", LEVEL1_FAULT);
    await say(scene.app, "zhou.min", `/confirm ${NUMBER}`);
  });

  it("gives QA an hour from the confirmation, and its ping a Support button", async () => {
    const confirmed = await ticket();
    expect(confirmed.deadlines.find((d) => d.kind === "support")).toMatchObject({ status: "pending", dueAt: new Date("2026-11-26T03:00:00Z"), chain: ["chen.jie", "zhao.ming", "qian.hao"] });
    const ping = await lastTo("chen.jie");
    expect(ping.choices?.map((c) => [c.id, c.label])).toEqual([
      [`/support ${NUMBER}`, "委派技术支持"],
      [`/ack ${NUMBER}`, "响应"],
      [`/take ${NUMBER}`, "接手"],
      [`/resolve ${NUMBER}`, "已解决"],
    ]);
  });

  it("records who was sent: meets the support deadline, answers QA's ping, tells after-sales and the reporter, and shows on the card and the timeline", async () => {
    later(20);
    const sent = await say(scene.app, "chen.jie", `/support ${NUMBER} 已派高峰携诊断仪赶赴沈阳服务中心，协助检查线束`);
    expect(sent.text).toBe(`已记录 ${NUMBER} 的技术支持委派，已告知售后服务部和上报人。`);
    const line = `陈杰（质量保证部）已为 ${NUMBER} 委派技术支持：已派高峰携诊断仪赶赴沈阳服务中心，协助检查线束`;
    expect(told(sent.notifications)).toEqual([
      ["zhou.min", line],
      ["wang.fang", line],
    ]);

    const after = await ticket();
    expect(after.records).toEqual([
      { id: expect.any(Number), kind: "support", text: "已派高峰携诊断仪赶赴沈阳服务中心，协助检查线束", amountFen: null, override: null, by: "chen.jie", at: new Date("2026-11-26T02:20:00Z"), attachments: [] },
    ]);
    expect(after.status).toBe("in_progress");
    const support = after.pings.find((p) => p.duty === "technical_support")!;
    expect(support).toMatchObject({ acknowledgedBy: "chen.jie", acknowledgedAt: new Date("2026-11-26T02:20:00Z") });
    expect(after.deadlines.filter((d) => d.kind === "support" || d.pingId === support.id).map((d) => [d.kind, d.status])).toEqual([
      ["acknowledge", "met"],
      ["support", "met"],
    ]);

    const card = (await say(scene.app, "zhou.min", `/status ${NUMBER}`)).text;
    expect(card).toContain("处理记录:\n• 技术支持委派（陈杰，2026-11-26 10:20）：已派高峰携诊断仪赶赴沈阳服务中心，协助检查线束");
    const timeline = (await say(scene.app, "zhou.min", `/timeline ${NUMBER}`)).text;
    expect(timeline).toContain("11-26 10:20 陈杰 记录技术支持委派：已派高峰携诊断仪赶赴沈阳服务中心，协助检查线束");
    expect(timeline).toContain("11-26 10:20 陈杰 响应了（质量保证部：请确认并立即委派人员提供技术支持）");
  });

  it("asks for the text when its button is pressed, and a second dispatch is recorded too", async () => {
    await say(scene.app, "chen.jie", `/ack ${NUMBER}`);
    expect((await ticket()).deadlines.find((d) => d.kind === "support")?.status).toBe("pending"); // acknowledging is not sending
    const asked = await say(scene.app, "gao.feng", { choice: `/support ${NUMBER}` });
    expect(asked.text).toBe(`请输入为 ${NUMBER} 委派的人员及技术支持内容（/cancel 取消）`);
    await say(scene.app, "gao.feng", "本人已到现场");
    await say(scene.app, "zhao.ming", `/support ${NUMBER} 另派供应商工程师支援`);
    const after = await ticket();
    expect(after.records.map((r) => [r.by, r.text])).toEqual([
      ["gao.feng", "本人已到现场"],
      ["zhao.ming", "另派供应商工程师支援"],
    ]);
    expect(after.deadlines.find((d) => d.kind === "support")?.status).toBe("met");
  });

  it("is QA's and the managers' alone, before anything is asked", async () => {
    for (const outsider of ["wang.fang", "zhou.min", "li.na"]) {
      const refused = await say(scene.app, outsider, `/support ${NUMBER} 派人`);
      expect(refused.text, outsider).toContain(outsider === "li.na" ? "你无权查看" : "只有质量保证部的成员和领导可以记录");
    }
    // The button pressed by after-sales is refused at once: nothing is asked.
    expect((await say(scene.app, "zhou.min", { choice: `/support ${NUMBER}` })).text).toBe(`只有质量保证部的成员和领导可以记录 ${NUMBER} 的技术支持、处理措施和技术鉴定。`);
    expect((await ticket()).records).toEqual([]);
  });
});

describe("what QA's work is for", () => {
  it("refuses support where no level 1 asks for it, measures where no level 2 does, and appraisal of general information", async () => {
    await report("wang.fang", LEVEL2_FAULT);
    // Before after-sales confirms it, QA does not even see it.
    expect((await say(scene.app, "chen.jie", `/measures ${NUMBER} 更换总泵`)).text).toContain("你无权查看");
    await say(scene.app, "zhou.min", `/confirm ${NUMBER}`);
    expect((await say(scene.app, "chen.jie", `/support ${NUMBER} 派人`)).text).toBe(`${NUMBER} 当前不需要委派技术支持：只有经确认的 1 级重大质量信息需要。`);
    later(1);
    await report("wang.fang", LEVEL1_FAULT);
    const level1 = "HL-20261126-0002";
    await say(scene.app, "zhou.min", `/confirm ${level1}`);
    expect((await say(scene.app, "chen.jie", { choice: `/measures ${level1}` })).text).toBe(`${level1} 当前不需要提出处理措施：只有经确认的 2 级重大质量信息需要。`);
    later(1);
    await report("wang.fang", GENERAL_FAULT);
    expect((await say(scene.app, "zhao.ming", `/appraisal HL-20261126-0003 无异常`)).text).toBe("HL-20261126-0003 不是重大质量信息，无需技术鉴定。");
  });

  it("refuses support and measures on a finished ticket, but takes an appraisal after it", async () => {
    await report("wang.fang", LEVEL1_FAULT);
    await say(scene.app, "zhou.min", `/confirm ${NUMBER}`);
    await say(scene.app, "zhou.min", `/resolve ${NUMBER} 已更换线束`);
    expect((await say(scene.app, "chen.jie", `/support ${NUMBER} 派人`)).text).toContain("不能记录处理情况");
    expect((await say(scene.app, "chen.jie", `/appraisal ${NUMBER} 起火原因为线束磨损短路`)).text).toBe(`已记录 ${NUMBER} 的技术鉴定，已告知售后服务部。`);
  });
});

describe("the measures at level 2 (§4: 质量保证部提出处理措施，售后服务部给予协调处理)", () => {
  beforeEach(async () => {
    await report("wang.fang", LEVEL2_FAULT);
    await say(scene.app, "zhou.min", `/confirm ${NUMBER}`);
  });

  it("are asked for by the Measures button, meet the measures deadline, answer QA's ping and go to after-sales to coordinate", async () => {
    const ping = await lastTo("chen.jie");
    expect(ping.choices?.[0]).toEqual({ id: `/measures ${NUMBER}`, label: "提出处理措施" });
    later(90);
    expect((await say(scene.app, "chen.jie", { choice: `/measures ${NUMBER}` })).text).toBe(`请输入 ${NUMBER} 的处理措施（/cancel 取消）`);
    const proposed = await say(scene.app, "chen.jie", "更换制动总泵；排查同批次车辆并召回");
    expect(proposed.text).toBe(`已记录 ${NUMBER} 的处理措施，已交售后服务部协调处理。`);
    // After-sales coordinates; the reporter is not its audience.
    expect(told(proposed.notifications)).toEqual([["zhou.min", `陈杰（质量保证部）提出 ${NUMBER} 的处理措施：更换制动总泵；排查同批次车辆并召回\n售后服务部：请协调处理`]]);

    const after = await ticket();
    const measures = after.pings.find((p) => p.duty === "propose_measures")!;
    expect(measures.acknowledgedBy).toBe("chen.jie");
    expect(after.deadlines.filter((d) => d.kind === "measures" || d.pingId === measures.id).map((d) => [d.kind, d.status])).toEqual([
      ["acknowledge", "met"],
      ["measures", "met"],
    ]);
    expect(after.records.map((r) => [r.kind, r.by, r.text])).toEqual([["measures", "chen.jie", "更换制动总泵；排查同批次车辆并召回"]]);
    expect((await say(scene.app, "chen.jie", `/status ${NUMBER}`)).text).toContain("• 处理措施（陈杰，2026-11-26 11:30）：更换制动总泵；排查同批次车辆并召回");
  });

  it("reads in English for a member who chose it", async () => {
    await say(scene.app, "chen.jie", "/lang en");
    expect((await say(scene.app, "chen.jie", `/measures ${NUMBER} Replace the master cylinder`)).text).toBe(`Recorded the measures for ${NUMBER}; After-Sales Department coordinates them.`);
    await say(scene.app, "zhou.min", "/lang en");
    expect((await say(scene.app, "zhou.min", `/status ${NUMBER}`)).text).toContain("Work on record:\n• the proposed measures (Chen Jie, 2026-11-26 10:00): Replace the master cylinder");
  });
});

describe("the technical appraisal (§5: 技术鉴定、核实)", () => {
  it("goes to after-sales, and to the team's place when the complaint has a team", async () => {
    await report("wang.fang", LEVEL1_COMPLAINT);
    await say(scene.app, "zhou.min", `/ack ${NUMBER}`);
    const appraised = await say(scene.app, "gao.feng", `/appraisal ${NUMBER} 自燃系线束磨损短路，属制造质量问题`);
    expect(appraised.text).toBe(`已记录 ${NUMBER} 的技术鉴定，已告知售后服务部。`);
    expect(told(appraised.notifications)).toEqual([
      ["zhou.min", `高峰（质量保证部）完成 ${NUMBER} 的技术鉴定、核实：自燃系线束磨损短路，属制造质量问题`],
      ["team", "高峰 记录技术鉴定、核实：自燃系线束磨损短路，属制造质量问题"],
    ]);
    const after = await ticket();
    expect(after.status).toBe("team_forming"); // an appraisal leaves where the ticket stands
    expect((await say(scene.app, "zhou.min", `/team ${NUMBER}`)).text).toContain("• 技术鉴定（高峰，2026-11-26 10:00）：自燃系线束磨损短路，属制造质量问题");
  });

  it("goes to after-sales alone on a fault without a team", async () => {
    await report("wang.fang", LEVEL2_FAULT);
    await say(scene.app, "zhou.min", `/confirm ${NUMBER}`);
    const appraised = await say(scene.app, "chen.jie", `/appraisal ${NUMBER} 制动总泵密封圈老化`);
    expect(told(appraised.notifications).map(([to]) => to)).toEqual(["zhou.min"]);
    expect((await ticket()).status).toBe("confirmed");
  });
});
