import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConnectionLock } from "../../prisma/sqlite/connection-lock.js";
import { openDatabase, sqliteOf, transact, transactionStatsOf, type Database } from "../../prisma/sqlite/sqlite-database.js";
import { LogSync } from "../../prisma/sqlite/log-sync.js";
import { SqliteConnection, Statements } from "../../prisma/sqlite/sqlite-connection.js";
import { Transactions } from "../../prisma/sqlite/transactions.js";
import { freshDatabaseFile } from "../support/test-app.js";

let db: Database;
let file: string;
let cleanup: () => void;

beforeEach(async () => {
  ({ file, cleanup } = freshDatabaseFile());
  db = await openDatabase(`file:${file}`);
});
afterEach(async () => {
  await db.$disconnect();
  cleanup();
});

const received = (eventId: string) => ({ platform: "telegram", eventId, receivedAt: new Date() });
const eventIds = async () => (await db.inboundEvent.findMany({ orderBy: { eventId: "asc" } })).map((e) => e.eventId);

/** A promise and the function that settles it: lets a transaction stay open while the test looks on. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("one connection, one transaction at a time", () => {
  it("makes a statement from outside wait for the open transaction, so its rollback does not take the statement with it", async () => {
    const { opened, open } = gate();
    const failing = transact(db, async (tx) => {
      await tx.inboundEvent.create({ data: received("inside") });
      await opened;
      throw new Error("the unit of work failed");
    });
    let outsideDone = false;
    const outside = db.inboundEvent.create({ data: received("outside") }).then(() => (outsideDone = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(outsideDone).toBe(false); // waiting for its turn, not inside the open transaction
    open();
    await expect(failing).rejects.toThrow("the unit of work failed");
    await outside;
    expect(await eventIds()).toEqual(["outside"]);
  });

  it("runs concurrent transactions one after another: no update is lost", async () => {
    const increments = Array.from({ length: 20 }, () =>
      transact(db, async (tx) => {
        const row = await tx.ticketDaySequence.findUnique({ where: { localDate: "2026-11-27" } });
        await new Promise((resolve) => setImmediate(resolve)); // let the others run in between
        await tx.ticketDaySequence.upsert({ where: { localDate: "2026-11-27" }, create: { localDate: "2026-11-27", last: 1 }, update: { last: (row?.last ?? 0) + 1 } });
      }),
    );
    await Promise.all(increments);
    expect((await db.ticketDaySequence.findUniqueOrThrow({ where: { localDate: "2026-11-27" } })).last).toBe(20);
  });

  it("joins a transact called with the unit's client to the unit: it commits and rolls back with it", async () => {
    await expect(
      transact(db, async (tx) => {
        await transact(tx, (inner) => inner.inboundEvent.create({ data: received("nested") }));
        throw new Error("the outer work failed");
      }),
    ).rejects.toThrow("the outer work failed");
    expect(await eventIds()).toEqual([]);
  });

  it("makes a transaction Prisma opens inside the work a savepoint, which can fail alone", async () => {
    await transact(db, async (tx) => {
      await tx.inboundEvent.create({ data: received("kept") });
      await expect(
        tx.$transaction(async (inner) => {
          await inner.inboundEvent.create({ data: received("rolled back") });
          throw new Error("the inner part failed");
        }),
      ).rejects.toThrow("the inner part failed");
      await tx.$transaction([tx.inboundEvent.create({ data: received("batch a") }), tx.inboundEvent.create({ data: received("batch b") })]);
    });
    expect(await eventIds()).toEqual(["batch a", "batch b", "kept"]);
  });

  it("makes Prisma's own transactions on the database wait their turn as well", async () => {
    const order: string[] = [];
    const { opened, open } = gate();
    const first = transact(db, async (tx) => {
      order.push("first begins");
      await opened;
      await tx.inboundEvent.create({ data: received("first") });
      order.push("first ends");
    });
    const second = db.$transaction(async (tx) => {
      order.push("second begins");
      await tx.inboundEvent.create({ data: received("second") });
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    open();
    await Promise.all([first, second]);
    expect(order).toEqual(["first begins", "first ends", "second begins"]);
    expect(await eventIds()).toEqual(["first", "second"]);
  });

  it("refuses a unit's client once the unit has ended, also while another unit holds the connection", async () => {
    const leaked = await transact(db, async (tx) => tx);
    expect(() => leaked.inboundEvent.count()).toThrow("used outside its transaction");
    await transact(db, async (tx) => {
      await tx.inboundEvent.create({ data: received("the other unit") });
      expect(() => leaked.inboundEvent.create({ data: received("leaked") })).toThrow("used outside its transaction");
      expect(() => leaked.$executeRawUnsafe(`DELETE FROM "InboundEvent"`)).toThrow("used outside its transaction");
    });
    expect(await eventIds()).toEqual(["the other unit"]);
  });

  it("runs plain statements only inside a unit of work, refusing them once it has ended", async () => {
    expect(() => sqliteOf(db)).toThrow("plain statements run inside a unit of work");
    const insert = `INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES ('telegram', ?, '2026-11-27T00:00:00.000+00:00')`;
    const leaked = await transact(db, async (tx) => {
      sqliteOf(tx).run(insert, "raw");
      return sqliteOf(tx);
    });
    await transact(db, async () => expect(() => leaked.run(insert, "leaked")).toThrow("ran after its transaction ended"));
    expect(await eventIds()).toEqual(["raw"]);
  });
});

describe("units of work that wait at the same time share a commit", () => {
  /** What another process reading the file sees: only what is committed. */
  function committedEventIds(): string[] {
    const reader = new BetterSqlite3(file, { readonly: true });
    try {
      return (reader.prepare(`SELECT "eventId" FROM "InboundEvent" ORDER BY "eventId"`).all() as { eventId: string }[]).map((row) => row.eventId);
    } finally {
      reader.close();
    }
  }

  const insertEvent = (eventId: string) => transact(db, (tx) => tx.inboundEvent.create({ data: received(eventId) }));

  it("commits units queued together once, and returns each only when it is committed", async () => {
    const before = { ...transactionStatsOf(db) };
    const ids = Array.from({ length: 10 }, (_, i) => `unit ${String(i).padStart(2, "0")}`);
    const visibleWhenDone = await Promise.all(ids.map((id) => insertEvent(id).then(() => committedEventIds().includes(id))));
    expect(visibleWhenDone).toEqual(ids.map(() => true));
    const stats = transactionStatsOf(db);
    expect(stats.units - before.units).toBe(10);
    expect(stats.commits - before.commits).toBe(1);
  });

  it("rolls a failing unit back alone: the others in its group commit", async () => {
    const outcomes = await Promise.allSettled(
      ["a", "b", "c", "d"].map((id) =>
        transact(db, async (tx) => {
          await tx.inboundEvent.create({ data: received(id) });
          if (id === "c") throw new Error("c failed");
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(committedEventIds()).toEqual(["a", "b", "d"]);
  });

  it("ends the group before a plain statement or a transaction of Prisma's takes the connection", async () => {
    const before = { ...transactionStatsOf(db) };
    const { opened, open } = gate();
    const settle = () => new Promise((resolve) => setTimeout(resolve, 20)); // Prisma takes a few ticks to reach the connection
    const started = <T>(query: PromiseLike<T>) => Promise.resolve(query); // Prisma's queries start when awaited
    const queued: Promise<unknown>[] = [transact(db, async (tx) => (await opened, tx.inboundEvent.create({ data: received("first unit") })))];
    queued.push(started(db.inboundEvent.create({ data: received("plain statement") })));
    await settle();
    queued.push(insertEvent("second unit"), started(db.$transaction([db.inboundEvent.create({ data: received("prisma batch") })])));
    await settle();
    queued.push(insertEvent("third unit"));
    open();
    await Promise.all(queued);
    expect(committedEventIds()).toEqual(["first unit", "plain statement", "prisma batch", "second unit", "third unit"]);
    expect(transactionStatsOf(db).commits - before.commits).toBe(3);
  });

  it("fails the units before a failing one when SQLite rolled the whole transaction back, and goes on with those after", async () => {
    const outcomes = await Promise.allSettled([
      insertEvent("before"),
      transact(db, async (tx) => {
        await tx.inboundEvent.create({ data: received("failing") });
        await tx.$executeRawUnsafe("ROLLBACK"); // what SQLite does by itself on a full disk or an I/O error
        throw new Error("disk full");
      }),
      insertEvent("after"),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "fulfilled"]);
    expect((outcomes[0] as PromiseRejectedResult).reason.message).toBe("the transaction was rolled back with the units that shared it: disk full");
    expect(committedEventIds()).toEqual(["after"]);
  });

  it("rolls back a unit that runs too long and frees the connection; the hung work's later statements are refused", async () => {
    const impatient = await openDatabase(`file:${file}`, { unitTimeoutMs: 100 });
    try {
      let resume!: () => void;
      const stuck = new Promise<void>((resolve) => (resume = resolve));
      let tx!: Database;
      const hung = transact(impatient, async (client) => {
        tx = client;
        await client.inboundEvent.create({ data: received("hung") });
        await stuck; // an external call that never answers
        await client.inboundEvent.create({ data: received("after the timeout") });
      });
      await expect(hung).rejects.toThrow("the unit of work ran longer than 100 ms and was rolled back");
      await transact(impatient, (client) => client.inboundEvent.create({ data: received("next") }));
      expect(committedEventIds()).toEqual(["next"]);
      resume();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(() => tx.inboundEvent.count()).toThrow("used outside its transaction");
      expect(committedEventIds()).toEqual(["next"]);
    } finally {
      await impatient.$disconnect();
    }
  });

  it("puts at most 32 units in a group", async () => {
    const before = { ...transactionStatsOf(db) };
    await Promise.all(Array.from({ length: 70 }, (_, i) => insertEvent(`unit ${i}`)));
    expect(transactionStatsOf(db).commits - before.commits).toBe(3);
    expect(committedEventIds()).toHaveLength(70);
  });

  it("fails every unit of a group whose commit fails, so none is lost silently", async () => {
    const outcomes = await Promise.allSettled([
      insertEvent("before"),
      transact(db, async (tx) => {
        // A foreign key checked only at commit: the commit of the whole group fails.
        await tx.$executeRawUnsafe("PRAGMA defer_foreign_keys = ON");
        await tx.$executeRawUnsafe(`INSERT INTO "Attachment" ("ticketId", "platform", "fileId", "kind", "at") VALUES (999999, 'telegram', 'f', 'photo', '2026-11-27T00:00:00.000+00:00')`);
      }),
      insertEvent("after"),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect((outcomes[0] as PromiseRejectedResult).reason.message).toContain("rolled back with the units that shared it: FOREIGN KEY constraint failed");
    expect(committedEventIds()).toEqual([]);
    await insertEvent("next"); // the connection is usable again
    expect(committedEventIds()).toEqual(["next"]);
  });
});

describe("a unit returns only once its commit is on disk", () => {
  /** Units on a connection of their own, whose log syncs wait until the test lets them finish. */
  function unitsWithHeldSync() {
    const connection = new BetterSqlite3(file);
    const lock = new ConnectionLock();
    const sqlite = new SqliteConnection(connection);
    const syncs: { done: () => void; fail: (error: Error) => void }[] = [];
    const flush = () => new Promise<void>((done, fail) => syncs.push({ done, fail }));
    const transactions = new Transactions(sqlite, lock, new LogSync(flush));
    const insert = (eventId: string) =>
      transactions.run(async (hold) => {
        new Statements(sqlite, () => lock.holds(hold)).run(`INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES ('telegram', ?, ?)`, eventId, new Date());
      });
    const synchronous = () => connection.pragma("synchronous", { simple: true });
    return { insert, syncs, synchronous, close: () => connection.close() };
  }

  const settledYet = async (promise: Promise<unknown>) => {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    return settled;
  };

  it("waits for the log sync after the commit, while the next group already runs", async () => {
    const units = unitsWithHeldSync();
    try {
      const first = units.insert("first");
      expect(await settledYet(first)).toBe(false);
      expect(await eventIds()).toEqual(["first"]); // committed, not yet known to be on disk
      const second = units.insert("second");
      expect(await settledYet(second)).toBe(false);
      expect(await eventIds()).toEqual(["first", "second"]);
      expect(units.syncs).toHaveLength(1); // the second's sync starts after the first's
      units.syncs[0]!.done();
      await first;
      expect(await settledYet(second)).toBe(false);
      units.syncs[1]!.done();
      await second;
    } finally {
      units.syncs.forEach((sync) => sync.done());
      units.close();
    }
  });

  it("fails the units of a group whose log could not be synced, and syncs every other commit in SQLite", async () => {
    const units = unitsWithHeldSync();
    try {
      const unit = units.insert("unsynced");
      await settledYet(unit);
      expect(units.synchronous()).toBe(2); // FULL: between groups, SQLite syncs what it commits
      units.syncs[0]!.fail(new Error("EIO: i/o error"));
      await expect(unit).rejects.toThrow("the commit could not be synced to disk: EIO: i/o error");
    } finally {
      units.close();
    }
  });
});

describe("syncing the log", () => {
  it("runs one sync at a time, and callers that arrive meanwhile share the next", async () => {
    const started: (() => void)[] = [];
    const sync = new LogSync(() => new Promise<void>((done) => started.push(done)));
    const first = sync.sync();
    const waiting = [sync.sync(), sync.sync(), sync.sync()];
    expect(started).toHaveLength(1);
    started[0]!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(2); // one for the three that came while the first ran
    started[1]!();
    await Promise.all(waiting);
  });

  it("syncs the database's log file for real", async () => {
    await transact(db, (tx) => tx.inboundEvent.create({ data: received("synced") }));
    const log = LogSync.forFile(`${file}-wal`);
    await expect(log.sync()).resolves.toBeUndefined();
    await expect(log.sync()).resolves.toBeUndefined(); // on the file it kept open
    await log.release();
    const missing = LogSync.forFile(`${file}-missing`);
    await expect(missing.sync()).rejects.toThrow("ENOENT");
    await expect(missing.sync()).rejects.toThrow("ENOENT"); // tried again, not a failure kept
    await missing.release();
  });
});

describe("the connection's lock", () => {
  it("gives turns in the order they were asked for", async () => {
    const lock = new ConnectionLock();
    const first = await lock.acquire();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => lock.acquire().then((hold) => (order.push(n), lock.release(hold))));
    lock.release(first);
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
    expect(lock.isHeld).toBe(false);
  });

  it("gives up waiting after its limit, with an error that says since when the connection is held", async () => {
    const lock = new ConnectionLock(30);
    const hold = await lock.acquire();
    await expect(lock.acquire()).rejects.toThrow(/waited 30 ms for the database: a transaction held it since \d{4}-/);
    lock.release(hold);
    lock.release(await lock.acquire()); // the one that gave up left no place in the queue
    expect(lock.isHeld).toBe(false);
  });
});
