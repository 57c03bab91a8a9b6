import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../prisma/sqlite/sqlite-database.js";
import { freshDatabaseFile, say, startTestApp } from "../support/test-app.js";

const MIGRATION = "20261202020000_results_on_record";

let db: ReturnType<typeof freshDatabaseFile>;
beforeEach(() => {
  db = freshDatabaseFile();
});
afterEach(() => db.cleanup());

/**
 * The database as the version before results on record left it: a general ticket resolved with no
 * result, another still open, and a receipt message in the outbox.
 */
function earlierDatabaseWithTickets(file: string): void {
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma("foreign_keys = OFF");
  sqlite.prepare("DELETE FROM _prisma_migrations WHERE migration_name = ?").run(MIGRATION);
  sqlite.exec(`DROP TABLE "WorkRecord"`);
  for (const column of ["customerEmail", "doNotContact", "saleDate", "result", "resolvedBy"]) sqlite.exec(`ALTER TABLE "Ticket" DROP COLUMN "${column}"`);
  sqlite.exec(`ALTER TABLE "Attachment" DROP COLUMN "recordId"`);
  for (const column of ["purpose", "template"]) sqlite.exec(`ALTER TABLE "Delivery" DROP COLUMN "${column}"`);
  const created = Date.parse("2026-11-25T02:00:00Z");
  const insert = sqlite.prepare(
    `INSERT INTO "Ticket" ("number", "localDate", "kind", "source", "category", "level", "matchedRules", "answers", "status", "brand", "mileageKm", "description",
       "customerName", "customerPhone", "reporterId", "originPlatform", "serviceCenterId", "releasedAt", "createdAt", "updatedAt", "resolvedAt")
     VALUES (?, '2026-11-25', 'fault', 'service_center', 'general', NULL, '[]', '{}', ?, 'haise', 12000, '空调异响', '张先生', '138 1234 5678', 'wang.fang', 'telegram', 'sc-shenyang', ?, ?, ?, ?)`,
  );
  const resolved = insert.run("HL-20261125-0001", "resolved", created, created, created, created + 3_600_000).lastInsertRowid;
  insert.run("HL-20261125-0002", "open", created, created, created, null);
  sqlite
    .prepare(`INSERT INTO "Delivery" ("platform", "recipient", "payload", "ticketId", "status", "createdAt") VALUES ('telegram', ?, ?, ?, 'sent', ?)`)
    .run(JSON.stringify({ kind: "member", memberId: "wang.fang", name: "王芳", platform: "telegram", address: "200000001" }), JSON.stringify({ lines: ["回执"] }), resolved, created);
  sqlite.prepare(`INSERT INTO "TicketEvent" ("ticketId", "type", "actorId", "data", "at") VALUES (?, 'resolved', 'zhou.min', '{}', ?)`).run(resolved, created + 3_600_000);
  sqlite.close();
}

describe("upgrading a database written before results on record", () => {
  it("keeps every ticket and message; an old resolution reads without a result, and open tickets resolve with one", async () => {
    earlierDatabaseWithTickets(db.file);
    expect(await migrateDatabase(`file:${db.file}`)).toBe(1);

    const app = await startTestApp(db.file, { now: new Date("2026-11-25T04:00:00Z") });
    try {
      const old = (await app.core.tickets.findByNumber("HL-20261125-0001"))!;
      expect(old).toMatchObject({ status: "resolved", result: null, resolvedBy: null, customerEmail: null, doNotContact: false, saleDate: null, records: [] });
      expect(await app.db.delivery.findMany({ select: { status: true, purpose: true, template: true } })).toEqual([{ status: "sent", purpose: null, template: null }]);
      expect((await say(app, "zhou.min", "/timeline HL-20261125-0001")).text).toContain("周敏 标记解决");
      expect((await say(app, "zhou.min", "/status HL-20261125-0002")).text).toContain("质量担保：不确定");
      expect((await say(app, "zhou.min", "/resolve HL-20261125-0002 已更换空调压缩机")).text).toContain("已标记为解决");
      expect((await app.core.tickets.findByNumber("HL-20261125-0002"))!).toMatchObject({ result: "已更换空调压缩机", resolvedBy: "zhou.min" });
    } finally {
      await app.close();
    }
  });
});
