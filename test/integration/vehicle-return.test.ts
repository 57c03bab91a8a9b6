import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fireDeadline } from "../../core/deadlines/fire-deadline.js";
import { activePings } from "../../core/tickets/ticket.js";
import { writeOrganisationFile } from "../support/organisation.js";
import { GENERAL_FAULT, LEVEL2_FAULT } from "../support/report-script.js";
import { FIRST_TICKET, say, useTestApp } from "../support/test-app.js";

/*
 * A returned faulty vehicle (§5: 销售公司物流部负责退回的故障车辆的运输，计划物流部负责贮存和保管): after-sales
 * arranges the return, sales logistics (he.qiang, its lead) brings the vehicle back, planning
 * logistics (lu.yan) stores it.
 */

const scene = useTestApp();
const NUMBER = FIRST_TICKET;
const { later, ticket, report } = scene;


/** What the outbox holds for a member, oldest first: each message's text and its buttons. */
async function messagesTo(memberId: string): Promise<{ text: string; buttons: string[] }[]> {
  const rows = await scene.app.db.delivery.findMany({ where: { kind: "message" }, orderBy: { id: "asc" } });
  return rows
    .filter((d) => JSON.parse(d.recipient).memberId === memberId)
    .map((d) => {
      const card = JSON.parse(d.payload) as { title?: string; lines: string[]; fields?: { label: string; value: string }[]; choices?: { id: string }[] };
      const text = [card.title, ...card.lines, ...(card.fields ?? []).map((f) => `${f.label}: ${f.value}`)].filter(Boolean).join("\n");
      return { text, buttons: (card.choices ?? []).map((c) => c.id) };
    });
}
const lastTo = async (memberId: string) => (await messagesTo(memberId)).at(-1);

async function timelineOf(number = NUMBER) {
  return scene.app.core.tickets.timeline((await ticket(number)).id);
}

/** Fires a deadline's timer as the jobs would, in a unit of work. */
async function fire(deadlineId: number) {
  const { fireSeq } = await scene.app.db.deadline.findUniqueOrThrow({ where: { id: deadlineId } });
  return scene.app.unitOfWork.run(({ core }) => fireDeadline(core, { deadlineId, expectedSeq: fireSeq }));
}

describe("/return: after-sales arranges a faulty vehicle's return", () => {
  beforeEach(() => report("wang.fang", GENERAL_FAULT));

  it("pings each logistics lead with an acknowledgement deadline on the escalation chain, and its milestone's deadline", async () => {
    const answer = await say(scene.app, "zhou.min", `/return ${NUMBER} 发动机需返厂鉴定`);
    expect(answer.text).toBe(`已安排 ${NUMBER} 的故障车辆退回：已通知销售公司物流部 何强运输、计划物流部 陆燕贮存保管。`);

    const after = await ticket();
    const pings = activePings(after).filter((p) => p.duty === "transport_vehicle" || p.duty === "store_vehicle");
    expect(pings.map((p) => [p.departmentId, p.memberId, p.duty, p.needsAck, p.acknowledgedAt])).toEqual([
      ["logistics", "he.qiang", "transport_vehicle", true, null],
      ["planning_logistics", "lu.yan", "store_vehicle", true, null],
    ]);
    const chain = (lead: string) => [lead, "zhao.ming", "qian.hao"];
    const ownDeadlines = after.deadlines.filter((d) => pings.some((p) => p.id === d.pingId) || d.kind === "transport" || d.kind === "storage");
    expect(ownDeadlines.map((d) => [d.kind, d.pingId, d.dueAt.toISOString(), d.status, d.chain])).toEqual([
      // A general ticket's pings are acknowledged within 8 hours; the vehicle is back within 2 days, stored within 3.
      ["acknowledge", pings[0]!.id, "2026-11-26T10:00:00.000Z", "pending", chain("he.qiang")],
      ["transport", null, "2026-11-28T02:00:00.000Z", "pending", chain("he.qiang")],
      ["acknowledge", pings[1]!.id, "2026-11-26T10:00:00.000Z", "pending", chain("lu.yan")],
      ["storage", null, "2026-11-29T02:00:00.000Z", "pending", chain("lu.yan")],
    ]);
  });

  it("sends each lead the request with Ack, Take and its milestone's button, and tells the reporter", async () => {
    await say(scene.app, "zhou.min", `/return ${NUMBER} 发动机需返厂鉴定`);
    const transport = (await lastTo("he.qiang"))!;
    expect(transport.text.split("\n").slice(0, 5)).toEqual([
      `退回故障车辆 ${NUMBER}`,
      "销售公司物流部: 请负责退回故障车辆的运输",
      "周敏（售后服务部）安排退回故障车辆：发动机需返厂鉴定",
      `请在 2026-11-26 18:00 前响应：/ack ${NUMBER}`,
      `请于 2026-11-28 10:00 前运回，完成后记录：/transported ${NUMBER} [说明]`,
    ]);
    expect(transport.text).toContain("服务中心: 沈阳特约服务中心");
    // Logistics need not call the customer: the phone is masked.
    expect(transport.text).toContain("李女士 024****5678");
    expect(transport.buttons).toEqual([`/ack ${NUMBER}`, `/take ${NUMBER}`, `/transported ${NUMBER}`]);

    const storage = (await lastTo("lu.yan"))!;
    expect(storage.text).toContain("计划物流部: 请负责退回故障车辆的贮存和保管");
    expect(storage.text).toContain(`车辆运回后请贮存保管，于 2026-11-29 10:00 前记录：/stored ${NUMBER} [说明]`);
    expect(storage.buttons).toEqual([`/ack ${NUMBER}`, `/take ${NUMBER}`, `/stored ${NUMBER}`]);

    expect((await lastTo("wang.fang"))!.text).toBe(`你上报的 ${NUMBER}：周敏 已安排退回故障车辆，由销售公司物流部运输、计划物流部贮存保管。`);
  });

  it("records the request on the timeline and shows it on the card, for the logistics departments too", async () => {
    await say(scene.app, "zhou.min", `/return ${NUMBER}`);
    const entries = await timelineOf();
    expect(entries.filter((e) => e.type === "vehicle_return_requested").map((e) => [e.actorId, e.data])).toEqual([
      ["zhou.min", { transport: "logistics", storage: "planning_logistics", note: "" }],
    ]);
    expect(entries.filter((e) => e.type === "pinged").map((e) => e.data.duty)).toEqual(expect.arrayContaining(["transport_vehicle", "store_vehicle"]));
    const card = (await say(scene.app, "he.qiang", `/status ${NUMBER}`)).text;
    expect(card).toContain("退回车辆：已安排，待运输");
    expect(card).toContain("运输退回的故障车辆: 2026-11-28 10:00");
    expect(card).toContain("贮存保管退回的故障车辆: 2026-11-29 10:00");
    expect(card).toContain("周敏 安排退回故障车辆（销售公司物流部运输，计划物流部贮存）");
    await say(scene.app, "he.qiang", "/lang en");
    const english = (await say(scene.app, "he.qiang", `/status ${NUMBER}`)).text;
    expect(english).toContain("Returned vehicle: arranged, to be transported");
    expect(english).toContain("Zhou Min arranged the vehicle's return (Sales Logistics transports it, Planning Logistics stores it)");
  });

  it("may be arranged by a manager", async () => {
    expect((await say(scene.app, "zhao.ming", `/return ${NUMBER}`)).text).toContain(`已安排 ${NUMBER} 的故障车辆退回`);
  });

  it("refuses a second arrangement, saying it is arranged already", async () => {
    await say(scene.app, "zhou.min", `/return ${NUMBER}`);
    const again = await say(scene.app, "wu.lei", `/return ${NUMBER} 再安排一次`);
    expect(again.text).toBe(`${NUMBER} 的故障车辆退回已经安排过了；进展见 /status ${NUMBER}。`);
    expect(activePings(await ticket()).filter((p) => p.duty === "transport_vehicle")).toHaveLength(1);
  });

  it("refuses service-center staff and other departments, in their language", async () => {
    expect((await say(scene.app, "wang.fang", `/return ${NUMBER}`)).text).toBe(`只有售后服务部和领导可以安排 ${NUMBER} 的故障车辆退回。`);
    expect((await say(scene.app, "he.qiang", `/return ${NUMBER}`)).text).toBe(`只有售后服务部和领导可以安排 ${NUMBER} 的故障车辆退回。`);
    await say(scene.app, "chen.jie", "/lang en");
    expect((await say(scene.app, "chen.jie", `/return ${NUMBER}`)).text).toBe(`Only members of After-Sales Department and managers can arrange the return of the vehicle of ${NUMBER}.`);
    expect((await ticket()).pings.some((p) => p.duty === "transport_vehicle")).toBe(false);
  });

  it("refuses a finished ticket, and a ticket that does not exist", async () => {
    const { id } = await ticket();
    await scene.app.core.tickets.apply(id, { status: "resolved", resolvedAt: scene.clock.now, events: [], outbox: [] });
    expect((await say(scene.app, "zhou.min", `/return ${NUMBER}`)).text).toBe(`${NUMBER} 当前状态为“已解决”，不能安排退回车辆。`);
    expect((await say(scene.app, "zhou.min", "/return HL-20261126-0099")).text).toBe("找不到工单 HL-20261126-0099。");
  });

  it("answers /return without a ticket number with its usage", async () => {
    expect((await say(scene.app, "zhou.min", "/return")).text).toBe("用法：/return <HL-…> [note]");
  });

  it("lets a lead acknowledge or take the ping: the acknowledgement deadline is met, the milestone still owed", async () => {
    await say(scene.app, "zhou.min", `/return ${NUMBER}`);
    expect((await say(scene.app, "he.qiang", `/ack ${NUMBER}`)).text).toBe(`已响应 ${NUMBER}。`);
    expect((await say(scene.app, "lu.yan", `/take ${NUMBER}`)).text).toBe(`你已接手 ${NUMBER}。`);
    const after = await ticket();
    expect(after.pings.filter((p) => p.duty === "transport_vehicle" || p.duty === "store_vehicle").map((p) => p.acknowledgedBy)).toEqual(["he.qiang", "lu.yan"]);
    const byKind = (kind: string) => after.deadlines.filter((d) => d.kind === kind).map((d) => d.status);
    expect(byKind("transport")).toEqual(["pending"]);
    expect(byKind("storage")).toEqual(["pending"]);
  });

  it("escalates an unacknowledged ping up the chain, and the milestone's own deadline too", async () => {
    await say(scene.app, "zhou.min", `/return ${NUMBER}`);
    const after = await ticket();
    const transportPing = after.pings.find((p) => p.duty === "transport_vehicle")!;
    const ack = after.deadlines.find((d) => d.pingId === transportPing.id)!;
    later(8 * 60);
    expect(await fire(ack.id)).toMatchObject({ kind: "next" });
    const escalated = (await lastTo("zhao.ming"))!.text;
    expect(escalated).toContain(`⚠ 升级：${NUMBER} 的“请负责退回故障车辆的运输”已超时未完成（原负责：何强）`);
    // The senior manager acknowledges for the silent lead.
    expect((await say(scene.app, "zhao.ming", `/ack ${NUMBER}`)).text).toBe(`已响应 ${NUMBER}。`);

    const transport = after.deadlines.find((d) => d.kind === "transport")!;
    scene.clock.now = new Date("2026-11-28T01:50:00Z");
    expect(await fire(transport.id)).toMatchObject({ kind: "next" });
    expect((await lastTo("he.qiang"))!.text).toBe(`⏰ 提醒：${NUMBER} 的“运输退回的故障车辆”将于 2026-11-28 10:00 到期。`);
    scene.clock.now = new Date("2026-11-28T02:00:00Z");
    expect(await fire(transport.id)).toMatchObject({ kind: "next" });
    expect((await lastTo("zhao.ming"))!.text).toContain(`${NUMBER} 的“运输退回的故障车辆”已超时未完成`);
  });

  it("keeps the return's pings and deadlines when the ticket is graded anew", async () => {
    await report("wang.fang", LEVEL2_FAULT);
    const level2 = "HL-20261126-0002";
    await say(scene.app, "zhou.min", `/confirm ${level2}`);
    await say(scene.app, "zhou.min", `/return ${level2}`);
    later(10);
    await say(scene.app, "zhou.min", `/grade ${level2} 3 复核：未造成重大事故`);
    const after = await ticket(level2);
    expect(activePings(after).filter((p) => p.duty === "transport_vehicle" || p.duty === "store_vehicle")).toHaveLength(2);
    expect(after.deadlines.filter((d) => d.kind === "transport" || d.kind === "storage").map((d) => d.status)).toEqual(["pending", "pending"]);
    // Graded to 3, QA's measures are no longer owed: the plan still changed as before.
    expect(after.deadlines.find((d) => d.kind === "measures")?.status).toBe("cancelled");
    expect((await messagesTo("he.qiang")).some((m) => m.text.includes("不再需要你"))).toBe(false);
  });
});

describe("/transported: sales logistics brought the vehicle back", () => {
  beforeEach(async () => {
    await report("wang.fang", GENERAL_FAULT);
    await say(scene.app, "zhou.min", `/return ${NUMBER} 发动机需返厂鉴定`);
    later(60); // 11:00
  });

  it("records it, meets the transport deadline, acknowledges the department's ping", async () => {
    const answer = await say(scene.app, "he.qiang", `/transported ${NUMBER} 已运抵沈阳库区`);
    expect(answer.text).toBe(`已记录 ${NUMBER} 的故障车辆已运回，已告知售后服务部和计划物流部。`);
    const after = await ticket();
    expect(after.records.map((r) => [r.kind, r.text, r.by, r.at.toISOString()])).toEqual([["transported", "已运抵沈阳库区", "he.qiang", "2026-11-26T03:00:00.000Z"]]);
    const transportPing = after.pings.find((p) => p.duty === "transport_vehicle")!;
    expect(transportPing.acknowledgedBy).toBe("he.qiang");
    expect(after.deadlines.filter((d) => d.pingId === transportPing.id || d.kind === "transport").map((d) => d.status)).toEqual(["met", "met"]);
    const storagePing = after.pings.find((p) => p.duty === "store_vehicle")!;
    expect(storagePing.acknowledgedAt).toBeNull();
    expect(after.deadlines.filter((d) => d.pingId === storagePing.id || d.kind === "storage").map((d) => d.status)).toEqual(["pending", "pending"]);
  });

  it("tells after-sales and planning logistics, who gets the button to record the storage", async () => {
    await say(scene.app, "he.qiang", `/transported ${NUMBER} 已运抵沈阳库区`);
    expect((await lastTo("zhou.min"))!.text).toBe(`何强（销售公司物流部）已将 ${NUMBER} 的故障车辆运回。\n说明：已运抵沈阳库区`);
    const storage = (await lastTo("lu.yan"))!;
    expect(storage.text).toBe(`何强（销售公司物流部）已将 ${NUMBER} 的故障车辆运回。\n说明：已运抵沈阳库区\n车辆运回后请贮存保管，于 2026-11-29 10:00 前记录：/stored ${NUMBER} [说明]`);
    expect(storage.buttons).toEqual([`/stored ${NUMBER}`]);
  });

  it("tells whoever arranged the return beside after-sales' lead", async () => {
    await report("wang.fang", GENERAL_FAULT);
    const second = "HL-20261126-0002";
    await say(scene.app, "wu.lei", `/return ${second}`);
    await say(scene.app, "he.qiang", `/transported ${second}`);
    expect((await lastTo("wu.lei"))!.text).toBe(`何强（销售公司物流部）已将 ${second} 的故障车辆运回。`);
    expect((await lastTo("zhou.min"))!.text).toBe(`何强（销售公司物流部）已将 ${second} 的故障车辆运回。`);
  });

  it("shows it on the card and the timeline", async () => {
    await say(scene.app, "he.qiang", `/transported ${NUMBER} 已运抵沈阳库区`);
    const card = (await say(scene.app, "zhou.min", `/status ${NUMBER}`)).text;
    expect(card).toContain("退回车辆：2026-11-26 11:00 已运回，待入库");
    expect(card).not.toContain("运输退回的故障车辆:");
    const timeline = (await say(scene.app, "zhou.min", `/timeline ${NUMBER}`)).text;
    expect(timeline).toContain("11-26 11:00 何强 响应了（销售公司物流部：请负责退回故障车辆的运输）");
    expect(timeline).toContain("11-26 11:00 何强 记录车辆已运回：已运抵沈阳库区");
  });

  it("may be recorded by any member of sales logistics, without a note", async () => {
    const { id } = await ticket();
    expect((await say(scene.app, "he.qiang", `/transported ${NUMBER}`)).text).toContain("已记录");
    expect((await scene.app.db.workRecord.findFirstOrThrow({ where: { ticketId: id } })).text).toBe("");
  });

  it("refuses a second record, saying who recorded it when", async () => {
    await say(scene.app, "he.qiang", `/transported ${NUMBER}`);
    later(5);
    expect((await say(scene.app, "he.qiang", `/transported ${NUMBER} 再记一次`)).text).toBe(`${NUMBER} 已记录车辆已运回（何强，2026-11-26 11:00），无需重复记录。`);
    expect((await ticket()).records).toHaveLength(1);
  });

  it("refuses anyone outside sales logistics, after-sales and planning logistics included", async () => {
    for (const who of ["lu.yan", "zhou.min", "wang.fang"]) {
      expect((await say(scene.app, who, `/transported ${NUMBER}`)).text, who).toBe(`只有销售公司物流部的成员可以记录 ${NUMBER} 的车辆运输。`);
    }
    await say(scene.app, "lu.yan", "/lang en");
    expect((await say(scene.app, "lu.yan", `/transported ${NUMBER}`)).text).toBe(`Only members of Sales Logistics can record the transport of the vehicle of ${NUMBER}.`);
    expect((await ticket()).records).toEqual([]);
  });

  it("refuses a ticket with no return arranged", async () => {
    await report("wang.fang", GENERAL_FAULT);
    expect((await say(scene.app, "he.qiang", "/transported HL-20261126-0002")).text).toBe("HL-20261126-0002 没有安排退回故障车辆：须先由售后服务部发送 /return HL-20261126-0002。");
  });
});

describe("/stored: planning logistics stores and keeps the vehicle", () => {
  beforeEach(async () => {
    await report("wang.fang", GENERAL_FAULT);
    await say(scene.app, "zhou.min", `/return ${NUMBER}`);
    later(60);
  });

  it("refuses it before the vehicle is back", async () => {
    expect((await say(scene.app, "lu.yan", `/stored ${NUMBER}`)).text).toBe(`${NUMBER} 的故障车辆尚未运回：销售公司物流部记录运输（/transported）后才能记录入库。`);
    expect((await ticket()).records).toEqual([]);
  });

  it("records it once the vehicle is back, meets the storage deadline and tells after-sales", async () => {
    await say(scene.app, "he.qiang", `/transported ${NUMBER}`);
    later(120); // 13:00
    const answer = await say(scene.app, "lu.yan", `/stored ${NUMBER} 入 3 号库，钥匙在值班室`);
    expect(answer.text).toBe(`已记录 ${NUMBER} 的故障车辆已入库保管，已告知售后服务部。`);
    const after = await ticket();
    expect(after.records.map((r) => [r.kind, r.by])).toEqual([
      ["transported", "he.qiang"],
      ["stored", "lu.yan"],
    ]);
    const storagePing = after.pings.find((p) => p.duty === "store_vehicle")!;
    expect(storagePing.acknowledgedBy).toBe("lu.yan");
    expect(after.deadlines.filter((d) => d.pingId === storagePing.id || d.kind === "storage").map((d) => d.status)).toEqual(["met", "met"]);
    expect((await lastTo("zhou.min"))!.text).toBe(`陆燕（计划物流部）已将 ${NUMBER} 的故障车辆入库保管。\n说明：入 3 号库，钥匙在值班室`);
    expect((await messagesTo("he.qiang")).some((m) => m.text.includes("入库保管"))).toBe(false);

    const card = (await say(scene.app, "zhou.min", `/status ${NUMBER}`)).text;
    expect(card).toContain("退回车辆：2026-11-26 11:00 运回，2026-11-26 13:00 入库保管");
    expect((await say(scene.app, "zhou.min", `/timeline ${NUMBER}`)).text).toContain("11-26 13:00 陆燕 记录车辆已入库保管：入 3 号库，钥匙在值班室");
  });

  it("refuses a second record, and anyone outside planning logistics", async () => {
    await say(scene.app, "he.qiang", `/transported ${NUMBER}`);
    await say(scene.app, "lu.yan", `/stored ${NUMBER}`);
    expect((await say(scene.app, "lu.yan", `/stored ${NUMBER}`)).text).toBe(`${NUMBER} 已记录车辆已入库保管（陆燕，2026-11-26 11:00），无需重复记录。`);
    for (const who of ["he.qiang", "zhou.min"]) {
      expect((await say(scene.app, who, `/stored ${NUMBER}`)).text, who).toBe(`只有计划物流部的成员可以记录 ${NUMBER} 的车辆贮存。`);
    }
  });
});

describe("an organisation that names no logistics departments", () => {
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "hotline-no-logistics-"));
    const orgFile = writeOrganisationFile(dir, (raw) => delete raw.logistics);
    await scene.restart({ ORG_CONFIG: orgFile });
    await report("wang.fang", GENERAL_FAULT);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses /return, /transported and /stored with the reason", async () => {
    const reason = "组织文件没有指定负责退回车辆运输和贮存的部门（logistics），不能安排退回；请告知管理员。";
    expect((await say(scene.app, "zhou.min", `/return ${NUMBER}`)).text).toBe(reason);
    expect((await say(scene.app, "he.qiang", `/transported ${NUMBER}`)).text).toBe(reason);
    expect((await say(scene.app, "lu.yan", `/stored ${NUMBER}`)).text).toBe(reason);
    await say(scene.app, "zhou.min", "/lang en");
    expect((await say(scene.app, "zhou.min", `/return ${NUMBER}`)).text).toBe(
      "The organisation file names no departments for returned vehicles (logistics), so no return can be arranged; please tell your administrator.",
    );
    expect((await ticket()).pings.some((p) => p.duty === "transport_vehicle")).toBe(false);
  });
});
