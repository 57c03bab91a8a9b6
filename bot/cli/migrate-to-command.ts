import { existsSync, openSync, readSync, closeSync } from "node:fs";
import { z } from "zod";
import { CopyRefused, copySqliteToPostgres, MODEL_TABLES, type CopyReport } from "../../prisma/postgresql/copy-from-sqlite.js";
import { databaseFile } from "../../prisma/sqlite/sqlite-database.js";
import { dialectOf, migrateStorage } from "../../prisma/storage/open-storage.js";
import { loadConfig, withoutPassword } from "../config/env.js";
import { CommandFailure } from "./command-failure.js";
import { UsageError } from "./usage-error.js";

const COMMAND = "hotline migrate-to";
const EXAMPLE = "postgresql://hotline@127.0.0.1:5432/hotline";

/** The target: a PostgreSQL URL with a host and a database name. */
const targetSchema = z
  .url({ protocol: /^postgres(ql)?$/, error: `must be a PostgreSQL URL such as ${EXAMPLE}` })
  // Zod runs these even after the URL check failed: each guards itself.
  .refine((url) => URL.canParse(url) && new URL(url).hostname !== "", `must name the server's host, as in ${EXAMPLE}`)
  .refine((url) => URL.canParse(url) && /^\/[^/]+$/.test(new URL(url).pathname), `must name the database, as in ${EXAMPLE}`);

function parseTarget(text: string): string {
  const parsed = targetSchema.safeParse(text);
  if (!parsed.success) throw new UsageError(`${COMMAND}: <postgresql-url> ${parsed.error.issues[0]!.message}, not "${withoutPassword(text)}"`);
  return parsed.data;
}

/** Host, port and database: two URLs for the same database may differ in user, password or options. */
function sameDatabase(a: string, b: string): boolean {
  const where = (url: string) => {
    const { hostname, port, pathname } = new URL(url);
    return `${hostname.toLowerCase()}:${port || "5432"}${decodeURIComponent(pathname)}`;
  };
  return where(a) === where(b);
}

/** The SQLite file DATABASE_URL names, which must exist and be a SQLite database. */
function sourceFile(source: string, target: string): string {
  if (dialectOf(source) === "postgresql") {
    if (sameDatabase(source, target)) throw new UsageError(`${COMMAND}: DATABASE_URL already names ${withoutPassword(target)}: the copy goes from the SQLite file DATABASE_URL names into another database`);
    throw new UsageError(`${COMMAND}: DATABASE_URL names a PostgreSQL database (${withoutPassword(source)}), not a SQLite file: migrate-to copies a SQLite deployment (DATABASE_URL=file:…) into PostgreSQL`);
  }
  if (!source.startsWith("file:") || source === "file::memory:") throw new UsageError(`${COMMAND}: DATABASE_URL must name a SQLite file (file:./data/hotline.db), not "${source}"`);
  const file = databaseFile(source);
  if (!existsSync(file)) throw new UsageError(`${COMMAND}: there is no SQLite database at ${file} (DATABASE_URL=${source})`);
  if (!isSqliteFile(file)) throw new UsageError(`${COMMAND}: ${file} (DATABASE_URL=${source}) is not a SQLite database`);
  return file;
}

/** Every SQLite database file starts with these 16 bytes. */
function isSqliteFile(file: string): boolean {
  const header = Buffer.alloc(16);
  const fd = openSync(file, "r");
  try {
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString("latin1") === "SQLite format 3\0";
  } finally {
    closeSync(fd);
  }
}

/** Errors that mean the server or database can't be reached as named: the operator's to fix. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "3D000", "28P01", "28000"]);

async function migrateTarget(target: string): Promise<number> {
  try {
    return await migrateStorage(target);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    if (code === "3D000") throw new UsageError(`${COMMAND}: ${message} on ${withoutPassword(target)}: create it first (createdb), then run migrate-to again`);
    if (code && UNREACHABLE.has(code)) throw new UsageError(`${COMMAND}: cannot reach ${withoutPassword(target)}: ${message}`);
    throw new CommandFailure(`${COMMAND}: could not apply the migrations to ${withoutPassword(target)}: ${message}`, { cause: error });
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const plural = (n: number, word: string) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
const WIDTH = Math.max(...MODEL_TABLES.map((name) => name.length));

function summary(report: CopyReport, target: string, ms: number): string {
  const rows = report.tables.reduce((sum, t) => sum + t.rows, 0);
  const ids = report.nextIds.map((n) => `${n.table} ${n.next}`).join(", ");
  return [
    `Checked: each table holds as many rows in PostgreSQL as in SQLite (${plural(report.tables.length, "table")}, ${plural(rows, "row")}).`,
    `New rows take ids from: ${ids}.`,
    `Done in ${seconds(ms)}. Set DATABASE_URL=${withoutPassword(target)} (in .env) and start the bot.`,
  ].join("\n");
}

/**
 * `hotline migrate-to <postgresql-url>`: copies the SQLite deployment DATABASE_URL names into an
 * empty PostgreSQL database, all of it in one transaction, then checks the row counts.
 */
export async function migrateToCommand(targetText: string, options: { print: (line: string) => void }): Promise<string> {
  const started = performance.now();
  const target = parseTarget(targetText);
  const source = loadConfig().DATABASE_URL;
  const file = sourceFile(source, target);
  const { print } = options;
  print(`Copying the SQLite database ${file} into ${withoutPassword(target)}.`);
  print("The bot must be stopped: the copy is the file as it is at the start, and nothing the bot writes after it is copied.");
  const migrated = await migrateTarget(target);
  print(migrated > 0 ? `PostgreSQL: applied ${plural(migrated, "migration")}.` : "PostgreSQL: the schema is up to date.");
  const sourceMigrated = await migrateStorage(source);
  if (sourceMigrated > 0) print(`SQLite: applied ${plural(sourceMigrated, "pending migration")} first, so both databases have the same tables.`);
  try {
    const report = await copySqliteToPostgres(file, target, ({ table, rows, ms }) => {
      print(`  ${table.padEnd(WIDTH)} ${rows.toLocaleString("en").padStart(11)} ${rows === 1 ? "row " : "rows"}  ${seconds(ms)}`);
    });
    return summary(report, target, performance.now() - started);
  } catch (error) {
    if (error instanceof CopyRefused) throw new UsageError(`${COMMAND}: ${error.message}. No rows were written.`);
    throw new CommandFailure(`${COMMAND}: ${(error as Error).message}. No rows were written: the copy is one transaction, rolled back.`, { cause: error });
  }
}
