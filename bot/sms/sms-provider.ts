/** One templated SMS: providers in China send only templates they approved, with their parameters. */
export interface SmsRequest {
  /** E.164, like +8613812345678. */
  phone: string;
  /** The provider's code of an approved template (Aliyun: SMS_…). */
  templateCode: string;
  params: Record<string, string>;
}

/** The port every SMS provider implements: send one message, or throw an SmsProviderError. */
export interface SmsProvider {
  /** The provider's name in errors and logs. */
  readonly name: string;
  /** The longest a template parameter may be, in characters (Unicode code points). */
  readonly paramMaxChars: number;
  /** Resolves once the provider took the message, with its id for the message (Aliyun: BizId). */
  send(request: SmsRequest): Promise<{ bizId: string }>;
}

/**
 * What a refusal means for the message:
 * - `refused`: retrying will not change it (a bad number, a missing parameter, wrong credentials);
 * - `rate_limited_recipient`: this number had too many messages for now; others can be sent;
 * - `rate_limited_account`: the account is limited for now: wait before sending anything;
 * - `transient`: the provider failed (a 5xx, a system error): worth trying again.
 */
export type SmsFailureKind = "refused" | "rate_limited_recipient" | "rate_limited_account" | "transient";

/** The provider did not take the message: its own code and message, and what that means here. */
export class SmsProviderError extends Error {
  override readonly name = "SmsProviderError";
  constructor(
    readonly provider: string,
    readonly code: string,
    readonly providerMessage: string,
    readonly kind: SmsFailureKind,
    /** How long to wait before trying again, when the provider said (Retry-After) or we know. */
    readonly retryAfterMs?: number,
    /** What a person can do about it (the setting to check). */
    hint?: string,
  ) {
    super(`${provider}: ${code} (${providerMessage})${hint ? `; ${hint}` : ""}`);
  }
}
