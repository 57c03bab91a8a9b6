import { createHmac } from "node:crypto";

/*
 * Aliyun's RPC signature, version 1.0 with HMAC-SHA1, as the SMS API reference gives it:
 * 签名机制 (https://help.aliyun.com/document_detail/101343.html; in English "Signature method",
 * https://www.alibabacloud.com/help/en/sms/signature-method):
 *   1. every parameter except Signature, sorted by name;
 *   2. names and values percent-encoded as RFC 3986 says, in UTF-8: A-Z a-z 0-9 - _ . ~ stay,
 *      everything else is %XY (upper-case hex), a space is %20 (not +);
 *   3. name=value pairs joined with &: the canonicalized query string;
 *   4. StringToSign = "GET" + "&" + percentEncode("/") + "&" + percentEncode(canonicalized query);
 *   5. Signature = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)).
 * The reference's worked example (testId / testSecret, SendSms, 2017-07-12T02:42:19Z) is a test.
 */

/** RFC 3986 percent-encoding: encodeURIComponent leaves ! ' ( ) * alone, which Aliyun encodes. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Sorted by name in code-unit order (the names are ASCII), each pair encoded. */
export function canonicalizedQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((name) => name !== "Signature")
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name]!)}`)
    .join("&");
}

export function stringToSign(method: "GET" | "POST", params: Record<string, string>): string {
  return `${method}&${percentEncode("/")}&${percentEncode(canonicalizedQuery(params))}`;
}

export function rpcSignature(method: "GET" | "POST", params: Record<string, string>, accessKeySecret: string): string {
  return createHmac("sha1", `${accessKeySecret}&`).update(stringToSign(method, params), "utf8").digest("base64");
}

/** The signed query string to append to the endpoint after `?`. */
export function signedQuery(params: Record<string, string>, accessKeySecret: string): string {
  return `Signature=${percentEncode(rpcSignature("GET", params, accessKeySecret))}&${canonicalizedQuery(params)}`;
}
