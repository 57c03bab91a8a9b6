import { describe, expect, it } from "vitest";
import { advanceReport, currentStep, promptFor, stepIdOf, type ReportOutcome } from "../../../core/dialogs/report-dialog.js";
import { emptyReportState, type ReportDialogState } from "../../../core/dialogs/report-draft.js";
import type { DialogInput, StepEnv } from "../../../core/dialogs/report-steps.js";
import type { Card } from "../../../core/messages/card.js";
import { t, type MessageKey, type MessageParams } from "../../../core/messages/catalog.js";
import { classify } from "../../../core/triage/classify.js";
import { DEFAULT_THRESHOLDS } from "../../../core/triage/rules.js";
import {
  ALL_NO_TRIAGE,
  CASUALTIES_REPORT,
  choice,
  CUSTOMER_INPUTS,
  doc,
  EN,
  feed,
  files,
  GENERAL_REPORT,
  photo,
  text,
  VALID_VIN,
  VEHICLE_INPUTS,
  ZH,
} from "../../support/report-inputs.js";

const TRIAGE_ORDER = [
  "triage.casualties",
  "triage.media",
  "triage.manufacturingLossComplaint",
  "triage.lossExceedsVehicleValue",
  "triage.majorAccident",
  "triage.complaintFrequency",
  "triage.salesImpact",
  "triage.claimAmountCny",
  "triage.breakdown",
  "triage.safetyOrPerformance",
  "triage.batch",
];

/** The state after the inputs; throws if any was rejected. */
const stateAfter = (inputs: readonly DialogInput[], env: StepEnv = ZH, start?: ReportDialogState) => feed(inputs, env, start).state;

/** The id of the question asked after the inputs ("summary" once every question is answered). */
const stepAfter = (inputs: readonly DialogInput[], env: StepEnv = ZH) => stepIdOf(stateAfter(inputs, env), env);

/** The ids of the questions asked, in order, while the inputs are fed one by one. */
function questionsAsked(inputs: readonly DialogInput[], env: StepEnv = ZH, start: ReportDialogState = emptyReportState()): string[] {
  const asked: string[] = [];
  let state = start;
  for (const input of inputs) {
    asked.push(stepIdOf(state, env));
    state = feed([input], env, state).state;
  }
  return asked;
}

function continued(outcome: ReportOutcome): Extract<ReportOutcome, { kind: "continue" }> {
  if (outcome.kind !== "continue") throw new Error(`expected the dialog to continue, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** Sends a bad answer and checks it is re-asked with the reason first, the same question after, and nothing changed. */
function expectRejected(state: ReportDialogState, input: DialogInput, reason: MessageKey, env: StepEnv = ZH, params: MessageParams = {}) {
  const before = JSON.parse(JSON.stringify(state)) as ReportDialogState;
  const stepBefore = stepIdOf(state, env);
  const outcome = continued(advanceReport(state, input, env));
  const question = promptFor(state, env);
  expect(outcome.state).toEqual(before);
  expect(state).toEqual(before);
  expect(stepIdOf(outcome.state, env)).toBe(stepBefore);
  expect(outcome.replies).toEqual([{ ...question, lines: [t(env.locale, reason, params), ...question.lines], tone: "error" }]);
  return outcome;
}

function summaryOf(state: ReportDialogState, env: StepEnv = ZH): Card {
  expect(state.mode).toBe("summary");
  return promptFor(state, env);
}

const fieldsOf = (card: Card) => Object.fromEntries((card.fields ?? []).map((f) => [f.label, f.value]));

describe("emptyReportState", () => {
  it("starts in asking mode with an empty draft that has no triage answers and no attachments", () => {
    expect(emptyReportState()).toEqual({ draft: { triage: {}, attachments: [] }, mode: "asking" });
  });

  it("returns a fresh state each time so one report cannot leak into another", () => {
    const a = emptyReportState();
    const b = emptyReportState();
    expect(a).not.toBe(b);
    expect(a.draft).not.toBe(b.draft);
    expect(a.draft.attachments).not.toBe(b.draft.attachments);
    expect(a.draft.triage).not.toBe(b.draft.triage);
  });
});

describe("the first question", () => {
  it("asks what is being reported, with both kinds as buttons, in Chinese", () => {
    expect(currentStep(emptyReportState().draft, ZH)?.id).toBe("kind");
    expect(promptFor(emptyReportState(), ZH)).toEqual({
      lines: ["请选择上报类型："],
      choices: [
        { id: "fault", label: "质量故障" },
        { id: "complaint", label: "顾客投诉" },
      ],
      tone: "question",
    });
  });

  it("asks the same question in English for an English-speaking member", () => {
    expect(promptFor(emptyReportState(), EN)).toEqual({
      lines: ["What are you reporting?"],
      choices: [
        { id: "fault", label: "Quality fault" },
        { id: "complaint", label: "Customer complaint" },
      ],
      tone: "question",
    });
  });
});

describe("the happy path", () => {
  const inputs: DialogInput[] = [
    choice("fault"),
    text("1"), // source: service center
    text("海狮"),
    text(" lsgpc52u6a-f10 2554 "),
    text("1.2万"),
    text("  发动机异响，怠速抖动  "),
    text("否"), // casualties
    text("没有"), // media
    text("否"), // manufacturing loss complaint
    text("否"), // loss exceeds vehicle value
    text("否"), // major accident
    text("个别"), // complaint frequency
    text("无影响"), // sales impact
    text("未索赔"), // claim
    text("是"), // breakdown
    text("张伟"),
    text("138-1234-5678"),
    text("2024年3月5日"),
    text("Zhang.Wei@Example.COM"),
    text("是"), // the customer may be told the result
    files(photo("p1")),
    text("完成"),
  ];

  it("asks every question of a quality fault in order, then shows the summary", () => {
    const asked = questionsAsked(inputs);
    expect(asked).toEqual([
      "kind",
      "source",
      "brand",
      "vin",
      "mileageKm",
      "description",
      // A breakdown is level 3: whether it is important (§4) no longer matters.
      ...TRIAGE_ORDER.slice(0, -2),
      "customerName",
      "customerPhone",
      "saleDate",
      "customerEmail",
      "contactCustomer",
      "attachments",
      "attachments",
    ]);
    expect(stepIdOf(stateAfter(inputs), ZH)).toBe("summary");
  });

  it("shows a summary with the level, its reason and every answer in display form", () => {
    const fed = feed(inputs, ZH);
    expect(fed.state.mode).toBe("summary");
    expect(currentStep(fed.state.draft, ZH)).toBeUndefined();
    const summary = summaryOf(fed.state);
    expect(fed.replies).toEqual([summary]);
    expect(summary).toEqual({
      title: "请确认上报内容",
      lines: ["定级: 重大质量信息 3 级", "依据:", "• 因质量问题导致车辆抛锚"],
      fields: [
        { label: "类型", value: "质量故障" },
        { label: "来源", value: "特约服务中心" },
        { label: "品牌", value: "海狮" },
        { label: "VIN", value: VALID_VIN },
        { label: "里程", value: "12,000 km" },
        { label: "情况", value: "发动机异响，怠速抖动" },
        { label: "顾客", value: "张伟" },
        { label: "电话", value: "138 1234 5678" },
        { label: "销售日期", value: "2024-03-05" },
        { label: "邮箱", value: "Zhang.Wei@example.com" },
        { label: "告知顾客结果", value: "是" },
        { label: "附件", value: "1" },
      ],
      choices: [
        { id: "confirm", label: "确认提交" },
        { id: "edit", label: "修改" },
        { id: "cancel", label: "取消" },
      ],
      tone: "question",
    });
  });

  it("submits the normalised draft and its classification when the summary is confirmed", () => {
    const outcome = feed([...inputs, choice("confirm")], ZH).last;
    expect(outcome).toEqual({
      kind: "submit",
      draft: {
        kind: "fault",
        source: "service_center",
        brand: "haise",
        vin: VALID_VIN,
        mileageKm: 12000,
        description: "发动机异响，怠速抖动",
        triage: {
          casualties: false,
          media: "none",
          manufacturingLossComplaint: false,
          lossExceedsVehicleValue: false,
          majorAccident: false,
          complaintFrequency: "none",
          salesImpact: "none",
          claimAmountCny: 0,
          breakdown: true,
        },
        customerName: "张伟",
        customerPhone: "138 1234 5678",
        saleDate: "2024-03-05",
        customerEmail: "Zhang.Wei@example.com",
        contactCustomer: true,
        attachments: [{ platform: "telegram", fileId: "p1", kind: "photo" }],
        attachmentsDone: true,
      },
      classification: {
        category: "major",
        level: 3,
        matched: [
          {
            rule: "l3.breakdown",
            level: 3,
            text: { zh: "因质量问题导致车辆抛锚", en: "A breakdown on the road caused by a quality problem" },
          },
        ],
      },
    });
  });

  it("runs the same report in English with an English summary", () => {
    const fed = feed(inputs, EN);
    const summary = summaryOf(fed.state, EN);
    expect(summary.title).toBe("Please check your report");
    expect(summary.lines).toEqual(["Severity: Major, level 3", "Because:", "• A breakdown on the road caused by a quality problem"]);
    expect(fieldsOf(summary)).toEqual({
      Kind: "Quality fault",
      Source: "Service center",
      Brand: "Haise (海狮)",
      VIN: VALID_VIN,
      Mileage: "12,000 km",
      "What happened": "发动机异响，怠速抖动",
      Customer: "张伟",
      Phone: "138 1234 5678",
      "Sold on": "2024-03-05",
      "E-mail": "Zhang.Wei@example.com",
      "Tell the customer": "Yes",
      Attachments: "1",
    });
    expect(summary.choices).toEqual([
      { id: "confirm", label: "Submit" },
      { id: "edit", label: "Edit" },
      { id: "cancel", label: "Cancel" },
    ]);
  });

  it("asks each question with its own prompt and buttons", () => {
    expect(promptFor(stateAfter(VEHICLE_INPUTS.slice(0, 3)), ZH)).toEqual({
      lines: ["请输入车辆识别代号（VIN，17位）："],
      choices: [{ id: "unknown", label: "不清楚" }],
      tone: "question",
      typedAnswer: true,
    });
    expect(promptFor(stateAfter(VEHICLE_INPUTS.slice(0, 5)), ZH)).toEqual({
      lines: ["请描述发生了什么（故障现象、时间、地点）："],
      choices: undefined,
      tone: "question",
    });
    expect(promptFor(stateAfter(VEHICLE_INPUTS), ZH)).toEqual({
      lines: ["是否造成人员伤亡？"],
      choices: [
        { id: "yes", label: "是" },
        { id: "no", label: "否" },
      ],
      tone: "question",
    });
    expect(promptFor(stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE.slice(0, 7)]), EN)).toEqual({
      lines: ["Amount the customer claims (CNY, e.g. 12000 or 5万):"],
      choices: [{ id: "none", label: "No claim" }],
      tone: "question",
      typedAnswer: true,
    });
    expect(promptFor(stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE, ...CUSTOMER_INPUTS.slice(0, 5)]), ZH)).toEqual({
      lines: ["可发送照片或文件（可多张）；发完请点“完成”。"],
      choices: [{ id: "done", label: "完成" }],
      tone: "question",
    });
  });

  it("answers each accepted input with exactly the next question", () => {
    const state = stateAfter(VEHICLE_INPUTS.slice(0, 2));
    const outcome = continued(advanceReport(state, choice("zhonghua"), ZH));
    expect(outcome.state).toEqual({ mode: "asking", draft: { ...state.draft, brand: "zhonghua" } });
    expect(outcome.replies).toEqual([promptFor(outcome.state, ZH)]);
  });

  it("does not modify the state it was given", () => {
    const state = stateAfter(VEHICLE_INPUTS.slice(0, 5));
    const snapshot = JSON.stringify(state);
    advanceReport(state, text("刹车失灵，踏板发软"), ZH);
    expect(JSON.stringify(state)).toBe(snapshot);
  });
});

describe("answering a choice", () => {
  it.each<[string, DialogInput]>([
    ["its button id", choice("complaint")],
    ["its 1-based number typed as text", text("2")],
    ["its number with surrounding spaces", text(" 2 ")],
    ["its Chinese label", text("顾客投诉")],
    ["its English label", text("Customer complaint")],
    ["its English label in any case", text("CUSTOMER complaint")],
    ["its id typed as text", text("complaint")],
  ])("accepts the kind by %s", (_how, input) => {
    expect(stateAfter([input]).draft.kind).toBe("complaint");
  });

  it.each<[string, DialogInput, boolean]>([
    ["是", text("是"), true],
    ["Yes", text("Yes"), true],
    ["1", text("1"), true],
    ["the yes button", choice("yes"), true],
    ["有", text("有"), true],
    ["No", text("No"), false],
    ["否", text("否"), false],
    ["2", text("2"), false],
    ["the no button", choice("no"), false],
    ["没有", text("没有"), false],
  ])("reads %s as the answer to a yes/no severity question", (_how, input, value) => {
    expect(stateAfter([...VEHICLE_INPUTS, input]).draft.triage.casualties).toBe(value);
  });

  it("accepts a label in either language whatever the member's locale", () => {
    expect(stateAfter([...VEHICLE_INPUTS, text("No")], ZH).draft.triage.casualties).toBe(false);
    expect(stateAfter([...VEHICLE_INPUTS, text("是")], EN).draft.triage.casualties).toBe(true);
  });

  it("numbers the options in the order they are shown", () => {
    expect(stateAfter([choice("fault"), text("5")]).draft.source).toBe("mail");
    expect(stateAfter([choice("fault"), choice("hotline"), text("3")]).draft.brand).toBe("other");
    expect(stateAfter([...VEHICLE_INPUTS, text("2"), text("3")]).draft.triage.media).toBe("exposed");
  });
});

describe("bad input", () => {
  const atKind = () => emptyReportState();
  const atBrand = () => stateAfter(VEHICLE_INPUTS.slice(0, 2));
  const atVin = () => stateAfter(VEHICLE_INPUTS.slice(0, 3));
  const atMileage = () => stateAfter(VEHICLE_INPUTS.slice(0, 4));
  const atDescription = () => stateAfter(VEHICLE_INPUTS.slice(0, 5));
  const atCasualties = () => stateAfter(VEHICLE_INPUTS);
  const atClaim = () => stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE.slice(0, 7)]);
  const atName = () => stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE]);
  const atPhone = () => stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE, ...CUSTOMER_INPUTS.slice(0, 1)]);
  const atSaleDate = () => stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE, ...CUSTOMER_INPUTS.slice(0, 2)]);
  const atEmail = () => stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE, ...CUSTOMER_INPUTS.slice(0, 3)]);
  const atContact = () => stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE, ...CUSTOMER_INPUTS.slice(0, 4)]);
  const atAttachments = () => stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE, ...CUSTOMER_INPUTS.slice(0, 5)]);

  it.each<[string, () => ReportDialogState, DialogInput, MessageKey, MessageParams?]>([
    ["a word that is not an option", atKind, text("maybe"), "invalid.choice"],
    ["a number past the last option", atKind, text("3"), "invalid.choice"],
    ["the number 0", atKind, text("0"), "invalid.choice"],
    ["an empty answer to a choice", atKind, text("  "), "invalid.choice"],
    ["a button id from another question", atBrand, choice("fault"), "invalid.choice"],
    ["a severity answer that is not an option", atCasualties, text("maybe"), "invalid.choice"],
    ["a VIN one character short", atVin, text(VALID_VIN.slice(0, 16)), "invalid.vin_length"],
    ["a VIN one character long", atVin, text(`${VALID_VIN}4`), "invalid.vin_length"],
    ["a VIN with an O", atVin, text("LSGPC52U6AF1O2554"), "invalid.vin_characters"],
    ["a VIN with an I", atVin, text("LSGPC52U6AF1I2554"), "invalid.vin_characters"],
    ["a VIN with a Q", atVin, text("LSGPC52U6AF1Q2554"), "invalid.vin_characters"],
    ["a VIN with a wrong check digit", atVin, text("LSGPC52U7AF102554"), "invalid.vin_check_digit"],
    ["an empty VIN", atVin, text(""), "invalid.empty"],
    ["a mileage that is not a number", atMileage, text("很多"), "invalid.mileage_format"],
    ["a mileage above 2,000,000 km", atMileage, text("300万"), "invalid.mileage_range"],
    ["a negative mileage", atMileage, text("-5"), "invalid.mileage_range"],
    ["a description under 5 characters", atDescription, text("坏了"), "invalid.description_short"],
    ["a blank description", atDescription, text("   "), "invalid.empty"],
    ["a description over 2000 characters", atDescription, text("异".repeat(2001)), "invalid.too_long", { max: 2000 }],
    ["an empty customer name", atName, text("   "), "invalid.empty"],
    ["no text at all for the customer name", atName, {}, "invalid.empty"],
    ["a customer name over 50 characters", atName, text("张".repeat(51)), "invalid.too_long", { max: 50 }],
    ["a phone number that is too short", atPhone, text("12345"), "invalid.phone_format"],
    ["a mobile number with an extension", atPhone, text("13812345678转12"), "invalid.phone_format"],
    ["an empty phone number", atPhone, text(""), "invalid.empty"],
    ["\"不知道\" for the phone, which is not optional", atPhone, text("不知道"), "invalid.phone_format"],
    ["a sale date that is not a date", atSaleDate, text("去年春天"), "invalid.date_format"],
    ["a sale date that does not exist", atSaleDate, text("2024-02-30"), "invalid.date_format"],
    ["a sale date after today", atSaleDate, text("2026-11-27"), "invalid.date_future"],
    ["an e-mail address without a domain", atEmail, text("zhang.wei@"), "invalid.email_format"],
    ["an e-mail address with a space", atEmail, text("zhang wei@example.com"), "invalid.email_format"],
    ["an answer to \"may we tell the customer\" that is neither yes nor no", atContact, text("也许"), "invalid.choice"],
    ["an amount that is not a number", atClaim, text("很多钱"), "invalid.amount_format"],
    ["a negative amount", atClaim, text("-500"), "invalid.amount_negative"],
    ["text other than \"done\" where files are expected", atAttachments, text("hello"), "invalid.attachment_expected"],
    ["an empty list of files", atAttachments, files(), "invalid.attachment_expected"],
  ])("re-asks the same question with the reason, state unchanged, after %s", (_what, at, input, reason, params) => {
    expectRejected(at(), input, reason, ZH, params);
  });

  it("explains a rejection in the member's language: English for an English-speaking member", () => {
    const state = stateAfter(VEHICLE_INPUTS.slice(0, 3), EN);
    const outcome = expectRejected(state, text("LSGPC52U7AF102554"), "invalid.vin_check_digit", EN);
    expect(outcome.replies[0]?.lines).toEqual([
      "The VIN's check digit (9th character) does not match; a character may be mistyped. Please check and send it again.",
      "Vehicle identification number (VIN, 17 characters):",
    ]);
    expect(outcome.replies[0]?.choices).toEqual([{ id: "unknown", label: "Unknown" }]);
  });

  it("explains a rejection in Chinese for a Chinese-speaking member", () => {
    const outcome = expectRejected(atVin(), text("LSGPC52U7AF102554"), "invalid.vin_check_digit");
    expect(outcome.replies[0]?.lines).toEqual([
      "VIN 校验位（第9位）不正确，可能有字符输错，请核对后重新输入。",
      "请输入车辆识别代号（VIN，17位）：",
    ]);
  });

  it("fills the limit into the too-long message", () => {
    const outcome = expectRejected(atName(), text("张".repeat(51)), "invalid.too_long", ZH, { max: 50 });
    expect(outcome.replies[0]?.lines[0]).toBe("内容太长（最多 50 字），请精简后重新发送。");
  });

  it("keeps the answers given so far through repeated bad answers, then accepts a good one", () => {
    let state = atMileage();
    const before = JSON.parse(JSON.stringify(state)) as ReportDialogState;
    for (const bad of ["abc", "12 000 000", "-1"]) state = continued(advanceReport(state, text(bad), ZH)).state;
    expect(state).toEqual(before);
    const next = feed([text("8,500 公里")], ZH, state).state;
    expect(next.draft).toEqual({ ...before.draft, mileageKm: 8500 });
    expect(stepIdOf(next, ZH)).toBe("description");
  });
});

describe("optional answers", () => {
  it.each<[string, DialogInput]>([
    ["the Unknown button", choice("unknown")],
    ["不知道", text("不知道")],
    ["Unknown", text("Unknown")],
    ["不清楚", text("不清楚")],
    ["跳过", text("跳过")],
    ["-", text("-")],
  ])("stores null for a VIN and a mileage answered with %s", (_how, input) => {
    const state = stateAfter([...VEHICLE_INPUTS.slice(0, 3), input, input]);
    expect(state.draft.vin).toBeNull();
    expect(state.draft.mileageKm).toBeNull();
    expect(stepIdOf(state, ZH)).toBe("description");
  });

  it("shows unknown VIN and mileage as unknown in the summary and submits them as null", () => {
    const inputs = [...VEHICLE_INPUTS.slice(0, 3), choice("unknown"), choice("unknown"), ...VEHICLE_INPUTS.slice(5), ...ALL_NO_TRIAGE, ...CUSTOMER_INPUTS];
    const state = stateAfter(inputs);
    expect(fieldsOf(summaryOf(state))).toMatchObject({ VIN: "不清楚", 里程: "不清楚" });
    expect(fieldsOf(summaryOf(stateAfter(inputs, EN), EN))).toMatchObject({ VIN: "Unknown", Mileage: "Unknown" });
    const outcome = advanceReport(state, choice("confirm"), ZH);
    expect(outcome).toMatchObject({ kind: "submit", draft: { vin: null, mileageKm: null } });
  });

  it("accepts a mileage of 0 km as a real reading, not as unknown", () => {
    expect(stateAfter([...VEHICLE_INPUTS.slice(0, 4), text("0")]).draft.mileageKm).toBe(0);
  });
});

describe("adaptive severity questions", () => {
  it("asks no further severity question after casualties, and goes on to the customer's name", () => {
    const fed = feed([...VEHICLE_INPUTS, choice("yes")], ZH);
    expect(stepIdOf(fed.state, ZH)).toBe("customerName");
    expect(fed.replies).toEqual([{ lines: ["顾客姓名："], choices: undefined, tone: "question" }]);
    expect(fed.state.draft.triage).toEqual({ casualties: true });
  });

  it("says level 1 with the casualties reason in the summary", () => {
    const state = stateAfter(CASUALTIES_REPORT);
    expect(summaryOf(state).lines).toEqual(["定级: 重大质量信息 1 级", "依据:", "• 造成重大质量事故，导致人员伤亡"]);
    expect(summaryOf(stateAfter(CASUALTIES_REPORT, EN), EN).lines).toEqual([
      "Severity: Major, level 1",
      "Because:",
      "• A major quality accident with casualties",
    ]);
    const outcome = advanceReport(state, choice("confirm"), ZH);
    expect(outcome).toMatchObject({ kind: "submit", classification: { category: "major", level: 1, matched: [{ rule: "l1.casualties", level: 1 }] } });
  });

  it("ends the severity questions as soon as the media are involved (level 1)", () => {
    const inputs = [...VEHICLE_INPUTS, choice("no"), choice("imminent")];
    expect(questionsAsked(inputs).slice(VEHICLE_INPUTS.length)).toEqual(["triage.casualties", "triage.media"]);
    expect(stepAfter(inputs)).toBe("customerName");
  });

  it("skips the frequency, sales, claim and breakdown questions after a major accident (level 2)", () => {
    const inputs = [...VEHICLE_INPUTS, ...ALL_NO_TRIAGE.slice(0, 4), choice("yes")];
    expect(questionsAsked(inputs).slice(VEHICLE_INPUTS.length)).toEqual(TRIAGE_ORDER.slice(0, 5));
    const state = stateAfter(inputs);
    expect(stepIdOf(state, ZH)).toBe("customerName");
    expect(state.draft.triage).toEqual({
      casualties: false,
      media: "none",
      manufacturingLossComplaint: false,
      lossExceedsVehicleValue: false,
      majorAccident: true,
    });
    const summary = summaryOf(stateAfter([...inputs, ...CUSTOMER_INPUTS]));
    expect(summary.lines).toEqual(["定级: 重大质量信息 2 级", "依据:", "• 造成重大质量事故，未导致人员伤亡"]);
  });

  it("asks every severity question in order when every answer is no, and calls it general information", () => {
    expect(questionsAsked(GENERAL_REPORT)).toEqual([
      "kind",
      "source",
      "brand",
      "vin",
      "mileageKm",
      "description",
      ...TRIAGE_ORDER,
      "customerName",
      "customerPhone",
      "saleDate",
      "customerEmail",
      "contactCustomer",
      "attachments",
    ]);
    const state = stateAfter(GENERAL_REPORT);
    expect(summaryOf(state).lines).toEqual(["定级: 一般质量信息"]);
    expect(summaryOf(stateAfter(GENERAL_REPORT, EN), EN).lines).toEqual(["Severity: General information"]);
    expect(advanceReport(state, choice("confirm"), ZH)).toMatchObject({
      kind: "submit",
      classification: { category: "general", level: null, matched: [] },
    });
  });

  it("still asks about sales and the claim after frequent complaints (level 3), since they could make it level 2, but not about a breakdown", () => {
    const inputs = [...VEHICLE_INPUTS, ...ALL_NO_TRIAGE.slice(0, 5), choice("high"), choice("none"), choice("none")];
    expect(questionsAsked(inputs).slice(VEHICLE_INPUTS.length)).toEqual(TRIAGE_ORDER.slice(0, 8));
    expect(stepAfter(inputs)).toBe("customerName");
  });

  it.each<[string, number, 2 | 3, string, string]>([
    ["5万", 50_000, 2, "l2.large-claim", "• 顾客索赔金额5万元以上"],
    ["50000", 50_000, 2, "l2.large-claim", "• 顾客索赔金额5万元以上"],
    ["1万", 10_000, 3, "l3.claim", "• 顾客索赔金额1万元以上"],
    ["4.99万", 49_900, 3, "l3.claim", "• 顾客索赔金额1万元以上"],
  ])("makes a claim of %s level %i and asks nothing more about severity", (typed, amount, level, rule, reason) => {
    const inputs = [...VEHICLE_INPUTS, ...ALL_NO_TRIAGE.slice(0, 7), text(typed)];
    const state = stateAfter(inputs);
    expect(state.draft.triage.claimAmountCny).toBe(amount);
    expect(stepIdOf(state, ZH)).toBe("customerName");
    const summaryState = stateAfter(CUSTOMER_INPUTS, ZH, state);
    expect(summaryOf(summaryState).lines).toEqual([`定级: 重大质量信息 ${level} 级`, "依据:", reason]);
    expect(advanceReport(summaryState, choice("confirm"), ZH)).toMatchObject({
      kind: "submit",
      classification: { category: "major", level, matched: [{ rule, level }] },
    });
  });

  it("keeps a claim of 9999 general and still asks about a breakdown", () => {
    const inputs = [...VEHICLE_INPUTS, ...ALL_NO_TRIAGE.slice(0, 7), text("9999")];
    const state = stateAfter(inputs);
    expect(state.draft.triage.claimAmountCny).toBe(9999);
    expect(stepIdOf(state, ZH)).toBe("triage.breakdown");
    const summaryState = stateAfter([choice("no"), choice("no"), choice("no"), ...CUSTOMER_INPUTS], ZH, state);
    expect(summaryOf(summaryState).lines).toEqual(["定级: 一般质量信息"]);
  });

  it("files a safety defect with no accident as major, to be graded, and asks nothing more about severity (§4)", () => {
    const inputs = [...VEHICLE_INPUTS, ...ALL_NO_TRIAGE.slice(0, 9), choice("yes")];
    const state = stateAfter(inputs);
    expect(stepIdOf(state, ZH)).toBe("customerName");
    const summaryState = stateAfter(CUSTOMER_INPUTS, ZH, state);
    expect(summaryOf(summaryState).lines).toEqual(["定级: 重大质量信息（待定级）", "依据:", "• 影响整车性能及人身安全"]);
    expect(advanceReport(summaryState, choice("confirm"), ZH)).toMatchObject({
      kind: "submit",
      classification: { category: "major", level: null, matched: [{ rule: "major.safety-or-performance", level: null }] },
    });
  });

  it("files a batch problem as major, to be graded, and never asks about batches once a level is met", () => {
    const batch = stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE.slice(0, 10), choice("yes"), ...CUSTOMER_INPUTS]);
    expect(summaryOf(batch, EN).lines).toEqual(["Severity: Major, level to be graded", "Because:", "• Concerns a batch of vehicles"]);
    expect(questionsAsked([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE.slice(0, 8), choice("yes")]).slice(VEHICLE_INPUTS.length)).not.toContain("triage.batch");
  });

  it("treats \"no claim\" as 0 CNY", () => {
    for (const input of [choice("none"), text("未索赔"), text("No claim"), text("0"), text("无")]) {
      expect(stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE.slice(0, 7), input]).draft.triage.claimAmountCny).toBe(0);
    }
  });
});

describe("attachments", () => {
  const atAttachments = [...VEHICLE_INPUTS, ...ALL_NO_TRIAGE, ...CUSTOMER_INPUTS.slice(0, 5)];

  it("keeps the step open after files are sent and says how many were received", () => {
    const first = feed([...atAttachments, files(photo("p1"), photo("p2"))], ZH);
    expect(stepIdOf(first.state, ZH)).toBe("attachments");
    expect(first.state.draft.attachmentsDone).toBeUndefined();
    expect(first.replies).toEqual([
      { lines: ["已收到 2 个附件。继续发送，或点“完成”。"], choices: [{ id: "done", label: "完成" }], tone: "question" },
    ]);
    const second = feed([files(doc("d1", "invoice.pdf"))], EN, first.state);
    expect(second.replies[0]?.lines).toEqual(["3 attachment(s) received. Send more, or press Done."]);
  });

  it("collects files across several messages and moves on to the summary when Done is pressed", () => {
    const fed = feed([...atAttachments, files(photo("p1"), photo("p2")), files(doc("d1", "invoice.pdf")), choice("done")], ZH);
    expect(fed.state.mode).toBe("summary");
    expect(fieldsOf(summaryOf(fed.state))).toMatchObject({ 附件: "3" });
    const outcome = advanceReport(fed.state, choice("confirm"), ZH);
    expect(outcome).toMatchObject({
      kind: "submit",
      draft: {
        attachments: [
          { platform: "telegram", fileId: "p1", kind: "photo" },
          { platform: "telegram", fileId: "p2", kind: "photo" },
          { platform: "telegram", fileId: "d1", kind: "document", name: "invoice.pdf" },
        ],
        attachmentsDone: true,
      },
    });
  });

  it.each<[string, DialogInput]>([
    ["the Done button", choice("done")],
    ["完成", text("完成")],
    ["Done", text("Done")],
    ["its number 1", text("1")],
    ["好了", text("好了")],
    ["没有", text("没有")],
    ["skip", text("skip")],
  ])("finishes the attachments with %s, with no files at all", (_how, input) => {
    const state = stateAfter([...atAttachments, input]);
    expect(state.mode).toBe("summary");
    expect(state.draft.attachments).toEqual([]);
    expect(fieldsOf(summaryOf(state))).toMatchObject({ 附件: "0" });
  });
});

describe("the summary", () => {
  it.each<[string, DialogInput]>([
    ["the confirm button", choice("confirm")],
    ["its number 1", text("1")],
    ["确认", text("确认")],
    ["确认提交", text("确认提交")],
    ["Submit", text("Submit")],
    ["是", text("是")],
  ])("submits when confirmed with %s", (_how, input) => {
    const state = stateAfter(GENERAL_REPORT);
    expect(advanceReport(state, input, ZH)).toEqual({ kind: "submit", draft: state.draft, classification: classify(state.draft.triage, DEFAULT_THRESHOLDS) });
  });

  it.each<[string, DialogInput]>([
    ["the cancel button", choice("cancel")],
    ["its number 3", text("3")],
    ["取消", text("取消")],
    ["Cancel", text("Cancel")],
  ])("cancels with %s", (_how, input) => {
    expect(advanceReport(stateAfter(GENERAL_REPORT), input, ZH)).toEqual({ kind: "cancel" });
  });

  it.each<[string, DialogInput]>([
    ["a word that is not an option", text("maybe")],
    ["no", text("no")],
    ["a number past the last option", text("4")],
    ["an unknown button", choice("done")],
    ["a file", files(photo("late"))],
  ])("re-shows the summary with the invalid-choice message after %s", (_how, input) => {
    const state = stateAfter(GENERAL_REPORT);
    const before = JSON.parse(JSON.stringify(state)) as ReportDialogState;
    const outcome = continued(advanceReport(state, input, ZH));
    expect(outcome.state).toEqual(before);
    const summary = summaryOf(state);
    expect(outcome.replies).toEqual([{ ...summary, lines: ["请从选项中选择（可回复序号）。", ...summary.lines], tone: "error" }]);
  });

  it("shows an edit menu listing every answer once, with the severity questions as one entry", () => {
    const state = stateAfter(GENERAL_REPORT);
    const outcome = continued(advanceReport(state, choice("edit"), ZH));
    expect(outcome.state).toEqual({ draft: state.draft, mode: "choose_edit" });
    const menu: Card = {
      lines: ["要修改哪一项？"],
      choices: [
        { id: "edit:kind", label: "类型" },
        { id: "edit:source", label: "来源" },
        { id: "edit:brand", label: "品牌" },
        { id: "edit:vin", label: "VIN" },
        { id: "edit:mileageKm", label: "里程" },
        { id: "edit:description", label: "情况" },
        { id: "edit:triage.casualties", label: "定级问题" },
        { id: "edit:customerName", label: "顾客" },
        { id: "edit:customerPhone", label: "电话" },
        { id: "edit:saleDate", label: "销售日期" },
        { id: "edit:customerEmail", label: "邮箱" },
        { id: "edit:contactCustomer", label: "告知顾客结果" },
        { id: "edit:attachments", label: "附件" },
      ],
      tone: "question",
    };
    expect(outcome.replies).toEqual([menu]);
    expect(promptFor(outcome.state, ZH)).toEqual(menu);
    expect(stepIdOf(outcome.state, ZH)).toBe("choose_edit");
  });

  it("opens the edit menu when 修改 or its number is typed", () => {
    for (const input of [text("修改"), text("2"), text("Edit")]) {
      expect(continued(advanceReport(stateAfter(GENERAL_REPORT), input, ZH)).state.mode).toBe("choose_edit");
    }
  });

  it("re-shows the edit menu with the invalid-choice message for an answer that is not on it", () => {
    const state = stateAfter([...GENERAL_REPORT, choice("edit")]);
    const before = JSON.parse(JSON.stringify(state)) as ReportDialogState;
    const outcome = continued(advanceReport(state, text("everything"), EN));
    expect(outcome.state).toEqual(before);
    const menu = promptFor(state, EN);
    expect(outcome.replies).toEqual([
      { ...menu, lines: ["Please pick one of the options (you can reply with its number).", ...menu.lines], tone: "error" },
    ]);
  });

  it("re-asks only the phone when the phone is edited, then returns to the summary", () => {
    const state = stateAfter(GENERAL_REPORT);
    const asking = feed([choice("edit"), choice("edit:customerPhone")], ZH, state);
    expect(asking.state.mode).toBe("asking");
    expect(stepIdOf(asking.state, ZH)).toBe("customerPhone");
    expect(asking.replies).toEqual([{ lines: ["顾客电话（手机或座机）："], choices: undefined, tone: "question", typedAnswer: true }]);
    expect(asking.state.draft.customerPhone).toBeUndefined();

    const back = feed([text("(024) 1234 5678")], ZH, asking.state);
    expect(back.state.mode).toBe("summary");
    expect(back.replies).toEqual([summaryOf(back.state)]);
    expect(fieldsOf(back.replies[0]!)).toMatchObject({ 电话: "024-12345678", 顾客: "张伟" });
    expect(back.state.draft).toEqual({ ...state.draft, customerPhone: "024-12345678" });
  });

  it("finds the answer to edit by its label in either language or by its number", () => {
    for (const input of [text("电话"), text("phone"), text("9")]) {
      const state = stateAfter([...GENERAL_REPORT, choice("edit"), input]);
      expect(stepIdOf(state, ZH)).toBe("customerPhone");
    }
  });

  it("clears every severity answer when the severity questions are edited and re-asks them adaptively", () => {
    const start = stateAfter(CASUALTIES_REPORT);
    expect(summaryOf(start).lines[0]).toBe("定级: 重大质量信息 1 级");

    const asking = feed([choice("edit"), choice("edit:triage.casualties")], ZH, start);
    expect(asking.state.draft.triage).toEqual({});
    expect(asking.replies[0]?.lines).toEqual(["是否造成人员伤亡？"]);

    expect(questionsAsked(ALL_NO_TRIAGE, ZH, asking.state)).toEqual(TRIAGE_ORDER);
    const after = stateAfter(ALL_NO_TRIAGE, ZH, asking.state);
    expect(after.mode).toBe("summary");
    expect(summaryOf(after).lines).toEqual(["定级: 一般质量信息"]);
    expect(after.draft).toEqual({
      ...start.draft,
      triage: {
        casualties: false,
        media: "none",
        manufacturingLossComplaint: false,
        lossExceedsVehicleValue: false,
        majorAccident: false,
        complaintFrequency: "none",
        salesImpact: "none",
        claimAmountCny: 0,
        breakdown: false,
        safetyOrPerformance: false,
        batch: false,
      },
    });
    expect(advanceReport(after, choice("confirm"), ZH)).toMatchObject({ kind: "submit", classification: { category: "general", level: null } });
  });

  it("drops the stale \"no\" answers when the severity questions are edited up to level 1", () => {
    const state = stateAfter([choice("edit"), choice("edit:triage.casualties"), choice("no"), choice("exposed")], ZH, stateAfter(GENERAL_REPORT));
    expect(state.mode).toBe("summary");
    expect(state.draft.triage).toEqual({ casualties: false, media: "exposed" });
    expect(summaryOf(state).lines).toEqual(["定级: 重大质量信息 1 级", "依据:", "• 媒体即将曝光或已曝光，对公司声誉造成重大损失"]);
  });

  it("can be confirmed after an edit", () => {
    const state = stateAfter([choice("edit"), choice("edit:customerName"), text("李娜")], ZH, stateAfter(GENERAL_REPORT));
    expect(advanceReport(state, choice("confirm"), ZH)).toMatchObject({ kind: "submit", draft: { customerName: "李娜", customerPhone: "138 1234 5678" } });
  });
});

describe("the stored state", () => {
  /** A long conversation: rejections, files, an edit of the phone and of the severity questions, then confirm. */
  const conversation: DialogInput[] = [
    text("质量故障"),
    text("maybe"),
    text("2"),
    choice("zhonghua"),
    text("LSGPC52U7AF102554"),
    text(VALID_VIN.toLowerCase()),
    choice("unknown"),
    text("坏"),
    text("行驶中突然熄火，无法启动"),
    choice("no"),
    choice("none"),
    choice("no"),
    choice("no"),
    choice("no"),
    choice("high"),
    choice("none"),
    text("abc"),
    text("1.5万"),
    text("王芳"),
    text("12345"),
    text("+86 139 0000 1111"),
    text("不知道"), // the sale date
    choice("none"), // no e-mail
    text("否"), // the customer asked not to be contacted
    files(photo("p1")),
    text("hello"),
    files(doc("d1", "report.pdf")),
    choice("done"),
    text("什么"),
    choice("edit"),
    choice("edit:customerPhone"),
    text("024-12345678转8"),
    choice("edit"),
    choice("edit:triage.casualties"),
    choice("yes"),
    choice("edit"),
    choice("edit:attachments"),
    choice("done"),
    choice("confirm"),
  ];

  function run(roundTrip: boolean): ReportOutcome[] {
    let state = emptyReportState();
    const outcomes: ReportOutcome[] = [];
    for (const input of conversation) {
      if (roundTrip) state = JSON.parse(JSON.stringify(state)) as ReportDialogState;
      const outcome = advanceReport(state, input, ZH);
      outcomes.push(outcome);
      if (outcome.kind === "continue") state = outcome.state;
    }
    return outcomes;
  }

  it("continues exactly the same after JSON.parse(JSON.stringify(state)) before every input", () => {
    const live = run(false);
    const stored = run(true);
    expect(JSON.parse(JSON.stringify(stored))).toEqual(JSON.parse(JSON.stringify(live)));
    expect(stored).toEqual(live);
    expect(stored.at(-1)).toMatchObject({
      kind: "submit",
      draft: {
        kind: "fault",
        source: "hotline",
        brand: "zhonghua",
        vin: VALID_VIN,
        mileageKm: null,
        description: "行驶中突然熄火，无法启动",
        triage: { casualties: true },
        customerName: "王芳",
        customerPhone: "024-12345678-8",
        saleDate: null,
        customerEmail: null,
        contactCustomer: false,
        attachments: [],
        attachmentsDone: true,
      },
      classification: { level: 1 },
    });
  });

  it("holds only plain JSON values at every step", () => {
    let state = emptyReportState();
    for (const input of conversation) {
      const outcome = advanceReport(state, input, ZH);
      if (outcome.kind !== "continue") break;
      state = outcome.state;
      const copy = JSON.parse(JSON.stringify(state)) as ReportDialogState;
      expect(copy).toEqual(state);
      expect(promptFor(copy, ZH)).toEqual(promptFor(state, ZH));
      expect(stepIdOf(copy, ZH)).toBe(stepIdOf(state, ZH));
    }
  });
});

describe("typed numbers on questions answered by typing", () => {
  it("reads a typed 1 as one kilometre and a typed 1 as a claim of one yuan, not as the shortcut button", () => {
    const mileage = continued(advanceReport(stateAfter(VEHICLE_INPUTS.slice(0, 4)), text("1"), ZH));
    expect(mileage.state.draft.mileageKm).toBe(1);
    const claim = continued(advanceReport(stateAfter([...VEHICLE_INPUTS, ...ALL_NO_TRIAGE.slice(0, 7)]), text("1"), ZH));
    expect(claim.state.draft.triage.claimAmountCny).toBe(1);
  });
});
