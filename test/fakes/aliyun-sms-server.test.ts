import { afterEach, describe, expect, it } from "vitest";
import { signedQuery } from "../../bot/sms/aliyun-signature.js";
import { FakeAliyunSms } from "./aliyun-sms-server.js";

/** The request of the reference's worked example (签名机制, document 101343), as it gives it. */
const DOC_QUERY =
  "Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D&AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25";
const DOC_TIME = Date.parse("2017-07-12T02:42:19Z");

let fake: FakeAliyunSms | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const start = (now = () => DOC_TIME) =>
  FakeAliyunSms.start({ accessKeyId: "testId", accessKeySecret: "testSecret", signName: "阿里云短信测试专用", templates: { SMS_71390007: ["customer"] }, now });

function params(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AccessKeyId: "testId", Action: "SendSms", Format: "JSON", PhoneNumbers: "8613812345678", SignName: "阿里云短信测试专用",
    SignatureMethod: "HMAC-SHA1", SignatureNonce: crypto.randomUUID(), SignatureVersion: "1.0", TemplateCode: "SMS_71390007",
    TemplateParam: '{"customer":"张先生"}', Timestamp: "2017-07-12T02:42:19Z", Version: "2017-05-25", ...overrides,
  };
}

async function call(query: string): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${fake!.endpoint}?${query}`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe("the fake Aliyun SMS endpoint", () => {
  it("accepts the reference's worked example, signed with testSecret, and answers it in XML", async () => {
    fake = await start();
    const response = await fetch(`${fake.endpoint}?${DOC_QUERY}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<Code>OK<\/Code>/);
    expect(fake.accepted).toMatchObject([{ phone: "15300000001", templateCode: "SMS_71390007", params: { customer: "test" } }]);
  });

  it("refuses a signature made with another secret, and a changed parameter, as SignatureDoesNotMatch", async () => {
    fake = await start();
    expect(await call(signedQuery(params(), "otherSecret"))).toMatchObject({ status: 400, body: { Code: "SignatureDoesNotMatch" } });
    const tampered = signedQuery(params(), "testSecret").replace("PhoneNumbers=8613812345678", "PhoneNumbers=8613900000000");
    expect(await call(tampered)).toMatchObject({ status: 400, body: { Code: "SignatureDoesNotMatch" } });
    expect(fake.accepted).toEqual([]);
  });

  it("refuses a Timestamp more than 15 minutes off and a SignatureNonce used before", async () => {
    fake = await start(() => DOC_TIME + 16 * 60_000);
    expect(await call(signedQuery(params(), "testSecret"))).toMatchObject({ status: 400, body: { Code: "InvalidTimeStamp.Expired" } });
    await fake.close();
    fake = await start();
    const once = signedQuery(params(), "testSecret");
    expect(await call(once)).toMatchObject({ status: 200, body: { Code: "OK" } });
    expect(await call(once)).toMatchObject({ status: 400, body: { Code: "SignatureNonceUsed" } });
    expect(fake.accepted).toHaveLength(1);
  });

  it("answers SendSms's own refusals with HTTP 200: template, parameters, number, flow control", async () => {
    fake = await start();
    const send = (overrides: Record<string, string>) => call(signedQuery(params(overrides), "testSecret"));
    expect((await send({ TemplateCode: "SMS_1" })).body.Code).toBe("isv.SMS_TEMPLATE_ILLEGAL");
    expect((await send({ TemplateParam: "{}" })).body.Code).toBe("isv.TEMPLATE_MISSING_PARAMETERS");
    expect((await send({ TemplateParam: JSON.stringify({ customer: "长".repeat(36) }) })).body.Code).toBe("isv.PARAM_LENGTH_LIMIT");
    expect((await send({ PhoneNumbers: "12345" })).body.Code).toBe("isv.MOBILE_NUMBER_ILLEGAL");
    fake.refuseNumber("8613900000000", "isv.BLACK_KEY_CONTROL_LIMIT", "黑名单管控");
    expect((await send({ PhoneNumbers: "8613900000000" })).body.Code).toBe("isv.BLACK_KEY_CONTROL_LIMIT");
    fake.limitNext(1);
    expect(await send({})).toMatchObject({ status: 200, body: { Code: "isv.BUSINESS_LIMIT_CONTROL" } });
    expect(await send({})).toMatchObject({ status: 200, body: { Code: "OK" } });
    expect(fake.accepted).toHaveLength(1);
  });
});
