import { Worker } from "node:worker_threads";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { Notification } from "../../../core/escalation/notification.js";
import type { NewTicket, TicketDraft } from "../../../core/ports.js";
import { syncOrganisation } from "../../../prisma/sync-organisation.js";
import { databaseFile } from "../../../prisma/sqlite/sqlite-database.js";
import { openStorage } from "../../../prisma/storage/open-storage.js";
import type { Dialect, OpenStorage, SqlValue } from "../../../prisma/storage/storage.js";
import { GONE_AFTER_MS, ProcessRegistry } from "../../../prisma/stores/process-registry.js";
import { defaultOrganisation } from "../../support/organisation.js";
import { freshDatabase } from "../../support/test-app.js";
import { runOperation, type OperationArgs, type OperationName, type OperationResult } from "./race-operations.js";
import type { Command, Response } from "./second-process.js";

/** Every contract suite runs once per database the bot runs on. */
export const DIALECTS: readonly Dialect[] = ["sqlite", "postgresql"];

/** A bot process in a race: runs the operations of race-operations.ts through its own storage. */
export interface StoreProcess {
  /** The process id its claims carry (registered, its heartbeat running). */
  readonly id: string;
  run<K extends OperationName>(name: K, ...args: OperationArgs<K>): Promise<OperationResult<K>>;
}

/** What a contract test works with: a database of one kind to itself, opened through the real storage. */
export interface StorageScene {
  /** The test's storage: the first process's. */
  readonly storage: OpenStorage;
  /** The first process: this thread, on `storage`, registered. */
  first(): Promise<StoreProcess>;
  /** A second process: another thread with a storage of its own on the same database, registered. */
  second(): Promise<StoreProcess>;
  /** A process id that ran and is gone: its last heartbeat is older than the registry waits for. */
  silentProcess(): Promise<string>;
  /** Makes `count` calls at once, alternately in the first and the second process. */
  race<T>(count: number, call: (process: StoreProcess, i: number) => Promise<T>): Promise<T[]>;
}

/**
 * A database of `dialect` for each test of the suite, with the default organisation synced into
 * it (departments, service centers, members, bound accounts) and nothing else, opened through
 * openStorage and closed after the test. The organisation is synced once per suite.
 */
export function useStorage(dialect: Dialect, options: { organisation?: boolean } = {}): StorageScene {
  let suite: SuiteDatabase | undefined;
  let current: { url: string; storage: OpenStorage; cleanups: (() => Promise<unknown>)[]; first?: StoreProcess; second?: StoreProcess } | undefined;
  const scene = () => {
    if (!current) throw new Error("the storage exists only inside a test");
    return current;
  };
  beforeAll(async () => {
    suite = await suiteDatabase(dialect, options.organisation !== false);
  });
  afterAll(async () => {
    await suite?.cleanup();
    suite = undefined;
  });
  beforeEach(async () => {
    const db = await suite!.forTest();
    const storage = await openStorage(db.url);
    current = { url: db.url, storage, cleanups: [() => db.cleanup(), () => storage.close()] };
  });
  afterEach(async () => {
    const cleanups = current?.cleanups ?? [];
    current = undefined;
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const first = async () => {
    const running = scene();
    if (!running.first) {
      const registry = new ProcessRegistry(running.storage);
      await registry.register("web");
      running.cleanups.push(() => registry.unregister());
      const context = { storage: running.storage, processId: registry.id };
      running.first = { id: registry.id, run: (name, ...args) => runOperation(context, name, args) };
    }
    return running.first;
  };
  const second = async () => {
    const running = scene();
    if (!running.second) {
      thread ??= new SecondProcessThread();
      const worker = thread;
      const id = (await worker.request({ kind: "open", url: running.url })) as string;
      running.cleanups.push(() => worker.request({ kind: "close" }));
      running.second = { id, run: async (name, ...args) => (await worker.request({ kind: "run", name, args })) as never };
    }
    return running.second;
  };
  return {
    get storage() {
      return scene().storage;
    },
    first,
    second,
    silentProcess: async () => {
      const id = `silent-${Math.random().toString(36).slice(2, 10)}`;
      const lastBeat = new Date(Date.now() - GONE_AFTER_MS - 1_000);
      await scene().storage.promptly((sql) => sql.run(`INSERT INTO "ProcessInstance" ("id", "role", "startedAt", "heartbeatAt") VALUES (?, 'web', ?, ?)`, id, lastBeat, lastBeat));
      return id;
    },
    race: async (count, call) => {
      const processes = [await first(), await second()];
      return Promise.all(Array.from({ length: count }, (_, i) => call(processes[i % 2]!, i)));
    },
  };
}

type Database = Awaited<ReturnType<typeof freshDatabase>>;

/** The suite's database, and a database for each test with what the suite's had at the start. */
interface SuiteDatabase {
  forTest(): Promise<Database>;
  cleanup(): Promise<void>;
}

/**
 * A copy of the run's migrated template, the organisation synced into it. On SQLite each test gets
 * a copy of the file (a few milliseconds); on PostgreSQL, where creating a database takes most of a
 * second, each test gets the suite's own database emptied and the organisation's rows put back.
 */
async function suiteDatabase(dialect: Dialect, organisation: boolean): Promise<SuiteDatabase> {
  const base = await freshDatabase(dialect);
  const storage = await openStorage(base.url);
  try {
    if (organisation) await syncOrganisation(storage, defaultOrganisation());
  } catch (error) {
    await storage.close();
    await base.cleanup();
    throw error;
  }
  if (dialect === "sqlite") {
    await storage.close();
    return { forTest: async () => copyOfFile(base.url), cleanup: base.cleanup };
  }
  // Commits need not wait for the disk: no test here crashes the server, and the suites run faster.
  await storage.promptly((sql) => sql.run(`ALTER DATABASE "${new URL(base.url).pathname.slice(1)}" SET synchronous_commit = off`));
  const restore = await snapshotOf(storage);
  return {
    forTest: async () => {
      await restore();
      return { url: base.url, cleanup: async () => {} };
    },
    cleanup: async () => {
      await storage.close();
      await base.cleanup();
    },
  };
}

function copyOfFile(url: string): Database {
  const dir = mkdtempSync(join(tmpdir(), "hotline-contract-"));
  const file = join(dir, "hotline.db");
  copyFileSync(databaseFile(url), file);
  return { url: `file:${file}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Every row of a PostgreSQL database as it is now, and a function that puts the database back to
 * that: every table emptied (referencing tables first), then the rows inserted again (referenced
 * tables first). Tables are read from the catalogue, so a new one is covered without being named.
 */
async function snapshotOf(storage: OpenStorage): Promise<() => Promise<void>> {
  const { tables, rows } = await storage.transaction(async ({ sql }) => {
    const names = (await sql.all<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`)).map((t) => t.name);
    const references = await sql.all<{ child: string; parent: string }>(
      `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid WHERE k.contype = 'f' AND c.oid <> p.oid`,
    );
    const tables = referencingFirst(names, references);
    const rows = new Map<string, Record<string, SqlValue>[]>();
    for (const table of tables) rows.set(table, await sql.all<Record<string, SqlValue>>(`SELECT * FROM "${table}"`));
    return { tables, rows };
  });
  return () =>
    storage.transaction(async ({ sql }) => {
      for (const table of tables) await sql.run(`DELETE FROM "${table}"`);
      for (const table of [...tables].reverse()) {
        const kept = rows.get(table)!;
        if (kept.length > 0) await sql.insertRows(table, Object.keys(kept[0]!), kept.map((row) => Object.values(row)));
      }
    });
}

/** Tables in an order to empty them in: each before the tables it references. */
function referencingFirst(tables: string[], references: { child: string; parent: string }[]): string[] {
  const ordered: string[] = [];
  let left = [...tables];
  while (left.length > 0) {
    const free = left.filter((table) => !references.some((r) => r.parent === table && left.includes(r.child)));
    if (free.length === 0) throw new Error(`tables reference each other in a cycle: ${left.join(", ")}`);
    ordered.push(...free);
    left = left.filter((table) => !free.includes(table));
  }
  return ordered;
}

/** The one worker thread a test file's second processes run in, one at a time; stopped after the file's tests. */
let thread: SecondProcessThread | undefined;
afterAll(async () => {
  const stopping = thread;
  thread = undefined;
  await stopping?.stop();
});

class SecondProcessThread {
  private readonly worker = new Worker(new URL("./second-process.mjs", import.meta.url));
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private seq = 0;

  constructor() {
    this.worker.on("message", (response: Response) => {
      const waiter = this.waiting.get(response.seq);
      this.waiting.delete(response.seq);
      if (response.ok) waiter?.resolve(response.value);
      else waiter?.reject(Object.assign(new Error(`second process: ${response.message}`), { stack: response.stack }));
    });
    const fail = (error: Error) => {
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`the second process's thread exited (${code})`)));
  }

  request(command: Command): Promise<unknown> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.worker.postMessage({ ...command, seq });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Resolves after `ms`: holds a transaction open across the event loop, as real work does. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A service center's fault report by wang.fang (Shenyang), general, as the report dialog submits it. */
export function newTicket(overrides: Partial<NewTicket> = {}): NewTicket {
  return {
    kind: "fault",
    source: "service_center",
    category: "general",
    level: null,
    matched: [],
    answers: {},
    status: "open",
    brand: "haise",
    vin: "LSJA24U67MS012345",
    mileageKm: 12_000,
    description: "发动机异响，怠速抖动",
    customerName: "李先生",
    customerPhone: "13812345678",
    reporterId: "wang.fang",
    originPlatform: "telegram",
    serviceCenterId: "sc-shenyang",
    releasedAt: null,
    firstLine: false,
    transferredAt: null,
    customerEmail: null,
    doNotContact: false,
    saleDate: "2025-05-01",
    attachments: [],
    ...overrides,
  };
}

/** A ticket's draft for the business day `localDate`, with nothing hanging off it unless given. */
export function ticketDraft(localDate = "2026-11-26", extras: Partial<Omit<TicketDraft, "localDate">> = {}): TicketDraft {
  return { ticket: newTicket(), localDate, pings: [], deadlines: [], events: [{ type: "created", actorId: "wang.fang" }], ...extras };
}

/** A direct message to a member on Telegram. */
export function messageTo(memberId: string, text: string, address = "200000001"): Notification {
  return { recipient: { kind: "member", memberId, name: memberId, platform: "telegram", address }, card: { lines: [text] }, ticketNumber: null };
}
