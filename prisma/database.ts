import { execFile } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import BetterSqlite3 from "better-sqlite3";
import { PrismaClient, type Prisma } from "../generated/prisma/client.ts";
import { SqliteConnection } from "./sqlite-connection.js";

export type Database = PrismaClient;
/** The client or an open transaction: stores work on either, so a caller can widen the transaction. */
export type DbClient = Database | Prisma.TransactionClient;

/**
 * Runs `work` in a transaction, or inside the caller's when `db` already is one. Interactive
 * transactions wait up to 10 s for the single SQLite writer, and may run 15 s.
 */
export function transact<T>(db: DbClient, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return "$transaction" in db ? db.$transaction(work, { maxWait: 10_000, timeout: 15_000 }) : work(db);
}

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MIGRATIONS_DIR = join(PROJECT_ROOT, "prisma", "migrations");

/** `file:` URLs are taken relative to the project, so the CLI and the server share one file wherever they start. */
export function resolveDatabaseUrl(url: string): string {
  if (!url.startsWith("file:")) return url;
  const path = url.slice("file:".length);
  return path === ":memory:" ? url : `file:${resolve(PROJECT_ROOT, path)}`;
}

export function databaseFile(url: string): string {
  return resolveDatabaseUrl(url).slice("file:".length);
}

/** The adapter factory, keeping hold of the connection it opens (the adapter keeps it as `client`). */
class SharedConnectionAdapter extends PrismaBetterSQLite3 {
  connection: BetterSqlite3.Database | undefined;

  override async connect(): ReturnType<PrismaBetterSQLite3["connect"]> {
    const adapter = await super.connect();
    this.connection = (adapter as unknown as { client: BetterSqlite3.Database }).client;
    return adapter;
  }
}

const connections = new WeakMap<Database, SqliteConnection>();

/** Opens the database, waiting out short locks held by another process (the CLI beside the server). */
export async function openDatabase(url: string): Promise<Database> {
  const adapter = new SharedConnectionAdapter({ url: resolveDatabaseUrl(url), timeout: 5_000 });
  const db = new PrismaClient({ adapter });
  await db.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  if (!adapter.connection) throw new Error("the SQLite adapter opened no connection");
  connections.set(db, new SqliteConnection(adapter.connection));
  return db;
}

/** The SQLite connection under an open database, for the hot statements (see SqliteConnection). */
export function sqliteOf(db: Database): SqliteConnection {
  const connection = connections.get(db);
  if (!connection) throw new Error("not a database opened by openDatabase");
  return connection;
}

function migrationNames(): string[] {
  return readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * Reads which migrations are applied and turns on WAL (it persists in the file), so the
 * terminal chat can read and write while the server runs. Closed before the CLI migrates.
 */
function inspectDatabase(file: string): Set<string> {
  const sqlite = new BetterSqlite3(file, { timeout: 5_000 });
  try {
    sqlite.pragma("journal_mode = WAL");
    const table = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!table) return new Set();
    const rows = sqlite
      .prepare("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL")
      .all() as { migration_name: string }[];
    return new Set(rows.map((row) => row.migration_name));
  } finally {
    sqlite.close();
  }
}

/**
 * Prepares the database file before the app opens it: creates its folder and applies pending
 * migrations with `prisma migrate deploy` (offline through the JS engine), skipping the CLI when
 * the database is current. Returns how many migrations were pending.
 */
export async function migrateDatabase(url: string): Promise<number> {
  const file = databaseFile(url);
  mkdirSync(dirname(file), { recursive: true });
  const applied = inspectDatabase(file);
  const pending = migrationNames().filter((name) => !applied.has(name));
  if (pending.length === 0) return 0;
  const prismaCli = join(dirname(createRequire(import.meta.url).resolve("prisma/package.json")), "build", "index.js");
  await promisify(execFile)(process.execPath, [prismaCli, "migrate", "deploy"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: resolveDatabaseUrl(url), PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  return pending.length;
}
