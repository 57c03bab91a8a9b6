import { describe, expect, it } from "vitest";
import { ACTION, escapeMrkdwn, renderCaptionForSlack, renderForSlack, slackMention, slackMentionPolicy, unescapeMrkdwn } from "../../../bot/slack/render-slack.js";
import type { Card } from "../../../core/messages/card.js";
import { copyOfDefaultOrganisation } from "../../support/organisation.js";

const options = { mentionOf: (id: string) => (id === "chen.jie" ? "<@U0000000QA1>" : id === "zhou.min" ? "<!subteam^S0AS>" : undefined), noteLabel: "Add note" };

describe("Block Kit rendering", () => {
  it("escapes user text so a reporter cannot mention, link or ping the channel", () => {
    expect(escapeMrkdwn("<!channel> <@U1> <https://x|y> & co")).toBe("&lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt; &amp; co");
    const { blocks } = renderForSlack({ lines: ["<!here> 快来"], fields: [{ label: "情况", value: "<@U999>" }] }, options);
    expect(JSON.stringify(blocks)).not.toContain("<!here>");
    expect(JSON.stringify(blocks)).not.toContain("<@U999>");
  });

  it("escapes the fallback text as well, which Slack parses too: the only mentions in a message are the mention section's", () => {
    const hostile = "<!channel> <@U999> <!subteam^S999> <https://evil.example|Acknowledge> &";
    const card: Card = { title: hostile, lines: [hostile], fields: [{ label: hostile, value: hostile }], pickers: [{ id: "/appoint HL-1 qa", label: hostile }], mentions: [{ memberId: "chen.jie", name: hostile }, { memberId: "nobody", name: hostile }] };
    const { text, blocks } = renderForSlack(card, options);
    expect(text).not.toMatch(/[<>]/);
    expect(text).toContain("&lt;!channel&gt; &lt;@U999&gt; &lt;!subteam^S999&gt; &lt;https://evil.example|Acknowledge&gt; &amp;");
    // plain_text (the header, the picker's placeholder) is shown as typed; mrkdwn holds only the mention.
    const mrkdwn = (blocks as { text?: { type: string; text: string }; fields?: { text: string }[] }[]).flatMap((b) => [...(b.text?.type === "mrkdwn" ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text)]);
    expect(mrkdwn.join("\n").match(/<[^<>]*>/g)).toEqual(["<@U0000000QA1>"]);
  });

  it("reads escaped text back as typed, so escaping it again neither doubles entities nor lets markup through", () => {
    for (const typed of ["<!channel> & <@U1>", "&lt;already&gt;", "a &amp; b"]) expect(unescapeMrkdwn(escapeMrkdwn(typed))).toBe(typed);
    expect(escapeMrkdwn(unescapeMrkdwn("&lt;!here&gt; <!channel>"))).toBe("&lt;!here&gt; &lt;!channel&gt;");
  });

  it("mentions only what are Slack ids: users U… or W…, user groups S…", () => {
    expect(slackMention({ user: "U0000000QA1" })).toBe("<@U0000000QA1>");
    expect(slackMention({ user: "W0ENTERPRISE" })).toBe("<@W0ENTERPRISE>");
    expect(slackMention({ userGroup: "S0000QA" })).toBe("<!subteam^S0000QA>");
    for (const user of ["U1> <!channel", "chen.jie", "u0000000qa1", ""]) expect(slackMention({ user })).toBeUndefined();
    for (const userGroup of ["S0QA> <!here", "S0QA|x", "U0000000QA1"]) expect(slackMention({ userGroup })).toBeUndefined();
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

  it("gives a button whose command still needs its text the form action, so pressing it opens a form", () => {
    const card: Card = { lines: ["x"], choices: [{ id: "/ack HL-20261126-0001", label: "响应" }, { id: "/resolve HL-20261126-0001", label: "解决" }] };
    const needsForm = (command: string) => command.startsWith("/resolve ");
    const actions = renderForSlack(card, { ...options, needsForm }).blocks.find((b) => b.type === "actions") as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      ["choice-0", "/ack HL-20261126-0001"],
      ["form-1", "/resolve HL-20261126-0001"],
      [ACTION.note, "HL-20261126-0001"],
    ]);
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

  it("clips escaped text without cutting an entity in two", () => {
    const { blocks, text } = renderForSlack({ lines: ["<".repeat(5_000)], fields: [{ label: "f", value: "&".repeat(3_000) }] }, options);
    const section = blocks[0] as { text: { text: string } };
    expect(section.text.text.length).toBeLessThanOrEqual(3000);
    expect(section.text.text).toMatch(/^(&lt;)+…$/);
    const field = (blocks[1] as { fields: { text: string }[] }).fields[0]!.text;
    expect(field).toMatch(/^\*f\*\n(&amp;)+…$/);
    expect(text).toMatch(/^(&lt;)+…$/);
  });
});

describe("a file's caption as its mrkdwn comment", () => {
  it("escapes what staff typed and mentions as the mention section does: the user group or the user, else the name", () => {
    const card: Card = { title: "报告单 <!here>", lines: ["<@U999> 行驶中起火"], fields: [{ label: "VIN", value: "LSGPC52U6AF102554" }], mentions: [{ memberId: "zhou.min", name: "周敏" }, { memberId: "chen.jie", name: "陈杰" }, { memberId: "nobody", name: "<!channel>" }] };
    expect(renderCaptionForSlack(card, options)).toBe("报告单 &lt;!here&gt;\n&lt;@U999&gt; 行驶中起火\nVIN: LSGPC52U6AF102554\n<!subteam^S0AS> <@U0000000QA1> @&lt;!channel&gt;");
  });

  it("leaves out pickers and buttons, which a comment cannot hold", () => {
    const card: Card = { lines: ["表单"], choices: [{ id: "/ack HL-1", label: "响应" }], pickers: [{ id: "/appoint HL-1 qa", label: "委派" }] };
    expect(renderCaptionForSlack(card, options)).toBe("表单");
  });

  it("holds at most 4,000 characters of text, clipped without cutting an entity, before the mentions", () => {
    const caption = renderCaptionForSlack({ lines: [`${"字".repeat(3998)}&&`], mentions: [{ memberId: "chen.jie", name: "陈杰" }] }, options);
    const [text, mentions] = caption.split("\n");
    expect([...text!].length).toBeLessThanOrEqual(4000);
    expect(text!.endsWith("…")).toBe(true);
    expect(text).not.toMatch(/&[a-z]{0,3}…$/);
    expect(mentions).toBe("<@U0000000QA1>");
  });
});

describe("whom a mention reaches on Slack", () => {
  it("mentions a lead by their department's user group where the organisation names one, anyone else by their Slack id, a member without one not at all", () => {
    const org = copyOfDefaultOrganisation();
    org.departments.find((d) => d.id === "after_sales")!.slackUserGroup = "S0000AFTER";
    org.departments.find((d) => d.id === "quality_assurance")!.slackUserGroup = "not-a-group";
    const mentionOf = slackMentionPolicy(org.members, org);
    expect(mentionOf("zhou.min")).toBe("<!subteam^S0000AFTER>");
    expect(mentionOf("chen.jie")).toBe("<@U0000000QA1>"); // the group's id is not Slack's: the lead instead
    expect(mentionOf("nobody")).toBeUndefined();
  });
});
