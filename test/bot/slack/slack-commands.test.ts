import { describe, expect, it } from "vitest";
import { commandFromWords, commandInDirectMessage } from "../../../bot/slack/slack-commands.js";

describe("Slack's command words", () => {
  it("read `timeline` with a ticket number, and its page, as the command", () => {
    expect(commandInDirectMessage("timeline HL-20261126-0001 2")).toBe("/timeline HL-20261126-0001 2");
    expect(commandInDirectMessage("Timeline hl-20261126-1")).toBe("/Timeline hl-20261126-1");
    expect(commandFromWords("timeline HL-20261126-0001")).toBe("/timeline HL-20261126-0001");
  });

  it("leave a description that starts with the word as the answer it is", () => {
    expect(commandInDirectMessage("timeline of the repair: brakes failed")).toBe("timeline of the repair: brakes failed");
  });
});
