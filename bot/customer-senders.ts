import type { CustomerChannel } from "../core/escalation/notification.js";
import { PermanentDeliveryError, type Sender } from "../jobs/delivery-queue.js";
import type { Config } from "./config/env.js";
import type { Logger } from "./logger.js";

export const SMS_NOT_CONFIGURED = "SMS is not configured: set SMS_PROVIDER=aliyun and the ALIYUN_SMS_* settings, then `hotline deliveries retry <id>`";
export const EMAIL_NOT_CONFIGURED = "e-mail is not configured: set SMTP_URL and MAIL_FROM, then `hotline deliveries retry <id>`";

export interface CustomerSenders {
  senders: Record<CustomerChannel, Sender>;
  close(): void;
}

/**
 * The senders of messages to customers. A channel that is not configured still has one, which
 * fails its messages at once saying what to set: a receipt that cannot go out is then failed in
 * `hotline deliveries --failed` and on the ticket's timeline (receipt_failed), and its deadline
 * stays open, instead of waiting unseen for a setting nobody knows is missing.
 */
export async function createCustomerSenders(config: Config, log: Logger): Promise<CustomerSenders> {
  const closers: (() => void)[] = [];
  const sms = await smsSender(config, log);
  const email = await mailSender(config, log, closers);
  return { senders: { sms, email }, close: () => closers.forEach((close) => close()) };
}

async function smsSender(config: Config, log: Logger): Promise<Sender> {
  const { SMS_PROVIDER, ALIYUN_SMS_ACCESS_KEY_ID, ALIYUN_SMS_ACCESS_KEY_SECRET, ALIYUN_SMS_SIGN_NAME, ALIYUN_SMS_TEMPLATE_RECEIPT } = config;
  if (SMS_PROVIDER !== "aliyun" || !ALIYUN_SMS_ACCESS_KEY_ID || !ALIYUN_SMS_ACCESS_KEY_SECRET || !ALIYUN_SMS_SIGN_NAME) {
    log.info("SMS to customers: off (set SMS_PROVIDER=aliyun and the ALIYUN_SMS_* settings); such messages fail as not configured");
    return refusingSender(SMS_NOT_CONFIGURED);
  }
  const { AliyunSmsProvider } = await import("./sms/aliyun-sms-provider.js");
  const { createSmsSender } = await import("./sms/sms-sender.js");
  const provider = new AliyunSmsProvider({ accessKeyId: ALIYUN_SMS_ACCESS_KEY_ID, accessKeySecret: ALIYUN_SMS_ACCESS_KEY_SECRET, signName: ALIYUN_SMS_SIGN_NAME, endpoint: config.ALIYUN_SMS_ENDPOINT });
  log.info({ endpoint: config.ALIYUN_SMS_ENDPOINT }, "SMS to customers: Aliyun SMS");
  return createSmsSender({ provider, templateCodes: { receipt: ALIYUN_SMS_TEMPLATE_RECEIPT }, log });
}

async function mailSender(config: Config, log: Logger, closers: (() => void)[]): Promise<Sender> {
  if (!config.SMTP_URL || !config.MAIL_FROM) {
    log.info("e-mail to customers: off (set SMTP_URL and MAIL_FROM); such messages fail as not configured");
    return refusingSender(EMAIL_NOT_CONFIGURED);
  }
  const { MailSender } = await import("./mail/mail-sender.js");
  const mail = new MailSender({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, log });
  closers.push(() => mail.close());
  // The relay's host only: the URL carries the password.
  log.info({ relay: new URL(config.SMTP_URL).host }, "e-mail to customers: SMTP");
  return mail.send;
}

/** A channel nobody configured: each of its messages fails at once with `reason`. */
export function refusingSender(reason: string): Sender {
  return async () => {
    throw new PermanentDeliveryError(reason);
  };
}
