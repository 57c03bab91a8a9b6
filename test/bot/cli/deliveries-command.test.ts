import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../prisma/sqlite/sqlite-database.js";
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

  it("prints the times in business time with the offset, and --json as nested objects", async () => {
    const client = await openDatabase(`file:${db.file}`);
    const recipient = { kind: "member", memberId: "chen.jie", name: "陈杰", platform: "slack", address: "U0000000QA1" };
    const card = { title: "新工单 HL-20261126-0001", lines: ["质量保证部: 请提出处理措施"], choices: [{ id: "/ack HL-20261126-0001", label: "响应" }] };
    const createdAt = new Date("2026-11-26T02:00:05.250Z");
    const sentAt = new Date("2026-11-26T17:30:00.000Z"); // already the next day in Shanghai
    const row = await client.delivery.create({
      data: { platform: "slack", recipient: JSON.stringify(recipient), payload: JSON.stringify(card), status: "sent", attempts: 1, createdAt, sentAt },
    });
    await client.$disconnect();

    const listed = await cli([]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`#${row.id}  sent    slack    陈杰 (U0000000QA1)`);
    expect(listed.stdout).toContain("2026-11-26 10:00 +08:00");
    expect(listed.stdout).not.toContain("2026-11-26T02:00");

    const json = await cli(["--json"]);
    expect(json.code).toBe(0);
    const [only] = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(only!.recipient).toEqual(recipient);
    expect(only!.payload).toEqual(card);
    expect(only!.createdAt).toBe("2026-11-26T10:00:05.250+08:00");
    expect(only!.sentAt).toBe("2026-11-27T01:30:00.000+08:00");
    expect(new Date(only!.createdAt as string).getTime()).toBe(createdAt.getTime());

    const elsewhere = JSON.parse((await runCli(["deliveries", "--json"], { env: { DATABASE_URL: `file:${db.file}`, TZ: "America/St_Johns" } })).stdout);
    expect(elsewhere[0].createdAt).toBe("2026-11-25T22:30:05.250-03:30");
  });

  it("shows customers' rows with the mobile and e-mail masked, in the list and in --json", async () => {
    const client = await openDatabase(`file:${db.file}`);
    const template = { id: "receipt", params: { number: "HL-20261126-0007" } };
    const bySms = await client.delivery.create({
      data: { platform: "sms", recipient: JSON.stringify({ kind: "customer", platform: "sms", address: "+8613812345678", name: "张先生" }), payload: "{}", template: JSON.stringify(template), purpose: "receipt" },
    });
    const byEmail = await client.delivery.create({
      data: { platform: "email", recipient: JSON.stringify({ kind: "customer", platform: "email", address: "zhang.san@example.com", name: "张先生" }), payload: "{}", purpose: "receipt" },
    });
    await client.$disconnect();

    const listed = (await cli([])).stdout;
    expect(listed).toContain(`#${bySms.id}  pending sms      张先生 (138****5678)`);
    expect(listed).toContain(`#${byEmail.id}  pending email    张先生 (z***@example.com)`);
    expect(listed).not.toContain("13812345678");
    expect(listed).not.toContain("zhang.san@");

    const json = (await cli(["--json"])).stdout;
    expect(json).not.toContain("13812345678");
    expect(json).not.toContain("zhang.san@");
    const rows = JSON.parse(json) as { id: number; recipient: { address: string }; template: unknown }[];
    expect(rows.find((r) => r.id === bySms.id)).toMatchObject({ recipient: { address: "138****5678" }, template });
  });
});
