import { AsyncLocalStorage } from "node:async_hooks";

/** One turn holding the connection. Work a holder spawned and left running holds nothing once the turn is released. */
export interface Hold {
  readonly since: number;
}

/** Units of work can share an open transaction (see Transactions); anything else needs the connection to itself. */
export type TurnKind = "unit" | "other";

/**
 * SQLite keeps one transaction per connection, and the process has one connection: a statement
 * run while someone else's transaction is open becomes part of it, and is rolled back with it.
 * So a transaction holds the connection, first come first served, and everything else waits for
 * its turn. The work a transaction runs is known by its async context, so its own statements go
 * through while others wait.
 */
export class ConnectionLock {
  private holder: Hold | undefined;
  private readonly waiting: { kind: TurnKind; grant: (hold: Hold) => void }[] = [];
  private readonly context = new AsyncLocalStorage<Hold>();

  /** @param maxWaitMs how long a turn is waited for before giving up with an error. */
  constructor(private readonly maxWaitMs = 10_000) {}

  get isHeld(): boolean {
    return this.holder !== undefined;
  }

  /** True inside work run by the current holder (see `runAs`). */
  heldHere(): boolean {
    const hold = this.context.getStore();
    return hold !== undefined && hold === this.holder;
  }

  /** True when the next turn goes to a unit of work. */
  nextIs(kind: TurnKind): boolean {
    return this.waiting[0]?.kind === kind;
  }

  acquire(kind: TurnKind = "other"): Promise<Hold> {
    if (this.heldHere()) return Promise.reject(new Error("the database is already held by this work: a nested transaction would wait for itself"));
    if (!this.holder) return Promise.resolve((this.holder = { since: Date.now() }));
    return new Promise((resolve, reject) => {
      const waiter = {
        kind,
        grant: (hold: Hold) => {
          clearTimeout(timer);
          resolve(hold);
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new Error(`waited ${this.maxWaitMs} ms for the database: a transaction held it since ${new Date(this.holder!.since).toISOString()}`));
      }, this.maxWaitMs);
      this.waiting.push(waiter);
    });
  }

  release(hold: Hold): void {
    if (this.holder !== hold) return;
    const next = this.waiting.shift();
    this.holder = next ? { since: Date.now() } : undefined;
    next?.grant(this.holder!);
  }

  /**
   * Runs work as the holder: statements it makes, however deep, go through without waiting. The
   * result is awaited inside, so a lazy Prisma query the work returns also runs as the holder.
   */
  runAs<T>(hold: Hold, work: () => Promise<T>): Promise<T> {
    return this.context.run(hold, async () => await work());
  }

  /**
   * Runs a statement at once when the connection is free or the statement is the holder's own
   * (it is then part of the holder's transaction); otherwise in turn, after the transaction ends.
   */
  async inTurn<T>(statement: () => Promise<T>): Promise<T> {
    if (!this.holder || this.heldHere()) return statement();
    const hold = await this.acquire();
    try {
      return await statement();
    } finally {
      this.release(hold);
    }
  }
}
