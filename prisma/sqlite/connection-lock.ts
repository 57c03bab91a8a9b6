/** One turn holding the connection. Work a holder spawned and left running holds nothing once the turn is released. */
export interface Hold {
  readonly kind: TurnKind;
  readonly since: number;
}

/** Units of work can share an open transaction (see Transactions); anything else needs the connection to itself. */
export type TurnKind = "unit" | "other";

/**
 * SQLite keeps one transaction per connection, and the process has one connection: a statement
 * run while someone else's transaction is open becomes part of it, and is rolled back with it.
 * So a transaction holds the connection, first come first served, and everything else waits for
 * its turn. The work a transaction runs is handed a client of its own for its statements (see
 * `transact`), which is refused once the turn is over.
 *
 * Who holds the connection is known by the hold the work was handed, not by its async context: in
 * Node 20 an AsyncLocalStorage slows every promise of the process, and that was a tenth of the
 * time of a chat message.
 */
export class ConnectionLock {
  private holder: Hold | undefined;
  private readonly waiting: { kind: TurnKind; grant: (hold: Hold) => void }[] = [];

  /** @param maxWaitMs how long a turn is waited for before giving up with an error. */
  constructor(private readonly maxWaitMs = 10_000) {}

  get isHeld(): boolean {
    return this.holder !== undefined;
  }

  /** True while `hold` is the current turn. */
  holds(hold: Hold): boolean {
    return this.holder === hold;
  }

  /** True while a unit of work holds the connection. */
  get heldByUnit(): boolean {
    return this.holder?.kind === "unit";
  }

  /** True when the next turn goes to a unit of work. */
  nextIs(kind: TurnKind): boolean {
    return this.waiting[0]?.kind === kind;
  }

  /**
   * Waits for a turn. `first` puts the wait ahead of everyone already waiting, for the few short
   * statements that must not queue behind units of work (a message the platform accepted is
   * marked sent); use it for nothing long.
   */
  acquire(kind: TurnKind = "other", { first = false } = {}): Promise<Hold> {
    if (!this.holder) return Promise.resolve((this.holder = { kind, since: Date.now() }));
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
      if (first) this.waiting.unshift(waiter);
      else this.waiting.push(waiter);
    });
  }

  release(hold: Hold): void {
    if (this.holder !== hold) return;
    const next = this.waiting.shift();
    this.holder = next ? { kind: next.kind, since: Date.now() } : undefined;
    next?.grant(this.holder!);
  }

  /** Runs a statement at once when the connection is free; otherwise in turn, after the transaction ends. */
  async inTurn<T>(statement: () => Promise<T>): Promise<T> {
    if (!this.holder) return statement();
    const hold = await this.acquire();
    try {
      return await statement();
    } finally {
      this.release(hold);
    }
  }
}
