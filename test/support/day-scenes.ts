import type { App } from "../../bot/app.js";
import { later, type, workedMajorFault } from "./record-scenes.js";
import { GENERAL_FAULT, LEVEL1_COMPLAINT } from "./report-script.js";
import { say, type TestClock } from "./test-app.js";

/*
 * A day at the hotline for the tests of the daily records: something in every list of each record.
 */

/** A hotline call for the instrument lights. */
const CALL = ["/new", "1", "2", "1", "unknown", "unknown", "顾客来电：仪表灯不亮", "否", "没有", "否", "否", "否", "个别", "无影响", "无", "否", "否", "否", "赵女士", "13700001111", "unknown", "无", "是", "完成", "1"];
/** A letter after-sales enters: its description has a comma, quotes and a line break, as letters do. */
export const LETTER_TEXT = '顾客来信称"车门密封条漏水", 洗车后\n脚垫湿透';
const LETTER = ["/new", "1", "5", "1", "unknown", "unknown", LETTER_TEXT, "否", "没有", "否", "否", "否", "个别", "无影响", "无", "否", "否", "否", "钱先生", "13911112222", "unknown", "无", "是", "完成", "1"];

/**
 * 26 November 2026 in Shanghai:
 * - 0001 10:00 a major fault (level 1) from Shenyang, worked to its result (see `workedMajorFault`);
 * - 0002 14:10 a hotline call liu.fang transferred; after-sales assigned it to Shenyang;
 * - 0003 14:40 a letter zhou.min entered, assigned to Beijing, which reported back and it was resolved;
 * - 0004 15:20 a general fault from Shenyang, still open;
 * - 0005 15:30 a level-1 complaint from Shenyang, still open, QA's support on record.
 */
export async function busyDay(app: App, clock: TestClock): Promise<void> {
  await workedMajorFault(app, clock);
  await type(app, "liu.fang", CALL);
  later(clock, 10);
  await say(app, "liu.fang", "/transfer HL-20261126-0002 需服务中心检查线路");
  later(clock, 5);
  await say(app, "zhou.min", "/assign HL-20261126-0002 sc-shenyang");
  later(clock, 15);
  await type(app, "zhou.min", LETTER);
  later(clock, 5);
  await say(app, "zhou.min", "/assign HL-20261126-0003 sc-beijing");
  later(clock, 20);
  await say(app, "guo.tao", "/feedback HL-20261126-0003 已更换左前门密封条");
  await say(app, "zhou.min", "/resolve HL-20261126-0003 已更换左前门密封条，顾客满意");
  await type(app, "wang.fang", [...GENERAL_FAULT, "1"]);
  later(clock, 10);
  await type(app, "wang.fang", [...LEVEL1_COMPLAINT, "1"]);
  later(clock, 5);
  await say(app, "zhou.min", "/confirm HL-20261126-0005");
  await say(app, "chen.jie", "/support HL-20261126-0005 派员赴现场核查自燃原因");
}
