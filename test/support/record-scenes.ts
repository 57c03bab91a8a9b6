import type { App } from "../../bot/app.js";
import { LEVEL2_FAULT } from "./report-script.js";
import { say, type TestClock } from "./test-app.js";

/*
 * Tickets worked on the way the manual's forms describe them, through the chat commands, for the
 * tests that make their forms: each leaves a ticket with something in every field of its form.
 */

/** Moves the scene's clock on. */
export const later = (clock: TestClock, minutes: number) => (clock.now = new Date(clock.now.getTime() + minutes * 60_000));

/** A member sends each line, in order. */
export async function type(app: App, memberId: string, lines: readonly string[]) {
  for (const line of lines) await say(app, memberId, line);
}

/** LEVEL2_FAULT with the vehicle's sale date and the customer's e-mail given. */
const FAULT = [...LEVEL2_FAULT.slice(0, -4), "2025-06-01", "zhang.xiansheng@example.com", "是", "完成", "1"];

/**
 * `HL-20261126-0001`, a major fault reported by wang.fang at 10:00 Shanghai: confirmed by after-sales
 * at 10:10, acknowledged by QA, graded up to level 1, support and measures recorded, resolved and the
 * receipt given by phone.
 */
export async function workedMajorFault(app: App, clock: TestClock): Promise<string> {
  await type(app, "wang.fang", FAULT);
  later(clock, 10);
  await say(app, "zhou.min", "/confirm HL-20261126-0001");
  later(clock, 5);
  await say(app, "chen.jie", "/ack HL-20261126-0001");
  later(clock, 5);
  await say(app, "zhou.min", "/grade HL-20261126-0001 1 同批次车辆已有三起制动失灵");
  later(clock, 20);
  await say(app, "chen.jie", "/support HL-20261126-0001 派高峰赴沈阳现场检测制动系统");
  await say(app, "chen.jie", "/measures HL-20261126-0001 更换制动总泵，排查同批次车辆");
  later(clock, 180);
  await say(app, "zhou.min", "/resolve HL-20261126-0001 已更换制动总泵，同批次车辆排查完毕");
  later(clock, 30);
  await say(app, "zhou.min", "/receipt HL-20261126-0001 phone 已电话告知张先生处理结果");
  return "HL-20261126-0001";
}

/** A customer complaint: a major accident without casualties (level 2), the customer's e-mail given. */
const COMPLAINT = [
  "/new", "2", "1", "2", "LSGPC52U6AF102554", "32000", "顾客投诉：行驶中制动失灵撞上护栏，要求赔偿",
  "否", "没有", "否", "否", "是",
  "李女士", "13812345678", "2025-06-01", "li.nvshi@example.com", "是", "完成", "1",
];

/**
 * `HL-20261126-0001`, a major complaint: confirmed, QA's measures, the team appointed and on site,
 * responsibility split, an agreement with an amount, and sales finance's handling.
 */
export async function workedMajorComplaint(app: App, clock: TestClock): Promise<string> {
  const number = "HL-20261126-0001";
  await type(app, "wang.fang", COMPLAINT);
  later(clock, 10);
  await say(app, "zhou.min", `/confirm ${number}`);
  later(clock, 30);
  await say(app, "chen.jie", `/measures ${number} 召回同批次制动总泵检测，更换故障件`);
  await say(app, "chen.jie", `/appoint ${number} gao.feng`);
  await say(app, "gao.feng", `/confirm ${number}`);
  await say(app, "zhang.wei", `/appoint ${number} zhang.wei`);
  await say(app, "li.na", `/appoint ${number} li.na`);
  later(clock, 120);
  await say(app, "gao.feng", `/onsite ${number}`);
  await say(app, "gao.feng", `/responsibility ${number} 制动总泵制造缺陷，责任在厂方；顾客无责任`);
  later(clock, 60);
  await say(app, "zhou.min", `/agreement ${number} 免费更换制动总泵，赔付交通费 5200元`);
  await say(app, "zhou.min", { choice: "done" });
  later(clock, 240);
  await say(app, "li.na", `/finance ${number} 交通费 5200 元已转账至顾客账户`);
  return number;
}

/** A hotline call the agent could not settle. */
const CALL = ["/new", "1", "2", "1", "unknown", "unknown", "顾客来电：仪表灯不亮", "否", "没有", "否", "否", "否", "个别", "无影响", "无", "否", "否", "否", "赵女士", "13700001111", "unknown", "无", "是", "完成", "1"];

/** `HL-20261126-0001`, a hotline call liu.fang transferred to after-sales, assigned to Shenyang, which reported back. */
export async function workedWorkOrder(app: App, clock: TestClock): Promise<string> {
  const number = "HL-20261126-0001";
  await type(app, "liu.fang", CALL);
  later(clock, 20);
  await say(app, "liu.fang", `/transfer ${number} 需服务中心检查线路`);
  later(clock, 15);
  await say(app, "zhou.min", `/assign ${number} sc-shenyang`);
  later(clock, 600);
  await say(app, "wang.fang", `/feedback ${number} 仪表线束插头松动，已重新插接固定`);
  return number;
}
