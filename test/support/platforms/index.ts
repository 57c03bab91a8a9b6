/**
 * One scenario, every platform: a harness that runs a scenario through the real chat adapters
 * (Telegram, Slack, WeCom) against their fake servers, and through the real terminal chat.
 *
 * Writing a scenario
 *
 *   describe.each(SCENARIO_PLATFORMS)("a level-2 fault on %s", (platform) => {
 *     let scenario: Scenario;
 *     beforeEach(async () => (scenario = await startScenario({ platform })));
 *     afterEach(() => scenario.stop());
 *
 *     it("pings QA, whose acknowledgement reaches the reporter", async () => {
 *       const number = ticketNumberIn((await scenario.walk("wang.fang", LEVEL2_FAULT_STEPS)).text);
 *       const ping = await scenario.waitForInbox("chen.jie", (m) => m.text.includes(`新工单 ${number}`));
 *       expect(ping.buttons).toContainEqual({ label: "响应", command: `/ack ${number}` });
 *       await scenario.press("chen.jie", `/ack ${number}`);
 *       await scenario.waitForInbox("wang.fang", (m) => m.text.includes("已由 陈杰（质量保证部）响应"));
 *     });
 *   });
 *
 * - People are the default organisation's members (prisma/seed/organisation.yaml), by id. Each has
 *   an account on the scenario's platform and prefers it; the escalation channel
 *   (ESCALATION_CHANNEL) is on that platform too. `orgEdit` changes the file further (deadlines,
 *   plans, channels) on the raw YAML object, as writeOrganisationFile does.
 * - `say` types; `press` presses a button by its command (`/ack HL-…`, or a dialog option's id
 *   such as `fault`) on the latest message in the member's inbox that shows it, or in a channel
 *   with `{ in: channelId }`. Both resolve with the bot's answer (`text`, `buttons`, `messages`)
 *   once it has been sent: no waiting of your own. `walk` runs scripted steps (scripted-reports.ts).
 *   `sendFile` sends a document in the member's private chat (the terminal: `/attach <path>`).
 * - What goes to others arrives later: wait with `waitForInbox` / `waitForChannel`. They fail
 *   saying what they waited for and what did arrive. Never sleep, and assert nothing about time taken.
 * - Assert on what people read (`text`, `buttons`) and on the app (`scenario.app`: tickets,
 *   timeline, outbox). Take ticket numbers from the answers (`ticketNumberIn`), not from the date.
 * - Time: `scenario.clock.advance({ hours: 2 })`, then `await scenario.fireDueDeadlines()` fires
 *   the reminders and escalations due by then and waits for their messages to go out.
 *   `settle()` waits for everything the bot still has to send (and, on Slack, to edit).
 *
 * What differs, as the platforms differ today:
 * - Channels: Telegram posts once in a group; Slack edits its message in place, and `channel()`
 *   shows its current text; WeCom posts into an app group chat (and `robot:<department>` reads a
 *   department's group robot, when the organisation gives it one); the terminal shows no channel,
 *   so its `channel()` is what the bot wrote to the outbox for it.
 * - Options: WeCom and the terminal number the dialog's options, so pressing one sends its number.
 *   WeCom shows commands as a card's buttons (a press is a template_card_event); the terminal
 *   shows them as the command to type. Button labels are the platform's (WeCom cuts a card's to 10).
 * - Slack: commands are written in the direct message without "/" (Slack keeps it for its own):
 *   `say("zhou.min", "/ack HL-…")` sends `ack HL-…`. A press in a channel is answered only to the
 *   presser (ephemeral), which their inbox shows. Slack sends 3 messages a second; WeCom's queue 20
 *   a minute (its robots' limit, applied to all WeCom messages), so a scenario that makes WeCom send
 *   more than 20 notifications within a minute waits for the rest.
 * - The terminal runs one real `hotline chat` per member in this process, all opened before the
 *   scenario. What reaches a member on their own platform (they keep the default organisation's
 *   accounts; no adapter runs) appears in their chat as its outbox reader prints it, within a
 *   second. Texts keep the terminal's marks ("? ", "✔ "). Its chats run on the wall clock: a
 *   terminal scenario starts now, `clock.advance` moves only what the harness fires, and times
 *   shown differ from the other platforms', so leave exact times out of shared assertions.
 */
export { startScenario, SCENARIO_START, type Scenario, type ScenarioOptions, type WaitOptions } from "./start-scenario.js";
export { ESCALATION_CHANNEL, SCENARIO_PLATFORMS, TELEGRAM_ESCALATION_GROUP, WECOM_ESCALATION_CHAT, type ScenarioPlatform } from "./scenario-organisation.js";
export { LEVEL1_COMPLAINT_STEPS, LEVEL1_FAULT_STEPS, LEVEL2_FAULT_STEPS, type Step } from "./scripted-reports.js";
export type { BotMessage, Button, Reply } from "./bot-message.js";
export type { Duration, ScenarioClock } from "./scenario-clock.js";

/** The first ticket number (HL-YYYYMMDD-NNNN) in a text. */
export function ticketNumberIn(text: string): string {
  const number = /HL-\d{8}-\d{4}/.exec(text)?.[0];
  if (!number) throw new Error(`no ticket number in:\n${text}`);
  return number;
}
