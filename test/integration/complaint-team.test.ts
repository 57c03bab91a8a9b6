import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { freshDatabaseFile, say, startTestApp, type TestClock } from "../support/test-app.js";
import { LEVEL1_COMPLAINT } from "../support/report-script.js";

let app: App;
let db: ReturnType<typeof freshDatabaseFile>;
let clock: TestClock;
const NUMBER = "HL-20261126-0001";

beforeEach(async () => {
  db = freshDatabaseFile();
  clock = { now: new Date("2026-11-26T02:00:00Z") }; // 10:00 in Shanghai
  app = await startTestApp(db.file, clock);
  for (const line of [...LEVEL1_COMPLAINT, "1"]) await say(app, "wang.fang", line);
});

afterEach(async () => {
  await app.close();
  db.cleanup();
});

const ticket = async () => (await app.core.tickets.findByNumber(NUMBER))!;
const later = (minutes: number) => (clock.now = new Date(clock.now.getTime() + minutes * 60_000));
const teamDeliveries = async () =>
  (await app.db.delivery.findMany({ orderBy: { id: "asc" } })).filter((d) => JSON.parse(d.recipient).kind === "team");

describe("a major complaint's handling team (manual §5)", () => {
  it("is formed when after-sales confirms the complaint: the leader's seat is filled, each department the rules picked waits for its lead", async () => {
    expect((await ticket()).team).toEqual([]);
    // Acknowledging the confirmation ping is confirming (§5: 经售后服务部确认后 … 负责牵头).
    const ack = await say(app, "zhou.min", `/ack ${NUMBER}`);
    expect(ack.text).toContain(`已确认 ${NUMBER}：重大质量信息 1 级`);

    const formed = await ticket();
    expect(formed.status).toBe("team_forming");
    expect(formed.team.map((s) => [s.departmentId, s.leader, s.memberId, s.confirmedAt !== null])).toEqual([
      ["after_sales", true, "zhou.min", true],
      ["quality_assurance", false, null, false],
      ["legal_counsel", false, null, false],
      ["sales_finance", false, null, false],
      ["public_relations", false, null, false],
    ]);
    const [roster, formedLine] = await teamDeliveries();
    expect(JSON.parse(formedLine!.recipient)).toEqual({ kind: "team", ticketNumber: NUMBER, name: NUMBER, platform: "slack", address: "C0000ESCAL" });
    expect(JSON.parse(formedLine!.payload).lines[0]).toContain("周敏 已组建");
    expect(roster!.view).toBe("team");
    const card = JSON.parse(roster!.payload);
    expect(card.lines[0]).toContain("须于 2026-11-26 23:59 前到达现场");
    expect(card.pickers.map((p: { id: string }) => p.id)).toEqual([
      `/appoint ${NUMBER} quality_assurance`,
      `/appoint ${NUMBER} legal_counsel`,
      `/appoint ${NUMBER} sales_finance`,
      `/appoint ${NUMBER} public_relations`,
    ]);
    expect(card.mentions.map((m: { memberId: string }) => m.memberId)).toEqual(["chen.jie", "zhang.wei", "li.na", "sun.li"]);

    // A second acknowledgement (the after-sales colleague) does not form a second team.
    await say(app, "wu.lei", `/take ${NUMBER}`);
    expect((await ticket()).team).toHaveLength(5);
  });

  it("fills seats by appointment and confirmation, refusing outsiders and other departments' leads", async () => {
    await say(app, "zhou.min", `/ack ${NUMBER}`);

    expect((await say(app, "sun.li", `/appoint ${NUMBER} quality_assurance gao.feng`)).text).toContain("只有该部门负责人");
    expect((await say(app, "li.na", `/appoint ${NUMBER} wang.fang`)).text).toContain("王芳 不是销售财务处的成员");
    expect((await say(app, "chen.jie", `/appoint ${NUMBER} nobody`)).text).toContain("通讯录中没有成员“nobody”");
    expect((await say(app, "gao.feng", `/confirm ${NUMBER}`)).text).toContain("没有等待你确认的委派");

    later(5);
    const appointed = await say(app, "chen.jie", `/appoint ${NUMBER} gao.feng`);
    expect(appointed.text).toContain("已委派 高峰");
    const toAppointee = appointed.notifications.find((n) => n.recipient.kind === "member");
    expect(toAppointee?.recipient).toMatchObject({ memberId: "gao.feng", platform: "slack", address: "U0000000QA2" });
    expect(toAppointee?.card.choices).toEqual([{ id: `/confirm ${NUMBER}`, label: "确认加入" }]);
    // Appointing answers the lead's "appoint a member" ping and meets its deadline.
    const afterAppoint = await ticket();
    const qaPing = afterAppoint.pings.find((p) => p.departmentId === "quality_assurance" && p.duty === "appoint_team_member")!;
    expect(qaPing.acknowledgedBy).toBe("chen.jie");
    expect(afterAppoint.deadlines.find((d) => d.pingId === qaPing.id)?.status).toBe("met");

    expect((await say(app, "gao.feng", `/confirm ${NUMBER}`)).text).toContain(`你已加入 ${NUMBER} 的处理小组`);
    // A lead may sit on the team themself: no confirmation is needed from the one who appointed.
    await say(app, "zhang.wei", `/appoint ${NUMBER} zhang.wei`);
    await say(app, "li.na", `/appoint ${NUMBER} li.na`);
    // After-sales may appoint for a department whose lead is away.
    await say(app, "zhou.min", `/appoint ${NUMBER} public_relations sun.li`);
    const lastConfirm = await say(app, "sun.li", `/confirm ${NUMBER}`);
    expect(lastConfirm.notifications.map((n) => n.card.lines[0])).toContain("小组成员已全部确认。");

    const seats = (await ticket()).team;
    expect(seats.map((s) => [s.departmentId, s.memberId, s.appointedBy, s.confirmedAt !== null])).toEqual([
      ["after_sales", "zhou.min", "zhou.min", true],
      ["quality_assurance", "gao.feng", "chen.jie", true],
      ["legal_counsel", "zhang.wei", "zhang.wei", true],
      ["sales_finance", "li.na", "li.na", true],
      ["public_relations", "sun.li", "zhou.min", true],
    ]);
    const roster = await say(app, "gao.feng", `/team ${NUMBER}`);
    expect(roster.text).toContain("质量保证部：高峰 ✔");
    expect(roster.replies[0]!.pickers).toEqual([]);
  });

  it("records on site (meeting the same-day deadline) and the signed agreement, tells the reporter, and keeps it all on the timeline", async () => {
    // Before after-sales confirms it, QA has not heard of the complaint at all.
    expect((await say(app, "gao.feng", `/onsite ${NUMBER}`)).text).toContain("你无权查看");
    await say(app, "zhou.min", `/ack ${NUMBER}`);
    await say(app, "chen.jie", `/appoint ${NUMBER} gao.feng`);
    await say(app, "gao.feng", `/confirm ${NUMBER}`);
    // The QA lead appointed someone else: seeing the ticket is not being on the team.
    expect((await say(app, "chen.jie", `/onsite ${NUMBER}`)).text).toContain("只有处理小组成员");

    later(180);
    const onSite = await say(app, "gao.feng", `/onsite ${NUMBER}`);
    expect(onSite.text).toContain("已记录");
    expect(onSite.notifications.find((n) => n.recipient.kind === "member")).toMatchObject({
      recipient: { memberId: "wang.fang" },
      card: { lines: [`你上报的 ${NUMBER}：处理小组已到达现场。`] },
    });
    const there = await ticket();
    expect(there.status).toBe("team_on_site");
    expect(there.deadlines.find((d) => d.kind === "on_site")?.status).toBe("met");

    // Legal counsel, finance and PR have not appointed anyone: after-sales signs anyway, saying why.
    expect((await say(app, "zhou.min", `/agreement ${NUMBER} override 顾客要求当场签字，其余部门电话确认`)).text).toContain("已记下理由");
    await say(app, "zhou.min", "更换同型新车");
    await say(app, "zhou.min", "完成");
    expect((await ticket()).status).toBe("agreement_signed");
    const events = await app.db.ticketEvent.findMany({ where: { ticket: { number: NUMBER } }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.type).filter((type) => type.startsWith("team") || type === "agreement_signed")).toEqual([
      "team_formed",
      "team_appointed",
      "team_confirmed",
      "team_on_site",
      "agreement_signed",
    ]);
    await say(app, "zhou.min", `/resolve ${NUMBER} 与顾客达成协议并已履行`);
    expect((await say(app, "gao.feng", `/onsite ${NUMBER}`)).text).toContain("不能记录到达现场");
  });
});
