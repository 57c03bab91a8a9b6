import { describe, it, expect } from "vitest";
import { parsePhone } from "../../../core/validation/phone.js";

const mobile = { kind: "mobile", e164: "+8613812345678", display: "138 1234 5678" };
const shenyang = { kind: "landline", e164: "+862412345678", display: "024-12345678" };

describe("parsePhone", () => {
  it.each([
    "13812345678",
    "138 1234 5678",
    "138-1234-5678",
    "+8613812345678",
    "+86 138 1234 5678",
    "86 13812345678",
    "008613812345678",
    "(+86) 138-1234-5678",
    "＋８６ １３８１２３４５６７８",
  ])("accepts the mobile number %s", (input) => {
    expect(parsePhone(input)).toEqual({ ok: true, value: mobile });
  });

  it("accepts every mobile prefix from 13 to 19", () => {
    for (const prefix of ["13", "14", "15", "16", "17", "18", "19"]) {
      expect(parsePhone(`${prefix}912345678`).ok).toBe(true);
    }
  });

  it.each([
    "024-12345678",
    "02412345678",
    "024 1234 5678",
    "(024)12345678",
    "（024）12345678",
    "+86 24 1234 5678",
    "+86-24-12345678",
    "+86 024 12345678",
    "0086 24 12345678",
  ])("accepts the landline %s", (input) => {
    expect(parsePhone(input)).toEqual({ ok: true, value: shenyang });
  });

  it("splits two-digit area codes such as Beijing 010", () => {
    const value = { kind: "landline", e164: "+861087654321", display: "010-87654321" };
    expect(parsePhone("010 8765 4321")).toEqual({ ok: true, value });
  });

  it("splits 02x area codes such as Shanghai 021", () => {
    const value = { kind: "landline", e164: "+862112345678", display: "021-12345678" };
    expect(parsePhone("(021)12345678")).toEqual({ ok: true, value });
  });

  it("splits three-digit area codes such as Shenzhen 0755", () => {
    const value = { kind: "landline", e164: "+8675512345678", display: "0755-12345678" };
    expect(parsePhone("0755-1234-5678")).toEqual({ ok: true, value });
  });

  it("accepts a 7-digit local number", () => {
    const value = { kind: "landline", e164: "+863111234567", display: "0311-1234567" };
    expect(parsePhone("0311 123 4567")).toEqual({ ok: true, value });
  });

  it("keeps an extension written with 转 in the display only", () => {
    const value = { ...shenyang, display: "024-12345678-123" };
    expect(parsePhone("024-12345678转123")).toEqual({ ok: true, value });
    expect(parsePhone("024-12345678 转 123")).toEqual({ ok: true, value });
  });

  it("keeps an extension written with a trailing dash in the display only", () => {
    const value = { ...shenyang, display: "024-12345678-123" };
    expect(parsePhone("024-12345678-123")).toEqual({ ok: true, value });
  });

  it.each([
    ["400-123-4567", "+864001234567", "400-123-4567"],
    ["4001234567", "+864001234567", "400-123-4567"],
    ["800 123 4567", "+868001234567", "800-123-4567"],
  ])("accepts the service number %s as a landline", (input, e164, display) => {
    expect(parsePhone(input)).toEqual({ ok: true, value: { kind: "landline", e164, display } });
  });

  it("accepts an extension on a service number", () => {
    const value = { kind: "landline", e164: "+864001234567", display: "400-123-4567-2" };
    expect(parsePhone("400-123-4567 转2")).toEqual({ ok: true, value });
  });

  it("rejects an empty or blank answer as empty", () => {
    expect(parsePhone("")).toEqual({ ok: false, reason: "empty" });
    expect(parsePhone("   ")).toEqual({ ok: false, reason: "empty" });
  });

  it.each([
    ["a mobile number one digit short", "1381234567"],
    ["a mobile number one digit long", "138123456789"],
    ["a mobile number starting 12", "12812345678"],
    ["a local number without area code", "12345678"],
    ["an area code without the trunk 0", "2412345678"],
    ["a local number of 6 digits", "024-123456"],
    ["a local number of 9 digits", "024-123456789"],
    ["a local number starting with 0", "024-02345678"],
    ["a service number not starting 400 or 800", "500-123-4567"],
    ["a foreign country code", "+1 202 555 0123"],
    ["letters", "138abcd5678"],
    ["an extension on a mobile number", "13812345678转123"],
    ["a bare extension", "转123"],
  ])("rejects %s", (_label, input) => {
    expect(parsePhone(input)).toEqual({ ok: false, reason: "phone_format" });
  });
});
