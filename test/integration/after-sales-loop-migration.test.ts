import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../prisma/sqlite/sqlite-database.js";
import { freshDatabaseFile, say, startTestApp } from "../support/test-app.js";

const MIGRATION = "20261202010000_after_sales_loop";

let db: ReturnType<typeof freshDatabaseFile>;
beforeEach(() => {
  db = freshDatabaseFile();
});
afterEach(() => db.cleanup());

/** The database as the version before the after-sales loop left it, with one level-2 ticket it had sent to QA at once. */
function earlierDatabaseWithATicket(file: string): void {
  const sqlite = new BetterSqlite3(file);
  // The service centers are loaded from the organisation file when the bot starts.
  sqlite.pragma("foreign_keys = OFF");
  sqlite.prepare("DELETE FROM _prisma_migrations WHERE migration_name = ?").run(MIGRATION);
  for (const column of ["releasedAt", "firstLine", "transferredAt", "gradings"]) sqlite.exec(`ALTER TABLE "Ticket" DROP COLUMN "${column}"`);
  sqlite.exec(`ALTER TABLE "Ping" DROP COLUMN "cancelledAt"`);
  const created = Date.parse("2026-11-25T02:00:00Z");
  const ticketId = sqlite
    .prepare(
      `INSERT INTO "Ticket" ("number", "localDate", "kind", "source", "category", "level", "matchedRules", "answers", "status", "brand", "description",
         "customerName", "customerPhone", "reporterId", "originPlatform", "serviceCenterId", "createdAt", "updatedAt")
       VALUES ('HL-20261125-0001', '2026-11-25', 'fault', 'service_center', 'major', 2, '[{"rule":"l2.major-accident","level":2}]', '{"majorAccident":true}',
         'open', 'haise', '行驶中制动失灵', '张先生', '138 1234 5678', 'wang.fang', 'telegram', 'sc-shenyang', ?, ?)`,
    )
    .run(created, created).lastInsertRowid;
  const ping = sqlite.prepare(`INSERT INTO "Ping" ("ticketId", "departmentId", "memberId", "duty", "needsAck", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`);
  const deadline = sqlite.prepare(`INSERT INTO "Deadline" ("ticketId", "pingId", "kind", "dueAt", "chain") VALUES (?, ?, 'acknowledge', ?, ?)`);
  for (const [department, member, duty] of [["after_sales", "zhou.min", "confirm"], ["quality_assurance", "chen.jie", "propose_measures"]] as const) {
    const pingId = ping.run(ticketId, department, member, duty, 1, created).lastInsertRowid;
    deadline.run(ticketId, pingId, created + 7_200_000, JSON.stringify([member, "zhao.ming", "qian.hao"]));
  }
  sqlite.close();
}

describe("upgrading a database written before the after-sales loop", () => {
  it("keeps every ticket, counts it as sent out when it was filed, and lets people act on it as before", async () => {
    earlierDatabaseWithATicket(db.file);
    expect(await migrateDatabase(`file:${db.file}`)).toBe(1);

    const app = await startTestApp(db.file, { now: new Date("2026-11-25T03:00:00Z") });
    try {
      const ticket = (await app.core.tickets.findByNumber("HL-20261125-0001"))!;
      expect(ticket).toMatchObject({ level: 2, status: "open", releasedAt: new Date("2026-11-25T02:00:00Z"), firstLine: false, transferredAt: null, gradings: [] });
      expect(ticket.pings.map((p) => [p.memberId, p.duty, p.cancelledAt])).toEqual([
        ["zhou.min", "confirm", null],
        ["chen.jie", "propose_measures", null],
      ]);
      // QA was told then, so QA acts now; after-sales' confirmation is still open and is marked so.
      expect((await say(app, "chen.jie", "/ack HL-20261125-0001")).text).toBe("已响应 HL-20261125-0001。");
      expect((await say(app, "chen.jie", "/status HL-20261125-0001")).text).toContain("售后服务部尚未确认");
      expect((await say(app, "zhou.min", "/confirm HL-20261125-0001")).text).toContain("已确认 HL-20261125-0001");
      expect((await say(app, "zhou.min", "/grade HL-20261125-0001 3 复核后影响有限")).text).toContain("定级为 重大质量信息 3 级");
    } finally {
      await app.close();
    }
  });
});
