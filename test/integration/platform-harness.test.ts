import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ESCALATION_CHANNEL,
  LEVEL2_FAULT_STEPS,
  SCENARIO_PLATFORMS,
  startScenario,
  ticketNumberIn,
  type Scenario,
  type ScenarioPlatform,
} from "../support/platforms/index.js";
import { withoutConfirmation } from "../support/organisation.js";

/**
 * How a press reached the bot, by its id in the inbound log: Slack's block action, WeCom's card
 * event. (Telegram's callback queries have update ids like any update; the terminal logs nothing.)
 */
const PRESS_EVENT: Partial<Record<ScenarioPlatform, RegExp>> = { slack: /^action:/, wecom: /^chenjie:\d+:\/ack HL-/ };

describe.each(SCENARIO_PLATFORMS)("the scenario harness on %s", (platform) => {
  let scenario: Scenario;
  beforeEach(async () => {
    // Escalations released at once: the confirmation first is the after-sales loop's scenario (platform-loop.test.ts).
    scenario = await startScenario({ platform, orgEdit: withoutConfirmation });
  });
  afterEach(() => scenario.stop());

  /** wang.fang reports the level-2 fault, by button wherever the dialog offers one; returns its number. */
  async function reportLevel2(): Promise<string> {
    const created = await scenario.walk("wang.fang", LEVEL2_FAULT_STEPS);
    expect(created.text).toContain("重大质量信息 2 级");
    return ticketNumberIn(created.text);
  }

  it("runs a level-2 fault from the report dialog to QA's acknowledgement, as that platform shows it", async () => {
    const first = await scenario.say("wang.fang", "/new");
    expect(first.text).toContain("请选择上报类型");
    expect(first.buttons).toEqual([
      { label: "质量故障", command: "fault" },
      { label: "顾客投诉", command: "complaint" },
    ]);
    const created = await scenario.walk("wang.fang", LEVEL2_FAULT_STEPS.slice(1));
    expect(created.text).toContain("重大质量信息 2 级");
    expect(created.text).toContain("造成重大质量事故，未导致人员伤亡");
    const number = ticketNumberIn(created.text);

    // QA's lead hears of it directly, with an Acknowledge button, and presses it.
    const ping = await scenario.waitForInbox("chen.jie", (m) => m.text.includes(`新工单 ${number}`), { what: `chen.jie's ping about ${number}` });
    expect(ping.text).toContain("质量保证部: 请提出处理措施");
    expect(ping.buttons).toContainEqual({ label: "响应", command: `/ack ${number}` });
    const acknowledged = await scenario.press("chen.jie", `/ack ${number}`);
    expect(acknowledged.text).toContain(`已响应 ${number}`);
    const pressed = PRESS_EVENT[platform];
    if (pressed) expect((await scenario.app.db.inboundEvent.findMany()).map((e) => e.eventId)).toContainEqual(expect.stringMatching(pressed));

    // The reporter hears back.
    const notice = await scenario.waitForInbox("wang.fang", (m) => m.text.includes(`你上报的 ${number} 已由 陈杰（质量保证部）响应`), { what: "the reporter's acknowledged notice" });
    expect(notice.buttons).toEqual([]);

    // The escalation channel has the ticket once, mentioning who must act; Slack keeps it current.
    await scenario.settle();
    const inChannel = await scenario.channel(ESCALATION_CHANNEL);
    const posts = inChannel.filter((m) => m.text.includes(number) && !m.file);
    expect(posts).toHaveLength(1);
    // The ticket's form follows the post as a file, where the platform takes files.
    const forms = inChannel.filter((m) => m.file === `${number}-重大售后质量信息报告单.pdf`);
    expect(forms).toHaveLength(platform === "terminal" ? 0 : 1);
    expect(posts[0]!.text).toContain(`新工单 ${number}：重大质量信息 2 级`);
    expect(posts[0]!.text).toMatch(/周敏 @?陈杰 @?赵明/);
    expect(posts[0]!.buttons.map((b) => b.command)).toEqual([`/ack ${number}`, `/take ${number}`, `/resolve ${number}`]);
    if (platform === "slack") expect(posts[0]!.text).toMatch(/质量保证部 陈杰: 请提出处理措施 \(陈杰 已于 2026-11-26 10:00 响应/);
    else expect(posts[0]!.text).toContain("质量保证部 陈杰: 请提出处理措施 (待响应");

    const ticket = await scenario.app.core.tickets.findByNumber(number);
    expect(ticket).toMatchObject({ reporterId: "wang.fang", level: 2 });
    expect(ticket!.pings.find((p) => p.memberId === "chen.jie")?.acknowledgedAt).toBeInstanceOf(Date);
    expect(await scenario.app.db.delivery.count({ where: { status: "failed" } })).toBe(0);
  });

  it("escalates the ping nobody acknowledged once its deadline has passed, and not the one acknowledged from the channel", async () => {
    const number = await reportLevel2();
    await scenario.waitForInbox("chen.jie", (m) => m.text.includes(`新工单 ${number}`));
    await scenario.settle();
    const fromChannel = await scenario.press("zhou.min", `/ack ${number}`, { in: ESCALATION_CHANNEL });
    expect(fromChannel.text).toContain(`已响应 ${number}`);
    expect(await scenario.fireDueDeadlines()).toBe(0);

    scenario.clock.advance({ hours: 2, minutes: 1 });
    expect(await scenario.fireDueDeadlines()).toBe(1); // QA's acknowledgement; after-sales' was met
    const escalated = await scenario.waitForInbox("zhao.ming", (m) => m.text.includes(`${number} 的“请提出处理措施”已超时未完成（原负责：陈杰）`));
    expect(escalated.buttons).toContainEqual({ label: "响应", command: `/ack ${number}` });
    expect((await scenario.inbox("chen.jie")).map((m) => m.text)).toContainEqual(expect.stringContaining(`${number} 的“请提出处理措施”已超时，已升级至 赵明。`));
    expect(await scenario.fireDueDeadlines()).toBe(0);

    // Whoever the escalation reached can acknowledge it.
    expect((await scenario.press("zhao.ming", `/ack ${number}`)).text).toContain(`已响应 ${number}`);
    const events = await scenario.app.db.ticketEvent.findMany({ where: { type: { in: ["escalated", "acknowledged"] } }, orderBy: { id: "asc" } });
    expect(events.map((e) => [e.type, e.actorId])).toEqual([["acknowledged", "zhou.min"], ["escalated", null], ["acknowledged", "zhao.ming"]]);
  });
});
