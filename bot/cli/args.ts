import { parseArgs } from "node:util";
import { UsageError } from "./usage-error.js";

export type OptionKind = "string" | "boolean";

/** What one subcommand accepts: named options and how many plain arguments. */
export interface ArgsSpec {
  command: string;
  /** The one-line usage, without "Usage: ", e.g. `hotline chat --as <member>`. */
  usage: string;
  options: Record<string, OptionKind>;
  maxPositionals: number;
  /** Names of the plain arguments that must be there, in order, e.g. `<member>`. */
  required?: string[];
}

export interface ParsedArgs {
  help: boolean;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** `--help` or `-h` anywhere before a `--`: the command's usage, whatever else was given. */
function asksForHelp(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}

/**
 * Parses a subcommand's arguments. Every mistake (an unknown option, an option without its value,
 * a value given to a flag, an extra argument) is a UsageError of one line that ends with the usage.
 */
export function parseCommandArgs(spec: ArgsSpec, argv: string[]): ParsedArgs {
  if (asksForHelp(argv)) return { help: true, values: {}, positionals: [] };
  const fail = (problem: string): never => {
    throw new UsageError(`${spec.command}: ${problem}. Usage: ${spec.usage} (${spec.command} --help for more)`);
  };
  const options = Object.fromEntries(Object.entries(spec.options).map(([name, type]) => [name, { type }]));
  // Not strict: the tokens are checked here, to name the problem in words a user reads.
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const values: ParsedArgs["values"] = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    const kind = spec.options[token.name];
    if (!kind) fail(`unknown option ${token.rawName}`);
    if (kind === "boolean") {
      if (token.inlineValue) fail(`${token.rawName} takes no value`);
      values[token.name] = true;
      continue;
    }
    // `--as --json`: the next word is another option, not the value that was left out.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith("-"))) fail(`${token.rawName} needs a value`);
    values[token.name] = token.value;
  }
  const missing = spec.required?.[positionals.length];
  if (missing) fail(`missing ${missing}`);
  if (positionals.length > spec.maxPositionals) fail(`unexpected argument "${positionals[spec.maxPositionals]}"`);
  return { help: false, values, positionals };
}
