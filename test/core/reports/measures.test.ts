import { describe, expect, it } from "vitest";
import type { Member } from "../../../core/directory/member.js";
import { buildMeasures, durationStats, nearestRank } from "../../../core/reports/measures.js";
import type { MeasuredTicket } from "../../../core/reports/report-data.js";

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 26, 2) + minutes * 60_000);
const ticket = (overrides: Partial<MeasuredTicket>): MeasuredTicket => ({
  number: "HL-20261126-0001", category: "major", level: 1, serviceCenterId: "sc-shenyang", localDate: "2026-11-26",
  createdAt: at(0), resolvedAt: null, resolvedBy: null, pings: [], deadlines: [], ...overrides,
});

describe("the measures (§2.2.3 考核)", () => {
  it("takes the median and the 90th percentile by nearest rank", () => {
    expect(nearestRank([], 0.5)).toBeNull();
    expect(nearestRank([7], 0.9)).toBe(7);
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(ten, 0.5)).toBe(5);
    expect(nearestRank(ten, 0.9)).toBe(9);
    expect(durationStats([30, 10, 20])).toEqual({ count: 3, medianMinutes: 20, p90Minutes: 30 });
    expect(durationStats([])).toEqual({ count: 0, medianMinutes: null, p90Minutes: null });
  });

  it("times acknowledgements by department and level, resolutions by the resolver's unit, and counts each center's feedback", () => {
    const member = (id: string, unit: Pick<Member, "departmentId" | "serviceCenterId">): [string, Member] => [id, { id, name: { zh: id, en: id }, roles: [], identities: {}, ...unit }];
    const members = new Map([member("zhou.min", { departmentId: "after_sales" }), member("wang.fang", { serviceCenterId: "sc-shenyang" })]);
    const tickets = [
      ticket({
        pings: [{ departmentId: "after_sales", createdAt: at(0), acknowledgedAt: at(10) }, { departmentId: "quality_assurance", createdAt: at(10), acknowledgedAt: null }],
        resolvedAt: at(120), resolvedBy: "zhou.min",
        deadlines: [{ kind: "acknowledge", status: "met", dueAt: at(30), metAt: at(10) }, { kind: "measures", status: "missed", dueAt: at(60), metAt: null }],
      }),
      ticket({ number: "HL-20261126-0002", pings: [{ departmentId: "after_sales", createdAt: at(0), acknowledgedAt: at(40) }] }),
      ticket({
        number: "HL-20261126-0003", category: "general", level: null, serviceCenterId: "sc-beijing", resolvedAt: at(60 * 24 + 30), resolvedBy: "wang.fang",
        deadlines: [{ kind: "feedback", status: "met", dueAt: at(600), metAt: at(500) }],
      }),
    ];
    const measures = buildMeasures(tickets, { from: "2026-11-26", to: "2026-11-27" }, { members, serviceCenterIds: ["sc-shenyang", "sc-beijing", "sc-guangzhou"], timeZone: "Asia/Shanghai" });
    expect(measures.acknowledge).toEqual([{ departmentId: "after_sales", severity: "1", stats: { count: 2, medianMinutes: 10, p90Minutes: 40 } }]);
    expect(measures.resolve).toEqual([
      { unit: { kind: "department", id: "after_sales" }, severity: "1", stats: { count: 1, medianMinutes: 120, p90Minutes: 120 } },
      { unit: { kind: "service_center", id: "sc-shenyang" }, severity: "general", stats: { count: 1, medianMinutes: 1470, p90Minutes: 1470 } },
    ]);
    expect(measures.deadlines).toEqual([
      { kind: "acknowledge", met: 1, missed: 0, pending: 0 },
      { kind: "measures", met: 0, missed: 1, pending: 0 },
      { kind: "feedback", met: 1, missed: 0, pending: 0 },
    ]);
    expect(measures.centers).toEqual([
      { centerId: "sc-shenyang", reports: 2, feedbackMet: 0, feedbackMissed: 0, missedDeadlines: 1 },
      { centerId: "sc-beijing", reports: 1, feedbackMet: 1, feedbackMissed: 0, missedDeadlines: 0 },
      { centerId: "sc-guangzhou", reports: 0, feedbackMet: 0, feedbackMissed: 0, missedDeadlines: 0 },
    ]);
    // The general one was resolved the next local day; the missed deadline fell due on the 26th.
    expect(measures.trend).toEqual([
      { day: "2026-11-26", reported: 3, resolved: 1, missedDeadlines: 1 },
      { day: "2026-11-27", reported: 0, resolved: 1, missedDeadlines: 0 },
    ]);
  });
});
