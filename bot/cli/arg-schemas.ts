import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { UsageError } from "./usage-error.js";

/** A file to write: its folder must exist, and it must not be a folder itself. */
export const outFile = z
  .string()
  .min(1, "must name a file")
  .refine((path) => existsSync(dirname(resolve(path))), "names a folder that does not exist")
  .refine((path) => !existsSync(path) || !statSync(path).isDirectory(), "names a folder: give a file name");

/** A business day as `YYYY-MM-DD`, one the calendar has (not 2026-02-30). */
export const businessDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD")
  .refine((day) => {
    const at = new Date(`${day}T00:00:00Z`);
    return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === day;
  }, "is not a day of the calendar");

/**
 * Parses a command's arguments (keyed by how the user writes them: `--date`, `<number>`) with
 * `schema`; a bad or missing one is one line that names it and ends with the usage, exit code 2.
 */
export function parseWith<S extends z.ZodType>(command: string, usage: string, schema: S, args: Record<string, string | boolean | undefined>): z.infer<S> {
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? "");
  const problem = issue.code === "invalid_type" && args[name] === undefined ? "is required" : issue.message;
  throw new UsageError(`${command}: ${name} ${problem}. Usage: ${usage}`);
}
