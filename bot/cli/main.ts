import { parseCommandArgs, type ArgsSpec, type ParsedArgs } from "./args.js";
import { UsageError } from "./usage-error.js";

/**
 * A subcommand: its arguments, its `--help`, and what it runs. Each command loads its own modules
 * when it runs, so `hotline help` and `hotline classify` start without Prisma, grammY or Bolt.
 */
interface Command extends ArgsSpec {
  name: string;
  summary: string;
  /** Lines under the usage in `hotline <command> --help`. */
  details: string[];
  run(args: ParsedArgs): Promise<string | undefined>;
}

const text = (value: string | boolean | undefined) => (typeof value === "string" ? value : undefined);
const PLATFORMS = "telegram|slack|wecom";

const COMMANDS: Command[] = [
  {
    name: "classify",
    command: "hotline classify",
    usage: "hotline classify < answers.json",
    summary: "read one JSON object of triage answers on stdin, print the classification",
    details: ['Prints {"category","level","matched"} as JSON; a bad or unknown field exits 2 naming it.', 'Example: echo \'{"breakdown": true}\' | npx hotline classify'],
    options: {},
    maxPositionals: 0,
    run: async () => (await import("./classify-command.js")).classifyCommand(process.stdin),
  },
  {
    name: "chat",
    command: "hotline chat",
    usage: "hotline chat --as <member>",
    summary: "report and handle tickets in the terminal as a directory member",
    details: [
      "The same dialogs and commands as the chat platforms, against the same database.",
      "Answer options by number; /attach <file> adds a file; /help lists commands; /quit leaves.",
      "What the bot sends the member on their chat platform is shown too, as it is written to the outbox.",
      "  --as <member>   the member id (npx hotline members lists them)",
    ],
    options: { as: "string" },
    maxPositionals: 0,
    run: async ({ values }) => {
      const { chatCommand } = await import("./chat-command.js");
      await chatCommand(text(values.as), { input: process.stdin, print: (line) => console.log(line) });
      return undefined;
    },
  },
  {
    name: "members",
    command: "hotline members",
    usage: "hotline members",
    summary: "list the directory's members (ids for --as)",
    details: ["One line each: id, name, roles, department or service center."],
    options: {},
    maxPositionals: 0,
    run: async () => (await import("./members-command.js")).membersCommand(),
  },
  {
    name: "invite",
    command: "hotline invite",
    usage: `hotline invite <member> [--platform ${PLATFORMS}] [--ttl-hours 72]`,
    summary: "a single-use code (and t.me link) that binds a chat account to a member",
    details: ["  --platform      where the account is (default telegram)", "  --ttl-hours     how long the code is valid (default 72)"],
    options: { platform: "string", "ttl-hours": "string" },
    maxPositionals: 1,
    required: ["<member>"],
    run: async ({ values, positionals }) =>
      (await import("./invite-command.js")).inviteCommand(positionals[0], { platform: text(values.platform), ttlHours: text(values["ttl-hours"]) }),
  },
  {
    name: "unbind",
    command: "hotline unbind",
    usage: `hotline unbind <member> [--platform ${PLATFORMS}]`,
    summary: "remove a member's chat account bound by an invite",
    details: ["  --platform      where the account is (default telegram)", "Accounts listed in the organisation file stay: remove them from the file instead."],
    options: { platform: "string" },
    maxPositionals: 1,
    required: ["<member>"],
    run: async ({ values, positionals }) => (await import("./invite-command.js")).unbindCommand(positionals[0], { platform: text(values.platform) }),
  },
  {
    name: "report",
    command: "hotline report",
    usage: "hotline report [--date YYYY-MM-DD] [--week] [--format text|json|xlsx|pdf] [--out FILE] [--locale zh-CN|en]",
    summary: "the daily reports (major quality problems, hotline) and records, today's so far by default",
    details: [
      "  --date          a business day (TZ setting; default today)",
      "  --week          the seven days ending on that day, with the measures (考核) in JSON, XLSX and PDF",
      "  --format        text (default); json, the reports' data; xlsx or pdf, the day's three records",
      "                  (call log, mail/fax/letter log, major problems report) or the week's measures, made,",
      "                  kept in the archive as their next version and written out with their chart (PNG)",
      "  --out FILE      where to write: the one document, or FILE's name with each record's kind added",
      "                  (default <kind>-<period>-v<version>.<format> here)",
      "  --locale        zh-CN or en (default DEFAULT_LOCALE)",
      "  --json          the same as --format json",
    ],
    options: { date: "string", week: "boolean", json: "boolean", format: "string", out: "string", locale: "string" },
    maxPositionals: 0,
    run: async ({ values }) =>
      (await import("./report-command.js")).reportCommand({
        date: text(values.date), week: values.week === true, json: values.json === true, format: text(values.format), out: text(values.out), locale: text(values.locale),
      }),
  },
  {
    name: "export",
    command: "hotline export",
    usage: "hotline export tickets --from YYYY-MM-DD --to YYYY-MM-DD [--format xlsx|csv] [--level general|1|2|3] [--out FILE] [--locale zh-CN|en]",
    summary: "the tickets reported on those days as a spreadsheet (XLSX) or CSV for Excel, phones masked",
    details: [
      "  --from, --to    business days, inclusive (at most a year)",
      "  --format        xlsx (default) or csv (UTF-8 with a BOM, CRLF, quoted as RFC 4180 says)",
      "  --level         only general items, or major ones of level 1, 2 or 3",
      "  --out FILE      where to write (default tickets-<from>-<to>.<format> here)",
      "  --locale        zh-CN or en (default DEFAULT_LOCALE)",
    ],
    options: { from: "string", to: "string", format: "string", level: "string", out: "string", locale: "string" },
    maxPositionals: 1,
    run: async ({ values, positionals }) =>
      (await import("./export-command.js")).exportCommand({
        what: positionals[0], from: text(values.from), to: text(values.to), format: text(values.format), level: text(values.level), out: text(values.out), locale: text(values.locale),
      }),
  },
  {
    name: "documents",
    command: "hotline documents",
    usage: "hotline documents ticket <number> [--format pdf|xlsx] [--out FILE] [--locale zh-CN|en] [--as <member>] | list [--ticket <number>] | get <id> --out FILE",
    summary: "the manual's forms as PDF or XLSX, kept in the archive with their checksums",
    details: [
      "  ticket <number>   make the ticket's form (major quality report, major complaint report or",
      "                    customer pending work order) and keep it as its next version",
      "    --format        pdf (default) or xlsx",
      "    --out FILE      where to write it (default <number>-<form>-v<version>.<format> here)",
      "    --locale        zh-CN or en (default DEFAULT_LOCALE)",
      "    --as <member>   made for a member: the customer's phone in full if they may call the customer",
      "  list              what the archive keeps, newest first: id, form, version, size, checksum, time",
      "    --ticket <no>   only that ticket's",
      "  get <id> --out FILE   write a kept document back out, its checksum checked first",
    ],
    options: { format: "string", out: "string", locale: "string", as: "string", ticket: "string" },
    maxPositionals: 2,
    run: async ({ values, positionals }) =>
      (await import("./documents-command.js")).documentsCommand({
        action: positionals[0], target: positionals[1], format: text(values.format), out: text(values.out), locale: text(values.locale), as: text(values.as), ticket: text(values.ticket),
      }),
  },
  {
    name: "deliveries",
    command: "hotline deliveries",
    usage: "hotline deliveries [--failed] [--json] | hotline deliveries retry <id>",
    summary: "the messages the bot sent or could not send; put a failed one back in line",
    details: ["  --failed        only those that could not be delivered, with the error", "  --json          the rows as JSON", "  retry <id>      send a failed one again (the running bot picks it up)"],
    options: { failed: "boolean", json: "boolean" },
    maxPositionals: 2,
    run: async ({ values, positionals }) =>
      (await import("./deliveries-command.js")).deliveriesCommand({ action: positionals[0], id: positionals[1], failed: values.failed === true, json: values.json === true }),
  },
  {
    name: "migrate-to",
    command: "hotline migrate-to",
    usage: "hotline migrate-to <postgresql-url>",
    summary: "copy the SQLite database (DATABASE_URL) into an empty PostgreSQL database",
    details: [
      "Stop the bot first: the file must not change during the copy.",
      "Applies the PostgreSQL migrations, refuses a database that holds rows, copies every table in one",
      "transaction (a failure writes nothing), checks the row counts, and sets the ids to continue.",
      `Example: npx hotline migrate-to postgresql://hotline:secret@db.example.com:5432/hotline`,
    ],
    options: {},
    maxPositionals: 1,
    required: ["<postgresql-url>"],
    run: async ({ positionals }) => {
      const { migrateToCommand } = await import("./migrate-to-command.js");
      return migrateToCommand(positionals[0]!, { print: (line) => console.log(line) });
    },
  },
  {
    name: "telegram",
    command: "hotline telegram",
    usage: "hotline telegram set-webhook <public-url> | hotline telegram delete-webhook",
    summary: "register the webhook (needs TELEGRAM_WEBHOOK_SECRET) or go back to polling",
    details: ["set-webhook appends /telegram/webhook to the URL unless it ends with it."],
    options: {},
    maxPositionals: 2,
    run: async ({ positionals }) => (await import("./telegram-command.js")).telegramCommand(positionals[0], positionals[1]),
  },
];

const HELP: ArgsSpec = { command: "hotline help", usage: "hotline help [<command>]", options: {}, maxPositionals: 1 };

function overview(): string {
  const lines = COMMANDS.flatMap((c) => [`  ${c.usage.replace(/^hotline /, "")}`, `      ${c.summary}`]);
  return ["Usage: hotline <command> [options]", "", ...lines, "  help [<command>]", "      this text, or a command's own (also: hotline <command> --help)"].join("\n");
}

const sentence = (phrase: string) => `${phrase.charAt(0).toUpperCase()}${phrase.slice(1)}.`;
const commandHelp = (command: Command) => [`Usage: ${command.usage}`, "", sentence(command.summary), ...(command.details.length ? ["", ...command.details] : [])].join("\n");

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`hotline: unknown command "${name}"; hotline help lists the commands`);
  return command;
}

async function run(argv: string[]): Promise<string | undefined> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const { positionals } = parseCommandArgs(HELP, rest);
    return positionals[0] ? commandHelp(findCommand(positionals[0])) : overview();
  }
  const command = findCommand(name);
  const args = parseCommandArgs(command, rest);
  if (args.help) return commandHelp(command);
  const { loadDotEnv } = await import("../config/env.js");
  loadDotEnv();
  return command.run(args);
}

/** Exit codes: 0 done, 2 a usage or settings mistake (one message, no stack), 1 anything else. */
const USER_MISTAKES = new Set(["UsageError", "ConfigError"]);
/** Failures a command explains in its message: printed without a stack, exit code 1. */
const EXPLAINED_FAILURES = new Set(["CommandFailure"]);

run(process.argv.slice(2)).then(
  (output) => {
    if (output !== undefined) console.log(output);
  },
  (error: unknown) => {
    if (error instanceof Error && USER_MISTAKES.has(error.name)) {
      console.error(error.message);
      process.exit(2);
    }
    if (error instanceof Error && EXPLAINED_FAILURES.has(error.name)) {
      console.error(error.message);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
