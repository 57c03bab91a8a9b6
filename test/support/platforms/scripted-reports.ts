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
