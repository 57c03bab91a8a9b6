import { describe, expect, it } from "vitest";
import { ACTION, escapeMrkdwn, renderForSlack } from "../../../bot/slack/render-slack.js";
import type { Card } from "../../../core/messages/card.js";

const options = { mentionOf: (id: string) => (id === "chen.jie" ? "<@U0000000QA1>" : id === "zhou.min" ? "<!subteam^S0AS>" : undefined), noteLabel: "Add note" };

describe("Block Kit rendering", () => {
  it("escapes user text so a reporter cannot mention, link or ping the channel", () => {
    expect(escapeMrkdwn("<!channel> <@U1> <https://x|y> & co")).toBe("&lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt; &amp; co");
    const { blocks } = renderForSlack({ lines: ["<!here> 快来"], fields: [{ label: "情况", value: "<@U999>" }] }, options);
    expect(JSON.stringify(blocks)).not.toContain("<!here>");
    expect(JSON.stringify(blocks)).not.toContain("<@U999>");
  });

  it("turns mentions into user or user-group mentions, names the rest, and gives a ticket's actions an Add-note button", () => {
    const card: Card = {
      title: "新工单",
      lines: ["x"],
      mentions: [{ memberId: "chen.jie", name: "陈杰" }, { memberId: "zhou.min", name: "周敏" }, { memberId: "nobody", name: "某人" }],
      choices: [{ id: "/ack HL-20261126-0001", label: "响应" }],
    };
    const text = JSON.stringify(renderForSlack(card, options).blocks);
    expect(text).toContain("<@U0000000QA1> <!subteam^S0AS> @某人");
    const actions = renderForSlack(card, options).blocks.find((b) => b.type === "actions") as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([["choice-0", "/ack HL-20261126-0001"], [ACTION.note, "HL-20261126-0001"]]);
  });

  it("keeps within Block Kit's limits: 10 fields a section, 3,000 characters a section, 50 blocks with the buttons kept", () => {
    const many: Card = {
      title: "t".repeat(200),
      lines: ["长".repeat(5_000)],
      fields: Array.from({ length: 23 }, (_, i) => ({ label: `f${i}`, value: "v" })),
      pickers: Array.from({ length: 60 }, (_, i) => ({ id: `/appoint HL-1 d${i}`, label: `d${i}` })),
      choices: [{ id: "/onsite HL-1", label: "On site" }],
    };
    const { blocks, text } = renderForSlack(many, options);
    expect(blocks.length).toBe(50);
    expect(blocks.at(-1)!.type).toBe("actions");
    const header = blocks[0] as { text: { text: string } };
    expect([...header.text.text].length).toBeLessThanOrEqual(150);
    for (const block of blocks as { text?: { text: string }; fields?: unknown[] }[]) {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      if (block.fields) expect(block.fields.length).toBeLessThanOrEqual(10);
    }
    expect(text.length).toBeLessThanOrEqual(3000);
  });
});
