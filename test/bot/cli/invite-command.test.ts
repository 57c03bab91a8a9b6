import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../prisma/sqlite/sqlite-database.js";
import { runCli } from "../../support/run-cli.js";
import { freshDatabaseFile } from "../../support/test-app.js";

let db: ReturnType<typeof freshDatabaseFile>;
beforeEach(() => {
  db = freshDatabaseFile();
});
afterEach(() => db.cleanup());

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env: { DATABASE_URL: `file:${db.file}`, ...env } });

/** The database as the CLI leaves it, read between runs. */
async function withDatabase<T>(read: (client: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const client = await openDatabase(`file:${db.file}`);
  try {
    return await read(client);
  } finally {
    await client.$disconnect();
  }
}

/** The wall clock of a zone, read with Intl on its own, to check the CLI's text against. */
function wallClock(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

describe("npx hotline invite", () => {
  it("says until when the code is valid in business time, with the zone's offset", async () => {
    const shanghai = await cli(["invite", "wang.fang", "--platform", "slack"]);
    expect(shanghai.code).toBe(0);
    const [first] = await withDatabase((client) => client.invite.findMany({ orderBy: { createdAt: "asc" } }));
    expect(shanghai.stdout).toContain(`valid until ${wallClock(first!.expiresAt, "Asia/Shanghai")} +08:00 (Asia/Shanghai):`);
    // No ISO time anywhere in the sentence (the code on the next line is random letters and digits).
    expect(shanghai.stdout.split("\n")[0]).not.toMatch(/\dT\d|Z:/);

    const kolkata = await cli(["invite", "wang.fang", "--platform", "slack", "--ttl-hours", "1"], { TZ: "Asia/Kolkata" });
    expect(kolkata.code).toBe(0);
    const invites = await withDatabase((client) => client.invite.findMany({ orderBy: { createdAt: "asc" } }));
    expect(kolkata.stdout).toContain(`valid until ${wallClock(invites[1]!.expiresAt, "Asia/Kolkata")} +05:30 (Asia/Kolkata):`);
  });
});

describe("npx hotline unbind", () => {
  it("refuses an account the organisation file lists, says where to remove it, and changes nothing", async () => {
    const result = await cli(["unbind", "wang.fang", "--platform", "telegram"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("Nothing was changed: wang.fang's telegram account 200000001 is listed in the organisation file");
    expect(result.stderr).toContain("prisma/seed/organisation.yaml");
    expect(result.stderr).toContain("identities.telegram");
    expect(result.stderr).toContain("remove it there");
    const identities = await withDatabase((client) => client.identity.findMany({ where: { memberId: "wang.fang", platform: "telegram" } }));
    expect(identities.map((i) => i.externalId)).toEqual(["200000001"]);
  });

  it("removes an account bound by invite, as before", async () => {
    expect((await cli(["members"])).code).toBe(0); // loads the organisation file into the database
    await withDatabase((client) => client.identity.create({ data: { platform: "slack", externalId: "U0000MAJUN", memberId: "ma.jun", source: "invite" } }));
    const result = await cli(["unbind", "ma.jun", "--platform", "slack"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Unbound 1 slack account(s) from ma.jun.");
    expect(await withDatabase((client) => client.identity.count({ where: { memberId: "ma.jun", platform: "slack" } }))).toBe(0);
    // The organisation file's account on another platform stays.
    expect(await withDatabase((client) => client.identity.count({ where: { memberId: "ma.jun", platform: "telegram" } }))).toBe(1);
  });

  it("removes the accounts bound by invite of a member the organisation file also lists, and says which stays", async () => {
    expect((await cli(["members"])).code).toBe(0);
    await withDatabase((client) => client.identity.create({ data: { platform: "telegram", externalId: "200000999", memberId: "wang.fang", source: "invite" } }));
    const result = await cli(["unbind", "wang.fang", "--platform", "telegram"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unbound 1 telegram account(s) bound by invite from wang.fang, but wang.fang's telegram account 200000001 is listed");
    const left = await withDatabase((client) => client.identity.findMany({ where: { memberId: "wang.fang", platform: "telegram" } }));
    expect(left.map((i) => i.externalId)).toEqual(["200000001"]);
  });
});
