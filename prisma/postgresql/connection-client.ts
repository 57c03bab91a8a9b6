import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction as DriverTransaction } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaClient } from "../../generated/prisma-postgresql/client.ts";
import type { Database } from "../storage/storage.js";
import type { Queryable } from "./postgres-sql.js";

type Query = SqlQuery;

/**
 * A pool that is one connection, for Prisma's adapter: its queries (with the adapter's own
 * reading and writing of values) run on the connection a transaction holds.
 */
class OneConnectionPool extends pg.Pool {
  constructor(private readonly connection: Queryable) {
    super({ max: 1 });
  }

  override query(...args: unknown[]): never {
    return (this.connection.query as (...a: unknown[]) => never)(...args);
  }

  override connect(): never {
    throw new Error("Prisma's transactions on a held connection are savepoints (see HeldConnectionAdapter)");
  }
}

/**
 * Prisma's way onto a connection a transaction holds: statements run in that transaction, and a
 * transaction Prisma opens itself (a nested write) is a savepoint in it. Refused while no
 * transaction holds the connection, so work left running cannot write into another's.
 */
class HeldConnectionAdapter implements SqlDriverAdapter {
  readonly provider: SqlDriverAdapter["provider"];
  readonly adapterName: string;
  private savepoints = 0;

  constructor(
    private readonly inner: SqlDriverAdapter,
    private readonly connection: Queryable,
    private readonly isHeld: () => boolean,
  ) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }

  queryRaw(query: Query) {
    this.assertHeld();
    return this.inner.queryRaw(query);
  }

  executeRaw(query: Query) {
    this.assertHeld();
    return this.inner.executeRaw(query);
  }

  executeScript(script: string) {
    this.assertHeld();
    return this.inner.executeScript(script);
  }

  async startTransaction(): Promise<DriverTransaction> {
    this.assertHeld();
    const name = `prisma_${++this.savepoints}`;
    await this.connection.query(`SAVEPOINT ${name}`);
    const { inner, connection } = this;
    return {
      provider: inner.provider,
      adapterName: inner.adapterName,
      options: { usePhantomQuery: true }, // Prisma sends no COMMIT of its own: these end the savepoint
      queryRaw: (query: Query) => inner.queryRaw(query),
      executeRaw: (query: Query) => inner.executeRaw(query),
      commit: async () => void (await connection.query(`RELEASE ${name}`)),
      rollback: async () => void (await connection.query(`ROLLBACK TO ${name}; RELEASE ${name}`)),
    };
  }

  getConnectionInfo() {
    return this.inner.getConnectionInfo?.() ?? { supportsRelationJoins: true };
  }

  /** The connection belongs to the pool, which closes it. */
  async dispose(): Promise<void> {}

  private assertHeld(): void {
    if (!this.isHeld()) throw new Error("a transaction's client was used outside its transaction (after it ended, or from other work)");
  }
}

/**
 * A Prisma client on one pooled connection, made the first time a transaction on it asks for one
 * and kept with the connection (making one takes milliseconds and megabytes; most transactions
 * never need it). It reaches the connection at its first query.
 */
export function prismaOnConnection(connection: Queryable, isHeld: () => boolean): Database {
  const driver = new PrismaPg(new OneConnectionPool(connection));
  const factory: SqlDriverAdapterFactory = {
    provider: driver.provider,
    adapterName: driver.adapterName,
    connect: async () => new HeldConnectionAdapter(await driver.connect(), connection, isHeld),
  };
  // Generated from the same models as SQLite's client (see Database), so it serves as one.
  return new PrismaClient({ adapter: factory }) as unknown as Database;
}
