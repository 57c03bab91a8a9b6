import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
// The generated client's light entry: the model names, without the query engine.
import { Prisma } from "../../generated/prisma/browser.ts";
import { GONE_AFTER_MS } from "../stores/process-registry.js";

/**
 * Copies a SQLite deployment's rows into a migrated, empty PostgreSQL database: every table of the
 * Prisma schema, ids and values as they are, in one PostgreSQL transaction (a failure leaves the
 * target as it was), from one read transaction on the SQLite file (a consistent snapshot).
 */

/**
 * The tables copied: one per model of prisma/schema.prisma (`_prisma_migrations` is each database's
 * own, and so is the search's index: SQLite's trigram table TicketSearch is no model, PostgreSQL's
 * trigram indexes on Ticket are built by its migrations and fill as the rows arrive).
 */
export const MODEL_TABLES: readonly string[] = Object.values(Prisma.ModelName);

/** Rows read and written per statement; the parameters of one INSERT stay well under PostgreSQL's 65,535. */
const BATCH_PARAMETERS = 20_000;
const BATCH_ROWS = 1_000;
/** How long the copy waits for a table of the target that another connection is using. */
const LOCK_TIMEOUT = "10s";

/** Why the copy did not start: the operator's to fix (printed as is, nothing written). */
export class CopyRefused extends Error {
  override readonly name = "CopyRefused";
}

export interface TableCopied {
  table: string;
  rows: number;
  ms: number;
}

export interface CopyReport {
  tables: TableCopied[];
  /** The next id each serial column hands out, by table. */
  nextIds: { table: string; column: string; next: number }[];
}

interface Column {
  name: string;
  /** PostgreSQL's `data_type`, e.g. `timestamp without time zone`. */
  type: string;
  /** The sequence behind a serial or identity column. */
  sequence: string | null;
}

interface TargetTable {
  name: string;
  columns: Column[];
  /** Tables this one's foreign keys point at. */
  parents: Set<string>;
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The target's tables as its migrations made them: columns, types, sequences and foreign keys. */
async function describeTarget(client: pg.Client): Promise<Map<string, TargetTable>> {
  const columns = await client.query<{ table_name: string; column_name: string; data_type: string; sequence: string | null }>(
    `SELECT table_name, column_name, data_type, pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name) AS sequence
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY table_name, ordinal_position`,
    [[...MODEL_TABLES]],
  );
  const tables = new Map<string, TargetTable>();
  for (const row of columns.rows) {
    const table = tables.get(row.table_name) ?? { name: row.table_name, columns: [], parents: new Set<string>() };
    table.columns.push({ name: row.column_name, type: row.data_type, sequence: row.sequence });
    tables.set(row.table_name, table);
  }
  const keys = await client.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint con
       JOIN pg_class child ON child.oid = con.conrelid JOIN pg_class parent ON parent.oid = con.confrelid
       JOIN pg_namespace ns ON ns.oid = child.relnamespace
      WHERE con.contype = 'f' AND ns.nspname = current_schema()`,
  );
  for (const { child, parent } of keys.rows) if (child !== parent) tables.get(child)?.parents.add(parent);
  const missing = MODEL_TABLES.filter((name) => !tables.has(name));
  if (missing.length > 0) throw new CopyRefused(`the PostgreSQL database has no table for ${missing.join(", ")}: its migrations are not this version's`);
  return tables;
}

/** Parents before children, in the schema's order otherwise; a cycle of foreign keys can't be copied table by table. */
export function copyOrder(tables: Map<string, TargetTable>): TargetTable[] {
  const ordered: TargetTable[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.size) {
    const next = MODEL_TABLES.map((name) => tables.get(name)!).find((t) => !placed.has(t.name) && [...t.parents].every((p) => placed.has(p) || !tables.has(p)));
    if (!next) throw new Error(`the foreign keys between ${MODEL_TABLES.filter((n) => !placed.has(n)).join(", ")} form a cycle`);
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}

/** The SQLite file, read-only, in one read transaction: every read sees the file as it was at the first. */
class SqliteSnapshot {
  private readonly db: BetterSqlite3.Database;

  constructor(file: string) {
    this.db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    this.db.defaultSafeIntegers(true); // a bigint column's values stay exact
    this.db.exec("BEGIN");
  }

  columns(table: string): string[] {
    return (this.db.prepare(`PRAGMA table_info(${quoted(table)})`).all() as { name: string }[]).map((c) => c.name);
  }

  count(table: string): number {
    return Number(this.db.prepare(`SELECT COUNT(*) FROM ${quoted(table)}`).pluck().get());
  }

  /** The highest id AUTOINCREMENT ever gave in the table, deleted rows' included (0: none). */
  highestIdGiven(table: string): number {
    const hasSequence = this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'`).get();
    if (!hasSequence) return 0;
    return Number(this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = ?`).pluck().get(table) ?? 0);
  }

  /** The table's rows in the order they were stored, `size` at a time, each with its rowid first. */
  *batches(table: string, columns: readonly string[], size: number): Generator<unknown[][]> {
    const statement = this.db.prepare(`SELECT rowid, ${columns.map(quoted).join(", ")} FROM ${quoted(table)} WHERE rowid > ? ORDER BY rowid LIMIT ?`).raw(true);
    for (let after: unknown = -1n; ; ) {
      const rows = statement.all(after, size) as unknown[][];
      if (rows.length === 0) return;
      yield rows;
      after = rows.at(-1)![0];
    }
  }

  /** Processes registered in the file whose heartbeat is recent: a bot still running on it. */
  liveProcesses(now: Date): { id: string; role: string; secondsAgo: number }[] {
    const rows = this.db.prepare(`SELECT "id", "role", "heartbeatAt" FROM "ProcessInstance"`).all() as { id: string; role: string; heartbeatAt: unknown }[];
    return rows
      .map((row) => ({ id: row.id, role: row.role, secondsAgo: (now.getTime() - sqliteTime(row.heartbeatAt, "ProcessInstance.heartbeatAt").getTime()) / 1000 }))
      .filter((p) => p.secondsAgo * 1000 < GONE_AFTER_MS);
  }

  close(): void {
    this.db.exec("ROLLBACK");
    this.db.close();
  }
}

/**
 * A time as SQLite holds it: Prisma's ISO text (`2026-11-26T02:00:00.000+00:00`), a column
 * default's `CURRENT_TIMESTAMP` (`2026-11-26 02:00:00`, UTC), or milliseconds since 1970.
 */
export function sqliteTime(value: unknown, where: string): Date {
  let time = Number.NaN;
  if (typeof value === "bigint" || typeof value === "number") time = Number(value);
  if (typeof value === "string") {
    const parts = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim());
    if (parts) time = Date.parse(`${parts[1]}T${parts[2] ?? "00:00"}${parts[3] ?? "Z"}`);
  }
  if (Number.isNaN(time)) throw new Error(`${where}: ${JSON.stringify(String(value))} is not a time`);
  return new Date(time);
}

type Convert = (value: unknown, where: string) => unknown;

const asText: Convert = (value) => (typeof value === "bigint" || typeof value === "number" ? String(value) : value);

/**
 * SQLite's values as the PostgreSQL column takes them. Times go as UTC text: PostgreSQL reads a
 * `timestamp` without a zone as written, and pg would write a Date in this process's time zone.
 */
const CONVERSIONS: Record<string, Convert> = {
  "timestamp without time zone": (value, where) => sqliteTime(value, where).toISOString(),
  "timestamp with time zone": (value, where) => sqliteTime(value, where).toISOString(),
  date: (value, where) => sqliteTime(value, where).toISOString().slice(0, 10),
  boolean: (value, where) => {
    if (value === 1n || value === 0n) return value === 1n;
    throw new Error(`${where}: ${JSON.stringify(String(value))} is not a boolean (0 or 1)`);
  },
  integer: (value) => (typeof value === "bigint" ? Number(value) : value),
  smallint: (value) => (typeof value === "bigint" ? Number(value) : value),
  bigint: (value) => (typeof value === "bigint" ? value.toString() : value),
  "double precision": (value) => (typeof value === "bigint" ? Number(value) : value),
  real: (value) => (typeof value === "bigint" ? Number(value) : value),
  numeric: asText,
  text: asText,
  "character varying": asText,
  character: asText,
  json: asText,
  jsonb: asText,
  uuid: asText,
  bytea: (value) => value,
};

function converterFor(table: string, column: Column): Convert {
  const convert = CONVERSIONS[column.type];
  if (!convert) throw new Error(`${table}.${column.name} is of type ${column.type}, which migrate-to does not know how to copy`);
  return (value, where) => (value === null ? null : convert(value, where));
}

/** The SQLite table must have exactly the PostgreSQL table's columns: both databases are at the same migration. */
function checkSameColumns(table: TargetTable, sqliteColumns: string[]): void {
  const target = table.columns.map((c) => c.name);
  const onlySqlite = sqliteColumns.filter((c) => !target.includes(c));
  const onlyTarget = target.filter((c) => !sqliteColumns.includes(c));
  if (sqliteColumns.length === 0) throw new CopyRefused(`the SQLite database has no table ${table.name}: is it a Hotline database?`);
  if (onlySqlite.length || onlyTarget.length) {
    const differences = [...onlySqlite.map((c) => `${c} only in SQLite`), ...onlyTarget.map((c) => `${c} only in PostgreSQL`)];
    throw new CopyRefused(`table ${table.name} differs between the two databases (${differences.join(", ")}): they are not at the same migration`);
  }
}

async function copyTable(snapshot: SqliteSnapshot, client: pg.Client, table: TargetTable): Promise<number> {
  const names = table.columns.map((c) => c.name);
  const converters = table.columns.map((c) => converterFor(table.name, c));
  const size = Math.max(1, Math.min(BATCH_ROWS, Math.floor(BATCH_PARAMETERS / names.length)));
  const insertInto = `INSERT INTO ${quoted(table.name)} (${names.map(quoted).join(", ")}) VALUES `;
  let copied = 0;
  for (const rows of snapshot.batches(table.name, names, size)) {
    const params: unknown[] = [];
    const tuples = rows.map(([rowid, ...values]) => {
      const start = params.length;
      values.forEach((value, i) => params.push(converters[i]!(value, `${table.name}.${names[i]} (row ${rowid})`)));
      return `(${names.map((_, i) => `$${start + i + 1}`).join(", ")})`;
    });
    await client.query(insertInto + tuples.join(", "), params);
    copied += rows.length;
  }
  return copied;
}

/** Rows the target holds already, by table: the copy goes into an empty database only. */
async function rowsPresent(client: pg.Client, tables: readonly TargetTable[]): Promise<{ table: string; rows: number }[]> {
  const found: { table: string; rows: number }[] = [];
  for (const table of tables) {
    const rows = await countRows(client, table.name);
    if (rows > 0) found.push({ table: table.name, rows });
  }
  return found;
}

async function countRows(client: pg.Client, table: string): Promise<number> {
  const result = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quoted(table)}`);
  return Number(result.rows[0]!.n);
}

/**
 * Each serial column's sequence past the largest id, and past every id SQLite ever gave (its
 * AUTOINCREMENT never reuses a deleted row's id, so neither does PostgreSQL).
 */
async function advanceSequences(snapshot: SqliteSnapshot, client: pg.Client, tables: readonly TargetTable[]): Promise<CopyReport["nextIds"]> {
  const next: CopyReport["nextIds"] = [];
  for (const table of tables) {
    for (const column of table.columns.filter((c) => c.sequence !== null)) {
      const max = await client.query<{ max: string | null }>(`SELECT MAX(${quoted(column.name)})::text AS max FROM ${quoted(table.name)}`);
      const last = Math.max(Number(max.rows[0]!.max ?? 0), snapshot.highestIdGiven(table.name));
      await client.query(last > 0 ? "SELECT setval($1, $2, true)" : "SELECT setval($1, 1, false)", last > 0 ? [column.sequence, last] : [column.sequence]);
      next.push({ table: table.name, column: column.name, next: last + 1 });
    }
  }
  return next;
}

/** Row counts per table, equal on both sides, or the copy is not committed. */
async function verifyCounts(client: pg.Client, expected: Map<string, number>): Promise<void> {
  const differences: string[] = [];
  for (const [table, rows] of expected) {
    const copied = await countRows(client, table);
    if (copied !== rows) differences.push(`${table}: ${rows} in SQLite, ${copied} in PostgreSQL`);
  }
  if (differences.length > 0) throw new Error(`the row counts differ after the copy (${differences.join("; ")})`);
}

/** A failure once the copy has started: the transaction is rolled back, so the target holds none of it. */
export class CopyFailed extends Error {
  override readonly name = "CopyFailed";
}

/**
 * Copies the SQLite file's rows into the PostgreSQL database at `targetUrl`, which must be migrated
 * to the same version and empty. Refuses (CopyRefused, nothing written) when the bot still runs on
 * the file, the schemas differ or the target holds rows; fails (CopyFailed, nothing written) when a
 * row does not go in. `onTable` hears of each table once its rows are in the open transaction.
 */
export async function copySqliteToPostgres(sourceFile: string, targetUrl: string, onTable: (copied: TableCopied) => void = () => {}): Promise<CopyReport> {
  const snapshot = new SqliteSnapshot(sourceFile);
  const client = new pg.Client({ connectionString: targetUrl });
  client.on("error", () => {}); // a dropped connection fails the query under way, which says why
  try {
    const live = snapshot.liveProcesses(new Date());
    if (live.length > 0) {
      const list = live.map((p) => `${p.role} process ${p.id}, heard from ${p.secondsAgo.toFixed(0)} s ago`).join("; ");
      throw new CopyRefused(`the bot is running on the SQLite database (${list}): stop it first, so the file does not change during the copy`);
    }
    await client.connect();
    const tables = copyOrder(await describeTarget(client));
    const expected = new Map<string, number>();
    for (const table of tables) {
      checkSameColumns(table, snapshot.columns(table.name));
      expected.set(table.name, snapshot.count(table.name));
    }
    await client.query("BEGIN");
    try {
      await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      // Held to the commit: no process on the target reads a half-copied database or writes beside the copy.
      await client.query(`LOCK TABLE ${tables.map((t) => quoted(t.name)).join(", ")} IN ACCESS EXCLUSIVE MODE`).catch((error: unknown) => {
        if ((error as { code?: string }).code === "55P03") throw new CopyRefused(`the PostgreSQL database is in use (its tables stayed locked for ${LOCK_TIMEOUT}): stop every process using it`);
        throw error;
      });
      const present = await rowsPresent(client, tables);
      if (present.length > 0) {
        const list = present.map((p) => `${p.table} ${p.rows} row${p.rows === 1 ? "" : "s"}`).join(", ");
        throw new CopyRefused(`the PostgreSQL database already holds data (${list}): migrate-to copies into an empty database only; drop it and create it again, or name another`);
      }
      const copied: TableCopied[] = [];
      for (const table of tables) {
        const started = performance.now();
        const rows = await copyTable(snapshot, client, table).catch((error: unknown) => {
          throw new CopyFailed(`copying ${table.name} failed: ${(error as Error).message}`, { cause: error });
        });
        copied.push({ table: table.name, rows, ms: performance.now() - started });
        onTable(copied.at(-1)!);
      }
      const nextIds = await advanceSequences(snapshot, client, tables);
      await verifyCounts(client, expected).catch((error: unknown) => {
        throw new CopyFailed((error as Error).message, { cause: error });
      });
      await client.query("COMMIT");
      return { tables: copied, nextIds };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {}); // a broken connection rolls back by itself
      throw error;
    }
  } finally {
    snapshot.close();
    await client.end().catch(() => {});
  }
}
