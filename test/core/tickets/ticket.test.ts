import { describe, expect, it } from "vitest";
import { maskEmail, maskPhone } from "../../../core/tickets/ticket.js";

describe("maskPhone", () => {
  it.each([
    ["138 1234 5678", "138****5678"],
    ["+8613812345678", "138****5678"],
    ["008613812345678", "138****5678"],
    ["024-12345678", "024****5678"],
    ["12345", "****"],
  ])("shows %s as %s", (phone, masked) => expect(maskPhone(phone)).toBe(masked));
});

describe("maskEmail", () => {
  it.each([
    ["zhang.wei@example.com", "z***@example.com"],
    ["张@example.cn", "张***@example.cn"],
    ["nobody", "***"],
  ])("shows %s as %s", (address, masked) => expect(maskEmail(address)).toBe(masked));
});
