/**
 * Business time: the manual's "same day" is a local day at the service network's location
 * (Asia/Shanghai by default), whatever time zone the server runs in.
 */

/** Building a formatter costs far more than using one: one per time zone, kept. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's clock at an instant, read off the formatter (exact, and slow next to arithmetic). */
function formattedParts(instant: Date, timeZone: string) {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute"), second: get("second") };
}

/** Milliseconds the zone is ahead of UTC at that instant. */
function zoneOffsetMs(instant: Date, timeZone: string): number {
  const p = formattedParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

const HOUR_MS = 3_600_000;
/** Offsets by zone and UTC hour, for hours the offset does not change in; a few days' worth. */
const hourOffsets = new Map<string, number>();

/**
 * The zone's offset at an instant, computed once per hour: an offset that is the same at both ends
 * of an hour holds for all of it (zones change offset months apart). An hour with a change in it
 * is computed exactly every time.
 */
function offsetAt(instant: Date, timeZone: string): number {
  const hour = Math.floor(instant.getTime() / HOUR_MS);
  const key = `${timeZone} ${hour}`;
  const known = hourOffsets.get(key);
  if (known !== undefined) return known;
  const atStart = zoneOffsetMs(new Date(hour * HOUR_MS), timeZone);
  if (atStart !== zoneOffsetMs(new Date((hour + 1) * HOUR_MS - 1), timeZone)) return zoneOffsetMs(instant, timeZone);
  if (hourOffsets.size >= 256) hourOffsets.clear();
  hourOffsets.set(key, atStart);
  return atStart;
}

function localParts(instant: Date, timeZone: string) {
  const local = wallClock(instant, timeZone);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
  };
}

/** The local calendar date, `YYYY-MM-DD`. */
export function localDate(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** The instant a local calendar date (`YYYY-MM-DD`) begins. */
export function startOfLocalDate(date: string, timeZone: string): Date {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const guess = new Date(Date.UTC(year, month - 1, day));
  // Two passes settle the offset across a daylight-saving change. Where the clocks skip midnight
  // (America/Santiago) the second lands on the day before; the day then starts at the first.
  const first = new Date(guess.getTime() - zoneOffsetMs(guess, timeZone));
  const second = new Date(guess.getTime() - zoneOffsetMs(first, timeZone));
  return localDate(second, timeZone) === date ? second : first;
}

/** The last millisecond of the local day that contains `instant`. */
export function endOfLocalDay(instant: Date, timeZone: string): Date {
  const [year, month, day] = localDate(instant, timeZone).split("-").map(Number) as [number, number, number];
  const nextDay = new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
  return new Date(startOfLocalDate(nextDay, timeZone).getTime() - 1);
}

/**
 * The zone's wall clock at an instant, as a Date whose UTC fields read it (10:00 in Shanghai is
 * `…T10:00:00Z`): for writers that store a time without a zone, such as a spreadsheet's cells.
 */
export function wallClock(instant: Date, timeZone: string): Date {
  return new Date(instant.getTime() + offsetAt(instant, timeZone));
}

/** `YYYY-MM-DD HH:mm` in local time, for messages: one read of the zone's clock, not two. */
export function formatLocalTime(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

export const minutes = (n: number) => n * 60_000;
