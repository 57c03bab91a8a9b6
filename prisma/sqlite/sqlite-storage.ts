import type { Database, OpenStorage, Sql, SqlValue, Transaction } from "../storage/storage.js";
import { openDatabase, runPromptly, sqliteOf, transact } from "./sqlite-database.js";
import type { Statements } from "./sqlite-connection.js";

/** The port's statements on the SQLite connection: synchronous underneath, a few microseconds each. */
class SqliteSql implements Sql {
  constructor(private readonly statements: Statements) {}

  async run(sql: string, ...params: SqlValue[]): Promise<number> {
    return this.statements.run(sql, ...params);
  }

  async insert(sql: string, ...params: SqlValue[]): Promise<number> {
    return this.statements.insert(sql, ...params);
  }

  async insertRows(table: string, columns: readonly string[], rows: SqlValue[][]): Promise<void> {
    this.statements.insertRows(table, columns, rows);
  }

  async get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    return this.statements.get<T>(sql, ...params);
  }

  async all<T>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return this.statements.all<T>(sql, ...params);
  }
}

/** SQLite behind the storage port: units of work on the one connection, committed in groups (README.md). */
export class SqliteStorage implements OpenStorage {
  readonly dialect = "sqlite";

  constructor(readonly prisma: Database) {}

  static async open(url: string): Promise<SqliteStorage> {
    return new SqliteStorage(await openDatabase(url));
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return transact(this.prisma, (client) => work(new SqliteTransaction(client)));
  }

  /**
   * Ahead of the units waiting; each statement commits on its own. A transaction around async work
   * would hold the file's write lock across awaits, and another connection in the same process
   * (the CLI's, a test's) would then wait for it synchronously, blocking the thread that would end it.
   */
  promptly<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return runPromptly(this.prisma, (statements) => work(new SqliteSql(statements)));
  }

  close(): Promise<void> {
    return this.prisma.$disconnect();
  }
}

/**
 * A unit of work. Locks are held already: the unit has the process's one connection, and
 * `BEGIN IMMEDIATE` took the database's write lock from every other process.
 */
class SqliteTransaction implements Transaction {
  readonly dialect = "sqlite";
  readonly sql: Sql;

  constructor(readonly prisma: Database) {
    this.sql = new SqliteSql(sqliteOf(prisma));
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return work(this);
  }

  promptly<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return work(this.sql);
  }

  async lock(): Promise<void> {}
}
