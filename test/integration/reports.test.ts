import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { fireDeadline } from "../../core/deadlines/fire-deadline.js";
import { buildReports, sendDailyReports } from "../../core/reports/report-flows.js";
import { CUSTOMER_CONTACT, GENERAL_FAULT, LEVEL1_COMPLAINT, LEVEL2_FAULT } from "../support/report-script.js";
import { freshDatabaseFile, say, startTestApp, type TestClock } from "../support/test-app.js";

let app: App;
let db: ReturnType<typeof freshDatabaseFile>;
let clock: TestClock;
const HOUR = 3_600_000;
const at = (hours: number) => new Date(Date.parse("2026-11-26T01:00:00Z") + hours * HOUR); // 09:00 Shanghai + hours

beforeEach(async () => {
  db = freshDatabaseFile();
  clock = { now: at(0) };
  app = await startTestApp(db.file, clock);
});
afterEach(async () => {
  await app.close();
  db.cleanup();
});

async function report(memberId: string, lines: string[]): Promise<string> {
  for (const line of [...lines, "1"]) await say(app, memberId, line);
  return (await app.db.ticket.findFirstOrThrow({ orderBy: { id: "desc" } })).number;
}

/** A day at the hotline: a level-2 fault QA takes, a general fault resolved, a level-1 complaint whose ack deadline runs out. */
async function seedDay() {
  const level2 = await report("wang.fang", LEVEL2_FAULT);
  const general = await report("ma.jun", GENERAL_FAULT);
  const level1 = await report("wang.fang", LEVEL1_COMPLAINT);
  await say(app, "zhou.min", `/confirm ${level2}`);
  await say(app, "chen.jie", `/take ${level2}`);
  await say(app, "zhou.min", `/resolve ${general} 已更换空调压缩机`);
  // The complaint team's leader never acknowledges: the deadline climbs the chain and is missed.
  const leaderDeadline = await app.db.deadline.findFirstOrThrow({
    where: { kind: "acknowledge", ticket: { number: level1 }, pingId: { not: null } },
    orderBy: { id: "asc" },
  });
  for (let seq = 0, hours = 0.5; seq < 6; seq++) {
    clock.now = at(hours);
    const outcome = await fireDeadline(app.core, { deadlineId: leaderDeadline.id, expectedSeq: seq });
    if (outcome.kind !== "next") break;
    hours = (outcome.at.getTime() - at(0).getTime()) / HOUR;
  }
  clock.now = at(8); // 17:00 in Shanghai
  return { level1, level2, general };
}

describe("the daily reports", () => {
  it("count the day's tickets by level, source, kind, category and center, with holders, misses, teams and closures", async () => {
    const { level1, level2, general } = await seedDay();
    const { majorProblems, hotline } = await buildReports(app.core, { from: "2026-11-26", to: "2026-11-26" });

    expect(majorProblems.newByLevel).toEqual({ 1: [level1], 2: [level2], 3: [], ungraded: [] });
    expect(majorProblems.open.map((o) => [o.number, o.level, o.status, o.holderIds])).toEqual([
      [level1, 1, "open", expect.any(Array)],
      [level2, 2, "in_progress", ["chen.jie"]],
    ]);
    expect(majorProblems.open[0]!.holderIds).toContain("zhou.min");
    expect(majorProblems.open[0]!.ageHours).toBe(8);
    expect(majorProblems.missed).toEqual([{ number: level1, kind: "acknowledge" }]);
    expect(majorProblems.teams).toEqual([{ number: level1, onSite: false, dueAt: new Date("2026-11-26T15:59:59.999Z") }]);
    expect(majorProblems.closed).toEqual([{ number: general, result: "已更换空调压缩机", resolvedBy: "zhou.min" }]);

    expect(hotline).toMatchObject({
      total: 3,
      bySource: { service_center: 2, hotline: 1, customer: 0, dealer: 0, mail: 0 },
      byKind: { fault: 2, complaint: 1 },
      byCategory: { general: 1, major: 2 },
      byCenter: { "sc-shenyang": 3 },
      // None of the three gave a sale date: their warranty is unknown.
      byWarranty: { in: 0, out: 0, unknown: 3 },
      handled: 1,
      pending: 2,
    });
    expect(majorProblems.newByWarranty).toEqual({ in: 0, out: 0, unknown: 2 });
  });

  it("count the day's tickets in, out of and of unknown warranty (§5), each read on the day it was reported", async () => {
    /** The general fault with a brand (1 Haise, 3 other), a mileage and a sale date. */
    const general = (brand: string, mileage: string, saleDate: string) => GENERAL_FAULT.map((line, i) => (i === 3 ? brand : i === 5 ? mileage : i === 20 ? saleDate : line));
    expect(GENERAL_FAULT.slice(20, 23)).toEqual([...CUSTOMER_CONTACT]);
    await report("wang.fang", general("1", "12000", "2025-08-20")); // in
    await report("wang.fang", general("1", "65000", "2025-08-20")); // out: past 60,000 km
    await report("wang.fang", general("1", "30000", "2024-01-10")); // out: past two years
    await report("wang.fang", general("3", "12000", "2025-08-20")); // unknown: other brands have no terms
    // A Zhonghua level-2 fault at 12,000 km, sold this year: in warranty.
    await report("wang.fang", LEVEL2_FAULT.map((line, i) => (i === 14 ? "2026-03-01" : line)));
    const { majorProblems, hotline } = await buildReports(app.core, { from: "2026-11-26", to: "2026-11-26" });
    expect(hotline.byWarranty).toEqual({ in: 2, out: 2, unknown: 1 });
    expect(majorProblems.newByWarranty).toEqual({ in: 1, out: 0, unknown: 0 });

    // A ticket's warranty does not change as days pass: the week's report reads it on its own day.
    clock.now = new Date("2027-03-01T04:00:00Z");
    expect((await buildReports(app.core, { from: "2026-11-26", to: "2026-11-26" })).hotline.byWarranty).toEqual({ in: 2, out: 2, unknown: 1 });

    const zh = (await say(app, "zhou.min", "/report 2026-11-26")).text;
    expect(zh).toContain("新增重大问题按质量担保：在保 1，过保 0，不确定 0");
    expect(zh).toContain("按质量担保：在保 2，过保 2，不确定 1");
    await say(app, "zhou.min", "/lang en");
    const en = (await say(app, "zhou.min", "/report 2026-11-26")).text;
    expect(en).toContain("New major problems by warranty: in 1, out 0, unknown 0");
    expect(en).toContain("By warranty: in 2, out 2, unknown 1");
  });

  it("answer /report for managers and after-sales, in their language, and refuse service-center staff", async () => {
    await seedDay();
    const manager = await say(app, "zhao.ming", "/report");
    expect(manager.text).toContain("售后服务部重大质量问题日报告 2026-11-26");
    expect(manager.text).toContain("售后服务电话接听日报表 2026-11-26");
    expect(manager.text).toContain("来电/上报共 3 件：已处理 1，待处理 2");
    expect(manager.text).toContain("本期解决/关闭：1 件");
    expect(manager.text).toContain("• HL-20261126-0002：已更换空调压缩机（周敏）");
    expect((await say(app, "zhou.min", "/report week")).text).toContain("2026-11-20 ~ 2026-11-26");
    const dayBefore = (await say(app, "zhou.min", "/report 2026-11-25")).text;
    expect(dayBefore).toContain("新增重大问题：1级 无，2级 无，3级 无");
    expect(dayBefore).toContain("来电/上报共 0 件");
    expect((await say(app, "zhou.min", "/report 2026-13-45")).text).toBe("用法：/report [today | week | YYYY-MM-DD]");
    expect((await say(app, "wang.fang", "/report")).text).toBe("报表仅供售后服务部和领导查看。");
    expect((await say(app, "chen.jie", "/report")).text).toBe("报表仅供售后服务部和领导查看。");
    await say(app, "zhao.ming", "/lang en");
    expect((await say(app, "zhao.ming", "/report")).text).toContain("Daily report of major quality problems, 2026-11-26");
  });

  it("are sent once per day to the managers and after-sales, and archived", async () => {
    await seedDay();
    const before = await app.db.delivery.count();
    const first = await sendDailyReports(app.core, "2026-11-26");
    expect(first.sent).toBe(6); // 3 managers + the after-sales lead; after-sales' 2 members
    expect(await sendDailyReports(app.core, "2026-11-26")).toEqual({ sent: 0 });
    expect(await app.db.delivery.count()).toBe(before + 6);
    const records = await app.db.reportRecord.findMany({ orderBy: { id: "asc" } });
    expect(records.map((r) => [r.kind, r.periodFrom])).toEqual([
      ["major_problems", "2026-11-26"],
      ["hotline_daily", "2026-11-26"],
    ]);
    expect(JSON.parse(records[1]!.content).total).toBe(3);
  });

  it("say so in a short report on a day with nothing new", async () => {
    await sendDailyReports(app.core, "2026-11-26");
    const payloads = (await app.db.delivery.findMany()).map((d) => JSON.parse(d.payload).lines.join("\n"));
    expect(payloads.some((text) => text.includes("本期无新增重大质量问题"))).toBe(true);
    expect(payloads.some((text) => text.includes("来电/上报共 0 件"))).toBe(true);
  });
});
