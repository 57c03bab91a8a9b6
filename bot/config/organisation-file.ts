import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { parseOrganisation } from "../../core/directory/parse-organisation.js";
import type { Organisation } from "../../core/directory/organisation.js";
import { isHotlineError } from "../../core/errors.js";
import { ConfigError } from "./env.js";
import { PROJECT_ROOT } from "./paths.js";

/** Reads and validates the organisation file (YAML or JSON); relative paths are from the project root. */
export function loadOrganisationFile(path: string): Organisation {
  const absolute = resolve(PROJECT_ROOT, path);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    throw new ConfigError(`ORG_CONFIG: cannot read the organisation file ${absolute} (${(error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = extname(absolute) === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`ORG_CONFIG: ${absolute} is not valid ${extname(absolute) === ".json" ? "JSON" : "YAML"}: ${(error as Error).message}`);
  }
  try {
    return parseOrganisation(raw, absolute);
  } catch (error) {
    if (isHotlineError(error, "invalid_config")) throw new ConfigError(error.message);
    throw error;
  }
}
