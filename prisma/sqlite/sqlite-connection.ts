import type BetterSqlite3 from "better-sqlite3";

type Param = string | number | bigint | null | Date | boolean;

/** BEGIN IMMEDIATE takes the write lock at once (waiting out another process), not half-way through. */
export type TransactionControl =
  | "BEGIN IMMEDIATE"
  | "COMMIT"
  | "ROLLBACK"
  | "SAVEPOINT unit"
  | "RELEASE unit"
  | "ROLLBACK TO unit"
  | "PRAGMA synchronous = NORMAL"
  | "PRAGMA synchronous = FULL";

/**
 * The one SQLite connection under Prisma's driver adapter, its statements prepared once. The
 * statements every chat message runs (the inbound log, the dialog state, a new ticket) go through
 * a unit of work's `Statements`; Transactions begins and ends the transactions here.
 */
export class SqliteConnection {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  /** Begins, ends and marks transactions; only Transactions and Prisma's adapters do this. */
  control(statement: TransactionControl): void {
    this.prepare(statement).run();
  }

  /** False once SQLite has rolled the transaction back by itself (on a full disk or an I/O error). */
  get inTransaction(): boolean {
    return this.sqlite.inTransaction;
  }

  prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      // Prisma's adapter turns safe integers on for the connection; these statements read plain numbers.
      statement = this.sqlite.prepare(sql).safeIntegers(false);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/**
 * The statements of one unit of work, run on the connection directly: through Prisma a statement
 * costs about 0.35 ms; here, prepared once and run synchronously, a few microseconds. They commit
 * or roll back with the rest of the unit, and are refused once the unit's turn is over, so none
 * can land in another unit's transaction.
 */
export class Statements {
  constructor(
    private readonly connection: SqliteConnection,
    private readonly isCurrent: () => boolean,
  ) {}

  run(sql: string, ...params: Param[]): number {
    return this.prepare(sql).run(...params.map(toSqlite)).changes;
  }

  /** Runs an INSERT and returns the new row's id (cheaper than RETURNING, which SQLite runs as a subquery). */
  insert(sql: string, ...params: Param[]): number {
    return Number(this.prepare(sql).run(...params.map(toSqlite)).lastInsertRowid);
  }

  /** Inserts rows with one statement: one prepared statement per table, columns and row count. */
  insertRows(table: string, columns: readonly string[], rows: Param[][]): void {
    if (rows.length === 0) return;
    const tuple = `(${columns.map(() => "?").join(", ")})`;
    const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${Array(rows.length).fill(tuple).join(", ")}`;
    this.run(sql, ...rows.flat());
  }

  get<T>(sql: string, ...params: Param[]): T | undefined {
    return this.prepare(sql).get(...params.map(toSqlite)) as T | undefined;
  }

  all<T>(sql: string, ...params: Param[]): T[] {
    return this.prepare(sql).all(...params.map(toSqlite)) as T[];
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    if (!this.isCurrent()) throw new Error("a unit of work's statement ran after its transaction ended");
    return this.connection.prepare(sql);
  }
}

/** Values as Prisma's adapter writes them, so either path reads what the other wrote. */
function toSqlite(value: Param): string | number | bigint | null {
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}
