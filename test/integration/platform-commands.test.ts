import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { COMMANDS } from "../../core/conversation/commands.js";
import { organisationTerms } from "../../core/directory/organisation-terms.js";
import { t } from "../../core/messages/catalog.js";
import { SCENARIO_PLATFORMS, startScenario, type Scenario } from "../support/platforms/index.js";

/*
 * One table of commands in core drives every platform's help: nothing is hand-kept per platform.
 * (Telegram's published menu and Slack's command words are checked against the same table in
 * test/core/conversation/commands.test.ts and the Telegram adapter's test.)
 */

describe.each(SCENARIO_PLATFORMS)("the command table on %s", (platform) => {
  let scenario: Scenario;
  beforeEach(async () => {
    scenario = await startScenario({ platform });
  });
  afterEach(() => scenario.stop());

  it("lists every command of the table in /help, to service-center staff and to after-sales alike", async () => {
    const terms = organisationTerms(scenario.app.org, "zh-CN");
    for (const memberId of ["wang.fang", "zhou.min"]) {
      const help = await scenario.say(memberId, "/help");
      for (const row of COMMANDS) expect(help.text, `${row.name} for ${memberId}`).toContain(`${row.usage} ${t("zh-CN", row.help, terms)}`);
      expect(help.text).toContain("/report [today|week|YYYY-MM-DD]");
      expect(help.text).toContain("/team <HL-…>");
    }
  });
});
