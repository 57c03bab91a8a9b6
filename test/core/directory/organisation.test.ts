import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../../bot/config/env.js";
import { loadOrganisationFile } from "../../../bot/config/organisation-file.js";
import { parseOrganisation } from "../../../core/directory/parse-organisation.js";
import { HotlineError } from "../../../core/errors.js";
import { DEFAULT_THRESHOLDS } from "../../../core/triage/rules.js";
import { DEFAULT_ORGANISATION_FILE, defaultOrganisation, rawDefaultOrganisation } from "../../support/organisation.js";

/** The error `parseOrganisation` throws for a broken copy of the default file. */
function errorFor(breakIt: (raw: any) => void): HotlineError {
  const raw = rawDefaultOrganisation();
  breakIt(raw);
  try {
    parseOrganisation(raw, "test.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(HotlineError);
    expect((error as HotlineError).code).toBe("invalid_config");
    return error as HotlineError;
  }
  throw new Error("expected the organisation to be rejected");
}

const memberIndex = (raw: { members: { id: string }[] }, id: string) => raw.members.findIndex((m) => m.id === id);

describe("the default organisation file", () => {
  it("parses through the file loader", () => {
    const org = loadOrganisationFile(DEFAULT_ORGANISATION_FILE);
    expect(org.afterSalesDepartment).toBe("after_sales");
    expect(Object.isFrozen(org)).toBe(true);
  });

  it("parses from its raw data too", () => {
    expect(() => parseOrganisation(rawDefaultOrganisation(), "default")).not.toThrow();
  });

  it.each([
    ["after_sales", "售后服务部"],
    ["quality_assurance", "质量保证部"],
    ["public_relations", "华晨公关部"],
    ["sales_finance", "销售财务处"],
    ["legal_counsel", "法律顾问"],
    ["logistics", "销售公司物流部"],
    ["planning_logistics", "计划物流部"],
    ["customer_service", "客服中心"],
  ])("has the department %s (%s) with a lead who is a member", (id, zh) => {
    const org = defaultOrganisation();
    const department = org.departments.find((d) => d.id === id);
    expect(department?.name.zh).toBe(zh);
    expect(org.members.some((m) => m.id === department?.lead)).toBe(true);
  });

  it("has managers, including the senior manager and the assistant to the VP on the escalation chain", () => {
    const org = defaultOrganisation();
    const managers = org.members.filter((m) => m.roles.includes("manager")).map((m) => m.id);
    expect(managers).toEqual(expect.arrayContaining(["zhao.ming", "qian.hao", "feng.gang"]));
    expect(org.escalation.chain).toEqual(["lead", "zhao.ming", "qian.hao"]);
  });

  it("has staff who each belong to a known service center", () => {
    const org = defaultOrganisation();
    const staff = org.members.filter((m) => m.roles.includes("staff"));
    expect(staff.length).toBeGreaterThan(0);
    for (const m of staff) expect(org.serviceCenters.map((c) => c.id)).toContain(m.serviceCenter);
  });

  it("uses the manual's claim thresholds and the design's acknowledgement times", () => {
    const org = defaultOrganisation();
    expect(org.triage).toEqual({ level2ClaimCny: 50_000, level3ClaimCny: 10_000 });
    expect(org.deadlines.acknowledgeMinutes).toEqual({ general: 480, level1: 30, level2: 120, level3: 240, ungraded: 120, first_line: 60, work_order: 240 });
    expect(org.confirmation).toEqual({ levels: ["level1", "level2", "level3"], minutes: { level1: 10, level2: 30, level3: 60 } });
  });

  it("has a plan for every kind of ticket and a complaint team led by after-sales", () => {
    const org = defaultOrganisation();
    expect(Object.keys(org.escalation.plans).sort()).toEqual(["first_line", "general", "level1", "level2", "level3", "ungraded", "work_order"]);
    expect(org.complaintTeam.leader).toBe("after_sales");
  });

  it("fills in defaults when optional sections are left out", () => {
    const raw = rawDefaultOrganisation();
    delete raw.triage;
    delete raw.deadlines;
    delete raw.channels;
    delete raw.escalation.complaint;
    delete raw.escalation.plans.ungraded;
    delete raw.escalation.plans.first_line;
    delete raw.escalation.plans.work_order;
    delete raw.confirmation;
    delete raw.grading;
    delete raw.warranty;
    delete raw.logistics;
    const org = parseOrganisation(raw, "minimal");
    expect(org.triage).toEqual(DEFAULT_THRESHOLDS);
    // Files written before the after-sales loop get the manual's loop from what they name.
    expect(org.escalation.plans.ungraded).toEqual([{ department: "after_sales", duty: "grade", acknowledge: true }]);
    expect(org.escalation.plans.first_line).toEqual([{ department: "customer_service", duty: "handle_call", acknowledge: false }]);
    expect(org.escalation.plans.work_order).toEqual([{ department: "after_sales", duty: "assign_service_center", acknowledge: true }]);
    expect(org.confirmation.levels).toEqual(["level1", "level2", "level3"]);
    expect(org.grading).toEqual({ departments: ["after_sales"], roles: ["manager"] });
    expect(org.deadlines).toEqual({
      acknowledgeMinutes: { general: 480, level1: 30, level2: 120, level3: 240, ungraded: 120, first_line: 60, work_order: 240 },
      measuresMinutes: 1440,
      supportMinutes: 60,
      financeMinutes: 4320,
      feedbackMinutes: 2880,
      receiptMinutes: 4320,
      transportMinutes: 2 * 24 * 60,
      storageMinutes: 3 * 24 * 60,
      reminderMinutesBefore: [10],
    });
    expect(org.channels).toEqual([]);
    expect(org.escalation.complaint).toEqual([]);
    // §5: two years or 60,000 km for the company's brands; "other" has no terms. No logistics: /return is refused.
    expect(org.warranty).toEqual({ haise: { years: 2, km: 60_000 }, zhonghua: { years: 2, km: 60_000 } });
    expect(org.logistics).toBeUndefined();
  });
});

describe("warranty terms and returned vehicles (§5)", () => {
  it("has the default file's terms and logistics departments, and the deadlines for a returned vehicle", () => {
    const org = defaultOrganisation();
    expect(org.warranty).toEqual({ haise: { years: 2, km: 60_000 }, zhonghua: { years: 2, km: 60_000 } });
    expect(org.warranty.other).toBeUndefined();
    expect(org.logistics).toEqual({ transport: "logistics", storage: "planning_logistics" });
    expect(org.deadlines).toMatchObject({ transportMinutes: 2880, storageMinutes: 4320 });
  });

  it("takes a deployment's own terms, and a brand it leaves out has none", () => {
    const raw = rawDefaultOrganisation();
    raw.warranty = { other: { years: 3, km: 100_000 } };
    expect(parseOrganisation(raw, "own").warranty).toEqual({ other: { years: 3, km: 100_000 } });
    raw.warranty = {};
    expect(parseOrganisation(raw, "none").warranty).toEqual({});
  });

  it("refuses a brand the dialog does not know, at its own key", () => {
    expect(errorFor((raw) => (raw.warranty.toyota = { years: 3, km: 100_000 })).message).toMatch(/warranty\.toyota: unknown brand "toyota" \(one of haise, zhonghua, other\)/);
  });

  it.each([
    ["years of 0", { years: 0, km: 60_000 }, /warranty\.haise\.years/],
    ["negative kilometres", { years: 2, km: -1 }, /warranty\.haise\.km/],
    ["no kilometres", { years: 2, km: 0 }, /warranty\.haise\.km/],
    ["a fraction of a year", { years: 1.5, km: 60_000 }, /warranty\.haise\.years: must be whole years/],
    ["a missing limit", { years: 2 }, /warranty\.haise\.km/],
    ["an unknown limit", { years: 2, km: 60_000, months: 3 }, /warranty\.haise/],
  ])("refuses terms with %s, naming the path", (_what, terms, path) => {
    expect(errorFor((raw) => (raw.warranty.haise = terms)).message).toMatch(path);
  });

  it("points at a logistics department that does not exist, and refuses a partial section", () => {
    expect(errorFor((raw) => (raw.logistics.transport = "trucks")).message).toMatch(/logistics\.transport: unknown department "trucks"/);
    expect(errorFor((raw) => (raw.logistics.storage = "depot")).message).toMatch(/logistics\.storage: unknown department "depot"/);
    expect(errorFor((raw) => delete raw.logistics.storage).message).toMatch(/logistics\.storage/);
  });

  it("refuses transport or storage deadlines that are not positive minutes", () => {
    expect(errorFor((raw) => (raw.deadlines.transportMinutes = 0)).message).toMatch(/deadlines\.transportMinutes/);
    expect(errorFor((raw) => (raw.deadlines.storageMinutes = "3 days")).message).toMatch(/deadlines\.storageMinutes/);
  });
});

describe("who records QA's and finance's work (§4, §5)", () => {
  const parsed = (edit: (raw: any) => void) => {
    const raw = rawDefaultOrganisation();
    edit(raw);
    return parseOrganisation(raw, "test.yaml");
  };

  it("takes the quality assurance department from the file, else from the plans that ask for support or measures", () => {
    expect(defaultOrganisation().qualityAssuranceDepartment).toBe("quality_assurance");
    expect(parsed((raw) => delete raw.qualityAssuranceDepartment).qualityAssuranceDepartment).toBe("quality_assurance");
    const fromMeasures = parsed((raw) => {
      delete raw.qualityAssuranceDepartment;
      raw.escalation.plans.level1 = raw.escalation.plans.level1.filter((p: { duty: string }) => p.duty !== "technical_support");
      raw.escalation.plans.level2.find((p: { duty: string }) => p.duty === "propose_measures").department = "legal_counsel";
    });
    expect(fromMeasures.qualityAssuranceDepartment).toBe("legal_counsel");
  });

  it("takes the finance department from the file, else sales_finance where the team's rules name it", () => {
    expect(defaultOrganisation().complaintTeam.financeDepartment).toBe("sales_finance");
    expect(parsed((raw) => delete raw.complaintTeam.financeDepartment).complaintTeam.financeDepartment).toBe("sales_finance");
    expect(parsed((raw) => (raw.complaintTeam.financeDepartment = "legal_counsel")).complaintTeam.financeDepartment).toBe("legal_counsel");
  });

  it("refuses a file that names neither, or an unknown one, pointing at the key", () => {
    expect(errorFor((raw) => (raw.qualityAssuranceDepartment = "qa")).message).toContain('qualityAssuranceDepartment: unknown department "qa"');
    expect(errorFor((raw) => (raw.complaintTeam.financeDepartment = "treasury")).message).toContain('complaintTeam.financeDepartment: unknown department "treasury"');
    const noQa = errorFor((raw) => {
      delete raw.qualityAssuranceDepartment;
      raw.escalation.plans.level1 = raw.escalation.plans.level1.filter((p: { duty: string }) => p.duty !== "technical_support");
      raw.escalation.plans.level2 = raw.escalation.plans.level2.filter((p: { duty: string }) => p.duty !== "propose_measures");
    });
    expect(noQa.message).toContain("qualityAssuranceDepartment: name the quality assurance department");
    const noFinance = errorFor((raw) => {
      delete raw.complaintTeam.financeDepartment;
      raw.complaintTeam.rules = raw.complaintTeam.rules.filter((r: { departments: string[] }) => !r.departments.includes("sales_finance"));
    });
    expect(noFinance.message).toContain("complaintTeam.financeDepartment: name the department that handles agreed amounts");
  });

  it("checks the support and finance minutes like the other deadlines", () => {
    expect(errorFor((raw) => (raw.deadlines.supportMinutes = 0)).message).toMatch(/deadlines\.supportMinutes: /);
    expect(errorFor((raw) => (raw.deadlines.financeMinutes = "three days")).message).toMatch(/deadlines\.financeMinutes: /);
    expect(parsed((raw) => (raw.deadlines.financeMinutes = 0.5)).deadlines.financeMinutes).toBe(0.5);
  });
});

describe("parseOrganisation errors", () => {
  it("points at a confirmation level, a grading department or a center's chain that does not exist", () => {
    expect(errorFor((raw) => (raw.confirmation.levels = ["level4"])).message).toMatch(/confirmation\.levels\[0\]/);
    expect(errorFor((raw) => (raw.grading.departments = ["nowhere"])).message).toMatch(/grading\.departments\[0\]: unknown department "nowhere"/);
    expect(errorFor((raw) => (raw.serviceCenters[0].chain = ["nobody"])).message).toMatch(/serviceCenters\[0\]\.chain\[0\]: unknown member "nobody"/);
    expect(errorFor((raw) => (raw.customerServiceDepartment = "hotline")).message).toMatch(/customerServiceDepartment: unknown department "hotline"/);
    expect(errorFor((raw) => (raw.confirmation.minutes.level1 = 0)).message).toMatch(/confirmation\.minutes\.level1/);
  });

  it("points at a service_center channel without its center, with an unknown one, and at a center named on another channel", () => {
    const group = { id: "sc-group", name: { zh: "群", en: "group" }, platform: "telegram", externalId: "-1", purpose: "service_center" };
    expect(errorFor((raw) => raw.channels.push(group)).message).toMatch(/channels\[1\]\.serviceCenter: a service_center channel names its service center/);
    expect(errorFor((raw) => raw.channels.push({ ...group, serviceCenter: "sc-nowhere" })).message).toMatch(/channels\[1\]\.serviceCenter: unknown service center "sc-nowhere"/);
    expect(errorFor((raw) => (raw.channels[0].serviceCenter = "sc-shenyang")).message).toMatch(/channels\[0\]\.serviceCenter: a service_center channel names its service center, and only it does/);
  });

  it("names the source in the message", () => {
    expect(errorFor((raw) => (raw.departments[0].lead = "nobody")).message).toContain("test.yaml");
  });

  it("points at the lead of a department that is not a member", () => {
    const error = errorFor((raw) => (raw.departments[0].lead = "nobody"));
    expect(error.message).toMatch(/departments\[0\]\.lead: unknown member "nobody"/);
  });

  it("points at the service center of a staff member without one", () => {
    let index = -1;
    const error = errorFor((raw) => {
      index = memberIndex(raw, "wang.fang");
      delete raw.members[index].serviceCenter;
    });
    expect(error.message).toContain(`members[${index}].serviceCenter: staff must belong to a service center`);
  });

  it("points at an unknown service center", () => {
    let index = -1;
    const error = errorFor((raw) => {
      index = memberIndex(raw, "wang.fang");
      raw.members[index].serviceCenter = "sc-nowhere";
    });
    expect(error.message).toContain(`members[${index}].serviceCenter: unknown service center "sc-nowhere"`);
  });

  it("points at an unknown department in an escalation plan", () => {
    const error = errorFor((raw) => (raw.escalation.plans.level1[1].department = "marketing"));
    expect(error.message).toContain('escalation.plans.level1[1].department: unknown department "marketing"');
  });

  it("points at an unknown member in an escalation plan and in the chain", () => {
    const error = errorFor((raw) => {
      raw.escalation.plans.level1[2].members[1] = "ghost";
      raw.escalation.chain[2] = "phantom";
    });
    expect(error.message).toContain('escalation.plans.level1[2].members[1]: unknown member "ghost"');
    expect(error.message).toContain('escalation.chain[2]: unknown member "phantom"');
  });

  it("points at an unknown department in the complaint team", () => {
    const error = errorFor((raw) => (raw.complaintTeam.rules[1].departments[0] = "marketing"));
    expect(error.message).toContain('complaintTeam.rules[1].departments[0]: unknown department "marketing"');
  });

  it("rejects an unknown key, naming the key", () => {
    const error = errorFor((raw) => (raw.departments[0].leader = "zhou.min"));
    expect(error.message).toMatch(/departments\[0\]: .*leader/);
  });

  it("rejects an unknown key at the top level", () => {
    const error = errorFor((raw) => (raw.timezone = "Asia/Shanghai"));
    expect(error.message).toMatch(/\(root\): .*timezone/);
  });

  it("rejects a value of the wrong type, naming its path", () => {
    const error = errorFor((raw) => (raw.deadlines.measuresMinutes = "a day"));
    expect(error.message).toMatch(/deadlines\.measuresMinutes: /);
  });

  it("rejects a ping that names neither a department nor members", () => {
    const error = errorFor((raw) => (raw.escalation.plans.general[0] = { duty: "handle" }));
    expect(error.message).toMatch(/escalation\.plans\.general\[0\]: give either department or members/);
  });

  it("rejects duplicate member ids, pointing at the second", () => {
    let index = -1;
    const error = errorFor((raw) => {
      raw.members.push({ ...raw.members[0] });
      index = raw.members.length - 1;
    });
    expect(error.message).toContain(`members[${index}].id: duplicate id`);
  });

  it("rejects duplicate department ids, pointing at the second", () => {
    const error = errorFor((raw) => (raw.departments[1].id = raw.departments[0].id));
    expect(error.message).toContain("departments[1].id: duplicate id");
  });

  it.each([
    [50_000, 50_000],
    [60_000, 50_000],
  ])("rejects a level-3 claim threshold of %i with a level-2 threshold of %i", (level3ClaimCny, level2ClaimCny) => {
    const error = errorFor((raw) => (raw.triage = { level2ClaimCny, level3ClaimCny }));
    expect(error.message).toMatch(/triage: level3ClaimCny must be below level2ClaimCny/);
  });

  it("rejects a preferred platform the member has no identity on", () => {
    let index = -1;
    const error = errorFor((raw) => {
      index = memberIndex(raw, "wu.lei");
      raw.members[index].preferredPlatform = "wecom";
    });
    expect(error.message).toContain(`members[${index}].preferredPlatform: no wecom identity to prefer`);
  });
});

describe("loadOrganisationFile", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hotline-org-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const configErrorOf = (path: string): ConfigError => {
    try {
      loadOrganisationFile(path);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error("expected a ConfigError");
  };

  it("reports a missing file with ORG_CONFIG and the path", () => {
    const path = join(dir, "missing.yaml");
    const error = configErrorOf(path);
    expect(error.message).toContain("ORG_CONFIG");
    expect(error.message).toContain(path);
  });

  it("reports invalid YAML with ORG_CONFIG and the path", () => {
    const path = join(dir, "broken.yaml");
    writeFileSync(path, "name: { zh: 坏, en: [unclosed\n  - :\n");
    const error = configErrorOf(path);
    expect(error.message).toContain("ORG_CONFIG");
    expect(error.message).toContain(path);
    expect(error.message).toContain("YAML");
  });

  it("reports invalid JSON in a .json file with ORG_CONFIG and the path", () => {
    const path = join(dir, "broken.json");
    writeFileSync(path, '{ "name": ');
    const error = configErrorOf(path);
    expect(error.message).toContain("ORG_CONFIG");
    expect(error.message).toContain(path);
    expect(error.message).toContain("JSON");
  });

  it("loads a valid organisation written as JSON", () => {
    const path = join(dir, "organisation.json");
    writeFileSync(path, JSON.stringify(rawDefaultOrganisation()));
    expect(loadOrganisationFile(path)).toEqual(defaultOrganisation());
  });

  it("turns a schema error in a JSON file into a ConfigError naming the path and the key path", () => {
    const path = join(dir, "organisation.json");
    const raw = rawDefaultOrganisation();
    raw.departments[0].lead = "nobody";
    writeFileSync(path, JSON.stringify(raw));
    const error = configErrorOf(path);
    expect(error.message).toContain(path);
    expect(error.message).toContain("departments[0].lead");
  });

  it("turns an empty YAML file into a ConfigError naming the path", () => {
    const path = join(dir, "empty.yaml");
    writeFileSync(path, "");
    expect(configErrorOf(path).message).toContain(path);
  });
});
