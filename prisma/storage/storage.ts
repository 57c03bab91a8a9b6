import type { PrismaClient } from "../../generated/prisma/client.ts";

/**
 * The Prisma client the stores read and write through. Both databases' clients are generated from
 * the same models (prisma/postgresql/schema.prisma is derived from prisma/schema.prisma, and a test
 * fails when they drift), so one type serves both.
 */
export type Database = PrismaClient;

export type Dialect = "sqlite" | "postgresql";

export type SqlValue = string | number | bigint | boolean | Date | null;

/**
 * Plain statements, for the hot paths where Prisma's query builder costs too much. They are written
 * once, in the SQL both databases speak: `?` placeholders, double-quoted names, `TRUE`/`FALSE`,
 * `ON CONFLICT … DO NOTHING | DO UPDATE`, `RETURNING`. Rows come back as the driver reads them:
 * read times with `asDate`, flags with `Boolean`, counts with `Number`.
 */
export interface Sql {
  /** Runs a statement; resolves to how many rows it changed. */
  run(sql: string, ...params: SqlValue[]): Promise<number>;
  /** Runs an INSERT into a table with an `id` column; resolves to the new row's id. */
  insert(sql: string, ...params: SqlValue[]): Promise<number>;
  /** Inserts rows with one statement. */
  insertRows(table: string, columns: readonly string[], rows: SqlValue[][]): Promise<void>;
  get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined>;
  all<T>(sql: string, ...params: SqlValue[]): Promise<T[]>;
}

/**
 * The database as the stores see it, whichever it is. A store takes a Storage and never learns how
 * the engine under it commits (see prisma/sqlite/README.md and prisma/postgresql/README.md).
 */
export interface Storage {
  readonly dialect: Dialect;
  /** Prisma's client: inside a transaction, the transaction's. */
  readonly prisma: Database;
  /**
   * Runs `work` as one transaction: all of it commits, durably, before this resolves, or none of it
   * does. Called on a Transaction, `work` joins it.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Short bookkeeping that must not queue behind chat messages (a message the platform accepted is
   * marked sent). Outside a transaction each statement may commit on its own (SQLite's do: several
   * connections in one process must never hold its write lock across an await), so write them so
   * that stopping between two is harmless; inside a transaction, they are part of it. Keep `work`
   * to a few statements.
   */
  promptly<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

/**
 * A Storage inside a transaction: its statements and Prisma's are part of it. Statements issued
 * without waiting for one another run in the order they were issued, each seeing what the ones
 * before it did (a read issued with a lock runs once the lock is held).
 */
export interface Transaction extends Storage {
  readonly sql: Sql;
  /**
   * Holds `key` until the transaction ends, so two transactions about the same thing (one
   * member's dialog in one chat) run one after the other even in two processes.
   */
  lock(key: string): Promise<void>;
}

/** A Storage the process opened, and closes. */
export interface OpenStorage extends Storage {
  close(): Promise<void>;
}

/** A time as either driver reads it: SQLite's text, PostgreSQL's Date. */
export function asDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

/** `?` placeholders as PostgreSQL's `$1, $2…`, leaving quoted names and strings alone. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (token) => (token === "?" ? `$${++n}` : token));
}
