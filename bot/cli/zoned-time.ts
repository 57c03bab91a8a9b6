import { formatLocalTime } from "../../core/time/business-time.js";

/** One formatter per zone: building one costs far more than using it. */
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at that instant, as `+08:00` (ICU's "GMT+08:00"; plain "GMT" at zero). */
export function utcOffset(instant: Date, timeZone: string): string {
  let formatter = offsetFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
    offsetFormatters.set(timeZone, formatter);
  }
  const name = formatter.formatToParts(instant).find((part) => part.type === "timeZoneName")?.value ?? "GMT";
  return name === "GMT" ? "+00:00" : name.slice("GMT".length);
}

/** `2026-11-27 10:48 +08:00`: business time, with the offset so it cannot be read as another zone's. */
export function formatZonedTime(instant: Date, timeZone: string): string {
  return `${formatLocalTime(instant, timeZone)} ${utcOffset(instant, timeZone)}`;
}

/** ISO 8601 in business time, to the millisecond: `2026-11-27T10:48:05.123+08:00`, for JSON output. */
export function isoZonedTime(instant: Date, timeZone: string): string {
  const offset = utcOffset(instant, timeZone);
  const sign = offset.startsWith("-") ? -1 : 1;
  const [hours, minutes] = offset.slice(1).split(":").map(Number) as [number, number];
  const local = new Date(instant.getTime() + sign * (hours * 60 + minutes) * 60_000);
  return `${local.toISOString().slice(0, 23)}${offset}`;
}
