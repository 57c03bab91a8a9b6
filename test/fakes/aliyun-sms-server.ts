/**
 * A fake Aliyun SMS endpoint (https://dysmsapi.aliyuncs.com/) speaking real HTTP on 127.0.0.1:
 * `SendSms`, API version 2017-05-25, RPC style, GET with the parameters in the query.
 *
 *   const sms = await FakeAliyunSms.start({ accessKeyId, accessKeySecret, signName, templates: { SMS_1: ["number"] } });
 *   // point the provider's endpoint at sms.endpoint
 *
 * It checks what Aliyun's gateway checks, in its own code (not the bot's signer): the AccessKeyId,
 * the Timestamp within 15 minutes, the signature recomputed from the query as the reference says
 * (sorted, RFC 3986-encoded, "GET&%2F&" + encode(query), HMAC-SHA1 with secret + "&"), and a
 * SignatureNonce used once. Gateway refusals are HTTP 4xx with a JSON Code; SendSms's own answers
 * are HTTP 200 with Code "OK" or an isv.* code, as Aliyun answers. Tests can make it answer the
 * per-number flow control for the next sends, throttle, fail with a 5xx, or refuse a number.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { closeServer, startFakeServer } from "./fake-http.js";

export interface FakeAliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** The one approved signature. */
  signName: string;
  /** Approved templates: code → its variables, all required. */
  templates: Record<string, string[]>;
  /** Longest value of a variable, in characters. @defaultValue 35 */
  paramMaxChars?: number;
  /** The gateway's clock, for the Timestamp check. @defaultValue Date.now */
  now?: () => number;
}

export interface AcceptedSms {
  /** PhoneNumbers as sent. */
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  bizId: string;
}

export interface AnsweredRequest {
  status: number;
  code: string;
}

interface Answer {
  status: number;
  body: Record<string, string>;
  headers?: Record<string, string>;
}

/** Both sides of the gateway's clock it accepts (InvalidTimeStamp.Expired past it). */
const TIMESTAMP_WINDOW_MS = 15 * 60_000;
const COMMON = ["AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version", "Signature"];

export class FakeAliyunSms {
  readonly accepted: AcceptedSms[] = [];
  readonly answered: AnsweredRequest[] = [];
  private readonly nonces = new Set<string>();
  private readonly refusedNumbers = new Map<string, { code: string; message: string }>();
  private limited: { count: number; code: string; message: string } = { count: 0, code: "", message: "" };
  private broken: { count: number; status: number; headers: Record<string, string> } = { count: 0, status: 0, headers: {} };

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly options: FakeAliyunSmsOptions,
  ) {}

  static start(options: FakeAliyunSmsOptions): Promise<FakeAliyunSms> {
    return startFakeServer(
      (server, port) => new FakeAliyunSms(server, `http://127.0.0.1:${port}/`, options),
      (fake, req, res) => fake.handle(req, res),
    );
  }

  /** The next `count` valid sends get SendSms's per-number flow control (HTTP 200, as Aliyun answers it). */
  limitNext(count: number, code = "isv.BUSINESS_LIMIT_CONTROL", message = "触发分钟级流控Permits:1"): void {
    this.limited = { count, code, message };
  }

  /** The next `count` requests fail before any check: HTTP 429 (with Retry-After) or a broken 5xx. */
  failNext(count: number, status: 429 | 500 | 503, headers: Record<string, string> = {}): void {
    this.broken = { count, status, headers };
  }

  /** Sends to this number (as PhoneNumbers carries it) are refused with `code`. */
  refuseNumber(phone: string, code = "isv.MOBILE_NUMBER_ILLEGAL", message = "非法手机号"): void {
    this.refusedNumbers.set(phone, { code, message });
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _ of req); // a GET has no body; drain whatever came
    const answer = this.answer(req);
    const body: Record<string, string> = { RequestId: randomUUID(), ...answer.body };
    this.answered.push({ status: answer.status, code: body.Code ?? "" });
    const xml = new URL(req.url ?? "/", "http://fake").searchParams.get("Format")?.toUpperCase() === "XML";
    res.writeHead(answer.status, { "content-type": xml ? "text/xml;charset=utf-8" : "application/json;charset=utf-8", ...answer.headers });
    res.end(xml ? toXml(body) : JSON.stringify(body));
  }

  private answer(req: IncomingMessage): Answer {
    if (this.broken.count > 0) {
      this.broken.count -= 1;
      const code = this.broken.status === 429 ? "Throttling" : "ServiceUnavailable";
      return { status: this.broken.status, body: { Code: code, Message: this.broken.status === 429 ? "Request was denied due to request throttling." : "The request has failed due to a temporary failure of the server." }, headers: this.broken.headers };
    }
    if (req.method !== "GET") return gateway(400, "UnsupportedHTTPMethod", "This fake takes SendSms by GET only.");
    const query = (req.url ?? "/").split("?")[1] ?? "";
    const params = parseQuery(query);
    if (!params) return gateway(400, "InvalidParameter.Format", "Specified parameter format is not valid.");
    return this.checkGateway(params) ?? this.sendSms(params);
  }

  /** What the gateway refuses before the API sees the request. */
  private checkGateway(params: Map<string, string>): Answer | undefined {
    const missing = COMMON.find((name) => !params.has(name));
    if (missing) return gateway(400, `Missing${missing}`, `${missing} is mandatory for this action.`);
    if (params.get("AccessKeyId") !== this.options.accessKeyId) return gateway(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
    if (params.get("SignatureMethod") !== "HMAC-SHA1") return gateway(400, "InvalidSignatureMethod", "Specified signature method is not valid.");
    if (params.get("SignatureVersion") !== "1.0") return gateway(400, "InvalidSignatureVersion", "Specified signature version is not valid.");
    const timestamp = params.get("Timestamp")!;
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(timestamp)) return gateway(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");
    if (Math.abs((this.options.now ?? Date.now)() - Date.parse(timestamp)) > TIMESTAMP_WINDOW_MS) return gateway(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
    if (params.get("Signature") !== signatureOf(params, this.options.accessKeySecret)) return gateway(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
    const nonce = params.get("SignatureNonce")!;
    if (this.nonces.has(nonce)) return gateway(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
    this.nonces.add(nonce);
    if (params.get("Action") !== "SendSms") return gateway(404, "InvalidApi.NotFound", "Specified api is not found, please check your url and method.");
    if (params.get("Version") !== "2017-05-25") return gateway(400, "InvalidVersion", "Specified parameter Version is not valid.");
    return undefined;
  }

  /** SendSms itself: HTTP 200, Code OK or the isv.* code of what is wrong (API错误码). */
  private sendSms(params: Map<string, string>): Answer {
    const phone = params.get("PhoneNumbers") ?? "";
    const signName = params.get("SignName") ?? "";
    const templateCode = params.get("TemplateCode") ?? "";
    if (!isMobile(phone)) return api("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号");
    if (signName !== this.options.signName) return api("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名");
    const variables = this.options.templates[templateCode];
    if (!variables) return api("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板");
    let templateParams: unknown;
    try {
      templateParams = JSON.parse(params.get("TemplateParam") ?? "{}");
    } catch {
      return api("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值");
    }
    if (typeof templateParams !== "object" || templateParams === null || Object.values(templateParams).some((v) => typeof v !== "string")) {
      return api("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值");
    }
    const values = templateParams as Record<string, string>;
    const absent = variables.find((name) => !(name in values));
    if (absent) return api("isv.TEMPLATE_MISSING_PARAMETERS", `模版缺少变量: ${absent}`);
    const max = this.options.paramMaxChars ?? 35;
    const tooLong = variables.find((name) => Array.from(values[name]!).length > max);
    if (tooLong) return api("isv.PARAM_LENGTH_LIMIT", `参数超出长度限制: ${tooLong}`);
    const refused = this.refusedNumbers.get(phone);
    if (refused) return api(refused.code, refused.message);
    if (this.limited.count > 0) {
      this.limited.count -= 1;
      return api(this.limited.code, this.limited.message);
    }
    const bizId = `${Date.now()}${this.accepted.length}^0`;
    this.accepted.push({ phone, signName, templateCode, params: values, bizId });
    return { status: 200, body: { Code: "OK", Message: "OK", BizId: bizId } };
  }
}

const gateway = (status: number, code: string, message: string): Answer => ({ status, body: { Code: code, Message: message, HostId: "dysmsapi.aliyuncs.com" } });
const api = (code: string, message: string): Answer => ({ status: 200, body: { Code: code, Message: message } });

/** Name=value pairs as sent; undefined for a query that does not decode. A "+" is a plus: the reference encodes spaces as %20. */
function parseQuery(query: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  try {
    for (const pair of query.split("&").filter(Boolean)) {
      const at = pair.indexOf("=");
      const [name, value] = at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
      params.set(decodeURIComponent(name), decodeURIComponent(value));
    }
  } catch {
    return undefined;
  }
  return params;
}

/** The reference's percent-encoding: RFC 3986 unreserved characters stay, the rest is %XY of UTF-8. */
function encode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function signatureOf(params: Map<string, string>, secret: string): string {
  const names = [...params.keys()].filter((name) => name !== "Signature").sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const canonical = names.map((name) => `${encode(name)}=${encode(params.get(name)!)}`).join("&");
  return createHmac("sha1", `${secret}&`).update(`GET&${encode("/")}&${encode(canonical)}`).digest("base64");
}

/** SendSms's forms (PhoneNumbers): +86/0086/86 or nothing before 11 digits from 1; other countries' code and number. */
function isMobile(phone: string): boolean {
  return /^(\+86|0086|86)?1\d{10}$/.test(phone) || /^[1-9]\d{7,14}$/.test(phone);
}

function toXml(body: Record<string, string>): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const fields = Object.entries(body).map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join("");
  return `<?xml version='1.0' encoding='UTF-8'?><SendSmsResponse>${fields}</SendSmsResponse>`;
}
