import { VALID_VIN } from "../report-inputs.js";

/**
 * One answer in a scripted dialog: a button or option pressed by its id (on WeCom and the terminal,
 * which number their options, that sends its number), or words typed.
 */
export type Step = { press: string } | { say: string };

/** The sale date unknown, no e-mail, and the customer may be told the result. */
export const CONTACT_STEPS: readonly Step[] = [{ press: "unknown" }, { press: "none" }, { press: "yes" }];

/**
 * The level-2 quality fault of test/support/report-script.ts (a major accident without
 * casualties), answered as a member would: by button wherever the dialog offers one.
 */
export const LEVEL2_FAULT_STEPS: readonly Step[] = [
  { say: "/new" },
  { press: "fault" },
  { press: "service_center" },
  { press: "zhonghua" },
  { say: VALID_VIN },
  { say: "12000" },
  { say: "行驶中制动失灵，撞上护栏" },
  { press: "no" }, // casualties
  { press: "none" }, // media
  { press: "no" }, // a manufacturing fault caused a loss and a complaint
  { press: "no" }, // the loss exceeds the vehicle's value
  { press: "yes" }, // a major accident: level 2, the rest is not asked
  { say: "张先生" },
  { say: "13812345678" },
  ...CONTACT_STEPS,
  { press: "done" }, // no attachments
  { press: "confirm" },
];

/** The level-1 quality fault of report-script.ts: someone was injured, which settles the level at once. */
export const LEVEL1_FAULT_STEPS: readonly Step[] = [
  ...LEVEL2_FAULT_STEPS.slice(0, 6),
  { say: "行驶中起火，驾驶员受伤" },
  { press: "yes" }, // casualties: level 1, nothing else is asked
  { say: "张先生" },
  { say: "13812345678" },
  ...CONTACT_STEPS,
  { press: "done" },
  { press: "confirm" },
];

/** The level-1 customer complaint of report-script.ts: the media exposed it, so the complaint team is formed. */
export const LEVEL1_COMPLAINT_STEPS: readonly Step[] = [
  { say: "/new" },
  { press: "complaint" },
  { press: "hotline" },
  { press: "zhonghua" },
  { say: VALID_VIN },
  { say: "12000" },
  { say: "顾客投诉车辆自燃，媒体已报道" },
  { press: "no" }, // casualties
  { press: "exposed" }, // media: level 1
  { say: "王先生" },
  { say: "13912345678" },
  ...CONTACT_STEPS,
  { press: "done" },
  { press: "confirm" },
];
