import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "../../generated/prisma-postgresql/client.ts";
import type { Database, OpenStorage, Sql, Transaction } from "../storage/storage.js";
import { prismaOnConnection } from "./connection-client.js";
import { postgresPool } from "./pg-pool.js";
import { PostgresSql, TransactionConnection } from "./postgres-sql.js";

/** A transaction still running after this long is rolled back, so a hung one cannot hold its row locks. */
const TRANSACTION_TIMEOUT_MS = 15_000;

/** A pooled connection, with the Prisma client that runs on it once a transaction asked for one. */
interface HeldConnection {
  connection: TransactionConnection;
  prisma: Database | undefined;
  /** The transaction holding the connection now, if any: its statements, and only its, may run. */
  holder: object | undefined;
}

/**
 * PostgreSQL behind the storage port: every transaction is the server's, on a connection of its
 * own from the pool, so several processes share the database. Races between them are settled by
 * row locks in the statements themselves (`UPDATE … WHERE status = 'pending' RETURNING` claims, an
 * upsert's conflict) and by `lock` where there is no row to lock yet. Transactions run on
 * node-postgres directly (see PostgresSql); Prisma's client for the rest of the process runs on
 * the same pool.
 */
export class PostgresStorage implements OpenStorage {
  readonly dialect = "postgresql";
  private readonly held = new WeakMap<pg.PoolClient, HeldConnection>();
  private readonly sql: Sql;

  private constructor(
    readonly prisma: Database,
    private readonly pool: pg.Pool,
  ) {
    this.sql = new PostgresSql(pool);
  }

  static async open(url: string, options: { poolSize?: number } = {}): Promise<PostgresStorage> {
    const pool = postgresPool(url, { max: options.poolSize, pipeline: true });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) }) as unknown as Database;
    await prisma.$connect();
    return new PostgresStorage(prisma, pool);
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const pooled = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const held = this.heldConnection(pooled);
      const { connection } = held;
      const tx = new PostgresTransaction(held);
      held.holder = tx;
      try {
        connection.begin();
        const result = await withinTimeout(() => work(tx));
        await connection.end("COMMIT");
        return result;
      } catch (error) {
        broken = await rollBack(connection, error);
        throw error;
      } finally {
        held.holder = undefined;
      }
    } finally {
      pooled.release(broken); // a connection whose transaction could not be ended is closed, not reused
    }
  }

  /** Each statement commits on its own, on any connection of the pool. */
  promptly<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return work(this.sql);
  }

  async close(): Promise<void> {
    // A connection the server ends while the pool closes (the database dropped, a restart) is an
    // error event on the pool, which postgresPool always listens for.
    await this.prisma.$disconnect();
    await this.pool.end().catch(() => {}); // the adapter may have ended it already
  }

  private heldConnection(pooled: pg.PoolClient): HeldConnection {
    let held = this.held.get(pooled);
    if (!held) this.held.set(pooled, (held = { connection: new TransactionConnection(pooled), prisma: undefined, holder: undefined }));
    return held;
  }
}

/** Rolls back after a failure; returns the reason to close the connection when even that failed. */
async function rollBack(connection: TransactionConnection, cause: unknown): Promise<Error | undefined> {
  if (cause instanceof TransactionTimeout) return cause; // statements may still be queued on it: close it
  try {
    await connection.end("ROLLBACK");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

class TransactionTimeout extends Error {}

function withinTimeout<T>(work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransactionTimeout(`the transaction ran longer than ${TRANSACTION_TIMEOUT_MS} ms and was rolled back`)), TRANSACTION_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([work(), timedOut]).finally(() => clearTimeout(timer));
}

class PostgresTransaction implements Transaction {
  readonly dialect = "postgresql";
  readonly sql: Sql;
  private readonly isCurrent = () => this.held.holder === this;
  private guardedPrisma: Database | undefined;

  constructor(private readonly held: HeldConnection) {
    this.sql = new PostgresSql(held.connection, this.isCurrent);
  }

  get prisma(): Database {
    const { held } = this;
    held.prisma ??= prismaOnConnection(held.connection, () => held.holder !== undefined);
    return (this.guardedPrisma ??= guarded(held.prisma, this.isCurrent));
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

/** The connection's Prisma client, refused once this transaction has ended (the connection may be another's by then). */
function guarded(prisma: Database, isCurrent: () => boolean): Database {
  return new Proxy(prisma, {
    get(target, key) {
      if (key === "then") return undefined; // not a promise: awaiting the client must not use it
      if (!isCurrent()) throw new Error("a transaction's client was used outside its transaction (after it ended, or from other work)");
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
