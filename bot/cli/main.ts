import { parseArgs } from "node:util";
import { pick } from "../../core/messages/locale.js";
import { createApp } from "../app.js";
import { ConfigError, loadConfig, loadDotEnv } from "../config/env.js";
import { chatCommand } from "./chat-command.js";
import { classifyCommand } from "./classify-command.js";
import { deliveriesCommand } from "./deliveries-command.js";
import { reportCommand } from "./report-command.js";
import { inviteCommand, unbindCommand } from "./invite-command.js";
import { telegramCommand } from "./telegram-command.js";
import { UsageError } from "./usage-error.js";

const USAGE = `Usage: hotline <command>

  classify                 read one JSON object of triage answers on stdin, print the classification
  chat --as <member>       report and handle tickets in the terminal as a directory member
  members                  list the directory's members (ids for --as)
  invite <member> [--platform telegram] [--ttl-hours 72]
                           a single-use code (and t.me link) that binds a chat account to a member
  unbind <member> [--platform telegram]
                           remove a member's bound chat account
  report [--date YYYY-MM-DD | --week] [--json]
                           the daily reports (major quality problems, hotline), today's so far by default
  deliveries [--failed] [--json] | retry <id>
                           the messages the bot sent or could not send; put a failed one back in line
  telegram set-webhook <public-url> | delete-webhook
                           register the webhook (needs TELEGRAM_WEBHOOK_SECRET) or go back to polling
  help                     show this text`;

async function listMembers(): Promise<string> {
  const app = await createApp(loadConfig());
  try {
    const members = await app.directory.listMembers();
    return members
      .map((m) => `${m.id.padEnd(16)} ${pick(m.name, app.config.DEFAULT_LOCALE).padEnd(8)} ${m.roles.join(",").padEnd(14)} ${m.departmentId ?? m.serviceCenterId ?? ""}`)
      .join("\n");
  } finally {
    await app.close();
  }
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "classify":
      console.log(await classifyCommand(process.stdin));
      return;
    case "chat": {
      const { values } = parseArgs({ args: rest, options: { as: { type: "string" } } });
      await chatCommand(values.as, { input: process.stdin, print: (text) => console.log(text) });
      return;
    }
    case "members":
      console.log(await listMembers());
      return;
    case "invite":
    case "unbind": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { platform: { type: "string" }, "ttl-hours": { type: "string" } },
      });
      const options = { platform: values.platform, ttlHours: values["ttl-hours"] };
      console.log(command === "invite" ? await inviteCommand(positionals[0], options) : await unbindCommand(positionals[0], options));
      return;
    }
    case "report": {
      const { values } = parseArgs({ args: rest, options: { date: { type: "string" }, week: { type: "boolean" }, json: { type: "boolean" } } });
      console.log(await reportCommand(values));
      return;
    }
    case "deliveries": {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { failed: { type: "boolean" }, json: { type: "boolean" } } });
      console.log(await deliveriesCommand({ action: positionals[0], id: positionals[1], failed: values.failed ?? false, json: values.json ?? false }));
      return;
    }
    case "telegram":
      console.log(await telegramCommand(rest[0], rest[1]));
      return;
    case undefined:
    case "help":
    case "--help":
      console.log(USAGE);
      return;
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

loadDotEnv();
run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError || (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    console.error((error as Error).message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
