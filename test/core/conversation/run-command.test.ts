import { describe, expect, it } from "vitest";
import { commandTable, type CommandCall, type CommandRow } from "../../../core/conversation/commands.js";
import { commandRunner, type CommandMessage, type TypedCommand } from "../../../core/conversation/run-command.js";
import type { Member } from "../../../core/directory/member.js";
import { cardToPlainText, type Card } from "../../../core/messages/card.js";
import type { CoreContext } from "../../../core/ports.js";
import { MemoryDialogStore } from "../../support/memory-dialog-store.js";
import { defaultOrganisation } from "../../support/organisation.js";

/*
 * The pending-argument mechanism on rows like those still to come (`/grade <no> <level> <reason>`,
 * `/assign <no> <service center>`): a choice before the free text, asked for with its options.
 */

const NUMBER = "HL-20261126-0001";

function setUp() {
  const calls: Pick<CommandCall, "ticket" | "choice" | "text" | "args">[] = [];
  const ran = (c: CommandCall) => {
    calls.push({ ticket: c.ticket, choice: c.choice, text: c.text, args: c.args });
    return Promise.resolve({ replies: [{ lines: [`ran /${c.choice}/${c.text}/`] }], notifications: [] });
  };
  const grade: CommandRow = {
    name: "grade",
    usage: "/grade <HL-…> <general|1|2|3> <reason>",
    help: "command.help.status",
    ticket: true,
    choice: {
      options: () => ["general", "1", "2", "3"].map((id) => ({ id, label: id === "general" ? "一般" : `${id} 级` })),
      ask: "command.ask.note",
    },
    text: { required: true, ask: "command.ask.ask" },
    run: ran,
  };
  const assign: CommandRow = {
    name: "assign",
    usage: "/assign <HL-…> <service center>",
    help: "command.help.status",
    ticket: true,
    choice: { options: (ctx) => ctx.org.serviceCenters.map((c) => ({ id: c.id, label: c.name.zh })), ask: "command.ask.note" },
    run: ran,
  };
  const runner = commandRunner(commandTable([grade, assign]));
  const dialogs = new MemoryDialogStore();
  const ctx = { org: defaultOrganisation(), dialogs, defaultLocale: "zh-CN" } as unknown as CoreContext;
  const member = { id: "zhou.min" } as Member;
  const send = async (input: Omit<CommandMessage, "member" | "conversation">) => {
    const message: CommandMessage = { member, conversation: "test:zhou.min", ...input };
    const session = await dialogs.find(member.id, message.conversation);
    const raw = input.choice?.startsWith("/") ? input.choice : input.text;
    const result = raw?.startsWith("/")
      ? await runner.run(ctx, message, typed(raw), session, "zh-CN")
      : await runner.continuePending(ctx, message, session!.state as never, "zh-CN");
    return { cards: result.replies, text: result.replies.map(cardToPlainText).join("\n") };
  };
  return { calls, dialogs, send, ctx };
}

function typed(raw: string): TypedCommand {
  const [head = "", ...args] = raw.split(/\s+/);
  return { name: head.slice(1), args, rest: raw.slice(head.length).trim() };
}

const choiceIds = (card: Card | undefined) => card?.choices?.map((c) => c.id);

describe("a command with a choice before its free text", () => {
  it("runs at once when both are typed", async () => {
    const { calls, send } = setUp();
    expect((await send({ text: `/grade ${NUMBER} 2 客户索赔超过五万元` })).text).toBe("ran /2/客户索赔超过五万元/");
    expect(calls).toEqual([{ ticket: NUMBER, choice: "2", text: "客户索赔超过五万元", args: [] }]);
  });

  it("asks for the choice with its options as buttons, then for the text, then runs", async () => {
    const { calls, dialogs, send } = setUp();
    const askedChoice = await send({ choice: `/grade ${NUMBER}` });
    expect(choiceIds(askedChoice.cards[0])).toEqual(["general", "1", "2", "3"]);
    expect(askedChoice.cards[0]!.tone).toBe("question");
    const askedText = await send({ choice: "1" });
    expect(askedText.text).toContain(`（${NUMBER}，/cancel 取消）`);
    expect(dialogs.all()[0]).toMatchObject({ dialog: "command", step: "text", state: { choice: "1" } });
    expect((await send({ text: "有人员受伤" })).text).toBe("ran /1/有人员受伤/");
    expect(calls).toEqual([{ ticket: NUMBER, choice: "1", text: "有人员受伤", args: [] }]);
    expect(dialogs.all()).toEqual([]);
  });

  it("takes a typed option by its id or its label before its number, and asks again for one it does not know", async () => {
    const { send } = setUp();
    expect((await send({ text: `/grade ${NUMBER} 一般` })).text).toContain("/cancel"); // the label: asks for the reason
    await send({ text: `/grade ${NUMBER}` });
    expect((await send({ text: "2" })).text).toContain("/cancel");
    expect((await send({ text: "reason" })).text).toBe("ran /2/reason/");
    await send({ text: `/grade ${NUMBER}` });
    const again = await send({ text: "7" });
    expect(again.text).toContain("请从选项中选择");
    expect(choiceIds(again.cards[1])).toEqual(["general", "1", "2", "3"]);
    expect((await send({ text: "一般" })).text).toContain("/cancel");
  });

  it("answers an option it does not know, typed in the command, with the usage and the options", async () => {
    const { calls, dialogs, send } = setUp();
    expect((await send({ text: `/grade ${NUMBER} 5 太严重` })).text).toBe("用法：/grade <HL-…> <general|1|2|3> <reason>\n可选：general, 1, 2, 3");
    expect(calls).toEqual([]);
    expect(dialogs.all()).toEqual([]);
  });

  it("runs a choice without text once the option is picked", async () => {
    const { calls, ctx, send } = setUp();
    const center = ctx.org.serviceCenters[0]!;
    const asked = await send({ text: `/assign ${NUMBER}` });
    expect(asked.cards[0]!.choices).toContainEqual({ id: center.id, label: center.name.zh });
    expect((await send({ choice: center.id })).text).toBe(`ran /${center.id}//`);
    expect(calls).toEqual([{ ticket: NUMBER, choice: center.id, text: "", args: [] }]);
  });

  it("still answers a missing ticket number with the usage", async () => {
    const { send } = setUp();
    expect((await send({ text: "/assign" })).text).toBe("用法：/assign <HL-…> <service center>");
  });
});
