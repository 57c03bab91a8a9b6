import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import BetterSqlite3 from "better-sqlite3";
import { PrismaClient } from "../../generated/prisma/client.ts";
import { ConnectionLock, type Hold } from "./connection-lock.js";
import { LogSync } from "./log-sync.js";
import { PROJECT_ROOT } from "../project-root.js";
import { deployMigrations, migrationNames } from "../storage/migrations.js";
import { JoiningAdapter, WaitingAdapter, type DriverAdapter } from "./locked-adapters.js";
import { SqliteConnection, Statements } from "./sqlite-connection.js";
import { Transactions } from "./transactions.js";

import type { Database } from "../storage/storage.js";

export type { Database };

interface SharedConnection {
  lock: ConnectionLock;
  transactions: Transactions;
  /** The Prisma client under every unit's client: its statements join the open transaction. */
  joining: Database;
  connection: SqliteConnection;
}

/** What a unit of work's client leads to: the connection it is part of, and its plain statements. */
interface Unit {
  shared: SharedConnection;
  statements: Statements;
}

const databases = new WeakMap<Database, SharedConnection>();
const units = new WeakMap<Database, Unit>();

function sharedConnectionOf(db: Database): SharedConnection {
  const found = databases.get(db) ?? units.get(db)?.shared;
  if (!found) throw new Error("not a database opened by openDatabase");
  return found;
}

/**
 * Runs `work` as a unit of work: all it does commits together or not at all, and it returns once
 * committed. `work` gets the client whose statements are part of the transaction; the database's
 * own client waits its turn (up to 10 s), so work must use the client it is handed. Called with
 * that client, `transact` joins the unit. Units waiting at the same time share a commit (see
 * Transactions).
 */
export function transact<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T> {
  if (units.has(db)) return work(db); // its client refuses to run once the unit has ended
  const shared = sharedConnectionOf(db);
  return shared.transactions.run((hold) => work(unitClient(shared, hold)));
}

/**
 * A unit's client: Prisma's joining client, refused once the unit's turn is over, so a statement
 * from work left running can't land in another unit's transaction.
 */
function unitClient(shared: SharedConnection, hold: Hold): Database {
  const { joining, lock } = shared;
  const client = new Proxy(joining, {
    get(target, key) {
      if (key === "then") return undefined; // not a promise: awaiting the client must not use it
      if (!lock.holds(hold)) throw new Error("a transaction's client was used outside its transaction (after it ended, or from other work)");
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  units.set(client, { shared, statements: new Statements(shared.connection, () => lock.holds(hold)) });
  return client;
}

/**
 * Runs plain statements on their own, ahead of every unit of work waiting for the connection: for
 * bookkeeping that must not queue behind others, such as marking sent a message the platform
 * accepted (the longer that waits, the wider the window in which a crash sends it twice). They
 * commit alone, without waiting for the disk: the record survives the process being killed, and
 * a power cut may lose it, which costs a message sent twice, never one lost. (A synced commit here
 * would hold the event loop for the disk's time: better-sqlite3 runs statements synchronously.)
 * Keep the work short; what must survive a power cut goes through `transact`.
 */
export async function runPromptly<T>(db: Database, work: (sql: Statements) => T | Promise<T>): Promise<T> {
  const shared = sharedConnectionOf(db);
  const hold = await shared.lock.acquire("other", { first: true });
  try {
    shared.connection.control("PRAGMA synchronous = NORMAL");
    return await work(new Statements(shared.connection, () => shared.lock.holds(hold)));
  } finally {
    shared.connection.control("PRAGMA synchronous = FULL");
    shared.lock.release(hold);
  }
}

/** How many units of work ran and how many commits they took. */
export function transactionStatsOf(db: Database): Readonly<Transactions["stats"]> {
  return sharedConnectionOf(db).transactions.stats;
}

/** The plain statements of the unit of work whose client this is (see Statements). */
export function sqliteOf(tx: Database): Statements {
  const unit = units.get(tx);
  if (!unit) throw new Error("plain statements run inside a unit of work: call sqliteOf with the client transact() hands its work");
  return unit.statements;
}

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

/**
 * Opens the database, waiting out short locks held by another process (the CLI beside the server).
 * Two Prisma clients share the one connection: the database for everyone, whose statements wait
 * for an open transaction to end, and the one under the clients `transact` hands to units of
 * work. Prisma runs the findUnique calls of one tick as one batch: a batch mixing a unit's calls
 * with others' would wait for the unit's own transaction.
 */
export async function openDatabase(url: string, options: { unitTimeoutMs?: number } = {}): Promise<Database> {
  const inner = await new PrismaBetterSQLite3({ url: resolveDatabaseUrl(url), timeout: 5_000 }).connect();
  const sqlite = connectionOf(inner);
  const lock = new ConnectionLock();
  const logSync = logSyncOf(sqlite);
  const factory = (adapter: DriverAdapter) => ({ provider: adapter.provider, adapterName: adapter.adapterName, connect: async () => adapter });
  const db = new PrismaClient({ adapter: factory(new WaitingAdapter(inner, sqlite, lock, async () => logSync?.release())) });
  const joining = new PrismaClient({ adapter: factory(new JoiningAdapter(inner, sqlite, lock)) });
  const connection = new SqliteConnection(sqlite);
  const transactions = new Transactions(connection, lock, logSync, options.unitTimeoutMs);
  databases.set(db, { lock, transactions, joining, connection });
  await db.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  return db;
}

/**
 * The better-sqlite3 connection Prisma's adapter opened, which it keeps as `client` (not part of its
 * API: the adapter exports no way to hand it a connection). Checked, so an upgrade that moves it
 * fails here, at start, rather than with statements on the wrong connection.
 */
export function connectionOf(adapter: DriverAdapter): BetterSqlite3.Database {
  const client: unknown = (adapter as unknown as { client?: unknown }).client;
  if (!(client instanceof BetterSqlite3)) {
    throw new Error("@prisma/adapter-better-sqlite3 no longer keeps its connection as `client`: prisma/sqlite/sqlite-database.ts must learn where it is now");
  }
  return client;
}

/**
 * A commit the bot has confirmed to a reporter must survive a power cut, not only a crash: SQLite
 * syncs the log at every commit (synchronous = FULL; better-sqlite3 defaults to NORMAL under WAL).
 * Units of work sync it themselves, off the event loop (see Transactions), through the returned
 * LogSync; there is none where there is no log file.
 */
function logSyncOf(connection: BetterSqlite3.Database): LogSync | undefined {
  connection.pragma("synchronous = FULL");
  const inWal = connection.pragma("journal_mode", { simple: true }) === "wal";
  return inWal && !connection.memory ? LogSync.forFile(`${connection.name}-wal`) : undefined;
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
  const pending = migrationNames(MIGRATIONS_DIR).filter((name) => !applied.has(name));
  if (pending.length > 0) await deployMigrations(resolveDatabaseUrl(url));
  return pending.length;
}
