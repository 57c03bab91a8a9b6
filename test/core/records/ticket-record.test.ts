import { describe, expect, it } from "vitest";
import { formTitle, ticketFormOf } from "../../../core/records/ticket-record.js";
import type { Ticket } from "../../../core/tickets/ticket.js";
import { cardContextIn } from "../../support/card-context.js";

type FormFacts = Pick<Ticket, "category" | "kind" | "source" | "firstLine" | "transferredAt">;
const item = (facts: Partial<FormFacts>): FormFacts => ({ category: "general", kind: "fault", source: "service_center", firstLine: false, transferredAt: null, ...facts });
const TRANSFERRED = new Date("2026-11-26T02:20:00Z");

describe("which of the manual's forms a ticket is filed on", () => {
  it.each([
    ["a major fault", item({ category: "major" }), "major_quality_report"],
    ["a major fault still to be graded", item({ category: "major", source: "hotline" }), "major_quality_report"],
    ["a major complaint", item({ category: "major", kind: "complaint" }), "major_complaint_report"],
    ["a hotline call the hotline transferred", item({ source: "hotline", transferredAt: TRANSFERRED }), "customer_work_order"],
    ["a hotline call reported to after-sales directly", item({ source: "hotline" }), "customer_work_order"],
    ["a letter after-sales handles", item({ source: "mail", kind: "complaint" }), "customer_work_order"],
    ["a call the hotline still handles itself", item({ source: "hotline", firstLine: true }), undefined],
    ["a general fault a service center reported", item({}), undefined],
    ["a general complaint a dealer passed on", item({ source: "dealer", kind: "complaint" }), undefined],
  ] as const)("%s: %s", (_what, ticket, form) => {
    expect(ticketFormOf(ticket)).toBe(form);
  });

  it("takes a form's title from the organisation file where it names one, else the manual's", () => {
    const zh = cardContextIn("zh-CN");
    expect(formTitle("customer_work_order", zh)).toBe("华晨汽车顾客待处理工单");
    expect(formTitle("major_quality_report", zh)).toBe("重大售后质量信息报告单");
    expect(formTitle("major_complaint_report", cardContextIn("en"))).toBe("Major Complaint Report");
    const renamed = { ...zh, org: { ...zh.org, records: { titles: { major_complaint_report: { zh: "重大投诉报告单（2027 版）", en: "Major Complaint Report (2027)" } } } } };
    expect(formTitle("major_complaint_report", renamed)).toBe("重大投诉报告单（2027 版）");
  });
});
