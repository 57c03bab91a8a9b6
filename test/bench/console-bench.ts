/**
 * The console on 100,000 tickets (SQLite, then PostgreSQL, through the bot's HTTP server and Hono): the board's first
 * page and a search, timed on the server from the request's arrival to the end of its answer, beside
 * the bare query of the same rows (one SELECT of the page and one COUNT, in plain SQL) in the same
 * run; the filters' counts the page asks for after it is shown, beside the same GROUP BYs in plain
 * SQL; and a call taken on the page, from the submitting answer to the ticket with its escalation in
 * the outbox and its deadlines written.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import BetterSqlite3 from "better-sqlite3";
import { pino } from "pino";
import { createApp } from "../../bot/app.js";
import { consoleMount } from "../../bot/console/console.js";
import { consoleAccess } from "../../bot/console/console-links.js";
import { loadConfig } from "../../bot/config/env.js";
import { createHttpServer, listen } from "../../bot/http/server.js";
import pg from "pg";
import { ConsoleBrowser } from "../console/console-http.js";
import { databaseUrl, dropDatabase, onServer } from "../support/postgres.js";
import { LEVEL2_FAULT } from "../support/report-script.js";

const TICKETS = Number(process.env.BENCH_CONSOLE_TICKETS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_CONSOLE_REQUESTS ?? 200);
const CALLS = Number(process.env.BENCH_CONSOLE_CALLS ?? 100);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

const TICKET_COLUMNS = ["number", "localDate", "kind", "source", "category", "level", "status", "vin", "description", "customerName", "customerPhone", "reporterId", "serviceCenterId", "createdAt"] as const;

/** A year of tickets at two centers, with VINs, phones and descriptions to search: ticket `i` as its column values. */
function ticketRow(i: number): (string | number | null)[] {
  const statuses = ["open", "confirmed", "acknowledged", "in_progress", "resolved", "closed"];
  const faults = ["制动失灵", "发动机异响", "变速箱顿挫", "空调不制冷", "车窗无法升降", "仪表盘报警"];
  const at = new Date(Date.UTC(2026, 10, 26, 2) - Math.floor((i * 365 * 86_400_000) / TICKETS));
  const date = new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  const level = [null, 1, 2, 3][i % 4] ?? null;
  return [
    `HL-${date.replaceAll("-", "")}-${String(i).padStart(6, "0")}`, date, i % 3 ? "fault" : "complaint", ["service_center", "hotline", "customer"][i % 3]!,
    level === null ? "general" : "major", level, statuses[i % 6]!, `LSGPC52U${String(i).padStart(9, "0")}`, `${faults[i % 6]}，第 ${i} 号`, `顾客${i % 997}`,
    `138 ${String(i).padStart(8, "0").replace(/^(\d{4})(\d{4})$/, "$1 $2")}`, i % 2 ? "wang.fang" : "guo.tao", i % 2 ? "sc-shenyang" : "sc-beijing", at.toISOString(),
  ];
}

const quoted = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(", ");

/** The bare queries' side of a database: its own client, in its own dialect. */
interface BenchDatabase {
  name: string;
  url: string;
  /** Writes the tickets straight into the table, after the app synced the organisation (they name its service centers). */
  seed(): Promise<void>;
  /** Runs a statement written with `?` placeholders; resolves with its rows. */
  all(sql: string, ...params: unknown[]): Promise<unknown[]>;
  close(): Promise<void>;
}

function sqliteDatabase(dir: string): BenchDatabase {
  const file = join(dir, "console.db");
  let raw: BetterSqlite3.Database | undefined;
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    name: "SQLite",
    url: `file:${file}`,
    async seed() {
      const sqlite = new BetterSqlite3(file);
      const insert = sqlite.prepare(`INSERT INTO "Ticket" (${quoted(TICKET_COLUMNS)}, "brand", "matchedRules", "answers", "updatedAt") VALUES (${TICKET_COLUMNS.map(() => "?").join(",")}, 'zhonghua', '[]', '{}', ?)`);
      sqlite.transaction(() => {
        for (let i = 0; i < TICKETS; i++) {
          const row = ticketRow(i);
          insert.run(...row, row.at(-1));
        }
      })();
      sqlite.close();
      raw = new BetterSqlite3(file, { readonly: true });
    },
    all: async (sql, ...params) => {
      const statement = statements.get(sql) ?? statements.set(sql, raw!.prepare(sql)).get(sql)!;
      return statement.all(...params);
    },
    close: async () => void raw?.close(),
  };
}

function postgresDatabase(name: string): BenchDatabase {
  const url = databaseUrl(name);
  const client = new pg.Client({ connectionString: url });
  return {
    name: "PostgreSQL",
    url,
    async seed() {
      await client.connect();
      // A batch of rows per statement, each column as an array: 100,000 rows in seconds.
      const types = ["text", "text", "text", "text", "text", "int", "text", "text", "text", "text", "text", "text", "text", "timestamp(3)"];
      const insert = `INSERT INTO "Ticket" (${quoted(TICKET_COLUMNS)}, "brand", "matchedRules", "answers", "updatedAt")
        SELECT *, 'zhonghua', '[]', '{}', u."createdAt" FROM unnest(${types.map((type, i) => `$${i + 1}::${type}[]`).join(", ")}) AS u(${quoted(TICKET_COLUMNS)})`;
      for (let from = 0; from < TICKETS; from += 5_000) {
        const rows = Array.from({ length: Math.min(5_000, TICKETS - from) }, (_, i) => ticketRow(from + i));
        await client.query(insert, TICKET_COLUMNS.map((_, column) => rows.map((row) => row[column])));
      }
      await client.query(`ANALYZE "Ticket"`);
    },
    async all(sql, ...params) {
      let n = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
    },
    close: () => client.end(),
  };
}

/** Times each request on the server: from its arrival to the end of its answer. */
function timed(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void, times: Map<string, number[]>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const start = performance.now();
    res.on("finish", () => {
      const key = `${req.method} ${req.url}`;
      times.set(key, [...(times.get(key) ?? []), performance.now() - start]);
    });
    return handler(req, res);
  };
}

export async function benchConsole(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-console-"));
  try {
    await benchConsoleOn(sqliteDatabase(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const name = `hotline_bench_console_${process.pid}`;
  try {
    await onServer(`CREATE DATABASE "${name}"`);
  } catch (error) {
    console.log(`\n(no console benchmark on PostgreSQL: ${(error as Error).message}; set TEST_POSTGRES_URL)`);
    return;
  }
  try {
    await benchConsoleOn(postgresDatabase(name));
  } finally {
    await dropDatabase(name);
  }
}

async function benchConsoleOn(database: BenchDatabase): Promise<void> {
  const app = await createApp(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: "silent" }), { role: "web" });
  const times = new Map<string, number[]>();
  const mount = consoleMount(app, pino({ level: "silent" }), () => {});
  const server = createHttpServer({ db: app.db, redisUrl: app.config.REDIS_URL }, {}, [{ ...mount, handler: timed(mount.handler, times) }]);
  try {
    await database.seed();
    const { url } = await listen(server, 0, "127.0.0.1");
    const signIn = async (memberId: string) => {
      const browser = new ConsoleBrowser(url);
      await browser.signInWith(`/console/link/${(await consoleAccess(app).issueLink(memberId, 60)).code}`);
      return browser;
    };
    const afterSales = await signIn("zhou.min");
    const staff = await signIn("ma.jun");

    const bare = (where: string) => async () => {
      await database.all(`SELECT "number","kind","category","level","status","serviceCenterId","customerName","description","createdAt" FROM "Ticket" WHERE ${where} ORDER BY "createdAt" DESC, "id" DESC LIMIT 25`);
      await database.all(`SELECT COUNT(*) FROM "Ticket" WHERE ${where}`);
    };
    /** The filters' counts as plain SQL: each choice of four filters, and the overdue ones. */
    const bareCounts = (where: string) => async () => {
      for (const by of [`"kind"`, `"category", "level"`, `"status"`, `"serviceCenterId"`]) await database.all(`SELECT ${by}, COUNT(*) FROM "Ticket" WHERE ${where} GROUP BY ${by}`);
      await database.all(
        `SELECT COUNT(*) FROM "Ticket" t WHERE (${where}) AND t."status" NOT IN ('resolved', 'closed') AND EXISTS (SELECT 1 FROM "Deadline" d WHERE d."ticketId" = t."id" AND (d."status" = 'missed' OR (d."status" = 'pending' AND (d."step" > 0 OR d."dueAt" < ?))))`,
        database.name === "SQLite" ? Date.now() : new Date(),
      );
    };
    const cases = [
      { name: "board, first page (after-sales: every ticket)", browser: afterSales, path: "/console", bare: bare("1 = 1") },
      { name: "board, first page (a center's staff: its own)", browser: staff, path: "/console", bare: bare(`"serviceCenterId" = 'sc-shenyang' OR "reporterId" = 'ma.jun'`) },
      { name: "filters' counts, after the page (after-sales)", browser: afterSales, path: "/console/counts", bare: bareCounts("1 = 1") },
      { name: "filters' counts, after the page (a center's staff)", browser: staff, path: "/console/counts", bare: bareCounts(`"serviceCenterId" = 'sc-shenyang' OR "reporterId" = 'ma.jun'`) },
      { name: "search by part of a VIN (after-sales)", browser: afterSales, path: "/console?search=U000054321", bare: bare(`"vin" LIKE '%U000054321%'`) },
      { name: "search by phone, as typed (after-sales)", browser: afterSales, path: "/console?search=13800054321", bare: bare(`"customerPhone" LIKE '%138 0005 4321%' OR "number" LIKE '%13800054321%'`) },
      { name: "search by words of the description (after-sales)", browser: afterSales, path: `/console?search=${encodeURIComponent("变速箱")}`, bare: bare(`"customerName" LIKE '%变速箱%' OR "description" LIKE '%变速箱%'`) },
    ];
    console.log(`\n## Console: ${TICKETS.toLocaleString("en")} tickets on ${database.name}, ${REQUESTS} requests each, timed on the server\n`);
    console.log("| request | p50 ms | p95 ms | bare query p95 ms | ratio (p95) |\n|---|---:|---:|---:|---:|");
    for (const c of cases) {
      for (let i = 0; i < 10; i++) await c.browser.get(c.path); // warm up
      times.clear();
      const bareMs: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        await c.browser.get(c.path);
        const start = performance.now();
        await c.bare();
        bareMs.push(performance.now() - start);
      }
      const served = times.get(`GET ${c.path}`) ?? [];
      console.log(`| ${c.name} | ${percentile(served, 50).toFixed(1)} | ${percentile(served, 95).toFixed(1)} | ${percentile(bareMs, 95).toFixed(1)} | ${(percentile(served, 95) / percentile(bareMs, 95)).toFixed(1)} |`);
    }

    // Taking a call: every answer but the last, then the submitting one, timed.
    const agent = await signIn("liu.fang");
    const answers = [...LEVEL2_FAULT.slice(1), "1"];
    const submits: number[] = [];
    const steps: number[] = [];
    for (let call = 0; call < CALLS; call++) {
      await agent.get("/console/report");
      await agent.submit("/console/report", { start: "1" });
      times.clear();
      // Each answer is sent from the page the one before redirected to, with that page's one-time key.
      for (const answer of answers.slice(0, -1)) await agent.submit("/console/report", { answer });
      steps.push(...(times.get("POST /console/report") ?? []));
      times.clear();
      await agent.submit("/console/report", { answer: answers.at(-1)! });
      submits.push(...(times.get("POST /console/report") ?? []));
    }
    const [filed] = (await database.all(`SELECT COUNT(*) AS n FROM "Ticket" WHERE "reporterId" = 'liu.fang'`)) as { n: number | string }[];
    if (Number(filed!.n) !== CALLS) throw new Error(`expected ${CALLS} tickets from the calls, got ${filed!.n}`);
    console.log(`\nan answer during a call (the next question, the severity so far, and from the VIN on the caller's history among ${TICKETS.toLocaleString("en")} tickets), ${steps.length} answers: p50 ${percentile(steps, 50).toFixed(1)} ms, p95 ${percentile(steps, 95).toFixed(1)} ms`);
    console.log(`a call submitted on the page (the ticket, its pings, deadlines and outbox in one transaction), ${CALLS} calls: p50 ${percentile(submits, 50).toFixed(1)} ms, p99 ${percentile(submits, 99).toFixed(1)} ms (goal < 50 ms)`);
  } finally {
    await database.close();
    mount.close?.();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.close();
  }
}
