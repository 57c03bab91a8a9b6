import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../bot/config/paths.js";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import BetterSqlite3 from "better-sqlite3";
import { connectionOf, migrateDatabase } from "../../prisma/sqlite/sqlite-database.js";
import { SqliteStorage } from "../../prisma/sqlite/sqlite-storage.js";
import { syncOrganisation } from "../../prisma/sync-organisation.js";
import { copyOfDefaultOrganisation } from "../support/organisation.js";
import { freshDatabaseFile } from "../support/test-app.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(file: string): Promise<SqliteStorage> {
  const storage = await SqliteStorage.open(`file:${file}`);
  cleanups.push(() => storage.close());
  return storage;
}

describe("preparing the database", () => {
  it("creates a new SQLite file with every migration applied, in WAL mode, and skips the CLI next time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hotline-new-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const url = `file:${join(dir, "nested", "hotline.db")}`;
    const migrations = readdirSync(join(PROJECT_ROOT, "prisma", "migrations"), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(migrations.length).toBeGreaterThanOrEqual(2);
    expect(await migrateDatabase(url)).toBe(migrations.length);
    expect(await migrateDatabase(url)).toBe(0);
    const { prisma: db } = await open(join(dir, "nested", "hotline.db"));
    expect(await db.$queryRawUnsafe("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
    expect(await db.ticket.count()).toBe(0);
  });
});

describe("reaching the connection under Prisma's adapter", () => {
  it("finds the better-sqlite3 connection this version of the adapter opened, and fails loudly when it is not where it was", async () => {
    const adapter = await new PrismaBetterSQLite3({ url: "file::memory:" }).connect();
    cleanups.push(() => adapter.dispose());
    const connection = connectionOf(adapter);
    expect(connection).toBeInstanceOf(BetterSqlite3);
    expect(connection.prepare("SELECT 41 + 1 AS answer").get()).toEqual({ answer: 42n }); // the adapter turned safe integers on

    const moved = Object.assign(Object.create(Object.getPrototypeOf(adapter) as object) as typeof adapter, { connection });
    expect(() => connectionOf(moved)).toThrow(/no longer keeps its connection as `client`: prisma\/sqlite\/sqlite-database.ts/);
  });
});

describe("loading the organisation file into the directory", () => {
  it("loads every department, center, member and identity, and is idempotent", async () => {
    const { file, cleanup } = freshDatabaseFile();
    cleanups.push(cleanup);
    const storage = await open(file);
    const db = storage.prisma;
    const org = copyOfDefaultOrganisation();
    await syncOrganisation(storage, org);
    await syncOrganisation(storage, org);
    expect(await db.department.count()).toBe(org.departments.length);
    expect(await db.serviceCenter.count()).toBe(org.serviceCenters.length);
    expect(await db.member.count({ where: { active: true } })).toBe(org.members.length);
    const identities = org.members.reduce((n, m) => n + Object.keys(m.identities).length, 0);
    expect(await db.identity.count()).toBe(identities);
    expect(await db.channel.count()).toBe(org.channels.length);
  });

  it("deactivates members removed from the file and keeps languages chosen at run time", async () => {
    const { file, cleanup } = freshDatabaseFile();
    cleanups.push(cleanup);
    const storage = await open(file);
    const db = storage.prisma;
    const org = copyOfDefaultOrganisation();
    await syncOrganisation(storage, org);
    await db.member.update({ where: { id: "wang.fang" }, data: { locale: "en" } });
    org.members = org.members.filter((m) => m.id !== "ma.jun");
    await syncOrganisation(storage, org);
    expect((await db.member.findUniqueOrThrow({ where: { id: "ma.jun" } })).active).toBe(false);
    expect((await db.member.findUniqueOrThrow({ where: { id: "wang.fang" } })).locale).toBe("en");
  });
});

describe("accounts across restarts", () => {
  it("keeps an account bound by invite as the member's address after the organisation is loaded again", async () => {
    const { file, cleanup } = freshDatabaseFile();
    cleanups.push(cleanup);
    const storage = await open(file);
    const db = storage.prisma;
    const org = copyOfDefaultOrganisation();
    await syncOrganisation(storage, org);
    await db.identity.create({ data: { platform: "telegram", externalId: "888", memberId: "wang.fang", source: "invite" } });
    await syncOrganisation(storage, org);
    const accounts = await db.identity.findMany({ where: { memberId: "wang.fang", platform: "telegram" }, orderBy: { createdAt: "asc" } });
    expect(accounts.map((a) => a.externalId)).toEqual(["200000001", "888"]);
  });
});
