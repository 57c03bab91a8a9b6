/**
 * Machine codes for why a typed answer was rejected. The dialog maps them to
 * zh/en messages, so this module carries no human-readable text.
 */
export type InvalidReason =
  | "empty"
  | "vin_length"
  | "vin_characters"
  | "vin_check_digit"
  | "phone_format"
  | "amount_format"
  | "amount_negative"
  | "mileage_format"
  | "mileage_range"
  | "date_format"
  | "date_future"
  | "email_format";

/** Outcome of parsing one answer: the normalised value, or the reason it was rejected. */
export type ParseResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: InvalidReason };

/** Wraps an accepted, normalised value. */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** Wraps a rejection; assignable to any `ParseResult<T>`. */
export function invalid(reason: InvalidReason): { ok: false; reason: InvalidReason } {
  return { ok: false, reason };
}
