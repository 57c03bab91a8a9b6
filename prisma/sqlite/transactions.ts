import { errorMessage } from "../../core/errors.js";
import type { ConnectionLock, Hold } from "./connection-lock.js";
import type { LogSync } from "./log-sync.js";
import type { SqliteConnection } from "./sqlite-connection.js";

/** The units of work that ran in one open transaction, and its commit they wait for. */
class Group {
  units = 0;
  readonly committed: Promise<void>;
  settle!: (error?: unknown) => void;

  constructor() {
    this.committed = new Promise((resolve, reject) => (this.settle = (error) => (error === undefined ? resolve() : reject(error))));
    this.committed.catch(() => {}); // each unit awaits it; none may be left unhandled
  }
}

/**
 * Units of work on the one connection, committed in groups. A commit is durable only once the log
 * is synced to disk, which takes longer than the rest of a chat message. So when a unit ends while
 * others wait, the transaction stays open for them, each in a savepoint of its own; the last one
 * commits for all. One that fails rolls back its savepoint alone. Anything else that wants the
 * connection (a plain statement, a transaction of Prisma's) ends the group first, and a group has
 * at most `maxUnits`, so nobody waits long.
 *
 * A unit returns only once its commit is on disk. With a `logSync`, the group's own commit does not
 * wait for the disk (synchronous = NORMAL while the group runs); the log is synced off the event
 * loop instead, while the next group already runs. Everything else on the connection commits with
 * synchronous = FULL, SQLite syncing the log itself.
 */
export class Transactions {
  private group: Group | undefined;
  /** Units run and commits made: how well commits are shared. */
  readonly stats = { units: 0, commits: 0 };

  /**
   * @param timeoutMs a unit still running after this long is rolled back and fails, so a hung one
   * cannot hold the connection (its later statements are refused).
   */
  constructor(
    private readonly sqlite: SqliteConnection,
    private readonly lock: ConnectionLock,
    private readonly logSync: LogSync | undefined,
    private readonly timeoutMs = 15_000,
    private readonly maxUnits = 32,
  ) {}

  /** Runs `work` as a unit; it is handed its turn on the connection, which ends when it returns. */
  async run<T>(work: (hold: Hold) => Promise<T>): Promise<T> {
    const hold = await this.lock.acquire("unit");
    let group: Group;
    try {
      group = this.group ??= this.begin();
    } catch (error) {
      this.lock.release(hold); // BEGIN failed: there is no transaction to hand on
      throw error;
    }
    group.units += 1;
    this.stats.units += 1;
    let result: T;
    let saved = false;
    try {
      this.sqlite.control("SAVEPOINT unit");
      saved = true;
      result = await this.withinTimeout(() => work(hold));
      this.sqlite.control("RELEASE unit");
    } catch (error) {
      if (saved) this.undo(group, error);
      this.handOn(hold, group);
      throw error;
    }
    this.handOn(hold, group);
    await group.committed;
    return result;
  }

  private withinTimeout<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the unit of work ran longer than ${this.timeoutMs} ms and was rolled back`)), this.timeoutMs);
      timer.unref();
    });
    let running: Promise<T>;
    try {
      running = work();
    } catch (error) {
      clearTimeout(timer);
      return Promise.reject(error);
    }
    return Promise.race([running, timedOut]).finally(() => clearTimeout(timer));
  }

  private begin(): Group {
    if (this.logSync) this.sqlite.control("PRAGMA synchronous = NORMAL");
    try {
      this.sqlite.control("BEGIN IMMEDIATE");
    } catch (error) {
      this.syncCommitsAgain();
      throw error;
    }
    return new Group();
  }

  /** After the group's transaction: the connection's other commits sync the log themselves. */
  private syncCommitsAgain(): void {
    if (this.logSync) this.sqlite.control("PRAGMA synchronous = FULL");
  }

  /** Rolls a failed unit back. Should SQLite have rolled the whole transaction back, the group failed with it. */
  private undo(group: Group, error: unknown): void {
    if (this.sqlite.inTransaction) {
      try {
        this.sqlite.control("ROLLBACK TO unit");
        this.sqlite.control("RELEASE unit");
        return;
      } catch {
        // fall through: the transaction can't be trusted any more
      }
    }
    this.abandon(group, error);
  }

  /** Passes the open transaction to the next unit waiting, or commits it for the whole group. */
  private handOn(hold: Hold, group: Group): void {
    try {
      if (this.group !== group) return; // abandoned: already settled
      if (group.units < this.maxUnits && this.lock.nextIs("unit")) return;
      this.group = undefined;
      try {
        this.sqlite.control("COMMIT");
      } catch (error) {
        this.abandon(group, error);
        return;
      }
      this.syncCommitsAgain();
      this.stats.commits += 1;
      this.settleWhenDurable(group);
    } finally {
      this.lock.release(hold);
    }
  }

  private settleWhenDurable(group: Group): void {
    if (!this.logSync) return group.settle(); // SQLite synced the log as it committed
    this.logSync.sync().then(
      () => group.settle(),
      (error: unknown) => group.settle(new Error(`the commit could not be synced to disk: ${errorMessage(error)}`, { cause: error })),
    );
  }

  /** The group's work is lost: every unit in it fails with the reason, none silently. */
  private abandon(group: Group, error: unknown): void {
    if (this.sqlite.inTransaction) this.sqlite.control("ROLLBACK");
    this.syncCommitsAgain();
    if (this.group === group) this.group = undefined;
    group.settle(new Error(`the transaction was rolled back with the units that shared it: ${errorMessage(error)}`, { cause: error }));
  }
}
