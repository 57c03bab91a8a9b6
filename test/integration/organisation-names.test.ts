import { dirname } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { handleInbound } from "../../core/conversation/handle-inbound.js";
import { cardToPlainText } from "../../core/messages/card.js";
import type { Locale } from "../../core/messages/locale.js";
import { defaultOrganisation, writeOrganisationFile } from "../support/organisation.js";
import { GENERAL_FAULT, LEVEL1_COMPLAINT, LEVEL2_FAULT } from "../support/report-script.js";
import { freshDatabaseFile, say, startTestApp } from "../support/test-app.js";

/** Another company, every department renamed: nothing the bot says may still name the manual's. */
const COMPANY = { zh: "北方客车服务公司", en: "Northern Coach Service Company" };
const RENAMED: Record<string, { zh: string; en: string }> = {
  after_sales: { zh: "用户关怀处", en: "Customer Care Office" },
  customer_service: { zh: "呼叫中心", en: "Call Centre" },
  quality_assurance: { zh: "品质管理处", en: "Quality Office" },
  public_relations: { zh: "品牌传播处", en: "Brand Communications" },
  sales_finance: { zh: "结算处", en: "Settlements" },
  legal_counsel: { zh: "法务处", en: "Legal Office" },
  logistics: { zh: "运输处", en: "Transport Office" },
  planning_logistics: { zh: "仓储处", en: "Warehousing" },
  sales_leadership: { zh: "营销总部", en: "Marketing Headquarters" },
};
const AFTER_SALES = RENAMED.after_sales!;

/** The manual's company and department names, in both languages. */
const OLD_NAMES = [
  "华晨",
  "Brilliance",
  defaultOrganisation().name.zh,
  defaultOrganisation().name.en,
  ...defaultOrganisation().departments.flatMap((d) => [d.name.zh, d.name.en]),
];

/** A level-3 fault: nothing major but a breakdown on the road. */
const LEVEL3_FAULT = [...GENERAL_FAULT.slice(0, 15), "是", ...GENERAL_FAULT.slice(16)];

let app: App;
let db: ReturnType<typeof freshDatabaseFile>;

beforeEach(async () => {
  db = freshDatabaseFile();
  const orgFile = writeOrganisationFile(dirname(db.file), (org) => {
    org.name = COMPANY;
    for (const department of org.departments) department.name = RENAMED[department.id];
  });
  app = await startTestApp(db.file, undefined, { ORG_CONFIG: orgFile });
});
afterEach(async () => {
  await app.close();
  db.cleanup();
});

const oldNamesIn = (text: string) => OLD_NAMES.filter((name) => text.includes(name));
const inLocale = (locale: Locale, names: { zh: string; en: string }) => (locale === "en" ? names.en : names.zh);

async function strangerSentence(locale: Locale): Promise<string> {
  const outcome = await handleInbound(app.unitOfWork, { platform: "telegram", eventId: `e-${locale}`, senderId: "424242", conversation: "telegram:424242", replyAddress: "424242", seenByOthers: false, text: "/new" }, locale);
  if (outcome.kind !== "stranger") throw new Error(`expected a stranger, got ${outcome.kind}`);
  return outcome.replies.map(cardToPlainText).join("\n");
}

async function report(memberId: string, script: readonly string[]): Promise<string> {
  let last = "";
  for (const line of [...script, "1"]) last = (await say(app, memberId, line)).text;
  const number = /HL-\d{8}-\d{4}/.exec(last)?.[0];
  if (!number) throw new Error(`no ticket recorded: ${last}`);
  return number;
}

describe("the organisation's own names, from the organisation file", () => {
  it("introduces the bot to a stranger with the file's company name, in both halves of the sentence", async () => {
    for (const locale of ["zh-CN", "en"] as const) {
      const sentence = await strangerSentence(locale);
      expect(sentence).toContain(COMPANY.zh);
      expect(sentence).toContain(COMPANY.en);
      expect(sentence).toContain("系统管理员 / Administrator");
      expect(oldNamesIn(sentence)).toEqual([]);
    }
  });

  it("names the renamed departments in refusals, help, cards, reports and the outbox, never the manual's", async () => {
    const level2 = await report("wang.fang", LEVEL2_FAULT);
    const level3 = await report("wang.fang", LEVEL3_FAULT);
    const complaint = await report("ma.jun", LEVEL1_COMPLAINT);
    expect((await app.core.tickets.findByNumber(level3))!.level).toBe(3);
    await say(app, "zhou.min", `/ack ${complaint}`); // after-sales leads the complaint team: it is formed

    for (const locale of ["zh-CN", "en"] as const) {
      for (const member of ["wang.fang", "guo.tao", "chen.jie", "gao.feng", "zhou.min"]) await say(app, member, `/lang ${locale}`);
      const refusals = {
        close: await say(app, "wang.fang", `/close ${level2}`),
        reports: await say(app, "wang.fang", "/report"),
        act: await say(app, "wang.fang", `/take ${level2}`),
        team: await say(app, "wang.fang", `/onsite ${complaint}`),
        view: await say(app, "guo.tao", `/status ${level2}`), // a center that did not report it
        appoint: await say(app, "gao.feng", `/appoint ${complaint} quality_assurance gao.feng`),
        report: await say(app, "chen.jie", "/new"),
        noTeam: await say(app, "chen.jie", `/onsite ${level2}`),
      };
      for (const [refusal, { text }] of Object.entries(refusals)) {
        expect(oldNamesIn(text), `${refusal} (${locale}): ${text}`).toEqual([]);
        expect(text, `${refusal} (${locale})`).toContain(inLocale(locale, AFTER_SALES));
      }
      const help = (await say(app, "zhou.min", "/help")).text;
      expect(help).toContain(inLocale(locale, AFTER_SALES));
      const shown = [help, ...(await Promise.all([level2, level3, complaint].map(async (n) => (await say(app, "zhou.min", `/status ${n}`)).text))), (await say(app, "zhou.min", "/report")).text];
      for (const text of shown) expect(oldNamesIn(text), text).toEqual([]);
    }
    const outbox = JSON.stringify(await app.db.delivery.findMany());
    expect(outbox).toContain(AFTER_SALES.zh);
    expect(oldNamesIn(outbox)).toEqual([]);
  });
});
