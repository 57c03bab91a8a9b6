import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "../../generated/prisma-postgresql/client.ts";
import { numberedPlaceholders, type Database, type OpenStorage, type Sql, type SqlValue, type Transaction } from "../storage/storage.js";
import { postgresPool } from "./pg-pool.js";

/** Prisma's client inside one of its interactive transactions. */
type TransactionClient = Omit<Database, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

/** How long a transaction may wait for a connection from the pool, and run, before it fails. */
const TRANSACTION_LIMITS = { maxWait: 10_000, timeout: 15_000 };

/** The port's statements through Prisma's raw queries, so they share the transaction's connection. */
class PostgresSql implements Sql {
  private static readonly numbered = new Map<string, string>();

  constructor(private readonly client: TransactionClient) {}

  run(sql: string, ...params: SqlValue[]): Promise<number> {
    return this.client.$executeRawUnsafe(PostgresSql.toPostgres(sql), ...params);
  }

  async insert(sql: string, ...params: SqlValue[]): Promise<number> {
    const [row] = await this.all<{ id: number }>(`${sql} RETURNING "id"`, ...params);
    return Number(row!.id);
  }

  async insertRows(table: string, columns: readonly string[], rows: SqlValue[][]): Promise<void> {
    if (rows.length === 0) return;
    const tuple = `(${columns.map(() => "?").join(", ")})`;
    await this.run(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${Array(rows.length).fill(tuple).join(", ")}`, ...rows.flat());
  }

  async get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    return (await this.all<T>(sql, ...params))[0];
  }

  all<T>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return this.client.$queryRawUnsafe<T[]>(PostgresSql.toPostgres(sql), ...params);
  }

  private static toPostgres(sql: string): string {
    let numbered = this.numbered.get(sql);
    if (numbered === undefined) {
      numbered = numberedPlaceholders(sql);
      if (this.numbered.size < 10_000) this.numbered.set(sql, numbered); // statements built per row count stay few
    }
    return numbered;
  }
}

/**
 * PostgreSQL behind the storage port: every transaction is the server's, on a connection of its
 * own from the pool, so several processes share the database. Races between them are settled by
 * row locks in the statements themselves (`UPDATE … WHERE status = 'pending' RETURNING` claims, an
 * upsert's conflict) and by `lock` where there is no row to lock yet.
 */
export class PostgresStorage implements OpenStorage {
  readonly dialect = "postgresql";

  private constructor(
    readonly prisma: Database,
    private readonly pool: pg.Pool,
  ) {}

  static async open(url: string, options: { poolSize?: number } = {}): Promise<PostgresStorage> {
    const pool = postgresPool(url, { max: options.poolSize });
    // Generated from the same models as SQLite's client (see Database), so it serves as one.
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) }) as unknown as Database;
    await prisma.$connect();
    return new PostgresStorage(prisma, pool);
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((client) => work(new PostgresTransaction(client)), TRANSACTION_LIMITS);
  }

  /** A transaction of its own: the server has no queue of units to jump. */
  promptly<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.transaction((tx) => work(tx.sql));
  }

  async close(): Promise<void> {
    // pg's pool resolves end() before its connections have closed, and Prisma's disconnect takes
    // the pool's error listener away: a connection the server ends meanwhile (the database dropped,
    // a restart) would then be an uncaught exception. Once closing, it is no error.
    this.pool.on("error", () => {});
    await this.prisma.$disconnect();
    await this.pool.end().catch(() => {}); // the adapter may have ended it already
  }
}

class PostgresTransaction implements Transaction {
  readonly dialect = "postgresql";
  readonly sql: Sql;
  readonly prisma: Database;

  constructor(client: TransactionClient) {
    // Inside the transaction, Prisma's client lacks only what starts or ends one.
    this.prisma = client as Database;
    this.sql = new PostgresSql(client);
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return work(this);
  }

  promptly<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return work(this.sql);
  }

  /** A transaction-scoped advisory lock on the key's 64-bit hash: released at commit or rollback. */
  async lock(key: string): Promise<void> {
    await this.sql.run("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key);
  }
}
