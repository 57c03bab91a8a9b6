import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../project-root.js";
import { derivePostgresSchema } from "./derive-schema.js";

/*
 * `npm run db:postgresql`: writes PostgreSQL's schema from prisma/schema.prisma and, when the
 * models changed, a migration from the previous PostgreSQL schema to the new one (offline, by
 * `prisma migrate diff`). Run it after changing the SQLite schema; a test fails until it is run.
 */

export const POSTGRES_DIR = join(PROJECT_ROOT, "prisma", "postgresql");
export const POSTGRES_SCHEMA = join(POSTGRES_DIR, "schema.prisma");
export const POSTGRES_MIGRATIONS = join(POSTGRES_DIR, "migrations");

/** The SQL that takes a PostgreSQL database from one schema (or none) to another. */
export function migrationSql(from: string | "empty", to: string): string {
  const source = from === "empty" ? ["--from-empty"] : ["--from-schema-datamodel", from];
  return execFileSync("npx", ["prisma", "migrate", "diff", ...source, "--to-schema-datamodel", to, "--script"], {
    cwd: PROJECT_ROOT,
    // The CLI's configuration opens the SQLite adapter, which the diff of two datamodels never uses.
    env: { ...process.env, DATABASE_URL: "file::memory:" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The migrations in the order they apply. */
export function migrationFolders(): string[] {
  return readdirSync(POSTGRES_MIGRATIONS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function main(): void {
  const derived = derivePostgresSchema(readFileSync(join(PROJECT_ROOT, "prisma", "schema.prisma"), "utf8"));
  const previous = existsSync(POSTGRES_SCHEMA) ? readFileSync(POSTGRES_SCHEMA, "utf8") : undefined;
  if (previous === derived) {
    console.log("prisma/postgresql/schema.prisma is up to date");
    return;
  }
  // The migration is worked out before anything is written: a failed diff leaves both as they were.
  const scratch = mkdtempSync(join(tmpdir(), "hotline-pg-schema-"));
  try {
    writeFileSync(join(scratch, "schema.prisma"), derived);
    const sql = migrationSql(previous === undefined ? "empty" : POSTGRES_SCHEMA, join(scratch, "schema.prisma"));
    const changed = /\S/.test(sql.replace(/^--.*$/gm, ""));
    if (changed) {
      const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
      const folder = join(POSTGRES_MIGRATIONS, `${stamp}_${previous === undefined ? "init" : "models"}`);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, "migration.sql"), sql);
      console.log(`wrote ${folder}/migration.sql`);
    }
    writeFileSync(POSTGRES_SCHEMA, derived);
    console.log(changed ? "wrote prisma/postgresql/schema.prisma" : "prisma/postgresql/schema.prisma rewritten; the models did not change");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
