import { randomUUID } from "node:crypto";
import { errorMessage } from "../../core/errors.js";
import { signedQuery } from "./aliyun-signature.js";
import { SmsProviderError, type SmsFailureKind, type SmsProvider, type SmsRequest } from "./sms-provider.js";

export const ALIYUN_SMS_ENDPOINT = "https://dysmsapi.aliyuncs.com/";

/**
 * A template variable holds at most 35 characters unless Aliyun lifted the limit for the account
 * (长变量短信发送与字符限制, https://help.aliyun.com/zh/document_detail/3041859.html: "单个模板变量的长度
 * 可以超过默认的 35 字符上限" once lifted); past it SendSms answers isv.PARAM_LENGTH_LIMIT.
 */
export const ALIYUN_TEMPLATE_PARAM_MAX_CHARS = 35;

export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** The approved signature (短信签名), shown as 【…】 before the text. */
  signName: string;
  /** Tests point it at a local fake. @defaultValue ALIYUN_SMS_ENDPOINT */
  endpoint?: string;
  /**
   * How long a message waits after a flow control that names no time: the per-number limit
   * (isv.BUSINESS_LIMIT_CONTROL; the queue doubles it each time) and the account's daily or
   * monthly cap (ten times this). @defaultValue 60_000 (ms)
   */
  flowControlWaitMs?: number;
  /** How long the channel pauses after Throttling.* or an HTTP 429 without Retry-After. @defaultValue 1_000 (ms) */
  throttlingWaitMs?: number;
  /** One SendSms call, answer included; the reference asks for at least 1 s. @defaultValue 10_000 (ms) */
  timeoutMs?: number;
  clock?: () => Date;
}

/**
 * What each answer means (API错误码, https://help.aliyun.com/document_detail/101346.html, and the
 * gateway's common codes, e.g. https://help.aliyun.com/document_detail/48054.html):
 * - isv.BUSINESS_LIMIT_CONTROL: Aliyun's flow control per number (same signature and template to
 *   one number: 1 a minute, 5 an hour, a few a day for codes; 50 a day for notifications). Only
 *   that number must wait.
 * - Throttling.* (calls a second), isv.DAY_LIMIT_CONTROL / isv.MONTH_LIMIT_CONTROL (the caps set in
 *   the console): the whole account must wait; they lift by themselves.
 * - isp.SYSTEM_ERROR and other isp.* (the provider's fault), SignatureNonceUsed (a new request
 *   has a new nonce), HTTP 5xx: worth another attempt.
 * - Every other isv.* and gateway code is a refusal of this request that sending it again will
 *   not change: a bad number, a template parameter missing or too long, a wrong key or signature,
 *   a stale timestamp (the clock), a balance too low (isv.AMOUNT_NOT_ENOUGH, isv.OUT_OF_SERVICE:
 *   someone must top the account up; the failed message is then sent by `hotline deliveries retry`).
 */
const RECIPIENT_LIMITED = new Set(["isv.BUSINESS_LIMIT_CONTROL"]);
const ACCOUNT_THROTTLED = new Set(["Throttling", "Throttling.User", "Throttling.Api"]);
const ACCOUNT_CAPPED = new Set(["isv.DAY_LIMIT_CONTROL", "isv.MONTH_LIMIT_CONTROL"]);
const TRANSIENT = new Set(["SignatureNonceUsed", "ServiceUnavailable", "InternalError"]);
/** An isp.* code that is the caller's to fix, not the provider's fault. */
const REFUSED = new Set(["isp.RAM_PERMISSION_DENY"]);

/** What to fix, for refusals a person can fix: the setting or the account. */
const HINTS: Record<string, string> = {
  SignatureDoesNotMatch: "check ALIYUN_SMS_ACCESS_KEY_SECRET",
  "InvalidAccessKeyId.NotFound": "check ALIYUN_SMS_ACCESS_KEY_ID",
  "InvalidAccessKeyId.Inactive": "the AccessKey is disabled; enable it or set another",
  "InvalidTimeStamp.Expired": "this machine's clock is more than 15 minutes off",
  "isv.SMS_SIGNATURE_ILLEGAL": "check ALIYUN_SMS_SIGN_NAME",
  "isv.SMS_TEMPLATE_ILLEGAL": "check the ALIYUN_SMS_TEMPLATE_* codes",
  "isv.AMOUNT_NOT_ENOUGH": "top up the Aliyun account, then `hotline deliveries retry <id>`",
  "isv.OUT_OF_SERVICE": "top up the Aliyun account, then `hotline deliveries retry <id>`",
  "isp.RAM_PERMISSION_DENY": "grant the AccessKey's RAM user AliyunDysmsFullAccess",
};

interface SendSmsAnswer {
  Code?: string;
  Message?: string;
  BizId?: string;
  RequestId?: string;
}

/** Aliyun SMS (阿里云短信服务) `SendSms`, API version 2017-05-25, RPC style over HTTPS GET. */
export class AliyunSmsProvider implements SmsProvider {
  readonly name = "Aliyun SMS";
  readonly paramMaxChars = ALIYUN_TEMPLATE_PARAM_MAX_CHARS;
  private readonly endpoint: string;

  constructor(private readonly options: AliyunSmsOptions) {
    this.endpoint = options.endpoint ?? ALIYUN_SMS_ENDPOINT;
  }

  async send(request: SmsRequest): Promise<{ bizId: string }> {
    const url = `${this.endpoint}?${signedQuery(this.parameters(request), this.options.accessKeySecret)}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (error) {
      // The request may or may not have reached Aliyun (SendSms is not idempotent): tried again.
      throw new SmsProviderError(this.name, "network", errorMessage(error), "transient");
    }
    const answer = await answerOf(response);
    if (response.ok && answer?.Code === "OK") return { bizId: answer.BizId ?? "" };
    throw this.failure(response, answer);
  }

  /** SendSms's own parameters and the common ones (公共参数); Signature is added by signing. */
  private parameters(request: SmsRequest): Record<string, string> {
    return {
      AccessKeyId: this.options.accessKeyId,
      Action: "SendSms",
      Format: "JSON",
      PhoneNumbers: phoneNumberOf(request.phone),
      RegionId: "cn-hangzhou",
      SignName: this.options.signName,
      SignatureMethod: "HMAC-SHA1",
      SignatureNonce: randomUUID(),
      SignatureVersion: "1.0",
      TemplateCode: request.templateCode,
      TemplateParam: JSON.stringify(request.params),
      // ISO 8601 in UTC without milliseconds: yyyy-MM-ddTHH:mm:ssZ.
      Timestamp: (this.options.clock?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
      Version: "2017-05-25",
    };
  }

  private failure(response: Response, answer: SendSmsAnswer | undefined): SmsProviderError {
    const code = answer?.Code ?? `HTTP ${response.status}`;
    const message = answer?.Message ?? (response.statusText || "no message");
    if (response.status === 429) return new SmsProviderError(this.name, code, message, "rate_limited_account", retryAfterMs(response) ?? this.throttlingWaitMs());
    const kind = kindOf(code, response.status);
    const wait = kind === "rate_limited_recipient" ? this.flowControlWaitMs() : kind === "rate_limited_account" ? this.accountWaitMs(code) : undefined;
    return new SmsProviderError(this.name, code, message, kind, wait, HINTS[code]);
  }

  private flowControlWaitMs(): number {
    return this.options.flowControlWaitMs ?? 60_000;
  }

  private throttlingWaitMs(): number {
    return this.options.throttlingWaitMs ?? 1_000;
  }

  /** Throttling lifts within a second; a daily or monthly cap not before someone raises it or the period ends. */
  private accountWaitMs(code: string): number {
    return ACCOUNT_CAPPED.has(code) ? 10 * this.flowControlWaitMs() : this.throttlingWaitMs();
  }
}

function kindOf(code: string, status: number): SmsFailureKind {
  if (RECIPIENT_LIMITED.has(code)) return "rate_limited_recipient";
  if (ACCOUNT_THROTTLED.has(code) || ACCOUNT_CAPPED.has(code)) return "rate_limited_account";
  if (REFUSED.has(code)) return "refused";
  if (TRANSIENT.has(code) || code.startsWith("isp.")) return "transient";
  if (code.startsWith("isv.")) return "refused";
  return status >= 500 ? "transient" : "refused";
}

/**
 * SendSms takes a number in the Chinese mainland as +86…, 86… or the bare 11 digits, and others
 * as the country code and number without "+" (PhoneNumbers, SendSms reference,
 * https://help.aliyun.com/document_detail/55284.html): E.164 without its "+" is both.
 */
function phoneNumberOf(e164: string): string {
  return e164.replace(/^\+/, "");
}

async function answerOf(response: Response): Promise<SendSmsAnswer | undefined> {
  const text = await response.text().catch(() => "");
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as SendSmsAnswer) : undefined;
  } catch {
    return undefined;
  }
}

/** Retry-After in seconds (RFC 9110 §10.2.3); an HTTP date is not worth parsing for a one-second pause. */
function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
