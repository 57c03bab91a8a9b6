import { describe, expect, it } from "vitest";
import type { Locale } from "../../../core/messages/locale.js";
import type { Deadline, Ping } from "../../../core/tickets/ticket.js";
import { TIMELINE_LINE_MAX, TIMELINE_TEXT_MAX, timelineLine, timelineLines, type TimelineEntry, type TimelineTicket } from "../../../core/tickets/timeline.js";
import { cardContextIn } from "../../support/card-context.js";

/** 10:05 on 26 November in Shanghai. */
const AT = new Date("2026-11-26T02:05:00Z");

const contextIn = cardContextIn;

const ping = (id: number, departmentId: string | null, memberId: string, duty: Ping["duty"]): Ping => ({
  id,
  departmentId,
  memberId,
  duty,
  needsAck: true,
  acknowledgedAt: null,
  acknowledgedBy: null,
  cancelledAt: null,
});
const deadline = (id: number, pingId: number | null, kind: Deadline["kind"]): Deadline => ({ id, pingId, kind, dueAt: AT, status: "pending", chain: [], step: 0 });

/** A level-2 ticket's pings and deadlines, for the entries that refer to them. */
const TICKET: TimelineTicket = {
  pings: [ping(1, "after_sales", "zhou.min", "confirm"), ping(2, "quality_assurance", "chen.jie", "propose_measures"), ping(3, null, "zhao.ming", "informed")],
  deadlines: [deadline(10, 1, "acknowledge"), deadline(11, 2, "acknowledge"), deadline(12, null, "measures")],
};

const entry = (type: string, actorId: string | null, data: Record<string, unknown> = {}): TimelineEntry => ({ id: 1, type, actorId, data, at: AT });
const line = (e: TimelineEntry, locale: Locale) => timelineLine(e, contextIn(locale), TICKET);

/** Every event type the flows write, with a sentence in each language. */
const CASES: [name: string, entry: TimelineEntry, zh: string, en: string][] = [
  ["created", entry("created", "wang.fang", { kind: "fault", source: "service_center" }), "王芳 上报：质量故障（特约服务中心）", "Wang Fang reported it: Quality fault (Service center)"],
  [
    "classified",
    entry("classified", null, { level: 2, rules: ["l2.major-accident"] }),
    "定级：重大质量信息 2 级（造成重大质量事故，未导致人员伤亡）",
    "Classified: Major, level 2 (A major quality accident without casualties)",
  ],
  ["classified as general", entry("classified", null, { level: null, rules: [] }), "定级：一般质量信息", "Classified: General information"],
  [
    "pinged",
    entry("pinged", null, { memberId: "chen.jie", departmentId: "quality_assurance", duty: "propose_measures" }),
    "通知 质量保证部 陈杰：请提出处理措施",
    "Pinged Quality Assurance Chen Jie: propose the measures",
  ],
  ["pinged in person", entry("pinged", null, { memberId: "zhao.ming", departmentId: null, duty: "informed" }), "通知 赵明：知会", "Pinged Zhao Ming: for your information"],
  ["acknowledged", entry("acknowledged", "zhou.min", { pings: [1] }), "周敏 响应了（售后服务部：请确认工单及其级别）", "Zhou Min acknowledged (After-Sales Department: confirm the ticket and its level)"],
  [
    "acknowledged for several pings",
    entry("acknowledged", "zhao.ming", { pings: [2, 3] }),
    "赵明 响应了（质量保证部：请提出处理措施；赵明：知会）",
    "Zhao Ming acknowledged (Quality Assurance: propose the measures; Zhao Ming: for your information)",
  ],
  ["taken", entry("taken", "wu.lei", { pings: [] }), "吴磊 接手处理", "Wu Lei took it on"],
  ["note", entry("note", "wang.fang", { text: "客户已到店" }), "王芳 备注：客户已到店", "Wang Fang noted: 客户已到店"],
  ["note answering a question", entry("note", "wang.fang", { text: "VIN 见照片", answers: ["chen.jie", "zhou.min"] }), "王芳 答复 陈杰、周敏 的提问：VIN 见照片", "Wang Fang answered Chen Jie, Zhou Min: VIN 见照片"],
  ["info_requested", entry("info_requested", "chen.jie", { text: "请补充 VIN" }), "陈杰 请上报人补充信息：请补充 VIN", "Chen Jie asked the reporter for more: 请补充 VIN"],
  ["status_changed", entry("status_changed", "zhou.min", { from: "open", to: "confirmed" }), "状态：待确认 → 已确认", "Status: Open → Confirmed"],
  ["resolved", entry("resolved", "chen.jie", { result: "已更换制动总泵" }), "陈杰 标记解决：已更换制动总泵", "Chen Jie resolved it: 已更换制动总泵"],
  ["resolved before results were kept", entry("resolved", "chen.jie"), "陈杰 标记解决", "Chen Jie resolved it"],
  ["work_recorded", entry("work_recorded", "chen.jie", { kind: "measures", text: "更换批次制动总泵" }), "陈杰 记录处理措施：更换批次制动总泵", "Chen Jie recorded the proposed measures: 更换批次制动总泵"],
  [
    "work_recorded with an amount",
    entry("work_recorded", "zhou.min", { kind: "agreement", text: "更换新车", amountFen: 5_200_000 }),
    "周敏 记录处理协议（¥52,000.00）：更换新车",
    "Zhou Min recorded the agreement (¥52,000.00): 更换新车",
  ],
  ["receipt_sent", entry("receipt_sent", null, { channel: "sms" }), "回执已发送：短信通知顾客", "Receipt sent: SMS to the customer"],
  ["receipt_failed", entry("receipt_failed", null, { channel: "email", error: "550 mailbox unavailable" }), "✘ 回执未能发送：电子邮件通知顾客：550 mailbox unavailable", "✘ Receipt not delivered: e-mail to the customer: 550 mailbox unavailable"],
  ["closed", entry("closed", "zhou.min"), "周敏 关闭了工单", "Zhou Min closed the ticket"],
  ["reminded", entry("reminded", null, { deadline: 11, kind: "acknowledge", to: "chen.jie" }), "提醒 陈杰：“请提出处理措施”即将到期", 'Reminded Chen Jie: "propose the measures" is due soon'],
  [
    "escalated",
    entry("escalated", null, { deadline: 11, kind: "acknowledge", from: "chen.jie", to: "zhao.ming", step: 1 }),
    "“请提出处理措施”超时，由 陈杰 升级至 赵明（第 1 级）",
    '"propose the measures" overdue: escalated from Chen Jie to Zhao Ming (step 1)',
  ],
  ["deadline_missed", entry("deadline_missed", null, { deadline: 12, kind: "measures" }), "✘ “提出处理措施”超时，升级链已到最后一级", '✘ "Propose measures" missed: the escalation chain has ended'],
  [
    "team_formed",
    entry("team_formed", "zhou.min", { departments: ["after_sales", "quality_assurance", "legal_counsel"] }),
    "周敏 组建了重大投诉处理小组：售后服务部、质量保证部、法律顾问",
    "Zhou Min formed the complaint-handling team: After-Sales Department, Quality Assurance, Legal Counsel",
  ],
  [
    "team_appointed",
    entry("team_appointed", "chen.jie", { departmentId: "quality_assurance", memberId: "gao.feng" }),
    "陈杰 委派 高峰 代表质量保证部加入处理小组",
    "Chen Jie appointed Gao Feng to the team for Quality Assurance",
  ],
  ["team_confirmed", entry("team_confirmed", "gao.feng", { departmentId: "quality_assurance" }), "高峰 确认代表质量保证部加入处理小组", "Gao Feng confirmed joining the team for Quality Assurance"],
  ["team_on_site", entry("team_on_site", "gao.feng"), "高峰：处理小组已到达现场", "Gao Feng: the team reached the site"],
  ["agreement_signed", entry("agreement_signed", "zhou.min"), "周敏：已与顾客签订协议", "Zhou Min: the agreement with the customer is signed"],
  ["work_recorded support", entry("work_recorded", "chen.jie", { kind: "support", text: "已派高峰赶赴现场", amountFen: null }), "陈杰 记录技术支持委派：已派高峰赶赴现场", "Chen Jie recorded the technical support sent: 已派高峰赶赴现场"],
  [
    "agreement_signed before the team was complete",
    entry("agreement_signed", "zhou.min", { override: "顾客要求当场签字" }),
    "周敏：已与顾客签订协议（未满足条件，理由：顾客要求当场签字）",
    "Zhou Min: the agreement with the customer is signed (before the team was complete: 顾客要求当场签字)",
  ],

  // The types the confirmation, grading, assignment and transfer flows are adding.
  ["confirmed", entry("confirmed", "zhou.min", { level: 1 }), "周敏 确认了工单：重大质量信息 1 级", "Zhou Min confirmed it: Major, level 1"],
  ["confirmed at level 2", entry("confirmed", "zhou.min", { level: 2 }), "周敏 确认了工单：重大质量信息 2 级", "Zhou Min confirmed it: Major, level 2"],
  ["released", entry("released", null, { confirmed: true }), "重大质量信息报告已发出", "The major quality information report went out"],
  [
    "released unconfirmed",
    entry("released", null, { confirmed: false }),
    "确认期限已过，重大质量信息报告未经确认先行发出",
    "The confirmation deadline passed: the major quality information report went out unconfirmed",
  ],
  [
    "graded",
    entry("graded", "zhou.min", { from: { category: "major", level: 2 }, to: { category: "major", level: 1 }, reason: "现场确认有人受伤" }),
    "周敏 将定级由 重大质量信息 2 级 改为 重大质量信息 1 级：现场确认有人受伤",
    "Zhou Min regraded it from Major, level 2 to Major, level 1: 现场确认有人受伤",
  ],
  [
    "graded from general to be graded",
    entry("graded", "zhou.min", { from: { category: "general", level: null }, to: { category: "major", level: null }, reason: "" }),
    "周敏 将定级由 一般质量信息 改为 重大质量信息（待定级）",
    "Zhou Min regraded it from General information to Major, level to be graded",
  ],
  [
    "ping_cancelled",
    entry("ping_cancelled", "zhou.min", { memberId: "chen.jie", departmentId: "quality_assurance", duty: "propose_measures" }),
    "取消通知 质量保证部 陈杰：请提出处理措施（新定级不再需要）",
    "Ping cancelled for Quality Assurance Chen Jie: propose the measures (not needed at the new level)",
  ],
  ["deadline_cancelled", entry("deadline_cancelled", "zhou.min", { deadline: 12, kind: "measures" }), "取消期限：提出处理措施", "Deadline cancelled: Propose measures"],
  ["assigned", entry("assigned", "zhou.min", { from: null, to: "sc-shenyang" }), "周敏 将工单委派给 沈阳特约服务中心", "Zhou Min assigned it to Shenyang Authorized Service Center"],
  [
    "reassigned",
    entry("assigned", "zhou.min", { from: "sc-shenyang", to: "sc-beijing" }),
    "周敏 将工单由 沈阳特约服务中心 改派给 北京特约服务中心",
    "Zhou Min reassigned it from Shenyang Authorized Service Center to Beijing Authorized Service Center",
  ],
  ["feedback", entry("feedback", "wang.fang", { text: "已更换压缩机" }), "王芳 反馈维修结果：已更换压缩机", "Wang Fang reported the repair result: 已更换压缩机"],
  [
    "transferred",
    entry("transferred", "liu.fang", { reason: "顾客来电投诉" }),
    "刘芳 将工单作为顾客待处理工单转交售后服务部：顾客来电投诉",
    "Liu Fang transferred it to After-Sales Department as a customer pending work order: 顾客来电投诉",
  ],
  ["attachment_added", entry("attachment_added", "wang.fang", { count: 2 }), "王芳 添加了 2 个附件", "Wang Fang added 2 attachment(s)"],
  ["team_seat_added", entry("team_seat_added", "zhou.min", { departmentId: "public_relations" }), "处理小组增加席位：华晨公关部", "Seat added to the team: Public Relations"],
  ["team_seat_removed", entry("team_seat_removed", null, { departmentId: "sales_finance", memberId: null }), "处理小组取消席位：销售财务处", "Seat removed from the team: Sales Finance"],
  [
    "team_seat_removed with its member",
    entry("team_seat_removed", null, { departmentId: "public_relations", memberId: "sun.li" }),
    "处理小组取消席位：华晨公关部（孙丽）",
    "Seat removed from the team: Public Relations (Sun Li)",
  ],

  // A returned vehicle (§5): the departments are the ones the request named.
  [
    "vehicle_return_requested",
    entry("vehicle_return_requested", "zhou.min", { transport: "logistics", storage: "planning_logistics", note: "发动机需返厂鉴定" }),
    "周敏 安排退回故障车辆（销售公司物流部运输，计划物流部贮存）：发动机需返厂鉴定",
    "Zhou Min arranged the vehicle's return (Sales Logistics transports it, Planning Logistics stores it): 发动机需返厂鉴定",
  ],
  [
    "vehicle_return_requested without a note",
    entry("vehicle_return_requested", "zhou.min", { transport: "logistics", storage: "planning_logistics", note: "" }),
    "周敏 安排退回故障车辆（销售公司物流部运输，计划物流部贮存）",
    "Zhou Min arranged the vehicle's return (Sales Logistics transports it, Planning Logistics stores it)",
  ],
  ["work_recorded transported", entry("work_recorded", "he.qiang", { kind: "transported", text: "已运抵库区", amountFen: null }), "何强 记录车辆已运回：已运抵库区", "He Qiang recorded the vehicle transported: 已运抵库区"],
  ["work_recorded stored", entry("work_recorded", "lu.yan", { kind: "stored", text: "", amountFen: null }), "陆燕 记录车辆已入库保管", "Lu Yan recorded the vehicle stored"],
];

describe("timelineLine", () => {
  describe.each(CASES)("for %s", (_name, e, zh, en) => {
    it("reads in Chinese, with the business time first", () => {
      expect(line(e, "zh-CN")).toBe(`11-26 10:05 ${zh}`);
    });

    it("reads in English", () => {
      expect(line(e, "en")).toBe(`11-26 10:05 ${en}`);
    });
  });

  it("gives a type it does not know a generic line that names the type, with the actor or the bot", () => {
    expect(line(entry("escalation_paused", "zhou.min", { why: 1 }), "zh-CN")).toBe("11-26 10:05 周敏 记录了“escalation_paused”");
    expect(line(entry("escalation_paused", null), "en")).toBe('11-26 10:05 The bot recorded "escalation_paused"');
    expect(line(entry("constructor", null), "en")).toBe('11-26 10:05 The bot recorded "constructor"');
  });

  it("gives a known type whose data is not what its flow writes the generic line, never a throw", () => {
    expect(line(entry("note", "wang.fang", { text: 42 }), "zh-CN")).toBe("11-26 10:05 王芳 记录了“note”");
    expect(line(entry("graded", "zhou.min", { from: "major" }), "en")).toBe('11-26 10:05 Zhou Min recorded "graded"');
    expect(line(entry("pinged", null, {}), "en")).toBe('11-26 10:05 The bot recorded "pinged"');
  });

  it("names what it cannot look up by its id: a member, a department, a status or a deadline of a later version", () => {
    expect(line(entry("team_appointed", "gone.member", { departmentId: "new_dept", memberId: "x.y" }), "en")).toBe("11-26 10:05 gone.member appointed x.y to the team for new_dept");
    expect(line(entry("status_changed", "zhou.min", { from: "open", to: "escalation_paused" }), "en")).toBe("11-26 10:05 Status: Open → escalation_paused");
    expect(line(entry("deadline_missed", null, { kind: "handover" }), "zh-CN")).toBe("11-26 10:05 ✘ “handover”超时，升级链已到最后一级");
  });

  it("says an acknowledgement's duty without the ticket's pings at hand, and the deadline's kind", () => {
    const ctx = contextIn("zh-CN");
    expect(timelineLine(entry("acknowledged", "zhou.min", { pings: [1] }), ctx)).toBe("11-26 10:05 周敏 响应了");
    expect(timelineLine(entry("reminded", null, { deadline: 11, kind: "acknowledge", to: "chen.jie" }), ctx)).toBe("11-26 10:05 提醒 陈杰：“响应”即将到期");
  });

  it("shows what people typed as typed, on one line, clipped with an ellipsis", () => {
    const typed = `<b>urgent</b> @everyone\n第二行\r\n  ${"很长".repeat(200)}`;
    const shown = line(entry("note", "wang.fang", { text: typed }), "zh-CN");
    expect(shown.startsWith("11-26 10:05 王芳 备注：<b>urgent</b> @everyone 第二行 很长很长")).toBe(true);
    expect(shown).not.toContain("\n");
    const text = shown.slice("11-26 10:05 王芳 备注：".length);
    expect([...text]).toHaveLength(TIMELINE_TEXT_MAX);
    expect(text.endsWith("…")).toBe(true);
    expect(line(entry("note", "wang.fang", { text: "短" }), "en")).toBe("11-26 10:05 Wang Fang noted: 短");
  });

  it("clips a line whose sentence leaves less room for the text, so a page keeps its size", () => {
    const reason = "顾".repeat(300);
    const shown = line(entry("transferred", "liu.fang", { reason }), "en");
    expect([...shown]).toHaveLength(TIMELINE_LINE_MAX);
    expect(shown.startsWith("11-26 10:05 Liu Fang transferred it to After-Sales Department as a customer pending work order: 顾顾")).toBe(true);
    expect(shown.endsWith("顾…")).toBe(true);
  });

  it("reads the time in the business time zone, whatever the server's", () => {
    expect(timelineLine(entry("closed", "zhou.min"), contextIn("en", "Europe/Berlin"))).toBe("11-26 03:05 Zhou Min closed the ticket");
    const lateEvening = { ...entry("closed", "zhou.min"), at: new Date("2026-11-26T16:30:00Z") };
    expect(timelineLine(lateEvening, contextIn("zh-CN"))).toBe("11-27 00:30 周敏 关闭了工单");
  });
});

describe("timelineLines", () => {
  it("gives one line per entry, in the order given", () => {
    const entries = [entry("created", "wang.fang", { kind: "complaint", source: "hotline" }), entry("closed", "zhou.min")];
    expect(timelineLines(entries, contextIn("en"), TICKET)).toEqual([
      "11-26 10:05 Wang Fang reported it: Customer complaint (Hotline)",
      "11-26 10:05 Zhou Min closed the ticket",
    ]);
    expect(timelineLines([], contextIn("en"))).toEqual([]);
  });
});
