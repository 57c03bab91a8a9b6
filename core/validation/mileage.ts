import { parseScaledDecimal } from "./amount.js";
import { invalid, ok, type ParseResult } from "./result.js";

// Optional sign, body, optional unit. The lazy body lets `3千米` read as 3 km, not 3千 + 米.
const MILEAGE = /^([-−]?)\s*(.+?)\s*(?:km|公里|千米)?$/i;
const MAX_KM = 2_000_000;

/**
 * Parses an odometer reading in kilometres typed by staff.
 *
 * Accepts `12000`, `12,000`, `12000km`, `12000 公里`, `1.2万`, `1.2万公里` and
 * full-width digits.
 *
 * @returns whole kilometres in 0..2,000,000, or `empty` / `mileage_format` / `mileage_range`.
 */
export function parseMileageKm(input: string): ParseResult<number> {
  // NFKC also folds `㎞` to `km`.
  const text = input.normalize("NFKC").trim();
  if (text === "") return invalid("empty");
  const match = MILEAGE.exec(text);
  const km = match ? parseScaledDecimal(match[2] ?? "", 0) : undefined;
  if (match === null || km === undefined) return invalid("mileage_format");
  if (match[1] || km > MAX_KM) return invalid("mileage_range");
  return ok(km);
}
