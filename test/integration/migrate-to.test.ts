import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { POSTGRES_MIGRATIONS } from "../../prisma/postgresql/generate.js";
import type { App } from "../../bot/app.js";
import { consoleAccess } from "../../bot/console/console-links.js";
import { ConsoleSubmissionStore } from "../../prisma/stores/console-submission-store.js";
import { handleInbound, type InboundEvent } from "../../core/conversation/handle-inbound.js";
import { issueInvite } from "../../core/directory/invites.js";
import type { Ticket } from "../../core/tickets/ticket.js";
import type { TimelineEntry } from "../../core/tickets/timeline.js";
import { Prisma } from "../../generated/prisma/browser.ts";
import { sqliteTime } from "../../prisma/postgresql/copy-from-sqlite.js";
import { PostgresStorage } from "../../prisma/postgresql/postgresql-storage.js";
import { openDatabase } from "../../prisma/sqlite/sqlite-database.js";
import { LiveViewStore } from "../../prisma/stores/live-view-store.js";
import { databaseUrl, dropDatabase, freshPostgresDatabase, onServer, uniqueDatabaseName } from "../support/postgres.js";
import { GENERAL_FAULT, LEVEL2_FAULT } from "../support/report-script.js";
import { runCli, type CliResult } from "../support/run-cli.js";
import { freshDatabaseFile, say, startTestApp, startTestAppAt, type TestClock } from "../support/test-app.js";

/*
 * `npx hotline migrate-to postgresql://…` as an operator runs it: a SQLite deployment with a few
 * days' work in it, copied by the real CLI into PostgreSQL, then run there by the app.
 */

const MODELS: string[] = Object.values(Prisma.ModelName);
const FIRST = "HL-20261126-0001";
const COMPLAINT = "HL-20261126-0003";

/** A level-2 customer complaint (major, a team), as the complaint walk-through files it. */
const LEVEL2_COMPLAINT = [
  "/new", "2", "1", "2", "LSGPC52U6AF102554", "32000", "顾客投诉：行驶中制动失灵撞上护栏，要求赔偿",
  "否", "没有", "否", "否", "是", "李女士", "13812345678", "2025-06-01", "li.nvshi@example.com", "是", "完成", "1",
];

const migrateTo = (url: string, env: Record<string, string>, extra: Record<string, string> = {}) =>
  // A business time zone as the process's own: times must not shift on the way.
  runCli(["migrate-to", url], { env: { TZ: "Asia/Shanghai", ...env, ...extra } });

/** One refusal on stderr, exit code 2, no stack. */
function expectRefusal(result: CliResult, problem: string) {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr).toContain(problem);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

type Row = Record<string, unknown>;

/** Every model's rows through a Prisma client, as the app reads them: times as ISO text, sorted. */
async function allRows(client: object): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const model of MODELS) {
    const delegate = (client as Record<string, { findMany(): Promise<Row[]> }>)[model.charAt(0).toLowerCase() + model.slice(1)]!;
    const rows = await delegate.findMany();
    tables[model] = rows.map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value))).sort();
  }
  return tables;
}

async function sqliteRows(file: string) {
  const db = await openDatabase(`file:${file}`);
  try {
    return await allRows(db);
  } finally {
    await db.$disconnect();
  }
}

async function postgresRows(url: string) {
  const storage = await PostgresStorage.open(url);
  try {
    return await allRows(storage.prisma);
  } finally {
    await storage.close();
  }
}

/** Row counts of every table in a PostgreSQL database, by plain SQL. */
async function postgresCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const model of MODELS) counts[model] = Number((await client.query(`SELECT COUNT(*) AS n FROM "${model}"`)).rows[0].n);
    return counts;
  } finally {
    await client.end();
  }
}

const emptyCounts = () => Object.fromEntries(MODELS.map((m) => [m, 0]));

/** A SQLite deployment with work of every kind in it: reports, a complaint team, invites, the outbox, dialogs. */
async function buildDeployment(file: string, clock: TestClock): Promise<{ ticket: Ticket; timeline: TimelineEntry[] }> {
  const app = await startTestApp(file, clock);
  try {
    await fileWork(app, clock);
    const ticket = (await app.core.tickets.findByNumber(FIRST))!;
    return { ticket, timeline: await app.core.tickets.timeline(ticket.id) };
  } finally {
    await app.close();
  }
}

async function fileWork(app: App, clock: TestClock) {
  const later = (minutes: number) => (clock.now = new Date(clock.now.getTime() + minutes * 60_000));
  for (const line of [...LEVEL2_FAULT, "1"]) await say(app, "wang.fang", line);
  later(3);
  for (const line of [...GENERAL_FAULT, "1"]) await say(app, "wang.fang", line);
  later(2);
  for (const line of LEVEL2_COMPLAINT) await say(app, "wang.fang", line);

  // The fault worked on: confirmed, acknowledged, a question, a note; the complaint's team formed.
  later(5);
  await say(app, "zhou.min", `/ack ${FIRST}`);
  later(5);
  await say(app, "chen.jie", `/ack ${FIRST}`);
  await say(app, "chen.jie", `/ask ${FIRST} 请补充仪表照片`);
  await say(app, "wang.fang", `/note ${FIRST} 照片已上传`);
  await say(app, "wang.fang", { text: `/attach ${FIRST}`, attachments: [{ platform: "telegram", fileId: "AgACAgIAAx0dash", kind: "photo", name: "仪表.jpg" }] });
  await say(app, "zhou.min", `/confirm ${COMPLAINT}`);
  later(30);
  await say(app, "chen.jie", `/measures ${COMPLAINT} 召回同批次制动总泵检测，更换故障件`);
  await say(app, "chen.jie", `/appoint ${COMPLAINT} gao.feng`);
  await say(app, "gao.feng", `/confirm ${COMPLAINT}`);

  // A report left half-way: its dialog is kept.
  await say(app, "ma.jun", "/new");
  await say(app, "ma.jun", "1");

  // Platform events: an invite redeemed, a wrong code refused.
  const { code } = await issueInvite(app.core, { memberId: "guo.tao", platform: "telegram" });
  await issueInvite(app.core, { memberId: "ma.jun", platform: "slack" });
  const event = (eventId: string, senderId: string, text: string): InboundEvent => ({ platform: "telegram", eventId, senderId, conversation: `telegram:${senderId}`, replyAddress: senderId, seenByOthers: false, text });
  await handleInbound(app.unitOfWork, event("5001", "777", `/start ${code}`), "zh-CN");
  await handleInbound(app.unitOfWork, event("5002", "778", "/start NOTACODE42"), "zh-CN");

  // The outbox: one sent, one failed for good, the rest pending.
  const [sent, failed] = await app.outbox.pending(["telegram"]);
  await app.outbox.claim(sent!.id);
  await app.outbox.markSent(sent!.id);
  await app.outbox.claim(failed!.id);
  await app.outbox.markAttemptFailed(failed!.id, { error: "sendMessage: 403 Forbidden: bot was blocked by the user", final: true });

  // Requests kept until handled: the newest handled (deleted), so the highest id given is gone.
  await app.inboundRequests.add("inbound-slack", "U0000000QA1", JSON.stringify({ text: "hi" }));
  await app.inboundRequests.done(await app.inboundRequests.add("inbound-slack", "U0000000QA1", JSON.stringify({ text: "again" })));

  // Slack's live views and the team's space, a daily report and a form archived, a process that died long ago.
  const complaint = (await app.core.tickets.findByNumber(COMPLAINT))!;
  const views = new LiveViewStore(app.storage, "slack");
  await views.recordPosted(complaint.id, { address: "C0ESCALATE", messageId: "1764122400.000100", view: "ticket" });
  await views.saveTeamSpace(complaint.id, { address: "C0TEAM0001", threadId: null });
  await app.core.reports.archive({ kind: "hotline_daily", period: { from: "2026-11-26", to: "2026-11-26" }, content: { tickets: 3 } }, []);
  // The fault's form kept in the archive, its bytes and checksum with it.
  await app.ticketRecords.fileTicketRecord({ number: FIRST, format: "xlsx", locale: "zh-CN" });
  // A row whose time SQLite's column default wrote (CURRENT_TIMESTAMP: "2026-11-26 02:00:00", UTC).
  await app.storage.promptly((sql) => sql.run(`INSERT INTO "InboundEvent" ("platform", "eventId") VALUES ('slack', 'Ev0DEFAULTTIME')`));
  const longAgo = new Date(Date.now() - 3_600_000);
  await app.storage.promptly((sql) =>
    sql.run(`INSERT INTO "ProcessInstance" ("id", "role", "startedAt", "heartbeatAt") VALUES (?, ?, ?, ?)`, "old-host-4242-deadbeef", "web", longAgo, longAgo),
  );

  // The console: a link used and a password set, a session ended, a link not used yet.
  const access = consoleAccess(app);
  const opened = await access.signInWithLink((await access.issueLink("zhou.min", 60)).code, "203.0.113.7");
  if (!("session" in opened)) throw new Error(`the console refused zhou.min: ${opened.refused}`);
  await access.setPassword("zhou.min", "售后-2026-安全口令", "203.0.113.7");
  await access.signOut(opened.session, "203.0.113.7");
  await access.issueLink("chen.jie", 60);
  // A call taken on the console's intake page, its form's key kept with the ticket it filed.
  const submissions = new ConsoleSubmissionStore(app.storage);
  await submissions.claim("k3yOfTheIntakeForm", "liu.fang", clock.now);
  await submissions.settle("k3yOfTheIntakeForm", { ticketNumber: FIRST, replies: [{ lines: [`已登记工单 ${FIRST}`] }] });
}

describe("npx hotline migrate-to: a SQLite deployment into an empty PostgreSQL database", () => {
  let source: ReturnType<typeof freshDatabaseFile>;
  const targetName = uniqueDatabaseName("migrate_to");
  const target = databaseUrl(targetName);
  const clock: TestClock = { now: new Date("2026-11-26T02:00:00Z") }; // 10:00 in Shanghai
  let before: Awaited<ReturnType<typeof buildDeployment>>;
  let sourceRows: Record<string, string[]>;
  let result: CliResult;

  beforeAll(async () => {
    source = freshDatabaseFile();
    before = await buildDeployment(source.file, clock);
    sourceRows = await sqliteRows(source.file);
    await onServer(`CREATE DATABASE "${targetName}"`); // empty, not migrated: the command migrates it
    result = await migrateTo(target, { DATABASE_URL: `file:${source.file}` });
  }, 120_000);
  afterAll(async () => {
    await dropDatabase(targetName);
    source?.cleanup();
  });

  it("copies the Prisma schema's tables, and only them, and says so table by table", async () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Copying the SQLite database ${source.file} into ${target}.`);
    expect(result.stdout).toContain("The bot must be stopped");
    expect(result.stdout).toContain(`PostgreSQL: applied ${readdirSync(POSTGRES_MIGRATIONS).length} migrations.`);
    for (const model of MODELS) expect(result.stdout).toMatch(new RegExp(`^  ${model} +${sourceRows[model]!.length} rows? +\\d+\\.\\d s$`, "m"));
    expect(result.stdout).toContain(`Checked: each table holds as many rows in PostgreSQL as in SQLite (${MODELS.length} tables, `);
    expect(result.stdout).toMatch(/Done in \d+\.\d s\./);

    // The list comes from the schema: it is every table either database has but the migrations' own
    // and SQLite's search index (a virtual table and its shadow tables; PostgreSQL indexes Ticket itself).
    const sqlite = new BetterSqlite3(source.file, { readonly: true });
    const sqliteTables = (sqlite.prepare(`SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name <> '_prisma_migrations' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[]).sort();
    const searchIndex = sqlite.prepare(`SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('virtual', 'shadow')`).pluck().all() as string[];
    expect(searchIndex.sort()).toEqual(["TicketSearch", "TicketSearch_config", "TicketSearch_data", "TicketSearch_docsize", "TicketSearch_idx"]);
    sqlite.close();
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    const pgTables = (await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`)).rows.map((r) => r.table_name as string).sort();
    await client.end();
    expect([...MODELS].sort()).toEqual(sqliteTables);
    expect(pgTables).toEqual(sqliteTables);
  });

  it("leaves every row of every table equal, value for value, as the app reads them", async () => {
    const sqlite = new BetterSqlite3(source.file, { readonly: true });
    const defaulted = sqlite.prepare(`SELECT "receivedAt" FROM "InboundEvent" WHERE "eventId" = 'Ev0DEFAULTTIME'`).pluck().get() as string;
    sqlite.close();
    expect(defaulted).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const copied = await postgresRows(target);
    for (const model of MODELS) expect(copied[model], model).toEqual(sourceRows[model]);
    // The deployment had work of every kind: a check on empty tables would prove nothing.
    const empty = MODELS.filter((m) => sourceRows[m]!.length === 0);
    expect(empty).toEqual([]);
    expect(sourceRows.Ticket).toHaveLength(3);
  });

  it("runs the app on the copy: a ticket with its pings, deadlines and timeline; the next report gets the day's next number and fresh ids", async () => {
    const maxima = await postgresMaxima(target);
    const app = await startTestAppAt(target, clock);
    try {
      const ticket = await app.core.tickets.findByNumber(FIRST);
      expect(ticket).toEqual(before.ticket);
      expect(ticket!.pings.length).toBeGreaterThan(1);
      expect(ticket!.pings.some((p) => p.acknowledgedAt !== null)).toBe(true);
      expect(ticket!.deadlines.length).toBeGreaterThan(1);
      expect(await app.core.tickets.timeline(ticket!.id)).toEqual(before.timeline);
      expect(before.timeline.length).toBeGreaterThan(8);

      clock.now = new Date(clock.now.getTime() + 10 * 60_000);
      for (const line of [...LEVEL2_FAULT, "1"]) await say(app, "ma.jun", line);
      const fresh = (await app.core.tickets.findByNumber("HL-20261126-0004"))!;
      expect(fresh.id).toBe(maxima.Ticket + 1);
      expect(Math.min(...fresh.pings.map((p) => p.id))).toBe(maxima.Ping + 1);
      expect(Math.min(...fresh.deadlines.map((d) => d.id))).toBe(maxima.Deadline + 1);
      const events = await app.db.ticketEvent.findMany({ where: { ticketId: fresh.id } });
      expect(Math.min(...events.map((e) => e.id))).toBe(maxima.TicketEvent + 1);
      const deliveries = await app.db.delivery.findMany({ where: { ticketId: fresh.id } });
      expect(Math.min(...deliveries.map((d) => d.id))).toBe(maxima.Delivery + 1);
      // SQLite never gives a deleted row's id again (AUTOINCREMENT), nor does the copy.
      expect(await app.inboundRequests.add("inbound-slack", "U0000000QA1", "{}")).toBe(maxima.InboundRequest + 2);
    } finally {
      await app.close();
    }
  });

  it("refuses to copy again into the database it filled, naming what is there, and writes nothing", async () => {
    const counts = await postgresCounts(target);
    const again = await migrateTo(target, { DATABASE_URL: `file:${source.file}` });
    expectRefusal(again, `hotline migrate-to: the PostgreSQL database already holds data (Department ${counts.Department} rows`);
    expect(again.stderr).toContain(`Ticket ${counts.Ticket} rows`);
    expect(again.stderr).toContain("No rows were written.");
    expect(await postgresCounts(target)).toEqual(counts);
  });
});

const ID_TABLES = ["Ticket", "Ping", "Deadline", "TicketEvent", "Delivery", "InboundRequest"] as const;

/** The largest id of tables with a serial id. */
async function postgresMaxima(url: string): Promise<Record<(typeof ID_TABLES)[number], number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const maxima = Object.fromEntries(ID_TABLES.map((t) => [t, 0])) as Record<(typeof ID_TABLES)[number], number>;
    for (const table of ID_TABLES) {
      maxima[table] = Number((await client.query(`SELECT MAX("id") AS max FROM "${table}"`)).rows[0].max);
    }
    return maxima;
  } finally {
    await client.end();
  }
}

describe("npx hotline migrate-to: what it refuses", () => {
  let source: ReturnType<typeof freshDatabaseFile>;
  let dir: string;
  const targets: { url: string; cleanup: () => Promise<void> }[] = [];
  const freshTarget = async () => {
    const db = await freshPostgresDatabase(inject("postgresTemplate"));
    targets.push(db);
    return db.url;
  };
  let fromSource: { DATABASE_URL: string };

  beforeAll(async () => {
    source = freshDatabaseFile();
    dir = mkdtempSync(join(tmpdir(), "hotline-migrate-to-"));
    fromSource = { DATABASE_URL: `file:${source.file}` };
    const app = await startTestApp(source.file);
    for (const line of [...GENERAL_FAULT, "1"]) await say(app, "wang.fang", line);
    await app.close();
  });
  afterAll(async () => {
    await Promise.all(targets.map((t) => t.cleanup()));
    if (dir) rmSync(dir, { recursive: true, force: true });
    source?.cleanup();
  });

  it("a target that is not a PostgreSQL database URL, naming the argument", async () => {
    const [mysql, noDatabase, notUrl, missing] = await Promise.all([
      migrateTo("mysql://hotline:secret@127.0.0.1/hotline", fromSource),
      migrateTo("postgresql://hotline@127.0.0.1:5432", fromSource),
      migrateTo("hotline-db", fromSource),
      runCli(["migrate-to"], { env: fromSource }),
    ]);
    expectRefusal(mysql, 'hotline migrate-to: <postgresql-url> must be a PostgreSQL URL such as postgresql://hotline@127.0.0.1:5432/hotline, not "mysql://hotline:***@127.0.0.1/hotline"');
    expect(mysql.stderr).not.toContain("secret");
    expectRefusal(noDatabase, "hotline migrate-to: <postgresql-url> must name the database");
    expectRefusal(notUrl, 'hotline migrate-to: <postgresql-url> must be a PostgreSQL URL such as postgresql://hotline@127.0.0.1:5432/hotline, not "hotline-db"');
    expectRefusal(missing, "hotline migrate-to: missing <postgresql-url>");
    for (const result of [mysql, noDatabase, notUrl, missing]) expect(result.stdout).toBe("");
  });

  it("a target database that is not there, or a server that does not answer", async () => {
    const absent = uniqueDatabaseName("absent");
    const [missing, closed] = await Promise.all([
      migrateTo(databaseUrl(absent), fromSource),
      migrateTo("postgresql://hotline:secret@127.0.0.1:9/hotline", fromSource),
    ]);
    expectRefusal(missing, `hotline migrate-to: database "${absent}" does not exist on ${databaseUrl(absent)}: create it first`);
    expectRefusal(closed, "hotline migrate-to: cannot reach postgresql://hotline:***@127.0.0.1:9/hotline: connect ECONNREFUSED 127.0.0.1:9");
    expect(closed.stderr).not.toContain("secret");
  });

  it("a source that is not a SQLite file, or is the target itself", async () => {
    const target = await freshTarget();
    const other = databaseUrl(uniqueDatabaseName("other"));
    const missingFile = join(dir, "nowhere", "hotline.db");
    const notSqlite = join(dir, "notes.db");
    writeFileSync(notSqlite, "these are not the tables you are looking for\n".repeat(10));
    const [postgres, same, absent, text] = await Promise.all([
      migrateTo(target, { DATABASE_URL: other }),
      migrateTo(target, { DATABASE_URL: target }),
      migrateTo(target, { DATABASE_URL: `file:${missingFile}` }),
      migrateTo(target, { DATABASE_URL: `file:${notSqlite}` }),
    ]);
    expectRefusal(postgres, `hotline migrate-to: DATABASE_URL names a PostgreSQL database (${other}), not a SQLite file`);
    expectRefusal(same, `hotline migrate-to: DATABASE_URL already names ${target}`);
    expectRefusal(absent, `hotline migrate-to: there is no SQLite database at ${missingFile}`);
    expect(existsSync(missingFile)).toBe(false);
    expectRefusal(text, `hotline migrate-to: ${notSqlite} (DATABASE_URL=file:${notSqlite}) is not a SQLite database`);
    expect(await postgresCounts(target)).toEqual(emptyCounts());
  });

  it("a target that holds data, naming the tables, and writes nothing there", async () => {
    const target = await freshTarget();
    const app = await startTestAppAt(target);
    for (const line of [...LEVEL2_FAULT, "1"]) await say(app, "ma.jun", line);
    await app.close();
    const counts = await postgresCounts(target);
    const result = await migrateTo(target, fromSource);
    expectRefusal(result, "hotline migrate-to: the PostgreSQL database already holds data (");
    expect(result.stderr).toContain("Ticket 1 row,");
    expect(result.stderr).toContain(`Member ${counts.Member} rows`);
    expect(await postgresCounts(target)).toEqual(counts);
  });

  it("a bot still running on the SQLite file", async () => {
    const target = await freshTarget();
    const bot = await startTestApp(source.file, undefined, {});
    try {
      const result = await migrateTo(target, fromSource);
      expectRefusal(result, "hotline migrate-to: the bot is running on the SQLite database (cli process ");
      expect(result.stderr).toContain("stop it first");
    } finally {
      await bot.close();
    }
    expect(await postgresCounts(target)).toEqual(emptyCounts());
  });

  it("rolls everything back when a row will not go in: the target stays empty", async () => {
    const target = await freshTarget();
    const broken = join(dir, "broken.db");
    copyFileSync(source.file, broken);
    // A ping whose ticket is gone: SQLite lets it in with foreign keys off, PostgreSQL does not.
    const sqlite = new BetterSqlite3(broken);
    sqlite.pragma("foreign_keys = OFF");
    sqlite.prepare(`INSERT INTO "Ping" ("ticketId", "departmentId", "duty", "needsAck", "createdAt") VALUES (999, 'quality_assurance', 'informed', 0, ?)`).run(new Date().toISOString());
    sqlite.close();
    const result = await migrateTo(target, { DATABASE_URL: `file:${broken}` });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain('hotline migrate-to: copying Ping failed: insert or update on table "Ping" violates foreign key constraint');
    expect(result.stderr).toContain("No rows were written: the copy is one transaction, rolled back.");
    // Tickets and their events were copied before the pings: none of them stayed.
    expect(result.stdout).toMatch(/^ {2}Ticket +1 row /m);
    expect(await postgresCounts(target)).toEqual(emptyCounts());
  });
});

describe("npx hotline migrate-to: a big database", () => {
  const TICKETS = 100_000;
  /** The CLI's JavaScript heap, well under the tickets' text: the copy must go in batches to fit. */
  const HEAP_MB = 32;
  let source: ReturnType<typeof freshDatabaseFile>;
  let target: { url: string; cleanup: () => Promise<void> };

  /** Rows as the app writes them (ISO times, 0/1 flags, JSON text), straight into the file: the app takes too long for 100k reports. */
  function fillTickets(file: string) {
    const sqlite = new BetterSqlite3(file);
    const insertTicket = sqlite.prepare(
      `INSERT INTO "Ticket" ("id", "number", "localDate", "kind", "source", "category", "level", "matchedRules", "answers", "status", "brand", "description",
        "customerName", "customerPhone", "reporterId", "originPlatform", "firstLine", "doNotContact", "createdAt", "updatedAt", "resolvedAt")
       VALUES (?, ?, ?, 'fault', 'service_center', ?, ?, ?, ?, ?, 'haise', ?, '张先生', '13812345678', 'wang.fang', 'telegram', ?, ?, ?, ?, ?)`,
    );
    const insertEvent = sqlite.prepare(`INSERT INTO "TicketEvent" ("ticketId", "type", "actorId", "data", "at") VALUES (?, 'reported', 'wang.fang', ?, ?)`);
    const start = Date.parse("2026-01-01T00:00:00Z");
    sqlite.transaction(() => {
      for (let id = 1; id <= TICKETS; id++) {
        // A thousand a day, 86.4 s apart.
        const dayStart = start + Math.floor((id - 1) / 1000) * 86_400_000;
        const day = new Date(dayStart).toISOString().slice(0, 10);
        const at = new Date(dayStart + ((id - 1) % 1000) * 86_400).toISOString().replace("Z", "+00:00");
        const number = `HL-${day.replace(/-/g, "")}-${String(((id - 1) % 1000) + 1).padStart(4, "0")}`;
        const major = id % 10 === 0;
        const description = `第 ${id} 号：行驶中制动异响，${"详细描述".repeat(120)}`;
        insertTicket.run(id, number, day, major ? "major" : "general", major ? 2 : null, JSON.stringify(major ? [{ rule: "major_accident", level: 2 }] : []),
          JSON.stringify({ breakdown: id % 2 === 0 }), id % 3 === 0 ? "resolved" : "new", description, id % 7 === 0 ? 1 : 0, id % 11 === 0 ? 1 : 0, at, at, id % 3 === 0 ? at : null);
        insertEvent.run(id, JSON.stringify({ note: `event ${id}` }), at);
      }
      const days = sqlite.prepare(`INSERT INTO "TicketDaySequence" ("localDate", "last") VALUES (?, 1000)`);
      for (let d = 0; d < TICKETS / 1000; d++) days.run(new Date(start + d * 86_400_000).toISOString().slice(0, 10));
    })();
    sqlite.close();
  }

  beforeAll(async () => {
    source = freshDatabaseFile();
    fillTickets(source.file);
    target = await freshPostgresDatabase(inject("postgresTemplate"));
    // Compiled before the heap is limited: tsc needs more.
    expect((await runCli(["help"])).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await target?.cleanup();
    source?.cleanup();
  });

  it(`copies ${TICKETS.toLocaleString("en")} tickets and their events in batches, within a ${HEAP_MB} MB heap`, async () => {
    const sqlite = new BetterSqlite3(source.file, { readonly: true });
    const textBytes = Number(sqlite.prepare(`SELECT SUM(LENGTH(CAST("description" AS BLOB))) FROM "Ticket"`).pluck().get());
    sqlite.close();
    expect(textBytes).toBeGreaterThan(3 * HEAP_MB * 1024 * 1024);

    const result = await migrateTo(target.url, { DATABASE_URL: `file:${source.file}`, NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ {2}Ticket +100,000 rows/m);
    expect(result.stdout).toMatch(/^ {2}TicketEvent +100,000 rows/m);
    expect(result.stdout).toContain("New rows take ids from: Ticket 100001, TicketEvent 100001,");
    const counts = await postgresCounts(target.url);
    expect([counts.Ticket, counts.TicketEvent, counts.TicketDaySequence]).toEqual([TICKETS, TICKETS, TICKETS / 1000]);

    // The first, a middle and the last ticket, as each side's Prisma client reads them.
    const ids = [1, 54_321, TICKETS];
    const sqliteDb = await openDatabase(`file:${source.file}`);
    const expected = await sqliteDb.ticket.findMany({ where: { id: { in: ids } }, include: { events: true }, orderBy: { id: "asc" } });
    await sqliteDb.$disconnect();
    const storage = await PostgresStorage.open(target.url);
    const copied = await storage.prisma.ticket.findMany({ where: { id: { in: ids } }, include: { events: true }, orderBy: { id: "asc" } });
    await storage.close();
    expect(copied).toEqual(expected);
    expect(copied[2]).toMatchObject({ number: "HL-20260410-1000", firstLine: false, doNotContact: false, resolvedAt: null, createdAt: new Date("2026-04-10T23:58:33.600Z") });
  }, 300_000);
});

describe("SQLite's times, as the copy reads them", () => {
  it("takes Prisma's ISO text, a column default's UTC text and milliseconds, and names a value that is none", () => {
    const at = new Date("2026-11-26T02:00:05.250Z");
    expect(sqliteTime("2026-11-26T02:00:05.250+00:00", "x")).toEqual(at);
    expect(sqliteTime("2026-11-26T10:00:05.250+08:00", "x")).toEqual(at);
    expect(sqliteTime("2026-11-26T02:00:05.250Z", "x")).toEqual(at);
    expect(sqliteTime("2026-11-26 02:00:05", "x")).toEqual(new Date("2026-11-26T02:00:05Z"));
    expect(sqliteTime(BigInt(at.getTime()), "x")).toEqual(at);
    expect(() => sqliteTime("yesterday", "Ticket.createdAt (row 7)")).toThrow('Ticket.createdAt (row 7): "yesterday" is not a time');
  });
});
