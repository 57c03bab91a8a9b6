import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../prisma/project-root.js";
import { derivePostgresSchema } from "../../prisma/postgresql/derive-schema.js";
import { migrationFolders, migrationSql, POSTGRES_MIGRATIONS, POSTGRES_SCHEMA } from "../../prisma/postgresql/generate.js";

/*
 * PostgreSQL's schema is derived from the SQLite one, with migrations of its own. These fail when
 * the two drift: the derived schema is not the one committed, or the committed migrations do not
 * build it on a real PostgreSQL server.
 */

/** The PostgreSQL server the tests may create databases on (`.ci/run` starts one where there is none). */
const SERVER = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const created: string[] = [];

const psql = (url: string, args: string[], input?: string) =>
  execFileSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-q", "-X", ...args], { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });

function freshDatabase(purpose: string): string {
  const name = `hotline_test_${purpose}_${process.pid}_${Date.now()}`;
  psql(SERVER, ["-c", `CREATE DATABASE "${name}"`]);
  created.push(name);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The tables, columns, keys and indexes of a database, as pg_dump writes them, without its comments and settings. */
function schemaOf(url: string): string {
  const dump = execFileSync("pg_dump", ["--schema-only", "--no-owner", "--no-privileges", "--exclude-table=_prisma_migrations", url], { encoding: "utf8" });
  return dump
    .split("\n")
    // Recent pg_dump fences its output with \restrict and a random key (CVE-2025-8714).
    .filter((line) => line.trim() !== "" && !line.startsWith("--") && !/^(SET|SELECT pg_catalog|\\(un)?restrict )/.test(line))
    .join("\n");
}

afterAll(() => {
  for (const name of created) psql(SERVER, ["-c", `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`]);
});

describe("PostgreSQL's schema", () => {
  it("is the one derived from prisma/schema.prisma (after changing that file, run npm run db:postgresql)", () => {
    const derived = derivePostgresSchema(readFileSync(join(PROJECT_ROOT, "prisma", "schema.prisma"), "utf8"));
    expect(readFileSync(POSTGRES_SCHEMA, "utf8")).toBe(derived);
    expect(derived).toContain('provider = "postgresql"');
    expect(derived).not.toContain('"sqlite"');
  });

  it("is built on a real PostgreSQL server by its migrations, in order, exactly as the schema says", () => {
    const migrated = freshDatabase("migrated");
    for (const folder of migrationFolders()) psql(migrated, ["-f", join(POSTGRES_MIGRATIONS, folder, "migration.sql")]);
    const fromSchema = freshDatabase("schema");
    psql(fromSchema, [], migrationSql("empty", POSTGRES_SCHEMA));
    const tables = psql(migrated, ["-At", "-c", "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"]).trim().split("\n");
    expect(tables).toEqual(expect.arrayContaining(["Ticket", "WorkRecord", "Delivery", "Deadline", "DialogSession"]));
    expect(schemaOf(migrated)).toBe(schemaOf(fromSchema));
  });

  it("refuses to derive from a SQLite schema whose datasource moved, naming what it missed", () => {
    expect(() => derivePostgresSchema("// x\ngenerator client {\n  output = \"../generated/prisma\"\n}\n")).toThrow(/the datasource provider is not where/);
  });
});
