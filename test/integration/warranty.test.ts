import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeOrganisationFile } from "../support/organisation.js";
import { GENERAL_FAULT } from "../support/report-script.js";
import { FIRST_TICKET, say, useTestApp } from "../support/test-app.js";

/*
 * §5 质量担保期内的故障维修按质量担保规定的要求执行: every ticket shows whether the fault falls within
 * the vehicle's warranty, from the sale date and the mileage the report gave, and why.
 */

const scene = useTestApp();
const NUMBER = FIRST_TICKET;

/** The general fault of a Haise with this mileage and sale date (as typed in the dialog). */
const haiseFault = (mileage: string, saleDate: string) => GENERAL_FAULT.map((line, i) => (i === 5 ? mileage : i === 20 ? saleDate : line));
async function report(lines: readonly string[]) {
  for (const line of [...lines, "1"]) await say(scene.app, "wang.fang", line);
}
const warrantyOn = async (memberId: string) => (await say(scene.app, memberId, `/status ${NUMBER}`)).text.split("\n").find((line) => /^(质量担保|Warranty)/.test(line));

describe("a ticket's warranty on /status", () => {
  it("is in with the sale date and the mileage within the terms, in the reader's language", async () => {
    await report(haiseFault("1.2万", "2025年8月20日"));
    expect(await warrantyOn("wang.fang")).toBe("质量担保：在保（售出 1 年 3 个月，12,000 km；担保 2 年/6 万公里）");
    await say(scene.app, "zhou.min", "/lang en");
    expect(await warrantyOn("zhou.min")).toBe("Warranty: in warranty (sold 1 year 3 months ago, 12,000 km; terms 2 years / 60,000 km)");
  });

  it("is out past the kilometres, though the years are within", async () => {
    await report(haiseFault("65000", "2025-08-20"));
    expect(await warrantyOn("zhou.min")).toBe("质量担保：已过保，超过担保里程（售出 1 年 3 个月，65,000 km；担保 2 年/6 万公里）");
  });

  it("is read on the day the fault was reported, not the day it is looked at", async () => {
    await report(haiseFault("12000", "2024-11-26"));
    expect(await warrantyOn("zhou.min")).toBe("质量担保：在保（售出 2 年，12,000 km；担保 2 年/6 万公里）");
    scene.clock.now = new Date("2027-06-01T02:00:00Z");
    expect(await warrantyOn("zhou.min")).toBe("质量担保：在保（售出 2 年，12,000 km；担保 2 年/6 万公里）");
  });

  it("is unknown without a sale date", async () => {
    await report(haiseFault("12000", "unknown"));
    expect(await warrantyOn("zhou.min")).toBe("质量担保：不确定，销售日期不详（12,000 km；担保 2 年/6 万公里）");
  });

  it("follows the organisation file's terms", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hotline-warranty-"));
    try {
      const orgFile = writeOrganisationFile(dir, (raw) => (raw.warranty = { haise: { years: 1, km: 100_000 } }));
      await scene.restart({ ORG_CONFIG: orgFile });
      await report(haiseFault("12000", "2025-08-20"));
      expect(await warrantyOn("zhou.min")).toBe("质量担保：已过保，超过担保年限（售出 1 年 3 个月，12,000 km；担保 1 年/10 万公里）");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
