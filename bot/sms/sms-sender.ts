import type { MessageTemplate } from "../../core/escalation/notification.js";
import { maskPhone } from "../../core/tickets/ticket.js";
import { PermanentDeliveryError, RateLimitedDeliveryError, type Sender } from "../../jobs/delivery-queue.js";
import type { Logger } from "../logger.js";
import { SmsProviderError, type SmsProvider } from "./sms-provider.js";

/** E.164: "+", a country code not starting with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

export interface SmsSenderOptions {
  provider: SmsProvider;
  /** The provider's template code for each template core writes (receipt → SMS_…). */
  templateCodes: Partial<Record<MessageTemplate["id"], string>>;
  log: Logger;
}

/**
 * The `sms` channel's sender: a customer's message as the provider's approved template, with the
 * template's parameters clipped to the provider's limit. The card is not sent: an SMS in China
 * carries only approved templates.
 */
export function createSmsSender(options: SmsSenderOptions): Sender {
  const { provider, templateCodes } = options;
  const log = options.log.child({ module: "sms" });
  return async ({ deliveryId, recipient, template }) => {
    if (recipient.kind !== "customer" || recipient.platform !== "sms") throw new PermanentDeliveryError(`SMS goes only to a customer's mobile, not to a ${recipient.kind}`);
    if (!E164.test(recipient.address)) throw new PermanentDeliveryError(`${maskPhone(recipient.address)} is not a mobile number in E.164 (+8613812345678)`);
    if (!template) throw new PermanentDeliveryError("an SMS needs an approved template, and this message has none");
    const templateCode = templateCodes[template.id];
    if (!templateCode) throw new PermanentDeliveryError(`no SMS template code is configured for the "${template.id}" template`);
    try {
      const { bizId } = await provider.send({ phone: recipient.address, templateCode, params: clipTemplateParams(template.params, provider.paramMaxChars) });
      log.info({ delivery: deliveryId, bizId }, "SMS accepted");
    } catch (error) {
      throw deliveryErrorOf(error);
    }
  };
}

/** Each value clipped to `maxChars` characters (code points, so a surrogate pair is never cut in two). */
export function clipTemplateParams(params: Record<string, string>, maxChars: number): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, clipChars(value, maxChars)]));
}

function clipChars(value: string, maxChars: number): string {
  const chars = Array.from(value);
  return chars.length <= maxChars ? value : chars.slice(0, maxChars).join("");
}

/** A provider's refusal as the delivery queue acts on it: fail now, wait, or try again. */
function deliveryErrorOf(error: unknown): unknown {
  if (!(error instanceof SmsProviderError)) return error;
  switch (error.kind) {
    case "refused":
      return new PermanentDeliveryError(error.message);
    case "rate_limited_recipient":
      return new RateLimitedDeliveryError(error.message, error.retryAfterMs ?? 60_000, "recipient");
    case "rate_limited_account":
      return new RateLimitedDeliveryError(error.message, error.retryAfterMs ?? 1_000, "lane");
    case "transient":
      return new Error(error.message);
  }
}
