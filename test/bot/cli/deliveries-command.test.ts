import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../prisma/database.js";
import { runCli } from "../../support/run-cli.js";
import { freshDatabaseFile } from "../../support/test-app.js";

let db: ReturnType<typeof freshDatabaseFile>;
beforeEach(() => {
  db = freshDatabaseFile();
});
afterEach(() => db.cleanup());

const cli = (args: string[]) => runCli(["deliveries", ...args], { env: { DATABASE_URL: `file:${db.file}` } });

describe("npx hotline deliveries", () => {
  it("lists a permanent failure with its error, and puts it back in line on retry", async () => {
    const client = await openDatabase(`file:${db.file}`);
    const recipient = JSON.stringify({ kind: "member", memberId: "wang.fang", name: "王芳", platform: "telegram", address: "200000001" });
    const failed = await client.delivery.create({
      data: { platform: "telegram", recipient, payload: "{}", status: "failed", attempts: 1, lastError: "sendMessage: 403 Forbidden: bot was blocked by the user" },
    });
    await client.delivery.create({ data: { platform: "telegram", recipient, payload: "{}", status: "sent", attempts: 1 } });
    await client.$disconnect();

    const listed = await cli(["--failed"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split("\n")).toHaveLength(1);
    expect(listed.stdout).toContain(`#${failed.id}  failed  telegram 王芳 (200000001)`);
    expect(listed.stdout).toContain("bot was blocked by the user");

    expect((await cli(["retry", String(failed.id)])).stdout).toContain(`Delivery ${failed.id} will be sent again.`);
    expect((await cli(["--failed"])).stdout.trim()).toBe("No failed deliveries.");
    const again = await cli(["retry", String(failed.id)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("is not a failed delivery");
  });
});
