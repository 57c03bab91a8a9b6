import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { z } from "zod";
import { formatIssues } from "../../core/directory/parse-organisation.js";
import { localeSchema } from "../../core/messages/locale.js";
import { parseEmail } from "../../core/validation/email.js";
import { PROJECT_ROOT } from "./paths.js";

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An IP address, or a host name such as localhost (RFC 1123 labels). */
function isHost(host: string): boolean {
  return isIP(host) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host);
}

/** An smtp:// or smtps:// URL with a host and, if any, a port in range; credentials percent-encoded. */
function isSmtpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    const port = url.port === "" ? 1 : Number(url.port);
    return (url.protocol === "smtp:" || url.protocol === "smtps:") && url.hostname !== "" && port >= 1 && port <= 65535;
  } catch {
    return false;
  }
}

/** `hotline@example.com` or `Hotline <hotline@example.com>`. */
function isMailbox(text: string): boolean {
  const named = /^[^<>]*<([^<>]+)>$/.exec(text.trim());
  return parseEmail(named ? named[1]! : text).ok;
}

/** Every setting the bot reads from the environment; `.env.example` documents each. */
const envSchema = z.object({
  /** SQLite for one machine, PostgreSQL for several processes (see the README's "Running on several machines"). */
  DATABASE_URL: z
    .string()
    .regex(/^(file:.+|postgres(ql)?:\/\/.+)/, "must be a SQLite file URL such as file:./data/hotline.db or a PostgreSQL URL such as postgresql://hotline@127.0.0.1:5432/hotline")
    .default("file:./data/hotline.db"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, "must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379")
    .default("redis://127.0.0.1:6379"),
  /** Prefix of every Redis key the bot writes, so deployments can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, _ or - (no ':')").default("hotline"),
  PORT: z.coerce
    .number({ error: "must be a port number from 1 to 65535" })
    .int("must be a port number from 1 to 65535")
    .min(1, "must be a port number from 1 to 65535")
    .max(65535, "must be a port number from 1 to 65535")
    .default(3000),
  /** The interface the HTTP server listens on: this machine only unless set (0.0.0.0 for every interface). */
  HOST: z.string().refine(isHost, "must be an IP address such as 127.0.0.1 or 0.0.0.0, or a host name such as localhost").default("127.0.0.1"),
  TZ: z.string().refine(isTimeZone, "must be an IANA time zone such as Asia/Shanghai").default("Asia/Shanghai"),
  DEFAULT_LOCALE: z.enum(localeSchema.options, { error: "must be zh-CN or en" }).default("zh-CN"),
  ORG_CONFIG: z.string().min(1).default("prisma/seed/organisation.yaml"),
  /** From @BotFather; without it the Telegram adapter stays off. */
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[A-Za-z0-9_-]+$/, "must be a bot token from @BotFather, like 123456789:AAE…")
    .optional(),
  TELEGRAM_API_ROOT: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://api.telegram.org" })
    .transform((url) => url.replace(/\/+$/, ""))
    .default("https://api.telegram.org"),
  /** Set to receive updates by webhook at POST /telegram/webhook; unset, the bot long-polls. */
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, "must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
    .optional(),
  /** Bot User OAuth Token (xoxb-…); without it the Slack adapter stays off. */
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-[A-Za-z0-9-]+$/, "must be a Bot User OAuth Token, like xoxb-…").optional(),
  /** From the app's Basic Information page: every request Slack sends is signed with it. */
  SLACK_SIGNING_SECRET: z.string().regex(/^[a-f0-9]{16,}$/, "must be the app's signing secret (hex, from Basic Information)").optional(),
  /** App-level token (xapp-…, scope connections:write): Socket Mode instead of the HTTP endpoint. */
  SLACK_APP_TOKEN: z.string().regex(/^xapp-[A-Za-z0-9-]+$/, "must be an app-level token, like xapp-…").optional(),
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://slack.com/api/" })
    .transform((url) => (url.endsWith("/") ? url : `${url}/`))
    .default("https://slack.com/api/"),
  /** WeCom (企业微信) app: all five below together turn the adapter on. */
  WECOM_CORP_ID: z.string().regex(/^[A-Za-z0-9]{6,64}$/, "must be the corp id (企业ID) from My Company, like ww1436e0e65a779aee").optional(),
  WECOM_AGENT_ID: z.coerce.number({ error: "must be the app's AgentId, a number" }).int().positive("must be the app's AgentId, a number").optional(),
  WECOM_SECRET: z.string().min(1).optional(),
  /** The callback's Token (回调 Token): signs every callback. */
  WECOM_TOKEN: z.string().regex(/^[A-Za-z0-9]{1,32}$/, "must be the callback Token: up to 32 letters and digits").optional(),
  /** The callback's EncodingAESKey: 43 characters. */
  WECOM_ENCODING_AES_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}$/, "must be the callback EncodingAESKey: 43 letters and digits").optional(),
  WECOM_API_BASE: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://qyapi.weixin.qq.com" })
    .transform((url) => url.replace(/\/+$/, ""))
    .default("https://qyapi.weixin.qq.com"),
  /** How customers get SMS: aliyun; unset, an SMS to a customer fails with "SMS is not configured". */
  SMS_PROVIDER: z.enum(["aliyun"], { error: "must be aliyun, or unset for no SMS to customers" }).optional(),
  /** A RAM user's AccessKey with AliyunDysmsFullAccess (or dysms:SendSms). */
  ALIYUN_SMS_ACCESS_KEY_ID: z.string().regex(/^[A-Za-z0-9]{8,64}$/, "must be an AccessKey ID: letters and digits, like LTAI5tAbCdEf…").optional(),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z.string().regex(/^[!-~]{8,128}$/, "must be the AccessKey secret: 8-128 printable characters, no spaces").optional(),
  /** The approved signature (短信签名), without 【】. */
  ALIYUN_SMS_SIGN_NAME: z.string().regex(/^[^【】[\]\s][^【】[\]]{0,63}$/, "must be the approved signature's name, without 【】").optional(),
  /** The approved template for the receipt (回执), its code like SMS_154950909. */
  ALIYUN_SMS_TEMPLATE_RECEIPT: z.string().regex(/^SMS_\d+$/, "must be an approved template's code, like SMS_154950909").optional(),
  ALIYUN_SMS_ENDPOINT: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://dysmsapi.aliyuncs.com/" })
    .transform((url) => (url.endsWith("/") ? url : `${url}/`))
    .default("https://dysmsapi.aliyuncs.com/"),
  /** The relay for mail to customers; unset, an e-mail to a customer fails with "e-mail is not configured". */
  SMTP_URL: z
    .string()
    .refine(isSmtpUrl, "must be an smtp:// or smtps:// URL such as smtp://user:password@mail.example.com:587 (percent-encode @ : / in the password)")
    .optional(),
  MAIL_FROM: z.string().refine(isMailbox, "must be an address, or a name and address such as Hotline <hotline@example.com>").optional(),
  /** The console's address as people open it: its links, and Secure cookies when it is https. */
  CONSOLE_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://hotline.example.com" })
    .transform((url) => url.replace(/\/+$/, ""))
    .optional(),
  CONSOLE_SESSION_HOURS: z.coerce
    .number({ error: "must be a number of hours from 1 to 168" })
    .int("must be a number of hours from 1 to 168")
    .min(1, "must be a number of hours from 1 to 168")
    .max(168, "must be a number of hours from 1 to 168")
    .default(12),
  /**
   * The font the PDF records are set in; it must hold Chinese. Checked when a PDF is made, so the
   * rest of the bot runs without it. @defaultValue Debian's fonts-noto-cjk
   */
  DOCUMENT_FONT: z.string().min(1).default("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
  /** The face of DOCUMENT_FONT to use when it is a collection (.ttc), by PostScript name. @defaultValue NotoSansCJKsc-Regular (Simplified Chinese) */
  DOCUMENT_FONT_FACE: z.string().min(1).default("NotoSansCJKsc-Regular"),
  /** The family of DOCUMENT_FONT the charts are drawn in (resvg chooses faces by family). @defaultValue Noto Sans CJK SC */
  DOCUMENT_FONT_FAMILY: z.string().min(1).default("Noto Sans CJK SC"),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { error: "must be fatal, error, warn, info, debug, trace or silent" })
    .default("info"),
});

export type Config = Readonly<z.infer<typeof envSchema>>;

const WECOM_SETTINGS = ["WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_ENCODING_AES_KEY"] as const;
const ALIYUN_SMS_SETTINGS = ["ALIYUN_SMS_ACCESS_KEY_ID", "ALIYUN_SMS_ACCESS_KEY_SECRET", "ALIYUN_SMS_SIGN_NAME", "ALIYUN_SMS_TEMPLATE_RECEIPT"] as const;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Parses the environment once; an empty value counts as unset, a bad one names the setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.keys(envSchema.shape).flatMap((key) => (env[key] ? [[key, env[key]]] : [])));
  const result = envSchema.safeParse(present);
  if (!result.success) throw new ConfigError(`Invalid setting in the environment:\n${formatIssues(result.error.issues)}`);
  if (result.data.SLACK_BOT_TOKEN && !result.data.SLACK_SIGNING_SECRET && !result.data.SLACK_APP_TOKEN) {
    throw new ConfigError(
      "SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN (Slack signs every request; copy it from the app's Basic Information page), unless SLACK_APP_TOKEN turns on Socket Mode",
    );
  }
  const wecom = WECOM_SETTINGS.filter((key) => result.data[key] !== undefined);
  if (wecom.length > 0 && wecom.length < WECOM_SETTINGS.length) {
    const missing = WECOM_SETTINGS.filter((key) => result.data[key] === undefined);
    throw new ConfigError(`${missing[0]}: required with ${wecom.join(", ")} (the WeCom adapter needs ${WECOM_SETTINGS.join(", ")})`);
  }
  checkCustomerChannels(result.data);
  return Object.freeze(result.data);
}

/** SMS and e-mail to customers are on only with every setting they need; half a set is a mistake. */
function checkCustomerChannels(config: z.infer<typeof envSchema>): void {
  const aliyun = ALIYUN_SMS_SETTINGS.filter((key) => config[key] !== undefined);
  if (config.SMS_PROVIDER === "aliyun" && aliyun.length < ALIYUN_SMS_SETTINGS.length) {
    const missing = ALIYUN_SMS_SETTINGS.filter((key) => config[key] === undefined);
    throw new ConfigError(`${missing[0]}: required with SMS_PROVIDER=aliyun (Aliyun SMS needs ${ALIYUN_SMS_SETTINGS.join(", ")})`);
  }
  if (config.SMS_PROVIDER === undefined && aliyun.length > 0) {
    throw new ConfigError(`SMS_PROVIDER: set it to aliyun to send SMS with ${aliyun.join(", ")} (or leave those unset)`);
  }
  if (config.SMTP_URL !== undefined && config.MAIL_FROM === undefined) {
    throw new ConfigError("MAIL_FROM: required with SMTP_URL (the From of mail to customers, like Hotline <hotline@example.com>)");
  }
  if (config.MAIL_FROM !== undefined && config.SMTP_URL === undefined) {
    throw new ConfigError("SMTP_URL: required with MAIL_FROM (the relay that sends mail to customers)");
  }
}

/** Reads `.env` at the repository root if there is one; variables already set win. */
export function loadDotEnv(): void {
  const file = join(PROJECT_ROOT, ".env");
  if (existsSync(file)) process.loadEnvFile(file);
}

/** A connection URL fit for a log line: its password, if any, replaced by `***`. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = "***";
    return parsed.toString();
  } catch {
    return url; // file: URLs and the like carry no password
  }
}
