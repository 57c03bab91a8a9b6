import type { z } from "zod";
import { HotlineError } from "../errors.js";
import { organisationSchema, type Organisation } from "./organisation.js";

/** Validates a parsed organisation file; the error lists each bad key path, e.g. `departments[2].lead`. */
export function parseOrganisation(raw: unknown, source: string): Organisation {
  const result = organisationSchema.safeParse(raw);
  if (result.success) return Object.freeze(result.data);
  throw new HotlineError("invalid_config", `organisation file ${source} is invalid:\n${formatIssues(result.error.issues)}`);
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `  - ${formatPath(issue.path) || "(root)"}: ${issue.message}`).join("\n");
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
}
