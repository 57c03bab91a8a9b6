import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../prisma/sqlite/sqlite-database.js";
import { freshDatabaseFile } from "../support/test-app.js";

const MIGRATION = "20261127060000_robot_key_references";

let db: ReturnType<typeof freshDatabaseFile>;
beforeEach(() => {
  db = freshDatabaseFile();
});
afterEach(() => db.cleanup());

const robot = (department: string, address: string) => ({ kind: "channel", channelId: `robot:${department}`, name: department, platform: "wecom", address });

describe("upgrading an outbox written when robot deliveries held their key", () => {
  it("replaces each robot key (or its env: name) with the department's reference, and leaves every other row as it was", async () => {
    const before = [
      { platform: "wecom", recipient: JSON.stringify(robot("after_sales", "a-literal-robot-key")), status: "sent" },
      { platform: "wecom", recipient: JSON.stringify(robot("quality_assurance", "env:QA_ROBOT_KEY")), status: "pending" },
      { platform: "wecom", recipient: JSON.stringify({ kind: "member", memberId: "zhou.min", name: "周敏", platform: "wecom", address: "zhoumin" }), status: "sent" },
      { platform: "wecom", recipient: JSON.stringify({ kind: "team", ticketNumber: "HL-20261126-0001", name: "HL-20261126-0001", platform: "wecom", address: "appchat" }), status: "sent" },
      { platform: "slack", recipient: JSON.stringify({ kind: "channel", channelId: "escalations", name: "重大质量信息", platform: "slack", address: "C0000ESCAL" }), status: "sent" },
      { platform: "wecom", recipient: "not JSON, written by hand", status: "failed" },
    ];
    // The database as an earlier version left it: this migration not yet applied, robot keys in the outbox.
    const sqlite = new BetterSqlite3(db.file);
    sqlite.prepare("DELETE FROM _prisma_migrations WHERE migration_name = ?").run(MIGRATION);
    const insert = sqlite.prepare("INSERT INTO Delivery (platform, recipient, payload, status) VALUES (?, ?, '{}', ?)");
    for (const row of before) insert.run(row.platform, row.recipient, row.status);
    sqlite.close();

    expect(await migrateDatabase(`file:${db.file}`)).toBe(1);

    const after = new BetterSqlite3(db.file, { readonly: true });
    const rows = after.prepare("SELECT platform, recipient, status FROM Delivery ORDER BY id").all() as typeof before;
    after.close();
    expect(JSON.stringify(rows)).not.toContain("a-literal-robot-key");
    expect(JSON.stringify(rows)).not.toContain("QA_ROBOT_KEY");
    expect(JSON.parse(rows[0]!.recipient)).toEqual(robot("after_sales", "robot:after_sales"));
    expect(JSON.parse(rows[1]!.recipient)).toEqual(robot("quality_assurance", "robot:quality_assurance"));
    expect(rows.slice(2)).toEqual(before.slice(2));
    expect(rows.map((row) => row.status)).toEqual(before.map((row) => row.status));
  });
});
