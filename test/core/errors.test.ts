import { describe, expect, it } from "vitest";
import { refusal } from "../../core/conversation/handle-message.js";
import { HOTLINE_ERROR_CODES, HotlineError } from "../../core/errors.js";
import { cardToPlainText } from "../../core/messages/card.js";
import { loadOrganisationFile } from "../../bot/config/organisation-file.js";

const DEFAULT_ORGANISATION = loadOrganisationFile("prisma/seed/organisation.yaml");

const DETAILS = { number: "HL-20261126-0001", member: "x.y", who: "王芳", department: "质量保证部", status: "open", action: "resolved", refusal: "act", center: "沈阳特约服务中心", centers: "sc-shenyang, sc-beijing", what: "车辆已运回", at: "2026-11-26 10:30", departments: "quality_assurance, legal_counsel", missing: "待委派成员：法律顾问", kind: "support" };

describe("every domain error code", () => {
  it.each(HOTLINE_ERROR_CODES.flatMap((code) => (["zh-CN", "en"] as const).map((locale) => [code, locale] as const)))(
    "%s has a sentence in %s, never the developer's message",
    (code, locale) => {
      const text = cardToPlainText(refusal(new HotlineError(code, "developer message", DETAILS), locale, DEFAULT_ORGANISATION));
      expect(text).not.toContain("developer message");
      expect(text).not.toMatch(/\{\w+\}/); // every placeholder filled
      expect(text.trim().length).toBeGreaterThan(5);
    },
  );
});
