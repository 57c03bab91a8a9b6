import { describe, expect, it } from "vitest";
import { canonicalizedQuery, percentEncode, rpcSignature, signedQuery, stringToSign } from "../../../bot/sms/aliyun-signature.js";

/** The worked example of Aliyun's SMS signature reference (签名机制, document 101343): SendSms with testId / testSecret. */
const DOC_PARAMS = {
  AccessKeyId: "testId",
  Action: "SendSms",
  Format: "XML",
  OutId: "123",
  PhoneNumbers: "15300000001",
  RegionId: "cn-hangzhou",
  SignName: "阿里云短信测试专用",
  SignatureMethod: "HMAC-SHA1",
  SignatureNonce: "45e25e9b-0a6f-4070-8c85-2956eda1b466",
  SignatureVersion: "1.0",
  TemplateCode: "SMS_71390007",
  TemplateParam: '{"customer":"test"}',
  Timestamp: "2017-07-12T02:42:19Z",
  Version: "2017-05-25",
};

describe("Aliyun's RPC signature (HMAC-SHA1, version 1.0)", () => {
  it("reproduces the reference's worked example, string to sign and signature", () => {
    expect(stringToSign("GET", DOC_PARAMS)).toBe(
      "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25",
    );
    expect(rpcSignature("GET", DOC_PARAMS, "testSecret")).toBe("zJDF+Lrzhj/ThnlvIToysFRq6t4=");
    expect(signedQuery(DOC_PARAMS, "testSecret")).toMatch(/^Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D&AccessKeyId=testId&Action=SendSms&/);
  });

  it("percent-encodes as RFC 3986: unreserved characters stay, a space is %20, ! ' ( ) * are encoded", () => {
    expect(percentEncode("AZaz09-_.~")).toBe("AZaz09-_.~");
    expect(percentEncode("a b+c*d")).toBe("a%20b%2Bc%2Ad");
    expect(percentEncode("!'()")).toBe("%21%27%28%29");
    expect(percentEncode("回执😀")).toBe("%E5%9B%9E%E6%89%A7%F0%9F%98%80");
  });

  it("sorts by name and leaves Signature out of what is signed", () => {
    expect(canonicalizedQuery({ b: "2", Signature: "x", a: "1", B: "0" })).toBe("B=0&a=1&b=2");
  });
});
