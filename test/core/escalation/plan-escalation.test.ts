import { describe, expect, it } from "vitest";
import type { Organisation } from "../../../core/directory/organisation.js";
import { planEscalation, planKeyOf, planVehicleReturn, type EscalationInput } from "../../../core/escalation/plan-escalation.js";
import { replan } from "../../../core/escalation/replan.js";
import type { NewDeadline, NewPing } from "../../../core/ports.js";
import type { TriageAnswers } from "../../../core/triage/answers.js";
import { classify } from "../../../core/triage/classify.js";
import { copyOfDefaultOrganisation, defaultOrganisation } from "../../support/organisation.js";

const TIME_ZONE = "Asia/Shanghai";
/** 10:00 in Shanghai. */
const NOW = new Date("2026-11-26T02:00:00Z");
const MINUTE = 60_000;
const after = (mins: number, from: Date = NOW) => new Date(from.getTime() + mins * MINUTE);

/** A ticket past after-sales' confirmation, not yet with a service center. */
const RELEASED: EscalationInput["stage"] = { released: true, firstLine: false, transferred: false, serviceCenterId: null };

function input(kind: EscalationInput["kind"], answers: TriageAnswers, overrides: Partial<EscalationInput> = {}): EscalationInput {
  return { kind, source: "service_center", severity: classify(answers), answers, stage: RELEASED, now: NOW, timeZone: TIME_ZONE, ...overrides };
}

const org = () => defaultOrganisation();
const plan = (i: EscalationInput, o: Organisation = org()) => planEscalation(i, o);

const LEVEL1: TriageAnswers = { casualties: true };
const LEVEL2: TriageAnswers = { majorAccident: true };
const LEVEL3: TriageAnswers = { breakdown: true };

const ping = (departmentId: string | null, memberId: string, duty: NewPing["duty"], needsAck: boolean): NewPing => ({ departmentId, memberId, duty, needsAck });
const ackDeadlineOf = (deadlines: NewDeadline[], pingIndex: number) => deadlines.find((d) => d.kind === "acknowledge" && d.pingIndex === pingIndex);
const ofKind = (deadlines: NewDeadline[], kind: NewDeadline["kind"]) => deadlines.filter((d) => d.kind === kind);
const hasNoRepeats = (ids: string[]) => new Set(ids).size === ids.length;

describe("planEscalation for a general fault", () => {
  const result = () => plan(input("fault", {}));

  it("uses the general plan", () => {
    expect(result().planKey).toBe("general");
    expect(planKeyOf(classify({}), RELEASED)).toBe("general");
  });

  it("asks the after-sales lead to assign a service center, with an acknowledgement", () => {
    expect(result().pings).toEqual([ping("after_sales", "zhou.min", "assign_service_center", true)]);
  });

  it("gives the after-sales lead the general acknowledgement time of 480 minutes", () => {
    const { deadlines } = result();
    expect(ofKind(deadlines, "acknowledge")).toEqual([{ kind: "acknowledge", dueAt: after(480), pingIndex: 0, chain: ["zhou.min", "zhao.ming", "qian.hao"] }]);
  });

  it("adds the receipt deadline at the configured minutes, climbing the after-sales chain", () => {
    const { deadlines } = result();
    expect(ofKind(deadlines, "receipt")).toEqual([{ kind: "receipt", dueAt: after(org().deadlines.receiptMinutes), pingIndex: null, chain: ["zhou.min", "zhao.ming", "qian.hao"] }]);
    expect(org().deadlines.receiptMinutes).toBe(4320);
  });

  it("gives a center's own report to the center: no assignment for after-sales, the feedback deadline climbing the center's chain first (§4)", () => {
    const own = plan(input("fault", {}, { stage: { ...RELEASED, serviceCenterId: "sc-shenyang" } }));
    expect(own.pings).toEqual([]);
    expect(ofKind(own.deadlines, "feedback")).toEqual([
      { kind: "feedback", dueAt: after(org().deadlines.feedbackMinutes), pingIndex: null, chain: ["ma.jun", "zhou.min", "zhao.ming", "qian.hao"] },
    ]);
    expect(org().deadlines.feedbackMinutes).toBe(2880);
    const noChain = plan(input("fault", {}, { stage: { ...RELEASED, serviceCenterId: "sc-guangzhou" } }));
    expect(ofKind(noChain.deadlines, "feedback")[0]?.chain).toEqual(["zhou.min", "zhao.ming", "qian.hao"]);
  });

  it("has no other deadlines, no complaint team and no escalation channel", () => {
    const { deadlines, team, channelIds } = result();
    expect(deadlines.map((d) => d.kind).sort()).toEqual(["acknowledge", "receipt"]);
    expect(team).toBeNull();
    expect(channelIds).toEqual([]);
  });

  it("posts a general ticket to an escalation channel that names no levels", () => {
    const o = copyOfDefaultOrganisation();
    o.channels.push({ id: "everything", name: { zh: "全部", en: "Everything" }, platform: "slack", externalId: "C0000ALL", purpose: "escalation" });
    expect(plan(input("fault", {}), o).channelIds).toEqual(["everything"]);
  });
});

describe("planEscalation at level 1", () => {
  const result = () => plan(input("fault", LEVEL1));

  it("asks after-sales to confirm and QA for technical support, and informs the managers without acknowledgement", () => {
    expect(result().planKey).toBe("level1");
    expect(result().pings).toEqual([
      ping("after_sales", "zhou.min", "confirm", true),
      ping("quality_assurance", "chen.jie", "technical_support", true),
      ping(null, "zhao.ming", "informed", false),
      ping(null, "qian.hao", "informed", false),
      ping(null, "feng.gang", "informed", false),
    ]);
  });

  it("gives after-sales the level's 10 minutes to confirm, QA 30 to acknowledge, and the informed managers no deadline", () => {
    const { deadlines } = result();
    const acks = ofKind(deadlines, "acknowledge");
    expect(acks.map((d) => d.pingIndex)).toEqual([0, 1]);
    expect(acks.map((d) => d.dueAt)).toEqual([after(10), after(30)]);
    expect(deadlines.filter((d) => d.pingIndex !== null && d.pingIndex >= 2)).toEqual([]);
  });

  it("climbs from the pinged lead to zhao.ming then qian.hao, with no one twice", () => {
    const { deadlines } = result();
    expect(ackDeadlineOf(deadlines, 0)?.chain).toEqual(["zhou.min", "zhao.ming", "qian.hao"]);
    expect(ackDeadlineOf(deadlines, 1)?.chain).toEqual(["chen.jie", "zhao.ming", "qian.hao"]);
  });

  it("gives QA an hour to send technical support (§4 立即委派), on QA's chain, and has no team or measures", () => {
    const { deadlines, team } = result();
    expect(deadlines.filter((d) => d.kind !== "acknowledge")).toEqual([{ kind: "support", dueAt: after(60), pingIndex: null, chain: ["chen.jie", "zhao.ming", "qian.hao"] }]);
    expect(org().deadlines.supportMinutes).toBe(60);
    expect(team).toBeNull();
  });

  it("takes the support deadline's minutes from the organisation file", () => {
    const o = copyOfDefaultOrganisation();
    o.deadlines.supportMinutes = 15;
    expect(ofKind(plan(input("fault", LEVEL1), o).deadlines, "support").map((d) => d.dueAt)).toEqual([after(15)]);
  });

  it("names the escalation channel", () => {
    expect(result().channelIds).toEqual(["escalations"]);
  });

  it("never repeats a member in a chain when a manager on the chain must acknowledge too", () => {
    const o = copyOfDefaultOrganisation();
    const informed = o.escalation.plans.level1.find((spec) => spec.members !== undefined);
    if (!informed) throw new Error("the default level-1 plan informs named members");
    informed.acknowledge = true;
    const { pings, deadlines } = plan(input("fault", LEVEL1), o);
    const acks = ofKind(deadlines, "acknowledge");
    expect(acks).toHaveLength(5);
    for (const d of acks) {
      const pinged = pings[d.pingIndex ?? -1];
      expect(pinged?.needsAck).toBe(true);
      expect(d.chain[0]).toBe(pinged?.memberId);
      expect(hasNoRepeats(d.chain)).toBe(true);
    }
    const zhaoMing = acks.find((d) => pings[d.pingIndex ?? -1]?.memberId === "zhao.ming");
    expect(zhaoMing?.chain).toEqual(["zhao.ming", "qian.hao"]);
  });
});

describe("planEscalation at level 2", () => {
  const result = () => plan(input("fault", LEVEL2));

  it("asks QA to propose measures and after-sales to confirm, with 120 minutes to acknowledge", () => {
    const { planKey, pings, deadlines } = result();
    expect(planKey).toBe("level2");
    expect(pings).toEqual([
      ping("after_sales", "zhou.min", "confirm", true),
      ping("quality_assurance", "chen.jie", "propose_measures", true),
      ping(null, "zhao.ming", "informed", false),
    ]);
    const acks = ofKind(deadlines, "acknowledge");
    expect(acks.map((d) => d.pingIndex)).toEqual([0, 1]);
    expect(acks.map((d) => d.dueAt)).toEqual([after(30), after(120)]);
  });

  it("gives QA a measures deadline at the configured minutes, climbing from chen.jie", () => {
    const measures = ofKind(result().deadlines, "measures");
    expect(measures).toEqual([{ kind: "measures", dueAt: after(org().deadlines.measuresMinutes), pingIndex: null, chain: ["chen.jie", "zhao.ming", "qian.hao"] }]);
    expect(org().deadlines.measuresMinutes).toBe(1440);
  });

  it("has no feedback, receipt or on-site deadline and names the escalation channel", () => {
    const { deadlines, team, channelIds } = result();
    expect(deadlines.map((d) => d.kind).sort()).toEqual(["acknowledge", "acknowledge", "measures"]);
    expect(team).toBeNull();
    expect(channelIds).toEqual(["escalations"]);
  });
});

describe("planEscalation at level 3", () => {
  const result = () => plan(input("fault", LEVEL3));

  it("asks after-sales to confirm (60 minutes) and handle it (240 minutes) and informs QA without acknowledgement", () => {
    const { planKey, pings, deadlines, team, channelIds } = result();
    expect(planKey).toBe("level3");
    expect(pings).toEqual([ping("after_sales", "zhou.min", "confirm", true), ping("after_sales", "zhou.min", "handle", true), ping("quality_assurance", "chen.jie", "informed", false)]);
    expect(deadlines).toEqual([
      { kind: "acknowledge", dueAt: after(60), pingIndex: 0, chain: ["zhou.min", "zhao.ming", "qian.hao"] },
      { kind: "acknowledge", dueAt: after(240), pingIndex: 1, chain: ["zhou.min", "zhao.ming", "qian.hao"] },
    ]);
    expect(team).toBeNull();
    expect(channelIds).toEqual(["escalations"]);
  });

  it("treats a claim of exactly 10,000 CNY as level 3", () => {
    expect(plan(input("fault", { claimAmountCny: 10_000 })).planKey).toBe("level3");
    expect(plan(input("fault", { claimAmountCny: 9_999 })).planKey).toBe("general");
  });
});

describe("planEscalation for a major complaint", () => {
  const complaint = (answers: TriageAnswers, overrides: Partial<EscalationInput> = {}) => plan(input("complaint", answers, overrides));

  it("forms a level-1 team led by after-sales with QA, legal counsel, sales finance and PR", () => {
    expect(complaint(LEVEL1).team).toEqual({
      leaderDepartmentId: "after_sales",
      departmentIds: ["quality_assurance", "legal_counsel", "sales_finance", "public_relations"],
      onSiteBy: new Date("2026-11-26T15:59:59.999Z"),
    });
  });

  it("forms a level-2 team of QA, legal counsel and sales finance, without PR", () => {
    expect(complaint(LEVEL2).team?.departmentIds).toEqual(["quality_assurance", "legal_counsel", "sales_finance"]);
  });

  it("forms a level-3 team of QA and legal counsel only", () => {
    const team = complaint(LEVEL3).team;
    expect(team?.leaderDepartmentId).toBe("after_sales");
    expect(team?.departmentIds).toEqual(["quality_assurance", "legal_counsel"]);
  });

  // Media exposure always classifies as level 1; after-sales may reclassify a ticket, so the
  // level and the media answer can disagree. PR then joins whatever the level.
  it.each([
    [2, "imminent"],
    [2, "exposed"],
    [3, "imminent"],
    [3, "exposed"],
  ] as const)("adds PR to a level-%i team when media is %s", (level, media) => {
    const classification = classify(level === 2 ? LEVEL2 : LEVEL3);
    const team = complaint({ ...(level === 2 ? LEVEL2 : LEVEL3), media }, { severity: classification }).team;
    expect(team?.departmentIds).toContain("public_relations");
    expect(team?.departmentIds.filter((d) => d === "public_relations")).toHaveLength(1);
  });

  it("leaves PR out of a level-2 or level-3 team when the media answer is none", () => {
    expect(complaint({ ...LEVEL2, media: "none" }).team?.departmentIds).not.toContain("public_relations");
    expect(complaint({ ...LEVEL3, media: "none" }).team?.departmentIds).not.toContain("public_relations");
  });

  it("lists PR once in a level-1 team caused by media exposure", () => {
    expect(complaint({ media: "exposed" }).team?.departmentIds).toEqual(["quality_assurance", "legal_counsel", "sales_finance", "public_relations"]);
  });

  it("asks after-sales to confirm it and to lead the team (§5: 经售后服务部确认后 … 负责牵头)", () => {
    const { pings } = complaint(LEVEL1);
    const afterSales = pings.filter((p) => p.departmentId === "after_sales");
    expect(afterSales).toEqual([ping("after_sales", "zhou.min", "confirm", true), ping("after_sales", "zhou.min", "lead_complaint_team", true)]);
  });

  it("informs the sales-leadership lead feng.gang", () => {
    const { pings } = complaint(LEVEL2);
    expect(pings).toContainEqual(ping("sales_leadership", "feng.gang", "informed", false));
  });

  it("asks each team department's lead to appoint a member, with an acknowledgement deadline", () => {
    const { pings, deadlines } = complaint(LEVEL1);
    const appoint = pings.flatMap((p, i) => (p.duty === "appoint_team_member" ? [{ ...p, index: i }] : []));
    expect(appoint.map((p) => [p.departmentId, p.memberId])).toEqual([
      ["quality_assurance", "chen.jie"],
      ["legal_counsel", "zhang.wei"],
      ["sales_finance", "li.na"],
      ["public_relations", "sun.li"],
    ]);
    for (const p of appoint) {
      expect(p.needsAck).toBe(true);
      expect(ackDeadlineOf(deadlines, p.index)).toEqual({ kind: "acknowledge", dueAt: after(30), pingIndex: p.index, chain: [p.memberId, "zhao.ming", "qian.hao"] });
    }
  });

  it("keeps the level's own pings beside the team pings", () => {
    const { pings } = complaint(LEVEL1);
    expect(pings).toContainEqual(ping("quality_assurance", "chen.jie", "technical_support", true));
    const level2 = complaint(LEVEL2).pings;
    expect(level2).toContainEqual(ping("quality_assurance", "chen.jie", "propose_measures", true));
  });

  it("gives every ping that needs acknowledgement exactly one acknowledgement deadline, and the others none", () => {
    for (const answers of [LEVEL1, LEVEL2, LEVEL3]) {
      const { pings, deadlines } = complaint(answers);
      pings.forEach((p, i) => {
        expect(deadlines.filter((d) => d.kind === "acknowledge" && d.pingIndex === i)).toHaveLength(p.needsAck ? 1 : 0);
      });
    }
  });

  it("never pings the same member twice from the same department with the same duty", () => {
    for (const answers of [LEVEL1, LEVEL2, LEVEL3]) {
      const keys = complaint(answers).pings.map((p) => `${p.departmentId}|${p.memberId}|${p.duty}`);
      expect(hasNoRepeats(keys)).toBe(true);
    }
  });

  it("sets the on-site deadline to the end of the local day in Shanghai, late in the evening", () => {
    const now = new Date("2026-11-26T15:30:00Z"); // 23:30 in Shanghai
    const { deadlines, team } = complaint(LEVEL1, { now });
    expect(team?.onSiteBy).toEqual(new Date("2026-11-26T15:59:59.999Z"));
    expect(ofKind(deadlines, "on_site")).toEqual([
      { kind: "on_site", dueAt: new Date("2026-11-26T15:59:59.999Z"), pingIndex: null, chain: ["zhou.min", "zhao.ming", "qian.hao"] },
    ]);
  });

  it("sets the on-site deadline to the end of the next local day just after local midnight", () => {
    const now = new Date("2026-11-26T16:30:00Z"); // 00:30 on 27 November in Shanghai
    const { deadlines, team } = complaint(LEVEL1, { now });
    expect(team?.onSiteBy).toEqual(new Date("2026-11-27T15:59:59.999Z"));
    expect(ofKind(deadlines, "on_site").map((d) => d.dueAt)).toEqual([new Date("2026-11-27T15:59:59.999Z")]);
  });

  it("follows the ticket's time zone for the on-site deadline", () => {
    const now = new Date("2026-11-26T15:30:00Z"); // 10:30 in New York
    expect(complaint(LEVEL1, { now, timeZone: "America/New_York" }).team?.onSiteBy).toEqual(new Date("2026-11-27T04:59:59.999Z"));
  });

  it("names the escalation channel", () => {
    expect(complaint(LEVEL1).channelIds).toEqual(["escalations"]);
  });
});

describe("planEscalation for a general complaint", () => {
  it("forms no team and adds no on-site deadline", () => {
    const result = plan(input("complaint", {}));
    expect(result.planKey).toBe("general");
    expect(result.team).toBeNull();
    expect(ofKind(result.deadlines, "on_site")).toEqual([]);
    expect(result.pings).toEqual([ping("after_sales", "zhou.min", "assign_service_center", true)]);
    expect(result.deadlines.map((d) => d.kind).sort()).toEqual(["acknowledge", "receipt"]);
  });
});

describe("planEscalation as a pure function", () => {
  const inputs = [input("fault", {}), input("fault", LEVEL1), input("fault", LEVEL2), input("complaint", LEVEL1), input("complaint", LEVEL3)];

  it("gives the same plan for the same input", () => {
    for (const i of inputs) expect(plan(i)).toEqual(plan(i));
  });

  it("leaves the organisation and the input unchanged", () => {
    const o = copyOfDefaultOrganisation();
    const before = structuredClone(o);
    for (const i of inputs) {
      const copy = structuredClone(i);
      planEscalation(i, o);
      expect(i).toEqual(copy);
    }
    expect(o).toEqual(before);
  });

  it("works on a deeply frozen organisation", () => {
    const deepFreeze = <T>(value: T): T => {
      if (value && typeof value === "object") {
        Object.values(value).forEach(deepFreeze);
        Object.freeze(value);
      }
      return value;
    };
    const frozen = deepFreeze(copyOfDefaultOrganisation());
    for (const i of inputs) expect(planEscalation(i, frozen)).toEqual(plan(i));
  });

  it("does not depend on the time of the call, only on now", () => {
    const i = input("complaint", LEVEL1);
    const first = plan(i);
    const later = plan({ ...i, now: after(60) });
    expect(later.deadlines.find((d) => d.kind === "acknowledge")?.dueAt).toEqual(after(70));
    expect(first.deadlines.find((d) => d.kind === "acknowledge")?.dueAt).toEqual(after(10));
  });
});

describe("planEscalation never tells anyone twice nor escalates downwards", () => {
  it("tells a leader named both as a leader and as a department lead once", () => {
    const { pings } = plan(input("complaint", LEVEL1));
    const fengInformed = pings.filter((p) => p.memberId === "feng.gang" && p.duty === "informed");
    expect(fengInformed).toHaveLength(1);
  });

  it("climbs from a manager's own step on the chain, never down to those below", () => {
    const modified = copyOfDefaultOrganisation();
    modified.confirmation.levels = [];
    modified.escalation.plans.level1 = [{ members: ["qian.hao"], duty: "informed", acknowledge: true }];
    const { deadlines } = plan(input("fault", LEVEL1), modified);
    expect(ofKind(deadlines, "acknowledge").map((d) => d.chain)).toEqual([["qian.hao"]]);
    modified.escalation.plans.level1 = [{ members: ["zhao.ming"], duty: "informed", acknowledge: true }];
    expect(ofKind(plan(input("fault", LEVEL1), modified).deadlines, "acknowledge").map((d) => d.chain)).toEqual([["zhao.ming", "qian.hao"]]);
  });
});

describe("planEscalation before after-sales confirmed a major ticket (§4: 经售后服务部确认后 … 报送)", () => {
  const HELD: EscalationInput["stage"] = { ...RELEASED, released: false };

  it.each([
    [LEVEL1, "level1", 10],
    [LEVEL2, "level2", 30],
    [LEVEL3, "level3", 60],
  ] as const)("asks only after-sales to confirm %j, within the level's confirmation minutes, and posts to no channel", (answers, planKey, minutes) => {
    const held = plan(input("complaint", answers, { stage: HELD }));
    expect(held).toEqual({
      planKey,
      held: true,
      pings: [ping("after_sales", "zhou.min", "confirm", true)],
      deadlines: [{ kind: "acknowledge", dueAt: after(minutes), pingIndex: 0, chain: ["zhou.min", "zhao.ming", "qian.hao"] }],
      team: null,
      channelIds: [],
    });
  });

  it("holds nothing of a level the organisation does not list for confirmation", () => {
    const o = copyOfDefaultOrganisation();
    o.confirmation.levels = ["level1"];
    const level3 = plan(input("fault", LEVEL3, { stage: HELD }), o);
    expect(level3.held).toBe(false);
    expect(level3.pings.map((p) => p.duty)).toEqual(["handle", "informed"]);
    expect(level3.channelIds).toEqual(["escalations"]);
  });

  it("sends important information that meets no level to after-sales to grade, and holds it there", () => {
    const ungraded = plan(input("fault", { safetyOrPerformance: true }, { stage: HELD }));
    expect(ungraded).toMatchObject({ planKey: "ungraded", held: true, team: null, channelIds: [] });
    expect(ungraded.pings).toEqual([ping("after_sales", "zhou.min", "grade", true)]);
    expect(ungraded.deadlines).toEqual([{ kind: "acknowledge", dueAt: after(120), pingIndex: 0, chain: ["zhou.min", "zhao.ming", "qian.hao"] }]);
  });
});

describe("planEscalation for a hotline call (§4 客服中心)", () => {
  const call = (stage: Partial<EscalationInput["stage"]>) => plan(input("fault", {}, { source: "hotline", stage: { ...RELEASED, ...stage } }));

  it("leaves a call with the customer-service center first, with no deadline", () => {
    const firstLine = call({ firstLine: true });
    expect(firstLine.planKey).toBe("first_line");
    expect(firstLine.pings).toEqual([ping("customer_service", "liu.fang", "handle_call", false)]);
    expect(firstLine.deadlines).toEqual([]);
  });

  it("gives a transferred call to after-sales as a work order, with its own acknowledgement time and the receipt", () => {
    const workOrder = call({ transferred: true });
    expect(workOrder.planKey).toBe("work_order");
    expect(workOrder.pings).toEqual([ping("after_sales", "zhou.min", "assign_service_center", true)]);
    expect(workOrder.deadlines.map((d) => [d.kind, d.dueAt])).toEqual([
      ["acknowledge", after(240)],
      ["receipt", after(org().deadlines.receiptMinutes)],
    ]);
  });

  it("owes the assigned center's feedback once a center holds the work order", () => {
    const assigned = call({ transferred: true, serviceCenterId: "sc-beijing" });
    expect(assigned.pings).toEqual([]);
    expect(ofKind(assigned.deadlines, "feedback")[0]?.chain).toEqual(["guo.tao", "zhou.min", "zhao.ming", "qian.hao"]);
  });
});

describe("planVehicleReturn (§5: 物流部负责退回的故障车辆的运输，计划物流部负责贮存和保管)", () => {
  const returnFor = (answers: TriageAnswers, o: Organisation = org()) => planVehicleReturn({ severity: classify(answers), stage: RELEASED, now: NOW }, o);

  it("pings the transport lead, then the storage lead, each to acknowledge", () => {
    expect(returnFor({})!.pings).toEqual([ping("logistics", "he.qiang", "transport_vehicle", true), ping("planning_logistics", "lu.yan", "store_vehicle", true)]);
  });

  it("gives each ping the ticket's plan's acknowledgement time and the chain above its lead, and each leg its own deadline", () => {
    const { deadlines } = returnFor(LEVEL1)!;
    const chain = (lead: string) => [lead, "zhao.ming", "qian.hao"];
    expect(deadlines).toEqual([
      { kind: "acknowledge", dueAt: after(30), pingIndex: 0, chain: chain("he.qiang") },
      { kind: "transport", dueAt: after(2 * 24 * 60), pingIndex: null, chain: chain("he.qiang") },
      { kind: "acknowledge", dueAt: after(30), pingIndex: 1, chain: chain("lu.yan") },
      { kind: "storage", dueAt: after(3 * 24 * 60), pingIndex: null, chain: chain("lu.yan") },
    ]);
    expect(ackDeadlineOf(returnFor({})!.deadlines, 0)?.dueAt).toEqual(after(480));
  });

  it("takes the departments and minutes from the organisation file", () => {
    const o = copyOfDefaultOrganisation();
    o.logistics = { transport: "planning_logistics", storage: "planning_logistics" };
    o.deadlines.transportMinutes = 60;
    o.deadlines.storageMinutes = 120;
    const { pings, deadlines } = returnFor({}, o)!;
    expect(pings.map((p) => [p.memberId, p.duty])).toEqual([
      ["lu.yan", "transport_vehicle"],
      ["lu.yan", "store_vehicle"],
    ]);
    expect([...ofKind(deadlines, "transport"), ...ofKind(deadlines, "storage")].map((d) => d.dueAt)).toEqual([after(60), after(120)]);
  });

  it("plans nothing where the organisation names no logistics departments", () => {
    const o = copyOfDefaultOrganisation();
    o.logistics = undefined;
    expect(returnFor({}, o)).toBeUndefined();
  });

  it("is kept by a new plan: grading a ticket neither cancels a return's pings nor its deadlines", () => {
    const returned = returnFor(LEVEL2)!;
    const pings = returned.pings.map((p, i) => ({ ...p, id: i + 1, acknowledgedAt: null, acknowledgedBy: null, cancelledAt: null }));
    const deadlines = returned.deadlines.map((d, i) => ({ id: 10 + i, pingId: d.pingIndex === null ? null : pings[d.pingIndex]!.id, kind: d.kind, dueAt: d.dueAt, status: "pending" as const, chain: d.chain, step: 0 }));
    const ticket = { pings, deadlines, team: [] } as unknown as Parameters<typeof replan>[0];
    const change = replan(ticket, plan(input("fault", LEVEL3)), []);
    expect(change.cancelledPings).toEqual([]);
    expect(change.cancelledDeadlines).toEqual([]);
    expect(change.addPings.map((p) => p.duty)).not.toContain("transport_vehicle");
  });
});
