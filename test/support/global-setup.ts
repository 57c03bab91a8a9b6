import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../../prisma/database.js";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/** Migrates one SQLite file with the real migrations; each test copies it instead of migrating again. */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "hotline-template-"));
  const file = join(dir, "template.db");
  await migrateDatabase(`file:${file}`);
  project.provide("templateDatabase", file);
  return () => rmSync(dir, { recursive: true, force: true });
}
