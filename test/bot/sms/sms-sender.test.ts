import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AliyunSmsProvider } from "../../../bot/sms/aliyun-sms-provider.js";
import { clipTemplateParams, createSmsSender } from "../../../bot/sms/sms-sender.js";
import type { Recipient } from "../../../core/escalation/notification.js";
import { PermanentDeliveryError, RateLimitedDeliveryError, type OutboundMessage } from "../../../jobs/delivery-queue.js";
import { FakeAliyunSms } from "../../fakes/aliyun-sms-server.js";

const KEY = { accessKeyId: "LTAI5tTestKey0001", accessKeySecret: "Very-Secret-Key-123" };
let sms: FakeAliyunSms;
beforeEach(async () => {
  sms = await FakeAliyunSms.start({ ...KEY, signName: "中华汽车", templates: { SMS_154950909: ["number", "result"] } });
});
afterEach(() => sms.close());

const sender = () =>
  createSmsSender({
    provider: new AliyunSmsProvider({ ...KEY, signName: "中华汽车", endpoint: sms.endpoint, flowControlWaitMs: 250 }),
    templateCodes: { receipt: "SMS_154950909" },
    log: pino({ level: "silent" }),
  });

const customer: Recipient = { kind: "customer", platform: "sms", address: "+8613812345678", name: "张先生" };
const message = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
  deliveryId: 1, mayHaveArrived: false, recipient: customer, card: { title: "回执", lines: ["已处理"] }, ticketId: null, view: null,
  template: { id: "receipt", params: { number: "HL-20261126-0007", result: "已更换制动总泵" } }, purpose: "receipt", ...overrides,
});

async function errorOf(send: Promise<void>): Promise<unknown> {
  return send.then(() => undefined, (e: unknown) => e);
}

describe("the SMS sender", () => {
  it("sends the message's template by its configured code, with its parameters", async () => {
    await sender()(message());
    expect(sms.accepted).toMatchObject([{ phone: "8613812345678", templateCode: "SMS_154950909", params: { number: "HL-20261126-0007", result: "已更换制动总泵" } }]);
  });

  it("cuts a parameter to Aliyun's 35 characters, counting an emoji as one and never cutting it in half", async () => {
    const long = `${"结".repeat(34)}😀😀😀`;
    await sender()(message({ template: { id: "receipt", params: { number: "HL-20261126-0007", result: long } } }));
    const sent = sms.accepted[0]!.params.result!;
    expect(sent).toBe(`${"结".repeat(34)}😀`);
    expect(Array.from(sent)).toHaveLength(35);
    expect(sent).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/); // no half of a surrogate pair
    expect(clipTemplateParams({ a: "x".repeat(35), b: "😀".repeat(36) }, 35)).toEqual({ a: "x".repeat(35), b: "😀".repeat(35) });
  });

  it("fails for good a message without a template, without a code for its template, or not to a customer's mobile", async () => {
    const cases: Partial<OutboundMessage>[] = [
      { template: undefined },
      { template: { id: "other" as "receipt", params: {} } },
      { recipient: { kind: "member", memberId: "wang.fang", name: "王芳", platform: "telegram", address: "200000001" } },
      { recipient: { ...customer, address: "13812345678" } },
    ];
    for (const overrides of cases) expect(await errorOf(sender()(message(overrides)))).toBeInstanceOf(PermanentDeliveryError);
    expect(((await errorOf(sender()(message({ template: undefined })))) as Error).message).toContain("needs an approved template");
    expect(((await errorOf(sender()(message({ recipient: { ...customer, address: "13812345678" } })))) as Error).message).toBe(
      "138****5678 is not a mobile number in E.164 (+8613812345678)",
    );
    expect(sms.answered).toEqual([]);
  });

  it("turns Aliyun's answers into what the queue does: fail now, wait for the number, or try again", async () => {
    sms.refuseNumber("8613812345678");
    const refused = await errorOf(sender()(message()));
    expect(refused).toBeInstanceOf(PermanentDeliveryError);
    expect((refused as Error).message).toBe("Aliyun SMS: isv.MOBILE_NUMBER_ILLEGAL (非法手机号)");

    const other = { ...customer, address: "+8613700000000" };
    sms.limitNext(1);
    const limited = await errorOf(sender()(message({ recipient: other })));
    expect(limited).toBeInstanceOf(RateLimitedDeliveryError);
    expect(limited).toMatchObject({ scope: "recipient", retryAfterMs: 250 });

    sms.failNext(1, 500);
    const broken = await errorOf(sender()(message({ recipient: other })));
    expect(broken).toBeInstanceOf(Error);
    expect(broken).not.toBeInstanceOf(PermanentDeliveryError);
    expect(broken).not.toBeInstanceOf(RateLimitedDeliveryError);
  });
});
