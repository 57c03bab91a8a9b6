import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml, stringify } from "yaml";
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

/** Writes the default organisation file, changed by `mutate`, into `dir`; returns its path (for ORG_CONFIG). */
export function writeOrganisationFile(dir: string, mutate: (raw: any) => void): string {
  const raw = rawDefaultOrganisation();
  mutate(raw);
  const file = join(dir, "organisation.yaml");
  writeFileSync(file, stringify(raw));
  return file;
}

/**
 * Lets major tickets go out to their whole plan at once, as organisations that do not ask
 * after-sales to confirm first (`confirmation.levels: []`). For tests about what a released
 * escalation looks like and how it is answered; the confirmation itself is tested in
 * test/integration/after-sales-loop.test.ts and the platform scenarios.
 */
export function withoutConfirmation(raw: any): void {
  raw.confirmation = { ...raw.confirmation, levels: [] };
}
