import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../support/run-cli.js";
import { freshDatabaseFile } from "../../support/test-app.js";

const SUBCOMMANDS = ["classify", "chat", "members", "invite", "unbind", "report", "export", "documents", "deliveries", "migrate-to", "telegram"];

// A command that got past its arguments by mistake would find a database of its own, not the repo's.
const db = freshDatabaseFile();
afterAll(() => db.cleanup());
const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: `file:${db.file}` } });

/** One line on stderr, exit code 2, and nothing of a stack trace. */
function expectUsageError(result: Awaited<ReturnType<typeof runCli>>, problem: string) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr).toContain(problem);
  expect(result.stderr).not.toMatch(/\n\s+at |TypeError|ERR_PARSE_ARGS/);
}

describe("npx hotline: usage mistakes", () => {
  it("says in one line which value is missing, exit code 2", async () => {
    const [invite, platform, chat, report, ttl] = await Promise.all([
      cli(["invite"]),
      cli(["invite", "wang.fang", "--platform"]),
      cli(["chat", "--as"]),
      cli(["report", "--date"]),
      cli(["invite", "wang.fang", "--ttl-hours"]),
    ]);
    expectUsageError(invite, "hotline invite: missing <member>");
    expectUsageError(platform, "hotline invite: --platform needs a value");
    expectUsageError(chat, "hotline chat: --as needs a value");
    expect(chat.stderr).toContain("Usage: hotline chat --as <member>");
    expectUsageError(report, "hotline report: --date needs a value");
    expectUsageError(ttl, "hotline invite: --ttl-hours needs a value");
  });

  it("names an unknown option, a value given to a flag, an extra argument and an unknown command", async () => {
    const [unknownOption, flagValue, optionAsValue, extra, unknownCommand] = await Promise.all([
      cli(["report", "--bogus"]),
      cli(["report", "--json=yes"]),
      cli(["chat", "--as", "--json"]),
      cli(["members", "everyone"]),
      cli(["frobnicate"]),
    ]);
    expectUsageError(unknownOption, "hotline report: unknown option --bogus");
    expectUsageError(flagValue, "hotline report: --json takes no value");
    expectUsageError(optionAsValue, "hotline chat: --as needs a value");
    expectUsageError(extra, 'hotline members: unexpected argument "everyone"');
    expectUsageError(unknownCommand, 'hotline: unknown command "frobnicate"; hotline help lists the commands');
  });
});

describe("npx hotline <command> --help", () => {
  it("prints each command's own usage, exit code 0, with --help, -h or help <command>", async () => {
    const runs = await Promise.all(SUBCOMMANDS.flatMap((name) => [cli([name, "--help"]), cli([name, "-h"]), cli(["help", name])]));
    SUBCOMMANDS.forEach((name, i) => {
      for (const result of runs.slice(i * 3, i * 3 + 3)) {
        expect(result.code, name).toBe(0);
        expect(result.stderr, name).toBe("");
        expect(result.stdout, name).toMatch(new RegExp(`^Usage: hotline ${name}\\b`));
      }
    });
    const chat = runs[SUBCOMMANDS.indexOf("chat") * 3]!.stdout;
    expect(chat).toContain("--as <member>");
    expect(chat).not.toContain("unknown option");
  });

  it("wins over other mistakes on the same line", async () => {
    const result = await cli(["chat", "--as", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: hotline chat --as <member>/);
  });

  it("lists every command in hotline help", async () => {
    const result = await cli(["help"]);
    expect(result.code).toBe(0);
    for (const name of SUBCOMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
  });
});
