import { invalid, ok, type ParseResult } from "./result.js";

// Optional sign, currency prefix (¥ after NFKC folds ￥), body, currency suffix.
// The sign may sit on either side of the prefix: `-¥500`, `¥-500`.
const AMOUNT = /^([-−]?)\s*(?:¥|CNY|RMB)?\s*([-−]?)\s*(.+?)\s*(?:元|块钱?|CNY|RMB)?$/i;

// One number with an optional magnitude unit; thousands separators must group by three.
const TERM = /(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*([亿万千]?)\s*/gy;
const UNIT_EXPONENT: Readonly<Record<string, number>> = { 亿: 8, 万: 4, 千: 3, "": 0 };

/**
 * Parses an amount of money in yuan (CNY) typed by staff.
 *
 * Accepts plain numbers (`50000`, `50,000`, `12000.5`), currency markers
 * (`¥`, `￥`, `CNY`, `RMB`, `元`, `块`), Chinese magnitude units (`5万`, `3千`,
 * `1.2万元`, `5万3千`) and full-width digits (`５万`).
 *
 * @returns yuan rounded to 2 decimals, or `empty` / `amount_format` / `amount_negative`.
 */
export function parseAmountCny(input: string): ParseResult<number> {
  const text = input.normalize("NFKC").trim();
  if (text === "") return invalid("empty");
  const match = AMOUNT.exec(text);
  const value = match ? parseScaledDecimal(match[3] ?? "", 2) : undefined;
  if (match === null || value === undefined) return invalid("amount_format");
  if (match[1] || match[2]) return invalid("amount_negative");
  return ok(value);
}

/**
 * Parses a non-negative decimal with optional thousands separators and Chinese
 * magnitude units (千 10³, 万 10⁴, 亿 10⁸), e.g. `1.2万`, `50,000`, `5万3千`.
 * Shared with the mileage parser.
 *
 * @param text - already NFKC-normalised and trimmed.
 * @param decimals - decimal places to round to.
 * @returns the value, or `undefined` unless `text` is exactly one such number.
 */
export function parseScaledDecimal(text: string, decimals: number): number | undefined {
  const terms = [...text.matchAll(TERM)].map(toTerm);
  const consumed = terms.reduce((n, term) => n + term.length, 0);
  if (terms.length === 0 || consumed !== text.length) return undefined;
  if (terms.length > 1 && !isCompound(terms)) return undefined;
  // Scaling via the exponent keeps decimal input exact: `1.1万` is 11000, not 11000.000000000002.
  const scaled = terms.reduce(
    (sum, t) => sum + Number(`${t.digits}${t.fraction}e${t.exponent + decimals}`),
    0,
  );
  const rounded = Math.round(scaled);
  // Beyond 2^53 the digits typed are no longer the digits stored.
  return Number.isSafeInteger(rounded) ? rounded / 10 ** decimals : undefined;
}

type Term = { length: number; digits: string; fraction: string; exponent: number };

function toTerm(match: RegExpMatchArray): Term {
  return {
    length: match[0].length,
    digits: (match[1] ?? "").replace(/,/g, ""),
    fraction: match[2] ?? "",
    exponent: UNIT_EXPONENT[match[3] ?? ""] ?? 0,
  };
}

// `5万3千` and `1亿5000万` read unambiguously; `5万3`, `3千5万`, `5万13千` or
// `1.5万3千` do not, so every part needs a unit and must fit below the previous one.
function isCompound(terms: Term[]): boolean {
  return terms.every((term, i) => {
    const previous = terms[i - 1];
    if (term.exponent === 0 || term.fraction !== "") return false;
    if (previous === undefined) return true;
    return Number(term.digits) < 10 ** (previous.exponent - term.exponent);
  });
}

/** An amount kept in fen (分), as people read it: `¥52,000.00`. */
export function formatFen(fen: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency: "CNY", currencyDisplay: "narrowSymbol" }).format(fen / 100);
}
