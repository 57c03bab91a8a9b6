import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, withoutPassword } from "../../../bot/config/env.js";

const DEFAULTS = {
  DATABASE_URL: "file:./data/hotline.db",
  REDIS_URL: "redis://127.0.0.1:6379",
  REDIS_PREFIX: "hotline",
  PORT: 3000,
  HOST: "127.0.0.1",
  TZ: "Asia/Shanghai",
  DEFAULT_LOCALE: "zh-CN",
  ORG_CONFIG: "prisma/seed/organisation.yaml",
  TELEGRAM_API_ROOT: "https://api.telegram.org",
  SLACK_API_URL: "https://slack.com/api/",
  WECOM_API_BASE: "https://qyapi.weixin.qq.com",
  ALIYUN_SMS_ENDPOINT: "https://dysmsapi.aliyuncs.com/",
  CONSOLE_SESSION_HOURS: 12,
  DOCUMENT_FONT: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
  DOCUMENT_FONT_FACE: "NotoSansCJKsc-Regular",
  DOCUMENT_FONT_FAMILY: "Noto Sans CJK SC",
  LOG_LEVEL: "info",
};

function configErrorFor(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("uses the documented defaults for an empty environment", () => {
    expect(loadConfig({})).toEqual(DEFAULTS);
  });

  it("returns a frozen config", () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
  });

  it("treats empty strings as unset", () => {
    const empty = Object.fromEntries(Object.keys(DEFAULTS).map((key) => [key, ""]));
    expect(loadConfig(empty)).toEqual(DEFAULTS);
  });

  it("reads every setting it is given", () => {
    const config = loadConfig({
      DATABASE_URL: "file:/var/lib/hotline/hotline.db",
      REDIS_URL: "rediss://cache.example:6380/2",
      REDIS_PREFIX: "hotline-staging",
      PORT: "8080",
      HOST: "0.0.0.0",
      TZ: "America/New_York",
      DEFAULT_LOCALE: "en",
      ORG_CONFIG: "/etc/hotline/organisation.yaml",
      LOG_LEVEL: "debug",
      TELEGRAM_BOT_TOKEN: "123456789:AAE-token_x",
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
      TELEGRAM_WEBHOOK_SECRET: "s3cret_-X",
      SLACK_BOT_TOKEN: "xoxb-1234-5678-abcdEF",
      SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99000aaa85a5",
      SLACK_API_URL: "http://127.0.0.1:9000/api",
      WECOM_CORP_ID: "ww1436e0e65a779aee",
      WECOM_AGENT_ID: "1000002",
      WECOM_SECRET: "app-secret",
      WECOM_TOKEN: "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
      WECOM_ENCODING_AES_KEY: "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
      WECOM_API_BASE: "http://127.0.0.1:9001/",
      CONSOLE_URL: "https://hotline.example.com/",
      CONSOLE_SESSION_HOURS: "8",
      DOCUMENT_FONT: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
      DOCUMENT_FONT_FACE: "WenQuanYiMicroHei",
      DOCUMENT_FONT_FAMILY: "WenQuanYi Micro Hei",
    });
    expect(config).toEqual({
      WECOM_CORP_ID: "ww1436e0e65a779aee",
      WECOM_AGENT_ID: 1000002,
      WECOM_SECRET: "app-secret",
      WECOM_TOKEN: "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
      WECOM_ENCODING_AES_KEY: "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
      WECOM_API_BASE: "http://127.0.0.1:9001",
      ALIYUN_SMS_ENDPOINT: "https://dysmsapi.aliyuncs.com/",
      SLACK_BOT_TOKEN: "xoxb-1234-5678-abcdEF",
      SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99000aaa85a5",
      SLACK_API_URL: "http://127.0.0.1:9000/api/",
      TELEGRAM_BOT_TOKEN: "123456789:AAE-token_x",
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081",
      TELEGRAM_WEBHOOK_SECRET: "s3cret_-X",
      DATABASE_URL: "file:/var/lib/hotline/hotline.db",
      REDIS_URL: "rediss://cache.example:6380/2",
      REDIS_PREFIX: "hotline-staging",
      PORT: 8080,
      HOST: "0.0.0.0",
      TZ: "America/New_York",
      DEFAULT_LOCALE: "en",
      ORG_CONFIG: "/etc/hotline/organisation.yaml",
      LOG_LEVEL: "debug",
      CONSOLE_URL: "https://hotline.example.com",
      CONSOLE_SESSION_HOURS: 8,
      DOCUMENT_FONT: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
      DOCUMENT_FONT_FACE: "WenQuanYiMicroHei",
      DOCUMENT_FONT_FAMILY: "WenQuanYi Micro Hei",
    });
  });

  it("turns PORT into a number", () => {
    expect(loadConfig({ PORT: "65535" }).PORT).toBe(65535);
    expect(loadConfig({ PORT: "1" }).PORT).toBe(1);
  });

  it("takes HOST as an IPv4 or IPv6 address or a host name", () => {
    for (const host of ["10.0.0.5", "::", "::1", "localhost", "hotline-web.internal"]) expect(loadConfig({ HOST: host }).HOST).toBe(host);
  });

  it("ignores settings it does not know", () => {
    expect(loadConfig({ HOME: "/root", SECRET_TOKEN: "abc" })).toEqual(DEFAULTS);
  });

  it("does not read process.env when given an environment", () => {
    const before = process.env.PORT;
    process.env.PORT = "abc";
    try {
      expect(loadConfig({}).PORT).toBe(3000);
    } finally {
      if (before === undefined) delete process.env.PORT;
      else process.env.PORT = before;
    }
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "0"],
    ["PORT", "80.5"],
    ["TZ", "Mars/Base"],
    ["DEFAULT_LOCALE", "fr"],
    ["REDIS_URL", "http://x"],
    ["DATABASE_URL", "mysql://x"],
    ["LOG_LEVEL", "loud"],
    ["TELEGRAM_BOT_TOKEN", "not-a-token"],
    ["TELEGRAM_API_ROOT", "ftp://api"],
    ["SLACK_BOT_TOKEN", "xoxp-user-token"],
    ["SLACK_API_URL", "slack.com/api"],
    ["SLACK_APP_TOKEN", "xoxb-not-an-app-token"],
    ["WECOM_AGENT_ID", "abc"],
    ["WECOM_ENCODING_AES_KEY", "too-short"],
    ["WECOM_API_BASE", "qyapi.weixin.qq.com"],
    ["TELEGRAM_WEBHOOK_SECRET", "has spaces in it"],
    ["HOST", "http://0.0.0.0"],
    ["HOST", "127.0.0.1:3000"],
    ["HOST", "two words"],
    ["SMS_PROVIDER", "twilio"],
    ["ALIYUN_SMS_TEMPLATE_RECEIPT", "154950909"],
    ["ALIYUN_SMS_SIGN_NAME", "【中华汽车】"],
    ["ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com"],
    ["SMTP_URL", "mail.example.com:587"],
    ["MAIL_FROM", "Hotline <not an address>"],
    ["CONSOLE_URL", "hotline.example.com"],
    ["CONSOLE_SESSION_HOURS", "0"],
    ["CONSOLE_SESSION_HOURS", "200"],
    ["CONSOLE_SESSION_HOURS", "1.5"],
  ])("rejects %s=%s with a ConfigError naming the setting", (key, value) => {
    const error = configErrorFor({ [key]: value });
    expect(error.name).toBe("ConfigError");
    expect(error.message).toContain(`${key}:`);
  });

  it("requires the Slack signing secret with a Slack token, unless Socket Mode is on", () => {
    expect(configErrorFor({ SLACK_BOT_TOKEN: "xoxb-1-2-abc" }).message).toContain("SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN");
    expect(loadConfig({ SLACK_BOT_TOKEN: "xoxb-1-2-abc", SLACK_APP_TOKEN: "xapp-1-A0-abc" }).SLACK_APP_TOKEN).toBe("xapp-1-A0-abc");
  });

  it("asks for every WeCom setting once one is given", () => {
    expect(configErrorFor({ WECOM_CORP_ID: "ww1436e0e65a779aee", WECOM_SECRET: "x" }).message).toContain("WECOM_AGENT_ID: required with WECOM_CORP_ID, WECOM_SECRET");
  });

  it("names every bad setting at once", () => {
    const error = configErrorFor({ PORT: "abc", TZ: "Mars/Base" });
    expect(error.message).toContain("PORT:");
    expect(error.message).toContain("TZ:");
  });

  it("explains what a good value looks like", () => {
    expect(configErrorFor({ PORT: "70000" }).message).toContain("must be a port number from 1 to 65535");
    expect(configErrorFor({ TZ: "Mars/Base" }).message).toContain("must be an IANA time zone");
    expect(configErrorFor({ REDIS_URL: "http://x" }).message).toContain("redis://");
    expect(configErrorFor({ DATABASE_URL: "mysql://x" }).message).toMatch(/DATABASE_URL.*file:.*postgresql:\/\//);
  });

  it("takes a SQLite file or a PostgreSQL server, and logs the server's URL without its password", () => {
    expect(loadConfig({ DATABASE_URL: "postgresql://hotline:s3cret@db:5432/hotline" }).DATABASE_URL).toBe("postgresql://hotline:s3cret@db:5432/hotline");
    expect(loadConfig({ DATABASE_URL: "postgres://db/hotline" }).DATABASE_URL).toBe("postgres://db/hotline");
    expect(withoutPassword("postgresql://hotline:s3cret@db:5432/hotline")).toBe("postgresql://hotline:***@db:5432/hotline");
    expect(withoutPassword("redis://:s3cret@cache:6379")).toBe("redis://:***@cache:6379");
    expect(withoutPassword("file:./data/hotline.db")).toBe("file:./data/hotline.db");
  });

  it("reads the SMS and e-mail settings for messages to customers", () => {
    const config = loadConfig({
      SMS_PROVIDER: "aliyun",
      ALIYUN_SMS_ACCESS_KEY_ID: "LTAI5tAbCdEf0123",
      ALIYUN_SMS_ACCESS_KEY_SECRET: "sEcReT-0123456789",
      ALIYUN_SMS_SIGN_NAME: "中华汽车",
      ALIYUN_SMS_TEMPLATE_RECEIPT: "SMS_154950909",
      ALIYUN_SMS_ENDPOINT: "http://127.0.0.1:9002",
      SMTP_URL: "smtps://hotline:p%40ss@mail.example.com:465",
      MAIL_FROM: "中华汽车售后 <hotline@example.com>",
    });
    expect(config).toMatchObject({ SMS_PROVIDER: "aliyun", ALIYUN_SMS_SIGN_NAME: "中华汽车", ALIYUN_SMS_ENDPOINT: "http://127.0.0.1:9002/", SMTP_URL: "smtps://hotline:p%40ss@mail.example.com:465" });
    expect(loadConfig({ SMTP_URL: "smtp://relay.internal", MAIL_FROM: "hotline@example.com" }).MAIL_FROM).toBe("hotline@example.com");
  });

  it("asks for every Aliyun setting once SMS_PROVIDER=aliyun, naming the first missing", () => {
    expect(configErrorFor({ SMS_PROVIDER: "aliyun" }).message).toBe(
      "ALIYUN_SMS_ACCESS_KEY_ID: required with SMS_PROVIDER=aliyun (Aliyun SMS needs ALIYUN_SMS_ACCESS_KEY_ID, ALIYUN_SMS_ACCESS_KEY_SECRET, ALIYUN_SMS_SIGN_NAME, ALIYUN_SMS_TEMPLATE_RECEIPT)",
    );
    const noSecret = { SMS_PROVIDER: "aliyun", ALIYUN_SMS_ACCESS_KEY_ID: "LTAI5tAbCdEf0123", ALIYUN_SMS_SIGN_NAME: "中华汽车", ALIYUN_SMS_TEMPLATE_RECEIPT: "SMS_1" };
    expect(configErrorFor(noSecret).message).toMatch(/^ALIYUN_SMS_ACCESS_KEY_SECRET: required with SMS_PROVIDER=aliyun/);
    expect(configErrorFor({ ALIYUN_SMS_ACCESS_KEY_ID: "LTAI5tAbCdEf0123" }).message).toBe(
      "SMS_PROVIDER: set it to aliyun to send SMS with ALIYUN_SMS_ACCESS_KEY_ID (or leave those unset)",
    );
  });

  it("refuses a bad SMTP_URL without printing it, since it carries the password, and asks for MAIL_FROM with it", () => {
    const bad = configErrorFor({ SMTP_URL: "http://hotline:TopSecret@mail.example.com", MAIL_FROM: "hotline@example.com" });
    expect(bad.message).toContain("SMTP_URL: must be an smtp:// or smtps:// URL");
    expect(bad.message).not.toContain("TopSecret");
    expect(configErrorFor({ SMTP_URL: "smtp://mail.example.com:99999", MAIL_FROM: "hotline@example.com" }).message).toContain("SMTP_URL:");
    expect(configErrorFor({ SMTP_URL: "smtp://mail.example.com:587" }).message).toMatch(/^MAIL_FROM: required with SMTP_URL/);
    expect(configErrorFor({ MAIL_FROM: "hotline@example.com" }).message).toMatch(/^SMTP_URL: required with MAIL_FROM/);
  });
});
