import { describe, expect, it } from "vitest";
import { organisationTerms } from "../../../core/directory/organisation-terms.js";
import { CATALOG } from "../../../core/messages/catalog.js";
import { copyOfDefaultOrganisation, defaultOrganisation } from "../../support/organisation.js";

describe("the organisation's names as message parameters", () => {
  it("gives the default file's company, after-sales department and team leader in each language", () => {
    const org = defaultOrganisation();
    const common = { organisationZh: "华晨汽车售后服务事业部", organisationEn: "Brilliance Auto After-Sales Division" };
    expect(organisationTerms(org, "zh-CN")).toEqual({
      ...common,
      afterSales: "售后服务部",
      complaintTeamLeader: "售后服务部",
      customerService: "客服中心",
      transportDepartment: "销售公司物流部",
      storageDepartment: "计划物流部",
      qualityAssurance: "质量保证部",
      finance: "销售财务处",
    });
    expect(organisationTerms(org, "en")).toEqual({
      ...common,
      afterSales: "After-Sales Department",
      complaintTeamLeader: "After-Sales Department",
      customerService: "Customer Service Center (hotline)",
      transportDepartment: "Sales Logistics",
      storageDepartment: "Planning Logistics",
      qualityAssurance: "Quality Assurance",
      finance: "Sales Finance",
    });
  });

  it("follows the file when another department owns the tickets or leads the complaint team", () => {
    const org = copyOfDefaultOrganisation();
    org.afterSalesDepartment = "customer_service";
    org.complaintTeam.leader = "legal_counsel";
    expect(organisationTerms(org, "zh-CN")).toMatchObject({ afterSales: "客服中心", complaintTeamLeader: "法律顾问" });
  });

  it("names the logistics departments the file chooses for returned vehicles, and none without them", () => {
    const org = copyOfDefaultOrganisation();
    org.logistics = { transport: "planning_logistics", storage: "logistics" };
    expect(organisationTerms(org, "en")).toMatchObject({ transportDepartment: "Planning Logistics", storageDepartment: "Sales Logistics" });
    org.logistics = undefined;
    expect(organisationTerms(org, "zh-CN")).toMatchObject({ transportDepartment: "-", storageDepartment: "-" });
  });

  it("leaves no company or department name in the catalog: every sentence takes them from the file", () => {
    const org = defaultOrganisation();
    const names = ["华晨", "Brilliance", org.name.zh, org.name.en, ...org.departments.flatMap((d) => [d.name.zh, d.name.en])];
    const naming = Object.entries(CATALOG).flatMap(([key, entry]) =>
      [entry.zh, entry.en].flatMap((text) => [
        ...names.filter((name) => text.includes(name)).map((name) => `${key}: ${name}`),
        // The English sentences used to say "after-sales" and "QA" for the departments.
        ...(/after-sales|\bQA\b/i.test(text) ? [`${key}: ${text}`] : []),
      ]),
    );
    expect(naming).toEqual([]);
  });
});
