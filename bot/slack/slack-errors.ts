import { ErrorCode, type WebAPICallError } from "@slack/web-api";
import { errorMessage } from "../../core/errors.js";
import { PermanentDeliveryError } from "../../jobs/delivery-queue.js";

/** Slack answers that retrying cannot change: the delivery fails at once and is kept. */
const PERMANENT_ERRORS = new Set([
  "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "user_not_visible", "invalid_blocks",
  "msg_too_long", "no_text", "cannot_dm_bot", "account_inactive", "invalid_auth", "not_authed", "restricted_action",
]);

/** The code of Slack's refusal (`channel_not_found`, …); undefined for a network or other failure. */
export function platformError(error: unknown): string | undefined {
  const e = error as WebAPICallError;
  return e?.code === ErrorCode.PlatformError ? (e as { data: { error: string } }).data.error : undefined;
}

/** A refusal no retry can change, as a permanent delivery failure; anything else as it was. */
export function permanentIfHopeless(error: unknown): unknown {
  const code = platformError(error);
  return code && PERMANENT_ERRORS.has(code) ? new PermanentDeliveryError(`Slack refused: ${code}`) : error;
}

/** A failure for the log: Slack's code when Slack refused, the message otherwise. */
export function describeSlackError(error: unknown): string {
  const code = platformError(error);
  if (code) return `Slack: ${code}`;
  return errorMessage(error);
}
