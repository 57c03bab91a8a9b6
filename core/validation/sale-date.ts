import { invalid, ok, type ParseResult } from "./result.js";

// 2024-03-15, 2024/3/15, 2024.3.15, 2024年3月15日, 20240315.
const SEPARATED = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

/**
 * Parses a vehicle's sale date typed by staff, where its warranty starts.
 *
 * @param today - the business day (YYYY-MM-DD): a sale cannot be later.
 * @returns the date as YYYY-MM-DD, or `empty` / `date_format` / `date_future`.
 */
export function parseSaleDate(input: string, today: string): ParseResult<string> {
  const text = input.normalize("NFKC").trim();
  if (text === "") return invalid("empty");
  const match = SEPARATED.exec(text) ?? COMPACT.exec(text);
  if (!match) return invalid("date_format");
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2024-02-30 over into March: a date that does not round-trip does not exist.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || year < 1980) return invalid("date_format");
  const iso = date.toISOString().slice(0, 10);
  return iso > today ? invalid("date_future") : ok(iso);
}
