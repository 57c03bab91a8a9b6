import { describe, expect, it } from "vitest";
import { ConsoleSubmissionStore } from "../../../prisma/stores/console-submission-store.js";
import { DIALECTS, pause, useStorage } from "./contract-support.js";

const KEY = "k1DfQm0X8h2bq5R7sVwYzA";
const AT = new Date("2026-11-26T02:00:00Z");
const FILED = { ticketNumber: "HL-20261126-0001", replies: [{ lines: ["已登记工单 HL-20261126-0001。"], tone: "success" as const }] };

describe.each(DIALECTS)("the console's form keys on %s", (dialect) => {
  const scene = useStorage(dialect, { organisation: false });
  /** A form's unit of work: the key claimed, then what the form does, in one transaction. */
  const unit = <T>(work: (submissions: ConsoleSubmissionStore) => Promise<T>) => scene.storage.transaction((tx) => work(new ConsoleSubmissionStore(tx)));
  const submissions = () => new ConsoleSubmissionStore(scene.storage);

  it("claims a key once, and keeps what its form did for the member who sent it", async () => {
    expect(await unit(async (log) => (await log.claim(KEY, "liu.fang", AT)) && (await log.settle(KEY, FILED), true))).toBe(true);
    expect(await unit((log) => log.claim(KEY, "liu.fang", AT))).toBe(false);
    expect(await unit((log) => log.claim(KEY, "zhou.min", AT))).toBe(false); // a key is one form's, whoever sends it
    expect(await submissions().find(KEY, "liu.fang")).toEqual({ memberId: "liu.fang", ...FILED });
    expect(await submissions().find(KEY, "zhou.min")).toBeUndefined();
  });

  it("lets one of two sends at once claim the key; the other waits and reads the outcome", async () => {
    const send = () =>
      unit(async (log) => {
        if (!(await log.claim(KEY, "liu.fang", AT))) return { ran: false, outcome: await log.find(KEY, "liu.fang") };
        await pause(50); // filing the ticket
        await log.settle(KEY, FILED);
        return { ran: true, outcome: await log.find(KEY, "liu.fang") };
      });
    const sends = await Promise.all([send(), send()]);
    expect(sends.map((s) => s.ran).sort()).toEqual([false, true]);
    expect(sends.map((s) => s.outcome?.ticketNumber)).toEqual([FILED.ticketNumber, FILED.ticketNumber]);
  });

  it("forgets a key whose form failed: it rolled back with the form, which can be sent again", async () => {
    const failure = new Error("the filing failed");
    await expect(unit(async (log) => (await log.claim(KEY, "liu.fang", AT), Promise.reject(failure)))).rejects.toBe(failure);
    expect(await submissions().find(KEY, "liu.fang")).toBeUndefined();
    expect(await unit((log) => log.claim(KEY, "liu.fang", AT))).toBe(true);
  });
});
