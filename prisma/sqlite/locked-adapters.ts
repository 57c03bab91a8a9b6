import type { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";
import type { ConnectionLock, Hold } from "./connection-lock.js";

export type DriverAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;
type DriverTransaction = Awaited<ReturnType<DriverAdapter["startTransaction"]>>;
type Query = Parameters<DriverAdapter["queryRaw"]>[0];
type IsolationLevel = Parameters<DriverAdapter["startTransaction"]>[0];

/*
 * Two ways for Prisma onto the one SQLite connection (see ConnectionLock): from outside any
 * transaction, where each statement and each transaction waits for its turn; and from the work of
 * the unit of work that holds the connection, where statements run at once as part of it. Both
 * hand the statements to Prisma's better-sqlite3 adapter, which keeps the connection.
 */

/** What both ways in hold: Prisma's own adapter on the connection, the connection, and its lock. */
abstract class SharedConnectionAdapter {
  readonly provider: DriverAdapter["provider"];
  readonly adapterName: string;

  constructor(
    protected readonly inner: DriverAdapter,
    protected readonly connection: BetterSqlite3.Database,
    protected readonly lock: ConnectionLock,
  ) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }
}

/** Prisma's way in for everyone: statements wait while a transaction holds the connection. */
export class WaitingAdapter extends SharedConnectionAdapter implements DriverAdapter {
  /** @param onDispose runs before the connection is closed */
  constructor(
    inner: DriverAdapter,
    connection: BetterSqlite3.Database,
    lock: ConnectionLock,
    private readonly onDispose: () => Promise<void>,
  ) {
    super(inner, connection, lock);
  }

  queryRaw(query: Query) {
    return this.lock.inTurn(() => this.inner.queryRaw(query));
  }

  executeRaw(query: Query) {
    return this.lock.inTurn(() => this.inner.executeRaw(query));
  }

  executeScript(script: string) {
    return this.lock.inTurn(() => this.inner.executeScript(script));
  }

  /** Prisma's own transactions (interactive, batches, nested writes) take the connection's turn too. */
  async startTransaction(isolationLevel?: IsolationLevel): Promise<DriverTransaction> {
    refuseIsolationLevel(isolationLevel);
    const hold = await this.lock.acquire();
    try {
      this.connection.exec("BEGIN IMMEDIATE");
    } catch (error) {
      this.lock.release(hold);
      throw error;
    }
    return new HeldTransaction(this.inner, this.connection, this.lock, hold);
  }

  async dispose(): Promise<void> {
    await this.onDispose();
    await this.inner.dispose();
  }
}

/**
 * Prisma's way in for a unit of work: statements run at once, inside its transaction. The client
 * each unit is handed refuses to be used once the unit's turn is over (see `transact`); this is
 * the last check, that some unit holds the connection.
 */
export class JoiningAdapter extends SharedConnectionAdapter implements DriverAdapter {
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

  /** A transaction Prisma opens inside the held one is a savepoint: it can roll back alone, and commits with the outer one. */
  async startTransaction(isolationLevel?: IsolationLevel): Promise<DriverTransaction> {
    refuseIsolationLevel(isolationLevel);
    this.assertHeld();
    return startSavepoint(this.inner, this.connection);
  }

  /** The connection belongs to the waiting adapter, which closes it. */
  dispose(): Promise<void> {
    return Promise.resolve();
  }

  private assertHeld(): void {
    if (!this.lock.heldByUnit) throw new Error("a transaction's client was used outside its transaction (after it ended, or from other work)");
  }
}

/** What Prisma's transactions share: statements on the connection, and commit and rollback done here (no SQL sent by Prisma). */
abstract class ConnectionTransaction implements DriverTransaction {
  readonly options = { usePhantomQuery: true };
  readonly provider: DriverAdapter["provider"];
  readonly adapterName: string;

  constructor(
    private readonly inner: DriverAdapter,
    protected readonly connection: BetterSqlite3.Database,
  ) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }

  queryRaw(query: Query) {
    return this.inner.queryRaw(query);
  }

  executeRaw(query: Query) {
    return this.inner.executeRaw(query);
  }

  abstract commit(): Promise<void>;
  abstract rollback(): Promise<void>;
}

class HeldTransaction extends ConnectionTransaction {
  constructor(
    inner: DriverAdapter,
    connection: BetterSqlite3.Database,
    private readonly lock: ConnectionLock,
    private readonly hold: Hold,
  ) {
    super(inner, connection);
  }

  async commit(): Promise<void> {
    try {
      this.connection.exec("COMMIT");
    } catch (error) {
      if (this.connection.inTransaction) this.connection.exec("ROLLBACK");
      throw error;
    } finally {
      this.lock.release(this.hold);
    }
  }

  async rollback(): Promise<void> {
    try {
      if (this.connection.inTransaction) this.connection.exec("ROLLBACK");
    } finally {
      this.lock.release(this.hold);
    }
  }
}

class SavepointTransaction extends ConnectionTransaction {
  constructor(
    inner: DriverAdapter,
    connection: BetterSqlite3.Database,
    private readonly name: string,
  ) {
    super(inner, connection);
  }

  async commit(): Promise<void> {
    this.connection.exec(`RELEASE ${this.name}`);
  }

  async rollback(): Promise<void> {
    this.connection.exec(`ROLLBACK TO ${this.name}`);
    this.connection.exec(`RELEASE ${this.name}`);
  }
}

let savepoints = 0;

function startSavepoint(inner: DriverAdapter, connection: BetterSqlite3.Database): DriverTransaction {
  const name = `prisma_${++savepoints}`;
  connection.exec(`SAVEPOINT ${name}`);
  return new SavepointTransaction(inner, connection, name);
}

/** SQLite's transactions are serializable; Prisma's adapter refuses other levels, and so do these. */
function refuseIsolationLevel(level: IsolationLevel): void {
  if (level && level !== "SERIALIZABLE") throw new Error(`SQLite transactions are serializable; isolation level ${level} is not available`);
}
