import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { migratePostgres } from "../../prisma/postgresql/postgresql-migrations.js";
import { migrateDatabase } from "../../prisma/sqlite/sqlite-database.js";
import { databaseUrl, dropDatabase, dropDatabasesOfEndedRuns, onServer, uniqueDatabaseName } from "./postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
    /** The run's migrated PostgreSQL database, which tests copy. */
    postgresTemplate: string;
  }
}

/**
 * Migrates one SQLite file and one PostgreSQL database with the real migrations; each test copies
 * one instead of migrating again. The PostgreSQL one is the run's own, dropped at the end (and
 * what killed runs left behind is dropped first).
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "hotline-template-"));
  const file = join(dir, "template.db");
  await dropDatabasesOfEndedRuns();
  const postgresTemplate = uniqueDatabaseName("template");
  await onServer(`CREATE DATABASE "${postgresTemplate}"`);
  await Promise.all([migrateDatabase(`file:${file}`), migratePostgres(databaseUrl(postgresTemplate))]);
  project.provide("templateDatabase", file);
  project.provide("postgresTemplate", postgresTemplate);
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(postgresTemplate);
  };
}
