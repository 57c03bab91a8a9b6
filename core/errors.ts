/** What went wrong, as a code adapters can branch on and translate: each has its sentence in the catalog. */
export const HOTLINE_ERROR_CODES = [
  "invalid_config",
  "invalid_input",
  "unknown_member",
  "ticket_not_found",
  "not_allowed",
  "invalid_transition",
  "nothing_to_acknowledge",
  "no_team",
  "no_seat",
  "not_in_department",
  "nothing_to_confirm",
  "not_awaiting_confirmation",
  "unknown_service_center",
  "not_assigned",
  "already_assigned",
  "not_first_line",
  "not_resolved",
  "no_logistics",
  "return_already_arranged",
  "return_not_requested",
  "not_transported",
  "milestone_recorded",
  "not_called_for",
  "unknown_department",
  "already_seated",
  "leader_seat",
  "agreement_not_ready",
  "no_record_form",
] as const;

export type HotlineErrorCode = (typeof HOTLINE_ERROR_CODES)[number];

/** The one domain error: a code, a developer-facing message, and details for the user-facing text. */
export class HotlineError extends Error {
  override readonly name = "HotlineError";
  constructor(
    readonly code: HotlineErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
  }
}

export function isHotlineError(error: unknown, code?: HotlineErrorCode): error is HotlineError {
  return error instanceof HotlineError && (code === undefined || error.code === code);
}

/** What a caught value says, for a log line or a delivery's last error: anything may be thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
