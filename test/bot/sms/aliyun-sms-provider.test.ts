import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AliyunSmsProvider } from "../../../bot/sms/aliyun-sms-provider.js";
import { SmsProviderError } from "../../../bot/sms/sms-provider.js";
import { FakeAliyunSms } from "../../fakes/aliyun-sms-server.js";

const KEY = { accessKeyId: "LTAI5tTestKey0001", accessKeySecret: "Very-Secret-Key-123" };
const RECEIPT = "SMS_154950909";
let sms: FakeAliyunSms;

beforeEach(async () => {
  sms = await FakeAliyunSms.start({ ...KEY, signName: "中华汽车", templates: { [RECEIPT]: ["number", "result"] } });
});
afterEach(() => sms.close());

const provider = (overrides: Partial<ConstructorParameters<typeof AliyunSmsProvider>[0]> = {}) =>
  new AliyunSmsProvider({ ...KEY, signName: "中华汽车", endpoint: sms.endpoint, flowControlWaitMs: 250, throttlingWaitMs: 40, ...overrides });

const receipt = { phone: "+8613812345678", templateCode: RECEIPT, params: { number: "HL-20261126-0007", result: "已更换制动总泵" } };

async function failureOf(send: Promise<unknown>): Promise<SmsProviderError> {
  const error = await send.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SmsProviderError);
  return error as SmsProviderError;
}

describe("Aliyun SMS SendSms", () => {
  it("sends a signed request the endpoint accepts, and returns its BizId", async () => {
    const { bizId } = await provider().send(receipt);
    expect(sms.accepted).toEqual([{ phone: "8613812345678", signName: "中华汽车", templateCode: RECEIPT, params: receipt.params, bizId }]);
    expect(bizId).not.toBe("");
  });

  it("signs every request afresh: two sends of the same message are both accepted", async () => {
    await provider().send(receipt);
    await provider().send(receipt);
    expect(sms.accepted).toHaveLength(2);
  });

  it("reads a refusal that will not change as refused, with Aliyun's code and message", async () => {
    sms.refuseNumber("8613900000000");
    const refused = await failureOf(provider().send({ ...receipt, phone: "+8613900000000" }));
    expect(refused).toMatchObject({ kind: "refused", code: "isv.MOBILE_NUMBER_ILLEGAL", providerMessage: "非法手机号" });
    expect(refused.message).toBe("Aliyun SMS: isv.MOBILE_NUMBER_ILLEGAL (非法手机号)");
    const missing = await failureOf(provider().send({ ...receipt, params: { number: "HL-20261126-0007" } }));
    expect(missing).toMatchObject({ kind: "refused", code: "isv.TEMPLATE_MISSING_PARAMETERS" });
  });

  it("reads a wrong secret as SignatureDoesNotMatch, naming the setting and never the secret", async () => {
    const wrong = await failureOf(provider({ accessKeySecret: "Not-The-Secret-999" }).send(receipt));
    expect(wrong).toMatchObject({ kind: "refused", code: "SignatureDoesNotMatch" });
    expect(wrong.message).toContain("check ALIYUN_SMS_ACCESS_KEY_SECRET");
    expect(wrong.message).not.toContain("Not-The-Secret-999");
    const stale = await failureOf(provider({ clock: () => new Date(Date.now() - 20 * 60_000) }).send(receipt));
    expect(stale).toMatchObject({ kind: "refused", code: "InvalidTimeStamp.Expired" });
    expect(stale.message).toContain("clock");
  });

  it("reads a balance too low as refused, to be retried by hand once the account is topped up", async () => {
    sms.limitNext(1, "isv.AMOUNT_NOT_ENOUGH", "账户余额不足");
    const poor = await failureOf(provider().send(receipt));
    expect(poor).toMatchObject({ kind: "refused", code: "isv.AMOUNT_NOT_ENOUGH" });
    expect(poor.message).toContain("hotline deliveries retry");
  });

  it("reads the per-number flow control as this number's rate limit, to wait flowControlWaitMs", async () => {
    sms.limitNext(1);
    expect(await failureOf(provider().send(receipt))).toMatchObject({ kind: "rate_limited_recipient", code: "isv.BUSINESS_LIMIT_CONTROL", providerMessage: "触发分钟级流控Permits:1", retryAfterMs: 250 });
  });

  it("reads throttling, the daily cap and an HTTP 429 as the account's rate limit", async () => {
    sms.limitNext(1, "Throttling.User", "Request was denied due to user flow control.");
    expect(await failureOf(provider().send(receipt))).toMatchObject({ kind: "rate_limited_account", retryAfterMs: 40 });
    sms.limitNext(1, "isv.DAY_LIMIT_CONTROL", "触发日发送限额");
    expect(await failureOf(provider().send(receipt))).toMatchObject({ kind: "rate_limited_account", retryAfterMs: 2_500 });
    sms.failNext(1, 429, { "retry-after": "3" });
    expect(await failureOf(provider().send(receipt))).toMatchObject({ kind: "rate_limited_account", code: "Throttling", retryAfterMs: 3_000 });
  });

  it("reads a 5xx, a system error and an unreachable endpoint as worth another attempt", async () => {
    sms.failNext(1, 503);
    expect(await failureOf(provider().send(receipt))).toMatchObject({ kind: "transient", code: "ServiceUnavailable" });
    sms.limitNext(1, "isp.SYSTEM_ERROR", "系统错误");
    expect(await failureOf(provider().send(receipt))).toMatchObject({ kind: "transient", code: "isp.SYSTEM_ERROR" });
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    expect(await failureOf(provider({ endpoint: `http://127.0.0.1:${closedPort}/` }).send(receipt))).toMatchObject({ kind: "transient", code: "network" });
    expect(sms.accepted).toEqual([]);
  });
});
