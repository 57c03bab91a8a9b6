import { invalid, ok, type ParseResult } from "./result.js";

// ISO 3779 / GB 16735 alphabet: I, O and Q are never used, to avoid confusion with 1 and 0.
const VIN_ALPHABET = /^[A-HJ-NPR-Z0-9]*$/;
const VIN_LENGTH = 17;
const CHECK_DIGIT_INDEX = 8;

// Transliteration table (ISO 3779 / GB 16735-2019 附录): letters run 1–9, skipping I, O, Q.
const LETTER_VALUES: Readonly<Record<string, number>> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};

// Position weights; position 9 (the check digit itself) weighs 0.
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/**
 * Parses a vehicle identification number typed by staff.
 *
 * Trims, drops spaces and dashes, folds full-width characters and upper-cases,
 * then requires 17 characters of the VIN alphabet and a valid position-9 check
 * digit. GB 16735 makes the check digit mandatory for vehicles sold in China,
 * unlike ISO 3779 where it is optional.
 *
 * @returns the normalised VIN, or `empty` / `vin_characters` / `vin_length` / `vin_check_digit`.
 */
export function parseVin(input: string): ParseResult<string> {
  // NFKC folds full-width letters and digits that Chinese IMEs often produce.
  const vin = input.normalize("NFKC").replace(/[\s-]/g, "").toUpperCase();
  if (vin === "") return invalid("empty");
  if (!VIN_ALPHABET.test(vin)) return invalid("vin_characters");
  if (vin.length !== VIN_LENGTH) return invalid("vin_length");
  if (vin[CHECK_DIGIT_INDEX] !== checkDigit(vin)) return invalid("vin_check_digit");
  return ok(vin);
}

/** Weighted sum of transliterated characters mod 11; a remainder of 10 is written `X`. */
function checkDigit(vin: string): string {
  const sum = [...vin].reduce((acc, char, i) => acc + transliterate(char) * (WEIGHTS[i] ?? 0), 0);
  const remainder = sum % 11;
  return remainder === 10 ? "X" : String(remainder);
}

function transliterate(char: string): number {
  return LETTER_VALUES[char] ?? Number(char);
}
