/** The sale date (unknown), the customer's e-mail (none) and whether they may be told the result (yes). */
export const CUSTOMER_CONTACT = ["unknown", "无", "是"] as const;

/** Typed answers for a whole report, as a member would send them, in dialog order. */
export interface ReportScript {
  kind?: "1" | "2"; // 1 fault, 2 complaint
  triage: string[]; // answers to the triage questions that will be asked
}

/**
 * A level-2 quality fault: a major accident without casualties. The triage answers are for
 * casualties, media, manufacturing loss, loss above vehicle value, major accident (then level 2
 * is settled and the rest are skipped).
 */
export const LEVEL2_FAULT = ["/new", "1", "1", "2", "LSGPC52U6AF102554", "12000", "行驶中制动失灵，撞上护栏", "否", "没有", "否", "否", "是", "张先生", "13812345678", ...CUSTOMER_CONTACT, "完成"];

/** A general fault: every triage question answered no, whole-vehicle performance and batch too. */
export const GENERAL_FAULT = [
  "/new", "1", "1", "1", "unknown", "unknown", "空调异响，怠速时明显",
  "否", "没有", "否", "否", "否", "个别", "无影响", "无", "否", "否", "否",
  "李女士", "024-12345678", ...CUSTOMER_CONTACT, "完成",
];

/**
 * Important but meeting no level's criteria (§4): a brake failure without an accident, which
 * affects personal safety. Filed as major, to be graded.
 */
export const UNGRADED_FAULT = [
  "/new", "1", "1", "1", "unknown", "unknown", "刹车失灵，未发生事故",
  "否", "没有", "否", "否", "否", "个别", "无影响", "无", "否", "是",
  "李女士", "024-12345678", ...CUSTOMER_CONTACT, "完成",
];

/** A level-1 customer complaint: the media already exposed it. */
export const LEVEL1_COMPLAINT = ["/new", "2", "2", "2", "unknown", "unknown", "顾客投诉车辆自燃，媒体已报道", "否", "已经曝光", "王先生", "13912345678", ...CUSTOMER_CONTACT, "完成"];

/** A level-1 quality fault: someone was injured, which settles the level at once. */
export const LEVEL1_FAULT = ["/new", "1", "1", "2", "LSGPC52U6AF102554", "12000", "行驶中起火，驾驶员受伤", "是", "张先生", "13812345678", ...CUSTOMER_CONTACT, "完成"];
