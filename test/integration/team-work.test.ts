import { beforeEach, describe, expect, it } from "vitest";
import { fireDeadline } from "../../core/deadlines/fire-deadline.js";
import type { Notification } from "../../core/escalation/notification.js";
import type { AttachmentRef } from "../../core/tickets/ticket.js";
import { LEVEL1_COMPLAINT, LEVEL2_FAULT } from "../support/report-script.js";
import { FIRST_TICKET, say, useTestApp } from "../support/test-app.js";

/*
 * The complaint-handling team's work (manual §5): after-sales adjusts its seats (根据问题严重程度
 * 分别由…委派专人), each department's part is its appointed member, the team settles responsibility
 * (分清责任) and signs the agreement with the customer (双方达成协议后签字生效), and sales finance
 * handles the money (销售财务处负责相关财务处理).
 */

const scene = useTestApp();
const NUMBER = FIRST_TICKET;
const { later, ticket } = scene;

beforeEach(async () => {
  for (const line of [...LEVEL1_COMPLAINT, "1"]) await say(scene.app, "wang.fang", line);
  // After-sales confirms the complaint, which forms the team: QA, legal counsel, sales finance and PR to appoint.
  await say(scene.app, "zhou.min", `/ack ${NUMBER}`);
});

const told = (notifications: Notification[]) => notifications.map((n) => [n.recipient.kind === "member" ? n.recipient.memberId : n.recipient.kind, [n.card.title, ...n.card.lines].filter(Boolean).join("\n")]);
const photo = (fileId: string): AttachmentRef => ({ platform: "telegram", fileId, kind: "photo" });

/** Every seat filled and confirmed. */
async function completeTheTeam() {
  await say(scene.app, "chen.jie", `/appoint ${NUMBER} gao.feng`);
  await say(scene.app, "gao.feng", `/confirm ${NUMBER}`);
  await say(scene.app, "zhang.wei", `/appoint ${NUMBER} zhang.wei`);
  await say(scene.app, "li.na", `/appoint ${NUMBER} li.na`);
  await say(scene.app, "sun.li", `/appoint ${NUMBER} sun.li`);
}

/** Every page of the ticket's timeline, as a member reads it. */
async function timeline(memberId = "zhou.min") {
  const first = (await say(scene.app, memberId, `/timeline ${NUMBER}`)).text;
  const pages = Number(/第 1\/(\d+) 页/.exec(first)?.[1] ?? 1);
  const rest = [];
  for (let page = 2; page <= pages; page++) rest.push((await say(scene.app, memberId, `/timeline ${NUMBER} ${page}`)).text);
  return [first, ...rest].join("\n");
}

describe("the team's seats, as after-sales adjusts them", () => {
  it("adds a department: an empty seat, its lead asked to appoint with a deadline and a picker, the roster and the timeline show it", async () => {
    const offered = await say(scene.app, "zhou.min", `/team ${NUMBER} add`);
    expect(offered.text).toBe(`为 ${NUMBER} 的处理小组增加哪个部门？（/cancel 取消）`);
    expect(offered.replies[0]!.choices).toEqual([
      { id: `/team ${NUMBER} add customer_service`, label: "客服中心" },
      { id: `/team ${NUMBER} add logistics`, label: "销售公司物流部" },
      { id: `/team ${NUMBER} add planning_logistics`, label: "计划物流部" },
      { id: `/team ${NUMBER} add sales_leadership`, label: "销售公司领导" },
    ]);

    later(5);
    const added = await say(scene.app, "zhou.min", { choice: `/team ${NUMBER} add logistics` });
    expect(added.text).toBe(`已为 ${NUMBER} 的处理小组增加销售公司物流部席位，已请 何强 委派成员。`);
    expect(told(added.notifications)).toEqual([
      ["he.qiang", `周敏 将销售公司物流部加入 ${NUMBER} 的重大投诉处理小组，请在 2026-11-26 10:35 前委派成员：/appoint ${NUMBER} <成员>`],
      ["team", "周敏 为处理小组增加销售公司物流部席位，待 何强 委派成员。"],
    ]);
    expect(added.notifications[0]!.card.pickers).toEqual([{ id: `/appoint ${NUMBER} logistics`, label: "销售公司物流部：委派成员" }]);

    const after = await ticket();
    expect(after.team.find((s) => s.departmentId === "logistics")).toEqual({ departmentId: "logistics", leader: false, memberId: null, appointedBy: null, appointedAt: null, confirmedAt: null });
    const ping = after.pings.find((p) => p.departmentId === "logistics")!;
    expect(ping).toMatchObject({ memberId: "he.qiang", duty: "appoint_team_member", needsAck: true, acknowledgedAt: null });
    expect(after.deadlines.find((d) => d.pingId === ping.id)).toMatchObject({ kind: "acknowledge", status: "pending", dueAt: new Date("2026-11-26T02:35:00Z"), chain: ["he.qiang", "zhao.ming", "qian.hao"] });
    expect((await say(scene.app, "zhou.min", `/team ${NUMBER}`)).text).toContain("• 销售公司物流部：待 何强 委派");
    expect(await timeline()).toContain("11-26 10:05 处理小组增加席位：销售公司物流部");

    // The new lead fills the seat as any other.
    expect((await say(scene.app, "he.qiang", `/appoint ${NUMBER} he.qiang`)).text).toContain("已委派 何强");
    expect((await ticket()).deadlines.find((d) => d.pingId === ping.id)?.status).toBe("met");
  });

  it("takes a department by its id or its name in either language, and refuses one seated already or unknown", async () => {
    await say(scene.app, "zhou.min", `/team ${NUMBER} add Planning Logistics`);
    await say(scene.app, "zhou.min", `/team ${NUMBER} add 客服中心`);
    expect((await ticket()).team.map((s) => s.departmentId)).toEqual(expect.arrayContaining(["planning_logistics", "customer_service"]));
    expect((await say(scene.app, "zhou.min", `/team ${NUMBER} add legal_counsel`)).text).toBe(`${NUMBER} 的处理小组已有法律顾问席位。`);
    expect((await say(scene.app, "zhou.min", `/team ${NUMBER} add marketing`)).text).toContain("没有部门“marketing”。可选：after_sales（售后服务部）");
    await say(scene.app, "zhao.ming", "/lang en");
    expect((await say(scene.app, "zhao.ming", `/team ${NUMBER} add marketing`)).text).toContain('There is no department "marketing". Choose from: after_sales (After-Sales Department), customer_service');
    expect((await say(scene.app, "zhou.min", `/team ${NUMBER} join logistics`)).text).toBe("用法：/team <HL-…> [add|remove <department>]");
  });

  it("removes a department: its appointee is released, its lead's open ping and deadline are cancelled and kept on record", async () => {
    await say(scene.app, "chen.jie", `/appoint ${NUMBER} gao.feng`);
    const offered = await say(scene.app, "zhou.min", `/team ${NUMBER} remove`);
    expect(offered.replies[0]!.choices?.map((c) => c.id)).toEqual(["quality_assurance", "public_relations", "sales_finance", "legal_counsel"].map((d) => `/team ${NUMBER} remove ${d}`));

    later(10);
    const withAppointee = await say(scene.app, "zhou.min", `/team ${NUMBER} remove quality_assurance`);
    expect(withAppointee.text).toBe(`已取消 ${NUMBER} 处理小组的质量保证部席位。`);
    expect(told(withAppointee.notifications)).toEqual([
      ["gao.feng", `周敏 取消了 ${NUMBER} 处理小组的质量保证部席位，你无需再参加。`],
      ["team", "周敏 取消了处理小组的质量保证部席位。"],
    ]);

    const legalPing = (await ticket()).pings.find((p) => p.departmentId === "legal_counsel" && p.duty === "appoint_team_member")!;
    const emptySeat = await say(scene.app, "zhou.min", `/team ${NUMBER} remove 法律顾问`);
    expect(told(emptySeat.notifications)[0]).toEqual(["zhang.wei", `周敏 取消了 ${NUMBER} 处理小组的法律顾问席位，无需再委派成员。`]);

    const after = await ticket();
    expect(after.team.map((s) => s.departmentId)).toEqual(["after_sales", "sales_finance", "public_relations"]);
    // QA's appointment was done: it stays answered. Legal counsel's was owed: it is cancelled, not deleted.
    expect(after.pings.find((p) => p.departmentId === "quality_assurance" && p.duty === "appoint_team_member")).toMatchObject({ acknowledgedBy: "chen.jie", cancelledAt: null });
    expect(after.pings.find((p) => p.id === legalPing.id)).toMatchObject({ acknowledgedAt: null, cancelledAt: new Date("2026-11-26T02:10:00Z") });
    expect(after.deadlines.find((d) => d.pingId === legalPing.id)?.status).toBe("cancelled");
    const entries = await timeline();
    expect(entries).toContain("10:10 处理小组取消席位：质量保证部（高峰）");
    expect(entries).toContain("10:10 处理小组取消席位：法律顾问");
    // Legal counsel, no longer pinged, no longer sees the ticket.
    expect((await say(scene.app, "zhang.wei", `/status ${NUMBER}`)).text).toContain("你无权查看");
  });

  it("keeps the leader's seat, and says what a change could name", async () => {
    expect((await say(scene.app, "zhou.min", `/team ${NUMBER} remove after_sales`)).text).toBe("售后服务部是处理小组的组长席位，不能取消。");
    expect((await say(scene.app, "zhou.min", `/team ${NUMBER} remove logistics`)).text).toBe(`${NUMBER} 的处理小组中没有部门“销售公司物流部”。`);
    for (const department of ["quality_assurance", "legal_counsel", "sales_finance", "public_relations"]) await say(scene.app, "zhou.min", `/team ${NUMBER} remove ${department}`);
    expect((await say(scene.app, "zhou.min", `/team ${NUMBER} remove`)).text).toBe(`${NUMBER} 的处理小组只有组长席位。`);
  });

  it("is after-sales' and the managers' to change, once the team is formed and until the ticket is finished", async () => {
    expect((await say(scene.app, "chen.jie", `/team ${NUMBER} add logistics`)).text).toBe(`只有售后服务部和领导可以调整 ${NUMBER} 处理小组的席位。`);
    expect((await say(scene.app, "chen.jie", `/team ${NUMBER} add`)).text).toBe(`只有售后服务部和领导可以调整 ${NUMBER} 处理小组的席位。`);
    expect((await say(scene.app, "zhao.ming", `/team ${NUMBER} add logistics`)).text).toContain("已为");
    later(1);
    for (const line of [...LEVEL2_FAULT, "1"]) await say(scene.app, "wang.fang", line);
    expect((await say(scene.app, "zhou.min", `/team HL-20261126-0002 add logistics`)).text).toContain("还没有处理小组");
    await say(scene.app, "zhou.min", `/resolve ${NUMBER} 已处理完毕`);
    expect((await say(scene.app, "zhou.min", `/team ${NUMBER} add planning_logistics`)).text).toContain("不能调整处理小组席位");
  });
});

describe("a department's appointment duty (§5 小组成员应得到授权)", () => {
  it("is not met by acknowledging: the lead is told to appoint, with the picker, and the ping and its deadline stay open", async () => {
    const acked = await say(scene.app, "zhang.wei", `/ack ${NUMBER}`);
    expect(acked.replies.map((r) => r.lines)).toEqual([[`${NUMBER}：法律顾问的席位须委派成员后才算完成，响应不能代替委派。请委派：/appoint ${NUMBER} <成员>`]]);
    expect(acked.replies[0]!.pickers).toEqual([{ id: `/appoint ${NUMBER} legal_counsel`, label: "法律顾问：委派成员" }]);
    // The Acknowledge button is the same command.
    expect((await say(scene.app, "zhang.wei", { choice: `/ack ${NUMBER}` })).text).toContain("响应不能代替委派");
    const open = await ticket();
    const ping = open.pings.find((p) => p.departmentId === "legal_counsel")!;
    expect(ping.acknowledgedAt).toBeNull();
    expect(open.deadlines.find((d) => d.pingId === ping.id)?.status).toBe("pending");
    expect(open.status).toBe("team_forming");

    await say(scene.app, "zhang.wei", `/appoint ${NUMBER} zhang.wei`);
    const filled = await ticket();
    expect(filled.pings.find((p) => p.id === ping.id)?.acknowledgedBy).toBe("zhang.wei");
    expect(filled.deadlines.find((d) => d.pingId === ping.id)?.status).toBe("met");
  });

  it("leaves a lead's other duties to the acknowledgement: QA's technical support is acknowledged, its seat still to fill", async () => {
    const acked = await say(scene.app, "chen.jie", `/ack ${NUMBER}`);
    expect(acked.replies.map((r) => r.lines.join(" "))).toEqual([`已响应 ${NUMBER}。`, `${NUMBER}：质量保证部的席位须委派成员后才算完成，响应不能代替委派。请委派：/appoint ${NUMBER} <成员>`]);
    const after = await ticket();
    expect(after.pings.filter((p) => p.memberId === "chen.jie").map((p) => [p.duty, p.acknowledgedBy])).toEqual([
      ["technical_support", "chen.jie"],
      ["appoint_team_member", null],
    ]);
  });

  it("is not met by the manager its deadline climbed to acknowledging either", async () => {
    const ping = (await ticket()).pings.find((p) => p.departmentId === "public_relations")!;
    const deadline = (await ticket()).deadlines.find((d) => d.pingId === ping.id)!;
    later(31);
    const { fireSeq } = await scene.app.db.deadline.findUniqueOrThrow({ where: { id: deadline.id } });
    await scene.app.unitOfWork.run(({ core }) => fireDeadline(core, { deadlineId: deadline.id, expectedSeq: fireSeq }));
    expect((await ticket()).deadlines.find((d) => d.id === deadline.id)).toMatchObject({ status: "pending", step: 1 });
    const acked = await say(scene.app, "zhao.ming", `/ack ${NUMBER}`);
    expect(acked.text).toContain("华晨公关部的席位须委派成员后才算完成");
    expect((await ticket()).deadlines.find((d) => d.id === deadline.id)?.status).toBe("pending");
    // The manager may appoint for the department instead.
    await say(scene.app, "zhao.ming", `/appoint ${NUMBER} public_relations sun.li`);
    expect((await ticket()).deadlines.find((d) => d.id === deadline.id)?.status).toBe("met");
  });
});

describe("the responsibility split (§5 分清责任)", () => {
  it("is recorded by a team member or after-sales and goes to the team's place; the roster offers it", async () => {
    await say(scene.app, "chen.jie", `/appoint ${NUMBER} gao.feng`);
    await say(scene.app, "gao.feng", `/confirm ${NUMBER}`);
    const roster = await say(scene.app, "gao.feng", `/team ${NUMBER}`);
    expect(roster.replies[0]!.choices?.map((c) => c.id)).toEqual([`/onsite ${NUMBER}`, `/responsibility ${NUMBER}`, `/agreement ${NUMBER}`, `/team ${NUMBER} add`]);

    expect((await say(scene.app, "gao.feng", { choice: `/responsibility ${NUMBER}` })).text).toBe(`请输入 ${NUMBER} 的原因分析和责任划分（/cancel 取消）`);
    const recorded = await say(scene.app, "gao.feng", "线束磨损致短路起火，属制造质量问题，责任在厂方");
    expect(recorded.text).toBe(`已记录 ${NUMBER} 的原因分析和责任划分。`);
    expect(told(recorded.notifications)).toEqual([["team", "高峰 记录原因分析和责任划分：线束磨损致短路起火，属制造质量问题，责任在厂方"]]);
    await say(scene.app, "wu.lei", `/responsibility ${NUMBER} 顾客未按期保养，承担小部分责任`);

    const after = await ticket();
    expect(after.records.map((r) => [r.kind, r.by])).toEqual([
      ["responsibility", "gao.feng"],
      ["responsibility", "wu.lei"],
    ]);
    expect((await say(scene.app, "zhou.min", `/team ${NUMBER}`)).text).toContain("• 责任划分（高峰，2026-11-26 10:00）：线束磨损致短路起火，属制造质量问题，责任在厂方");
    expect(await timeline()).toContain("吴磊 记录责任划分：顾客未按期保养，承担小部分责任");
  });

  it("is refused to those off the team, before anything is asked, and where there is no team", async () => {
    await say(scene.app, "chen.jie", `/appoint ${NUMBER} gao.feng`);
    expect((await say(scene.app, "chen.jie", { choice: `/responsibility ${NUMBER}` })).text).toBe(`只有处理小组成员、售后服务部和领导可以记录 ${NUMBER} 的进展。`);
    later(1);
    for (const line of [...LEVEL2_FAULT, "1"]) await say(scene.app, "wang.fang", line);
    expect((await say(scene.app, "zhou.min", `/responsibility HL-20261126-0002 厂方责任`)).text).toContain("还没有处理小组");
  });
});

describe("the agreement with the customer (§5 双方达成协议后签字生效)", () => {
  it("is refused until the team is on site and every seat confirmed, saying exactly what is missing; after-sales reads how to sign anyway", async () => {
    await say(scene.app, "chen.jie", `/appoint ${NUMBER} gao.feng`);
    const member = await say(scene.app, "gao.feng", `/agreement ${NUMBER} 赔偿维修费 5.2万`);
    expect(member.text).toBe(`${NUMBER} 还不能记录协议：待委派成员：法律顾问、销售财务处、华晨公关部；待本人确认：质量保证部（高峰）；处理小组尚未到达现场（/onsite ${NUMBER}）。`);
    expect(member.replies[0]!.choices).toBeUndefined();

    // The roster's button sends `/agreement HL-…` alone: refused at once, nothing asked.
    const leader = await say(scene.app, "zhou.min", { choice: `/agreement ${NUMBER}` });
    expect(leader.text).toContain(`${NUMBER} 还不能记录协议：待委派成员`);
    expect(leader.text).toContain(`售后服务部和领导可说明理由后仍然记录：/agreement ${NUMBER} override <理由>`);
    expect(leader.replies[0]!.choices).toEqual([{ id: `/agreement ${NUMBER} override`, label: "仍然签订" }]);
    await say(scene.app, "gao.feng", "/lang en");
    expect((await say(scene.app, "gao.feng", `/agreement ${NUMBER} refund`)).text).toBe(
      `The agreement on ${NUMBER} cannot be recorded yet: seats to fill: Legal Counsel, Sales Finance, Public Relations; appointees to confirm: Quality Assurance (Gao Feng); the team is not on site yet (/onsite ${NUMBER}).`,
    );
    await say(scene.app, "gao.feng", "/lang zh");

    await completeTheTeam();
    expect((await say(scene.app, "zhou.min", `/agreement ${NUMBER} 退款`)).text).toBe(`${NUMBER} 还不能记录协议：处理小组尚未到达现场（/onsite ${NUMBER}）。\n售后服务部和领导可说明理由后仍然记录：/agreement ${NUMBER} override <理由>`);
    expect((await ticket()).records).toEqual([]);
  });

  it("records the terms and the amount, asks for the signed copy, and asks sales finance to handle the money", async () => {
    await completeTheTeam();
    await say(scene.app, "gao.feng", `/onsite ${NUMBER}`);
    later(120);

    const signed = await say(scene.app, "zhou.min", `/agreement ${NUMBER} 更换同型新车，补偿顾客误工费 5.2万`);
    expect(signed.replies.map((r) => r.lines.join("\n"))).toEqual([
      `已记录：${NUMBER} 协议已签订，金额 ¥52,000.00，已请销售财务处处理。`,
      `请发送 ${NUMBER} 双方签字的协议（照片或文件，可多张）；发完请点“完成”（/cancel 跳过）。`,
    ]);
    expect(signed.replies[1]!.choices).toEqual([{ id: "done", label: "完成" }]);
    expect(told(signed.notifications)).toEqual([
      ["team", "周敏：已于 2026-11-26 12:00 与顾客签订协议（双方签字后生效）。\n协议内容：更换同型新车，补偿顾客误工费\n金额：¥52,000.00，已请销售财务处处理。"],
      ["wang.fang", `你上报的 ${NUMBER}：已与顾客签订处理协议。`],
      ["li.na", `${NUMBER}：协议金额 ¥52,000.00 请销售财务处处理\n周敏 记录了与顾客签订的协议：更换同型新车，补偿顾客误工费\n请在 2026-11-29 12:00 前处理并记录：/finance ${NUMBER} <处理情况>`],
    ]);
    expect(signed.notifications[2]!.card.choices?.map((c) => c.id)).toEqual([`/finance ${NUMBER}`, `/ack ${NUMBER}`]);

    const after = await ticket();
    expect(after.status).toBe("agreement_signed");
    expect(after.records).toEqual([
      { id: expect.any(Number), kind: "agreement", text: "更换同型新车，补偿顾客误工费", amountFen: 5_200_000, override: null, by: "zhou.min", at: new Date("2026-11-26T04:00:00Z"), attachments: [] },
    ]);
    const finance = after.pings.find((p) => p.duty === "handle_finance")!;
    expect(finance).toMatchObject({ departmentId: "sales_finance", memberId: "li.na", needsAck: true, acknowledgedAt: null });
    expect(after.deadlines.filter((d) => d.pingId === finance.id || d.kind === "finance").map((d) => [d.kind, d.dueAt.toISOString(), d.chain])).toEqual([
      ["acknowledge", "2026-11-26T04:30:00.000Z", ["li.na", "zhao.ming", "qian.hao"]],
      ["finance", "2026-11-29T04:00:00.000Z", ["li.na", "zhao.ming", "qian.hao"]],
    ]);

    // The signed copy, one message after another, kept with the agreement rather than the ticket.
    const first = await say(scene.app, "zhou.min", { attachments: [photo("AgSigned1")] });
    expect(first.text).toBe(`已为 ${NUMBER} 的协议添加 1 个签字文件。\n继续发送，或点“完成”。`);
    await say(scene.app, "zhou.min", { attachments: [photo("AgSigned2")] });
    expect((await say(scene.app, "zhou.min", "完成")).text).toBe(`${NUMBER} 的附件已添加完毕（共 2 个）。`);
    const kept = await ticket();
    expect(kept.records[0]!.attachments).toEqual([photo("AgSigned1"), photo("AgSigned2")]);
    expect(kept.attachments).toEqual([]);

    const card = (await say(scene.app, "zhou.min", `/status ${NUMBER}`)).text;
    expect(card).toContain("• 处理协议 ¥52,000.00（周敏，2026-11-26 12:00）：更换同型新车，补偿顾客误工费（附 2 个文件）");
    const entries = await timeline();
    expect(entries).toContain("12:00 周敏：已与顾客签订协议");
    expect(entries).toContain("12:00 周敏 记录处理协议（¥52,000.00）：更换同型新车，补偿顾客误工费");
    expect(entries).toContain("12:00 通知 销售财务处 李娜：请负责协议金额的财务处理");
  });

  it("reads the amount as its last word in the ways people write it, and pings nobody without one", async () => {
    await completeTheTeam();
    await say(scene.app, "gao.feng", `/onsite ${NUMBER}`);
    // The copy comes with the command: nothing more is asked.
    const withCopy = await say(scene.app, "zhou.min", { text: `/agreement ${NUMBER} 退还购车款并延长质保两年`, attachments: [photo("AgScan")] });
    expect(withCopy.replies).toHaveLength(1);
    expect(withCopy.notifications.map((n) => n.recipient.kind === "member" && n.recipient.memberId)).not.toContain("li.na");
    await say(scene.app, "zhou.min", `/agreement ${NUMBER} 补充协议：另付拖车费 ¥1,200`);
    await say(scene.app, "zhou.min", "/cancel");
    await say(scene.app, "zhou.min", `/agreement ${NUMBER} 再补 800元`);
    await say(scene.app, "zhou.min", "/cancel");
    const records = (await ticket()).records;
    expect(records.map((r) => [r.text, r.amountFen, r.attachments.length])).toEqual([
      ["退还购车款并延长质保两年", null, 1],
      ["补充协议：另付拖车费", 120_000, 0],
      ["再补", 80_000, 0],
    ]);
    // Two amounts, one lead: one ping, a deadline for each.
    const after = await ticket();
    expect(after.pings.filter((p) => p.duty === "handle_finance")).toHaveLength(1);
    expect(after.deadlines.filter((d) => d.kind === "finance")).toHaveLength(2);
  });

  it("keeps a copy sent with the bare command while the terms are asked for, and brings back a report it interrupted", async () => {
    await completeTheTeam();
    await say(scene.app, "gao.feng", `/onsite ${NUMBER}`);
    const opened = await say(scene.app, "zhou.min", "/new");
    expect(opened.text).toContain("请选择上报类型");
    const asked = await say(scene.app, "zhou.min", { text: `/agreement ${NUMBER}`, attachments: [photo("AgScan")] });
    expect(asked.text).toBe(`请输入与顾客达成的协议内容，有金额请写在末尾，如 5.2万（${NUMBER}，/cancel 取消）`);
    const signed = await say(scene.app, "zhou.min", "退还购车款");
    // The copy came with the command: nothing more is asked, and the report's question comes back.
    expect(signed.replies.map((r) => r.lines[0])).toEqual([`已记录：${NUMBER} 协议已签订。`, "请选择上报类型："]);
    expect((await ticket()).records[0]).toMatchObject({ text: "退还购车款", attachments: [photo("AgScan")] });
  });

  it("records nothing when stopped before its terms", async () => {
    await say(scene.app, "zhou.min", `/agreement ${NUMBER} override 顾客要求`);
    expect((await say(scene.app, "zhou.min", "/cancel")).text).toBe("已取消 /agreement。");
    expect((await ticket()).records).toEqual([]);
    expect((await ticket()).status).toBe("team_forming");
  });

  it("is recorded anyway by after-sales with a reason, which is kept: the button asks the reason, then the terms, then the copy", async () => {
    await say(scene.app, "chen.jie", `/appoint ${NUMBER} gao.feng`);
    const refused = await say(scene.app, "zhou.min", `/agreement ${NUMBER}`);
    const reason = await say(scene.app, "zhou.min", { choice: refused.replies[0]!.choices![0]!.id });
    expect(reason.text).toBe(`请输入条件未满足仍记录 ${NUMBER} 协议的理由（/cancel 取消）`);
    expect((await say(scene.app, "zhou.min", "顾客情绪激动，要求当场签字；法律顾问已电话确认")).text).toBe(
      `已记下理由。请输入与顾客达成的协议内容，有金额请写在末尾，如 5.2万（${NUMBER}，/cancel 取消）`,
    );
    const signed = await say(scene.app, "zhou.min", "补偿顾客 1万元");
    expect(signed.text).toContain(`已记录：${NUMBER} 协议已签订，金额 ¥10,000.00`);
    expect(signed.notifications.find((n) => n.recipient.kind === "team")?.card.lines).toContain("未满足条件仍签订，理由：顾客情绪激动，要求当场签字；法律顾问已电话确认");
    // Skipping the copy keeps the agreement.
    expect((await say(scene.app, "zhou.min", "/cancel")).text).toBe(`${NUMBER} 的附件已添加完毕（共 0 个）。`);

    const after = await ticket();
    expect(after.status).toBe("agreement_signed");
    expect(after.records[0]).toMatchObject({ kind: "agreement", text: "补偿顾客", amountFen: 1_000_000, override: "顾客情绪激动，要求当场签字；法律顾问已电话确认" });
    expect((await say(scene.app, "zhou.min", `/status ${NUMBER}`)).text).toContain("：补偿顾客（未满足条件签订，理由：顾客情绪激动，要求当场签字；法律顾问已电话确认）");
    expect(await timeline()).toContain("周敏：已与顾客签订协议（未满足条件，理由：顾客情绪激动，要求当场签字；法律顾问已电话确认）");
  });

  it("takes the reason typed with the command, and keeps none when nothing is missing", async () => {
    expect((await say(scene.app, "zhou.min", `/agreement ${NUMBER} override 顾客当场要求`)).text).toContain("已记下理由");
    await say(scene.app, "zhou.min", "/cancel");
    await completeTheTeam();
    await say(scene.app, "gao.feng", `/onsite ${NUMBER}`);
    expect((await say(scene.app, "zhou.min", `/agreement ${NUMBER} override 以防万一`)).text).toContain("条件均已满足，无需说明理由");
    await say(scene.app, "zhou.min", "退款");
    expect((await ticket()).records[0]).toMatchObject({ text: "退款", override: null });
  });

  it("lets only after-sales and managers sign anyway", async () => {
    await say(scene.app, "chen.jie", `/appoint ${NUMBER} gao.feng`);
    await say(scene.app, "gao.feng", `/confirm ${NUMBER}`);
    expect((await say(scene.app, "gao.feng", `/agreement ${NUMBER} override 顾客要求`)).text).toBe(`条件未满足时，只有售后服务部和领导可以说明理由后仍然记录 ${NUMBER} 的协议。`);
    expect((await say(scene.app, "gao.feng", { choice: `/agreement ${NUMBER} override` })).text).toContain("只有售后服务部和领导可以说明理由");
    expect((await say(scene.app, "zhao.ming", `/agreement ${NUMBER} override 领导批准`)).text).toContain("已记下理由");
  });
});

describe("sales finance's handling of the agreed amount (§5 销售财务处负责相关财务处理)", () => {
  beforeEach(async () => {
    await completeTheTeam();
    await say(scene.app, "gao.feng", `/onsite ${NUMBER}`);
    await say(scene.app, "zhou.min", `/agreement ${NUMBER} 补偿顾客误工费 5.2万`);
    await say(scene.app, "zhou.min", "/cancel");
  });

  it("is acknowledged without being done, then recorded: the finance deadline is met, after-sales is told", async () => {
    later(10);
    await say(scene.app, "li.na", `/ack ${NUMBER}`);
    let after = await ticket();
    const ping = after.pings.find((p) => p.duty === "handle_finance")!;
    expect(ping.acknowledgedBy).toBe("li.na");
    expect(after.deadlines.find((d) => d.kind === "finance")?.status).toBe("pending");

    later(60 * 24);
    const recorded = await say(scene.app, "li.na", { choice: `/finance ${NUMBER}` });
    expect(recorded.text).toBe(`请输入 ${NUMBER} 的财务处理情况（/cancel 取消）`);
    const handled = await say(scene.app, "li.na", "已于 11-27 向顾客转账 52000 元，凭证号 FK-1127-03");
    expect(handled.text).toBe(`已记录 ${NUMBER} 的财务处理，已告知售后服务部。`);
    expect(told(handled.notifications)).toEqual([["zhou.min", `李娜（销售财务处）记录 ${NUMBER} 的财务处理：已于 11-27 向顾客转账 52000 元，凭证号 FK-1127-03`]]);
    after = await ticket();
    expect(after.deadlines.find((d) => d.kind === "finance")?.status).toBe("met");
    expect(after.records.at(-1)).toMatchObject({ kind: "finance", by: "li.na" });
    expect((await say(scene.app, "zhou.min", `/team ${NUMBER}`)).text).toContain("• 财务处理（李娜，2026-11-27 10:10）：已于 11-27 向顾客转账 52000 元，凭证号 FK-1127-03");
  });

  it("answers finance's ping and its deadline when recorded without acknowledging first, even after the ticket is resolved", async () => {
    await say(scene.app, "zhou.min", `/resolve ${NUMBER} 协议已履行`);
    await say(scene.app, "li.na", `/finance ${NUMBER} 已付款`);
    const after = await ticket();
    const ping = after.pings.find((p) => p.duty === "handle_finance")!;
    expect(ping.acknowledgedBy).toBe("li.na");
    expect(after.records.at(-1)).toMatchObject({ kind: "finance", text: "已付款" });
  });

  it("is finance's and the managers' alone, and only where an amount was agreed", async () => {
    expect((await say(scene.app, "gao.feng", `/finance ${NUMBER} 已付款`)).text).toBe(`只有销售财务处的成员和领导可以记录 ${NUMBER} 的财务处理。`);
    expect((await say(scene.app, "zhou.min", { choice: `/finance ${NUMBER}` })).text).toContain("只有销售财务处的成员和领导");
    expect((await say(scene.app, "zhao.ming", `/finance ${NUMBER} 领导代记：已付款`)).text).toContain("已记录");
    later(1);
    for (const line of [...LEVEL1_COMPLAINT, "1"]) await say(scene.app, "wang.fang", line);
    await say(scene.app, "zhou.min", "/ack HL-20261126-0002");
    expect((await say(scene.app, "li.na", `/finance HL-20261126-0002 已付款`)).text).toBe("HL-20261126-0002 没有需要财务处理的协议金额。");
  });

  it("keeps finance's ping and deadline when the level changes after the agreement", async () => {
    await say(scene.app, "zhou.min", `/grade ${NUMBER} 2 经核实无人员伤亡`);
    const after = await ticket();
    expect(after.pings.find((p) => p.duty === "handle_finance")?.cancelledAt).toBeNull();
    expect(after.deadlines.find((d) => d.kind === "finance")?.status).toBe("pending");
  });
});
