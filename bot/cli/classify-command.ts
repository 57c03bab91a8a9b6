import { z } from "zod";
import { pick } from "../../core/messages/locale.js";
import { triageAnswersSchema } from "../../core/triage/answers.js";
import { classify } from "../../core/triage/classify.js";
import { loadConfig } from "../config/env.js";
import { loadOrganisationFile } from "../config/organisation-file.js";
import { UsageError } from "./usage-error.js";

const ALLOWED_FIELDS = Object.keys(triageAnswersSchema.shape).join(", ");

/** Names each bad field; an unknown field is an error too, so a typo can't pass as "no". */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => `${key}: unknown field (allowed: ${ALLOWED_FIELDS})`)
        : [`${issue.path.join(".")}: ${issue.message}`],
    )
    .join("\n");
}

/** `hotline classify`: one JSON object of answers on stdin, one JSON classification on stdout. */
export async function classifyCommand(stdin: NodeJS.ReadableStream): Promise<string> {
  const config = loadConfig();
  const org = loadOrganisationFile(config.ORG_CONFIG);
  let text = "";
  for await (const chunk of stdin) text += String(chunk);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`stdin: not valid JSON (${(error as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new UsageError("stdin: expected one JSON object of answers");
  const answers = triageAnswersSchema.safeParse(raw);
  if (!answers.success) throw new UsageError(describeIssues(answers.error.issues));
  const result = classify(answers.data, org.triage);
  return JSON.stringify({
    category: result.category,
    level: result.level,
    matched: result.matched.map((m) => ({ rule: m.rule, level: m.level, text: pick(m.text, config.DEFAULT_LOCALE) })),
  });
}
