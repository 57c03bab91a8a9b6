import { describe, expect, it } from "vitest";
import { commandFromWords, commandInDirectMessage } from "../../../bot/slack/slack-commands.js";
import { commandMenu, TELEGRAM_MENU_LIMITS } from "../../../bot/telegram/telegram-commands.js";
import { COMMANDS, commandMenu as coreMenu, findCommand, formFor, helpCard } from "../../../core/conversation/commands.js";
import { organisationTerms } from "../../../core/directory/organisation-terms.js";
import { cardToPlainText } from "../../../core/messages/card.js";
import { CATALOG, t } from "../../../core/messages/catalog.js";
import { LOCALES } from "../../../core/messages/locale.js";
import { copyOfDefaultOrganisation, defaultOrganisation } from "../../support/organisation.js";

const org = defaultOrganisation();
const NUMBER = "HL-20261126-0001";

describe("the command table", () => {
  it("gives every command a usage that starts with its word, and a help sentence in both languages with every placeholder filled", () => {
    for (const row of COMMANDS) {
      expect(row.usage.split(" ")[0]).toBe(`/${row.name}`);
      for (const locale of LOCALES) {
        const sentence = t(locale, row.help, organisationTerms(org, locale));
        expect(sentence.trim().length, `${row.name} in ${locale}`).toBeGreaterThan(1);
        expect(sentence).not.toMatch(/\{\w+\}/);
      }
      expect(CATALOG[row.help].zh).not.toBe(CATALOG[row.help].en);
    }
  });

  it("has a question in both languages for every argument it may ask for, naming the ticket", () => {
    const asks = COMMANDS.flatMap((row) => [row.choice?.ask, row.text?.required ? row.text.ask : undefined, row.files?.ask].filter((key) => key !== undefined));
    expect(asks.length).toBeGreaterThanOrEqual(3); // /note, /ask, /attach
    for (const key of asks) {
      for (const locale of LOCALES) expect(t(locale, key, { number: NUMBER })).toContain(NUMBER);
      expect(CATALOG[key].zh).toContain("/cancel");
      expect(CATALOG[key].en).toContain("/cancel");
    }
  });

  it("asks for the text of /note and /ask and the files of /attach, each only after checking the ticket", () => {
    expect(findCommand("note")).toMatchObject({ ticket: true, text: { required: true, ask: "command.ask.note" }, access: { refusal: "view" } });
    expect(findCommand("ask")).toMatchObject({ ticket: true, text: { required: true, ask: "command.ask.ask" }, access: { refusal: "act" } });
    expect(findCommand("attach")).toMatchObject({ ticket: true, files: { ask: "command.ask.attach" }, access: { refusal: "view" } });
  });

  it("takes an optional note after the ticket for /return, /transported and /stored, and never asks for it", () => {
    for (const name of ["return", "transported", "stored"]) {
      expect(findCommand(name), name).toMatchObject({ ticket: true, usage: `/${name} <HL-…> [note]`, text: { required: false } });
      expect(findCommand(name)?.access).toBeUndefined();
    }
    const zh = cardToPlainText(helpCard(org, "zh-CN"));
    expect(zh).toContain("/return <HL-…> [note] 安排退回故障车辆：销售公司物流部运输、计划物流部贮存（售后服务部和领导）");
    expect(zh).toContain("/transported <HL-…> [note] 记录退回车辆已运回（销售公司物流部）");
    expect(cardToPlainText(helpCard(org, "en"))).toContain("/stored <HL-…> [note] record the returned vehicle stored (Planning Logistics)");
  });

  it("names each command once, aliases included", () => {
    const words = COMMANDS.flatMap((row) => [row.name, ...(row.aliases ?? [])]);
    expect(new Set(words).size).toBe(words.length);
    expect(findCommand("start")?.name).toBe("help");
    expect(findCommand("frobnicate")).toBeUndefined();
  });

  it("builds /help from the table in the member's language and the organisation's names", () => {
    const renamed = copyOfDefaultOrganisation();
    renamed.departments.find((d) => d.id === renamed.afterSalesDepartment)!.name = { zh: "客户关怀部", en: "Customer Care" };
    const zh = cardToPlainText(helpCard(renamed, "zh-CN"));
    const en = cardToPlainText(helpCard(renamed, "en"));
    for (const row of COMMANDS) {
      expect(zh).toContain(`${row.usage} ${t("zh-CN", row.help, organisationTerms(renamed, "zh-CN"))}`);
      expect(en).toContain(`${row.usage} ${t("en", row.help, organisationTerms(renamed, "en"))}`);
    }
    expect(zh).toContain("/report [today|week|YYYY-MM-DD] 报表（客户关怀部和领导）");
    expect(en).toContain("reports (Customer Care and managers)");
    expect(zh).toContain("/attach <HL-…> 为工单添加照片或文件");
    expect(zh).toContain("命令缺少内容时，机器人会请你输入");
    expect(en).toContain("A command sent without its text asks for it");
    expect(zh).not.toContain("售后服务部");
  });
});

describe("Slack's command words, from the table", () => {
  it("reads every command of the table in a direct message: a ticket command before a ticket number, any other alone", () => {
    for (const row of COMMANDS) {
      const typed = row.ticket ? `${row.name} ${NUMBER}` : row.name;
      expect(commandInDirectMessage(typed), row.name).toBe(`/${typed}`);
    }
    expect(commandInDirectMessage(`attach ${NUMBER}`)).toBe(`/attach ${NUMBER}`);
    expect(commandInDirectMessage("report week")).toBe("/report week");
    expect(commandInDirectMessage(`Team ${NUMBER}`)).toBe(`/Team ${NUMBER}`);
  });

  it("leaves a description that starts with a command word, a ticket command without its number and unknown words as text", () => {
    expect(commandInDirectMessage("take the car back to the dealer")).toBe("take the car back to the dealer");
    expect(commandInDirectMessage("note")).toBe("note");
    expect(commandInDirectMessage("help me please")).toBe("help me please");
    expect(commandInDirectMessage("frobnicate")).toBe("frobnicate");
    expect(commandInDirectMessage("start")).toBe("start");
  });

  it("turns an invite into /start and words after /hotline into a command", () => {
    expect(commandInDirectMessage("start ABCD2345")).toBe("/start ABCD2345");
    expect(commandFromWords(`onsite ${NUMBER}`)).toBe(`/onsite ${NUMBER}`);
    expect(commandFromWords("  ")).toBe("/help");
  });
});

describe("Telegram's command menu, from the table", () => {
  it("lists every command of the table in order, the team commands, /report and /attach among them", () => {
    for (const language of ["zh", "en"] as const) {
      const names = commandMenu(language, org).map((c) => c.command);
      expect(names).toEqual(COMMANDS.map((row) => row.name));
      expect(names).toEqual(expect.arrayContaining(["team", "appoint", "confirm", "onsite", "agreement", "report", "attach"]));
      expect(names).toEqual(expect.arrayContaining(["support", "measures", "appraisal", "responsibility", "finance"]));
    }
  });

  it("describes each command in its language, with how it is typed", () => {
    const zh = new Map(commandMenu("zh", org).map((c) => [c.command, c.description]));
    const en = new Map(commandMenu("en", org).map((c) => [c.command, c.description]));
    expect(zh.get("new")).toBe("上报质量故障或顾客投诉");
    expect(zh.get("note")).toBe("添加备注：/note <HL-…> <text>");
    expect(en.get("note")).toBe("Add a note: /note <HL-…> <text>");
    expect(zh.get("report")).toBe("报表（售后服务部和领导）：/report [today|week|YYYY-MM-DD]");
    expect(en.get("help")).toBe("List every command");
  });

  it("names the organisation's departments in the work commands QA, the team and finance record (§4, §5)", () => {
    const zh = new Map(commandMenu("zh", org).map((c) => [c.command, c.description]));
    const en = new Map(commandMenu("en", org).map((c) => [c.command, c.description]));
    expect(zh.get("support")).toBe("记录已委派的技术支持（质量保证部，1 级）：/support <HL-…> <who was sent, to do what>");
    expect(en.get("measures")).toBe("Propose the measures (Quality Assurance, level 2): /measures <HL-…> <measures>");
    expect(zh.get("appraisal")).toBe("记录技术鉴定、核实（质量保证部）：/appraisal <HL-…> <findings>");
    expect(zh.get("team")).toBe("查看处理小组；售后服务部可增加或取消部门席位：/team <HL-…> [add|remove <department>]");
    expect(en.get("responsibility")).toBe("Record the analysis and the responsibility split (the team): /responsibility <HL-…> <analysis and split>");
    expect(zh.get("agreement")).toBe("记录与顾客签订的协议，金额写在末尾（如 5.2万）：/agreement <HL-…> <terms> [amount] | override <reason>");
    expect(en.get("finance")).toBe("Record the finance handling of an agreed amount (Sales Finance): /finance <HL-…> <what was done>");
  });

  it("keeps within Telegram's limits: commands of 1-32 of a-z0-9_, descriptions of 1-256 characters, at most 100 commands", () => {
    for (const language of ["zh", "en"] as const) {
      const menu = commandMenu(language, org);
      expect(menu.length).toBeLessThanOrEqual(TELEGRAM_MENU_LIMITS.commands);
      for (const { command, description } of menu) {
        expect(command).toMatch(TELEGRAM_MENU_LIMITS.command);
        expect(description.length).toBeGreaterThanOrEqual(1);
        expect(description.length).toBeLessThanOrEqual(TELEGRAM_MENU_LIMITS.descriptionLength);
      }
    }
    expect(coreMenu(org, "en")).toHaveLength(COMMANDS.length);
  });
});

describe("formFor", () => {
  it("names the question for a button's command that lacks only its text, and nothing for any other", () => {
    expect(formFor("/resolve HL-20261126-0001")).toEqual({ ask: "command.ask.resolve", number: "HL-20261126-0001" });
    expect(formFor("/note HL-20261126-0001")).toEqual({ ask: "command.ask.note", number: "HL-20261126-0001" });
    expect(formFor("/resolve HL-20261126-0001 已处理")).toBeUndefined();
    expect(formFor("/ack HL-20261126-0001")).toBeUndefined();
    expect(formFor("/grade HL-20261126-0001")).toBeUndefined(); // a level comes first, as buttons
    expect(formFor("/resolve")).toBeUndefined();
    expect(formFor("yes")).toBeUndefined();
  });
});
