import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { loadOrganisationFile } from "../../bot/config/organisation-file.js";
import { PROJECT_ROOT } from "../../bot/config/paths.js";
import type { Organisation } from "../../core/directory/organisation.js";

/** The default organisation file, relative to the project root. */
export const DEFAULT_ORGANISATION_FILE = "prisma/seed/organisation.yaml";

let cached: Organisation | undefined;

/** The default organisation, loaded through the real loader once per test file. */
export function defaultOrganisation(): Organisation {
  cached ??= loadOrganisationFile(DEFAULT_ORGANISATION_FILE);
  return cached;
}

/** A deep, mutable copy of the default organisation, for tests that change it. */
export function copyOfDefaultOrganisation(): Organisation {
  return structuredClone(defaultOrganisation()) as Organisation;
}

/** The default organisation file as written (before validation and defaults), for tests that break it. */
export function rawDefaultOrganisation(): any {
  return parseYaml(readFileSync(resolve(PROJECT_ROOT, DEFAULT_ORGANISATION_FILE), "utf8"));
}
