/**
 * The soak judges the bot by what its people expect: each scripted answer's reply, each notice's
 * kind. If those expectations drift from the bot, the soak would report lost replies that were
 * only unexpected ones, so they are checked here against the real dialog and catalog.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { CATALOG } from "../../core/messages/catalog.js";
import { freshDatabaseFile, say, startTestApp } from "../support/test-app.js";
import { planChaos } from "./chaos.js";
import { checkTicketNumbers } from "./invariants.js";
import { noticeKind } from "./notices.js";
import { parseOptions } from "./options.js";
import { Random } from "./random.js";
import { DESCRIPTION_STEP, isReply, SCRIPTS, ticketNumberIn } from "./scripts.js";

describe("the soak's scripted reports", () => {
  let app: App;
  let db: ReturnType<typeof freshDatabaseFile>;

  beforeEach(async () => {
    db = freshDatabaseFile();
    app = await startTestApp(db.file);
  });

  afterEach(async () => {
    await app.close();
    db.cleanup();
  });

  for (const script of SCRIPTS) {
    it(`get the replies they wait for, in both languages: ${script.name}`, async () => {
      for (const memberId of ["wang.fang", "guo.tao"]) {
        let number: string | undefined;
        for (const [step, answer] of script.answers.entries()) {
          const text = step === DESCRIPTION_STEP ? `${answer} [soak:test:${memberId}]` : answer;
          const { text: reply } = await say(app, memberId, text);
          expect(isReply(script.replies[step]!, reply), `${memberId}, step ${step + 1} "${text}" got: ${reply.split("\n")[0]}`).toBe(true);
          // A reply is known by its text: it must not pass for the reply of the step before.
          if (step > 0) expect(isReply(script.replies[step - 1]!, reply)).toBe(false);
          number = ticketNumberIn(reply) ?? number;
        }
        const ticket = await app.core.tickets.findByNumber(number!);
        expect(ticket?.description).toContain(`[soak:test:${memberId}]`);
      }
    });
  }
});

describe("the soak's notices and chaos", () => {
  it("tells each kind of notice by its first line and a reply from none", () => {
    const filled = (template: string) => template.replace(/\{\w+\}/g, "HL-20261126-0001");
    for (const key of ["notify.new_ticket", "deadline.reminder", "deadline.escalated_to_you", "deadline.escalated_from_you", "deadline.missed", "notify.acknowledged", "notify.resolved", "team.title"] as const) {
      expect(noticeKind(filled(CATALOG[key].zh))).toBe(key);
      expect(noticeKind(filled(CATALOG[key].en))).toBe(key);
    }
    for (const reply of ["ack.done", "ask.kind", "summary.title", "error.nothing_to_acknowledge"] as const) {
      expect(noticeKind(filled(CATALOG[reply].zh))).toBeUndefined();
    }
    expect(noticeKind("HL-20261126-0001\n已登记工单 HL-20261126-0001。")).toBeUndefined();
  });

  it("draws the same chaos from the same seed, spread over the run, and another from another seed", () => {
    const plan = { kills: 8, aims: ["any moment", "at a deadline"] as const, flushes: 1, storms: 2, durationMs: 150_000 };
    const first = planChaos(new Random(7), plan);
    expect(planChaos(new Random(7), plan)).toEqual(first);
    expect(planChaos(new Random(8), plan)).not.toEqual(first);
    expect(first.filter((event) => event.kind === "kill").map((event) => event.kind === "kill" && event.aim)).toEqual(["any moment", "at a deadline", "any moment", "at a deadline", "any moment", "at a deadline", "any moment", "at a deadline"]);
    for (const event of first) expect(event.atMs).toBeGreaterThanOrEqual(8_000), expect(event.atMs).toBeLessThanOrEqual(145_000);
  });

  it("finds a ticket number given twice or left out, each day counted on its own", () => {
    const snapshot = (numbers: string[]) => ({
      snapshot: { at: 0, deliveries: [], deadlines: [], firings: [], pings: [], tickets: numbers.map((number, id) => ({ id, number, description: "", level: null, kind: "fault", createdAt: 0 })) },
    });
    expect(checkTicketNumbers(snapshot(["HL-20261126-0002", "HL-20261126-0001", "HL-20261127-0001"])).ok).toBe(true);
    expect(checkTicketNumbers(snapshot(["HL-20261126-0001", "HL-20261126-0001", "HL-20261126-0002"])).examples).toEqual(["20261126: #1 given twice"]);
    expect(checkTicketNumbers(snapshot(["HL-20261126-0001", "HL-20261126-0003", "HL-20261127-0002"])).examples).toEqual([
      "20261126: #2 missing among 2 tickets",
      "20261127: #1 missing among 1 tickets",
    ]);
    expect(checkTicketNumbers(snapshot(["HL-2026-1"])).ok).toBe(false);
  });

  it("takes flags over the environment and names a bad option", () => {
    expect(parseOptions(["--seed", "9"], { SOAK_SEED: "4", SOAK_KILLS: "3" })).toMatchObject({ seed: 9, kills: 3, users: 10, aims: ["any moment", "after an update", "after a Submit", "at a deadline"], platforms: ["telegram", "slack"] });
    expect(parseOptions(["--aims", "deadline", "--platforms", "telegram"], {})).toMatchObject({ aims: ["at a deadline"], platforms: ["telegram"] });
    expect(() => parseOptions(["--users", "0"], {})).toThrow(/--users/);
    expect(() => parseOptions(["--aims", "sometime"], {})).toThrow(/--aims/);
    expect(() => parseOptions(["--platforms", "slack"], {})).toThrow(/must include telegram/);
  });
});
