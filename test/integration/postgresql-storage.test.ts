import pg from "pg";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { migratePostgres } from "../../prisma/postgresql/postgresql-migrations.js";
import { PostgresStorage } from "../../prisma/postgresql/postgresql-storage.js";
import { databaseUrl, dropDatabase, onServer, uniqueDatabaseName } from "../support/postgres.js";
import { freshDatabase } from "../support/test-app.js";

let storage: PostgresStorage;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const database = await freshDatabase("postgresql");
  cleanup = database.cleanup;
  storage = await PostgresStorage.open(database.url, { poolSize: 4 });
});
afterEach(async () => {
  await storage.close();
  await cleanup();
});

const event = (eventId: string) => ({ platform: "telegram", eventId, receivedAt: new Date("2026-11-26T02:00:00Z") });
const eventIds = async () => (await storage.prisma.inboundEvent.findMany({ orderBy: { eventId: "asc" } })).map((e) => e.eventId);

describe("transactions on PostgreSQL", () => {
  it("commits the port's statements and Prisma's together, on one connection, and rolls both back together", async () => {
    await storage.transaction(async (tx) => {
      await tx.sql.run(`INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (?, ?, ?)`, "telegram", "by-sql", new Date());
      await tx.prisma.inboundEvent.create({ data: event("by-prisma") });
      // Each sees the other's uncommitted row: the same transaction.
      expect(await tx.prisma.inboundEvent.count()).toBe(2);
      expect(await tx.sql.get(`SELECT COUNT(*) AS n FROM "InboundEvent"`)).toEqual({ n: "2" });
    });
    await expect(
      storage.transaction(async (tx) => {
        await tx.sql.run(`INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (?, ?, ?)`, "telegram", "lost-sql", new Date());
        await tx.prisma.inboundEvent.create({ data: event("lost-prisma") });
        throw new Error("the unit of work failed");
      }),
    ).rejects.toThrow("the unit of work failed");
    expect(await eventIds()).toEqual(["by-prisma", "by-sql"]);
  });

  it("runs a transaction's statements issued at once one after another, in order, without node-postgres's warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const results = await storage.transaction((tx) =>
        Promise.all([
          ...Array.from({ length: 5 }, (_, i) => tx.sql.get<{ n: number }>("SELECT ?::int AS n", i)),
          tx.prisma.member.count(),
          tx.sql.run(`INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (?, ?, ?)`, "telegram", "together", new Date()),
        ]),
      );
      expect(results).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, 0, 1]);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(warnings.map((w) => w.message)).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("makes a transaction Prisma opens inside one a savepoint, which rolls back alone", async () => {
    await storage.transaction(async (tx) => {
      await tx.prisma.inboundEvent.create({ data: event("kept") });
      await expect(
        tx.prisma.$transaction(async (inner) => {
          await inner.inboundEvent.create({ data: event("undone") });
          throw new Error("inner failure");
        }),
      ).rejects.toThrow("inner failure");
    });
    expect(await eventIds()).toEqual(["kept"]);
  });

  it("refuses a transaction's statements and client once it has ended, so work left running cannot write into another's", async () => {
    let leaked: Parameters<Parameters<PostgresStorage["transaction"]>[0]>[0] | undefined;
    await storage.transaction(async (tx) => void (leaked = tx));
    await expect(leaked!.sql.run(`INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (?, ?, ?)`, "telegram", "late", new Date())).rejects.toThrow(/after the transaction ended/);
    expect(() => leaked!.prisma.inboundEvent).toThrow(/outside its transaction/);
    expect(await eventIds()).toEqual([]);
  });

  it("reads and writes times as UTC whatever the process's time zone", async () => {
    const before = process.env.TZ;
    process.env.TZ = "Asia/Shanghai"; // the business time zone, as the bot runs (TZ is its setting)
    const at = new Date("2026-11-26T23:30:00.000Z");
    expect(at.getHours()).toBe(7); // 07:30 the next day in Shanghai: the process reads local time there
    await storage.transaction((tx) => tx.sql.run(`INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (?, ?, ?)`, "telegram", "t", at));
    expect((await storage.prisma.inboundEvent.findFirstOrThrow()).receivedAt.toISOString()).toBe(at.toISOString());
    const row = await storage.transaction((tx) => tx.sql.get<{ receivedAt: Date }>(`SELECT "receivedAt" FROM "InboundEvent" WHERE "receivedAt" = ?`, at));
    expect(row?.receivedAt.toISOString()).toBe(at.toISOString());
    process.env.TZ = before ?? "";
    if (before === undefined) delete process.env.TZ;
  });

  it("serialises two transactions that take the same lock, and not two that take different ones", async () => {
    const order: string[] = [];
    const step = (name: string, key: string, holdMs: number) =>
      storage.transaction(async (tx) => {
        await tx.lock(key);
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        order.push(`${name} out`);
      });
    await Promise.all([step("a", "dialog:ma.jun:chat", 150), new Promise((r) => setTimeout(r, 30)).then(() => step("b", "dialog:ma.jun:chat", 0)), new Promise((r) => setTimeout(r, 30)).then(() => step("c", "dialog:wang.fang:chat", 0))]);
    expect(order.indexOf("b in")).toBeGreaterThan(order.indexOf("a out"));
    expect(order.indexOf("c out")).toBeLessThan(order.indexOf("a out"));
  });

  it("runs a read issued together with a lock once the lock is held, so it sees what the holder committed", async () => {
    const insert = `INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (?, ?, ?)`;
    const holder = storage.transaction(async (tx) => {
      await tx.lock("dialog:ma.jun:chat");
      await new Promise((resolve) => setTimeout(resolve, 150));
      await tx.sql.run(insert, "telegram", "written-under-the-lock", new Date());
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const [, seen] = await storage.transaction((tx) =>
      Promise.all([tx.lock("dialog:ma.jun:chat"), tx.sql.all<{ eventId: string }>(`SELECT "eventId" FROM "InboundEvent"`)]),
    );
    await holder;
    expect(seen).toEqual([{ eventId: "written-under-the-lock" }]);
  });

  it("sends BEGIN with a transaction's first statement, and nothing at all for a transaction that issues none", async () => {
    const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
    const sent: string[] = [];
    const spy = vi.spyOn(pg.Client.prototype, "query").mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const config = args[0] as string | { text: string };
      sent.push(typeof config === "string" ? config : config.text);
      return original.apply(this, args) as never;
    });
    try {
      expect(await storage.transaction(async () => "nothing to write")).toBe("nothing to write");
      expect(sent).toEqual([]);
      await storage.transaction((tx) => tx.sql.run(`INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES (?, ?, ?)`, "telegram", "one", new Date()));
      expect(sent).toEqual(["BEGIN", `INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES ($1, $2, $3)`, "COMMIT"]);
    } finally {
      spy.mockRestore();
    }
    expect(await eventIds()).toEqual(["one"]);
  });

  it("prepares each statement once per connection", async () => {
    const names = await storage.transaction(async (tx) => {
      await tx.sql.get(`SELECT COUNT(*) AS n FROM "InboundEvent" WHERE "platform" = ?`, "telegram");
      await tx.sql.get(`SELECT COUNT(*) AS n FROM "InboundEvent" WHERE "platform" = ?`, "slack");
      return tx.sql.all<{ statement: string }>(`SELECT "statement" FROM pg_prepared_statements WHERE "statement" LIKE 'SELECT COUNT(*) AS n FROM "InboundEvent"%'`);
    });
    expect(names).toEqual([{ statement: `SELECT COUNT(*) AS n FROM "InboundEvent" WHERE "platform" = $1` }]);
  });
});

describe("migrating PostgreSQL", () => {
  it("lets processes that start together on a new database take turns: one migrates, the others find it current", async () => {
    const name = uniqueDatabaseName("migrate");
    await onServer(`CREATE DATABASE "${name}"`);
    try {
      const pending = await Promise.all([1, 2, 3].map(() => migratePostgres(databaseUrl(name))));
      expect(pending.filter((n) => n > 0)).toHaveLength(1);
      expect(pending.filter((n) => n === 0)).toHaveLength(2);
    } finally {
      await dropDatabase(name);
    }
  }, 60_000);
});
