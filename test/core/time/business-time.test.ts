import { describe, expect, it } from "vitest";
import { endOfLocalDay, formatLocalTime, localDate, minutes, startOfLocalDate, wallClock } from "../../../core/time/business-time.js";

const SHANGHAI = "Asia/Shanghai";
const NEW_YORK = "America/New_York";
const at = (iso: string) => new Date(iso);

describe("localDate", () => {
  it("gives the Shanghai date, which turns at 16:00 UTC", () => {
    expect(localDate(at("2026-11-26T15:59:59.999Z"), SHANGHAI)).toBe("2026-11-26");
    expect(localDate(at("2026-11-26T16:00:00.000Z"), SHANGHAI)).toBe("2026-11-27");
  });

  it("crosses a year end in local time", () => {
    expect(localDate(at("2026-12-31T16:00:00Z"), SHANGHAI)).toBe("2027-01-01");
    expect(localDate(at("2027-01-01T04:59:59Z"), NEW_YORK)).toBe("2026-12-31");
  });

  it("pads months and days to two digits", () => {
    expect(localDate(at("2026-03-04T12:00:00Z"), "UTC")).toBe("2026-03-04");
  });
});

describe("startOfLocalDate", () => {
  it("gives local midnight in Shanghai", () => {
    expect(startOfLocalDate("2026-11-27", SHANGHAI)).toEqual(at("2026-11-26T16:00:00.000Z"));
    expect(startOfLocalDate("2027-01-01", SHANGHAI)).toEqual(at("2026-12-31T16:00:00.000Z"));
  });

  it("gives local midnight in New York on either side of daylight saving", () => {
    expect(startOfLocalDate("2026-03-08", NEW_YORK)).toEqual(at("2026-03-08T05:00:00.000Z"));
    expect(startOfLocalDate("2026-03-09", NEW_YORK)).toEqual(at("2026-03-09T04:00:00.000Z"));
    expect(startOfLocalDate("2026-11-01", NEW_YORK)).toEqual(at("2026-11-01T04:00:00.000Z"));
    expect(startOfLocalDate("2026-11-02", NEW_YORK)).toEqual(at("2026-11-02T05:00:00.000Z"));
  });

  it("starts a date whose midnight is skipped at its first instant, 01:00 local time", () => {
    expect(startOfLocalDate("2026-09-06", "America/Santiago")).toEqual(at("2026-09-06T04:00:00.000Z"));
    expect(startOfLocalDate("2026-03-08", "America/Havana")).toEqual(at("2026-03-08T05:00:00.000Z"));
  });

  it("is the inverse of localDate at midnight", () => {
    for (const date of ["2026-01-01", "2026-03-08", "2026-06-30", "2026-11-01", "2026-12-31"]) {
      for (const zone of [SHANGHAI, NEW_YORK, "UTC", "Asia/Kolkata"]) {
        const start = startOfLocalDate(date, zone);
        expect(localDate(start, zone)).toBe(date);
        expect(localDate(new Date(start.getTime() - 1), zone)).not.toBe(date);
      }
    }
  });
});

describe("endOfLocalDay", () => {
  it("ends a Shanghai day at 15:59:59.999 UTC, late in the evening", () => {
    expect(endOfLocalDay(at("2026-11-26T15:30:00Z"), SHANGHAI)).toEqual(at("2026-11-26T15:59:59.999Z"));
  });

  it("moves to the next day just after local midnight", () => {
    expect(endOfLocalDay(at("2026-11-26T16:00:00Z"), SHANGHAI)).toEqual(at("2026-11-27T15:59:59.999Z"));
    expect(endOfLocalDay(at("2026-11-26T16:30:00Z"), SHANGHAI)).toEqual(at("2026-11-27T15:59:59.999Z"));
  });

  it("keeps the last millisecond of the day on that day", () => {
    const end = at("2026-11-26T15:59:59.999Z");
    expect(endOfLocalDay(end, SHANGHAI)).toEqual(end);
  });

  it("ends the 23-hour day when New York springs forward on 2026-03-08", () => {
    const expected = at("2026-03-09T03:59:59.999Z");
    expect(endOfLocalDay(at("2026-03-08T05:00:00Z"), NEW_YORK)).toEqual(expected); // 00:00 EST
    expect(endOfLocalDay(at("2026-03-08T06:59:59Z"), NEW_YORK)).toEqual(expected); // 01:59:59 EST
    expect(endOfLocalDay(at("2026-03-08T07:00:00Z"), NEW_YORK)).toEqual(expected); // 03:00 EDT
    expect(endOfLocalDay(at("2026-03-09T03:59:59Z"), NEW_YORK)).toEqual(expected); // 23:59:59 EDT
    expect(endOfLocalDay(at("2026-03-09T04:00:00Z"), NEW_YORK)).toEqual(at("2026-03-10T03:59:59.999Z"));
  });

  it("ends the 25-hour day when New York falls back on 2026-11-01", () => {
    const expected = at("2026-11-02T04:59:59.999Z");
    expect(endOfLocalDay(at("2026-11-01T04:00:00Z"), NEW_YORK)).toEqual(expected); // 00:00 EDT
    expect(endOfLocalDay(at("2026-11-01T05:30:00Z"), NEW_YORK)).toEqual(expected); // first 01:30 (EDT)
    expect(endOfLocalDay(at("2026-11-01T06:30:00Z"), NEW_YORK)).toEqual(expected); // second 01:30 (EST)
    expect(endOfLocalDay(at("2026-11-02T04:59:59Z"), NEW_YORK)).toEqual(expected); // 23:59:59 EST
    expect(endOfLocalDay(at("2026-11-02T05:00:00Z"), NEW_YORK)).toEqual(at("2026-11-03T04:59:59.999Z"));
  });

  it("ends the day before a change at 23:59:59.999 local time", () => {
    expect(endOfLocalDay(at("2026-03-07T17:00:00Z"), NEW_YORK)).toEqual(at("2026-03-08T04:59:59.999Z"));
    expect(endOfLocalDay(at("2026-10-31T17:00:00Z"), NEW_YORK)).toEqual(at("2026-11-01T03:59:59.999Z"));
  });

  // Santiago and Havana move their clocks at local midnight: 00:00 never happens, the date starts at 01:00.
  it("ends the day before a change that skips local midnight at the last millisecond before the jump", () => {
    expect(endOfLocalDay(at("2026-09-05T20:00:00Z"), "America/Santiago")).toEqual(at("2026-09-06T03:59:59.999Z"));
    expect(endOfLocalDay(at("2026-03-07T20:00:00Z"), "America/Havana")).toEqual(at("2026-03-08T04:59:59.999Z"));
  });

  it("does not depend on the milliseconds of the instant", () => {
    expect(endOfLocalDay(at("2026-11-26T02:00:00.123Z"), SHANGHAI)).toEqual(at("2026-11-26T15:59:59.999Z"));
  });
});

describe("formatLocalTime", () => {
  it("shows the local date and time around Shanghai midnight", () => {
    expect(formatLocalTime(at("2026-11-26T15:59:00Z"), SHANGHAI)).toBe("2026-11-26 23:59");
    expect(formatLocalTime(at("2026-11-26T16:00:00Z"), SHANGHAI)).toBe("2026-11-27 00:00");
    expect(formatLocalTime(at("2026-11-26T16:05:30Z"), SHANGHAI)).toBe("2026-11-27 00:05");
  });

  it("shows midnight as 00, not 24", () => {
    expect(formatLocalTime(at("2026-11-27T00:00:00Z"), "UTC")).toBe("2026-11-27 00:00");
  });

  it("follows daylight saving in New York", () => {
    expect(formatLocalTime(at("2026-03-08T06:59:00Z"), NEW_YORK)).toBe("2026-03-08 01:59");
    expect(formatLocalTime(at("2026-03-08T07:00:00Z"), NEW_YORK)).toBe("2026-03-08 03:00");
    expect(formatLocalTime(at("2026-11-01T05:30:00Z"), NEW_YORK)).toBe("2026-11-01 01:30");
    expect(formatLocalTime(at("2026-11-01T06:30:00Z"), NEW_YORK)).toBe("2026-11-01 01:30");
  });
});

describe("minutes", () => {
  it("converts minutes to milliseconds", () => {
    expect(minutes(30)).toBe(1_800_000);
    expect(minutes(0)).toBe(0);
  });
});

describe("the local clock, read once per hour", () => {
  /** What Intl says the local time is, read afresh for each instant. */
  function reference(instant: Date, timeZone: string): string {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(instant);
    const get = (type: string) => parts.find((p) => p.type === type)!.value;
    return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
  }

  it("agrees with Intl around every offset change, in zones with odd offsets and half-hour shifts", () => {
    const zones = [SHANGHAI, NEW_YORK, "America/Santiago", "Europe/Berlin", "Australia/Lord_Howe", "America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham"];
    const changes = ["2026-03-08T07:00:00Z", "2026-04-05T15:00:00Z", "2026-09-06T04:00:00Z", "2026-10-04T15:30:00Z", "2026-11-01T06:00:00Z", "2026-03-29T01:00:00Z"];
    for (const timeZone of zones) {
      for (const change of changes) {
        // Every 7 minutes for 6 hours either side, so each hour is read before and after its change.
        for (let k = -51; k <= 51; k++) {
          const instant = new Date(Date.parse(change) + k * 7 * 60_000);
          expect(`${timeZone} ${formatLocalTime(instant, timeZone)}`).toBe(`${timeZone} ${reference(instant, timeZone)}`);
        }
      }
    }
  });
});

describe("wallClock", () => {
  it("reads the zone's clock as a Date whose UTC fields show it, to the millisecond, on both sides of a change", () => {
    expect(wallClock(at("2026-11-26T02:00:00.123Z"), SHANGHAI).toISOString()).toBe("2026-11-26T10:00:00.123Z");
    expect(wallClock(at("2026-11-26T16:30:00.000Z"), SHANGHAI).toISOString()).toBe("2026-11-27T00:30:00.000Z");
    // New York leaves daylight saving at 06:00 UTC on 1 November 2026: 01:59 EDT, then 01:00 EST.
    expect(wallClock(at("2026-11-01T05:59:00.000Z"), NEW_YORK).toISOString()).toBe("2026-11-01T01:59:00.000Z");
    expect(wallClock(at("2026-11-01T06:00:00.000Z"), NEW_YORK).toISOString()).toBe("2026-11-01T01:00:00.000Z");
  });
});
