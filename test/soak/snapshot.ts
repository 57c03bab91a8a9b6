/**
 * What the bot's database holds at the end of a soak, read straight from it beside the running
 * bot: a SQLite file read only (WAL lets a reader in without waiting), or a PostgreSQL database
 * through the storage port's engine, so times and types come back as the bot reads them.
 */
import Database from "better-sqlite3";
import { dialectOf, openStorage } from "../../prisma/storage/open-storage.js";
import { asDate, type OpenStorage, type SqlValue } from "../../prisma/storage/storage.js";

export interface TicketRow {
  id: number;
  number: string;
  description: string;
  level: number | null;
  kind: string;
  createdAt: number;
}

export interface DeliveryRow {
  id: number;
  platform: string;
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
  /** member, channel or team (a complaint team's space, opened by the adapter). */
  recipientKind: string;
  address: string | null;
  memberId: string | null;
  /** The card's first line: its title, or its first paragraph. */
  firstLine: string;
  createdAt: number;
}

export interface DeadlineRow {
  id: number;
  ticketId: number;
  number: string;
  level: number | null;
  ticketCreatedAt: number;
  kind: string;
  dueAt: number;
  status: string;
  chain: string[];
  step: number;
  remindersSent: number;
}

export interface FiringEvent {
  ticketId: number;
  type: "reminded" | "escalated" | "deadline_missed";
  deadlineId: number;
  /** For a reminder: who was reminded; for an escalation: the step it climbed to. */
  to?: string;
  step?: number;
  at: number;
}

export interface PingRow {
  number: string;
  memberId: string;
}

export interface Snapshot {
  at: number;
  tickets: TicketRow[];
  deliveries: DeliveryRow[];
  deadlines: DeadlineRow[];
  firings: FiringEvent[];
  pings: PingRow[];
}

/** A time as either database returns it (SQLite's text, PostgreSQL's Date), in epoch ms. */
const time = (value: string | Date) => asDate(value).getTime();

/** Rows as the queries below need them: `?` placeholders, quoted names, on either database. */
interface Rows {
  all<T>(sql: string, ...params: SqlValue[]): Promise<T[]>;
}

/**
 * The bot's database, open for reading for as long as the soak or test runs. Reads one after the
 * other; a snapshot reads in one transaction, so its tables agree with each other.
 */
export class DatabaseReader {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly engine: { kind: "sqlite"; db: Database.Database } | { kind: "postgresql"; storage: OpenStorage },
  ) {}

  /** `url` is the bot's DATABASE_URL (`file:…` or `postgresql://…`); the database must exist. */
  static async open(url: string): Promise<DatabaseReader> {
    if (dialectOf(url) === "postgresql") return new DatabaseReader({ kind: "postgresql", storage: await openStorage(url) });
    const db = new Database(url.replace(/^file:/, ""), { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    return new DatabaseReader({ kind: "sqlite", db });
  }

  private read<T>(work: (rows: Rows) => Promise<T>): Promise<T> {
    const engine = this.engine;
    const run = async () => {
      if (engine.kind === "postgresql") return engine.storage.transaction((tx) => work({ all: (sql, ...params) => tx.sql.all(sql, ...params) }));
      const rows: Rows = { all: async <R>(sql: string, ...params: SqlValue[]) => engine.db.prepare(sql).all(...params.map(sqliteValue)) as R[] };
      engine.db.exec("BEGIN");
      try {
        return await work(rows);
      } finally {
        engine.db.exec("COMMIT");
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  snapshot(): Promise<Snapshot> {
    return this.read(async (rows) => ({
      at: Date.now(),
      tickets: (await rows.all<Omit<TicketRow, "createdAt"> & { createdAt: string | Date }>(`SELECT "id", "number", "description", "level", "kind", "createdAt" FROM "Ticket"`)).map((row) => ({
        ...row,
        level: row.level === null ? null : Number(row.level),
        createdAt: time(row.createdAt),
      })),
      deliveries: (
        await rows.all<Pick<DeliveryRow, "id" | "platform" | "kind" | "status" | "attempts" | "lastError"> & { recipient: string; payload: string; createdAt: string | Date }>(`SELECT "id", "platform", "kind", "status", "attempts", "lastError", "recipient", "payload", "createdAt" FROM "Delivery"`)
      ).map(({ recipient, payload, createdAt, ...row }) => {
        const to = JSON.parse(recipient) as { kind: string; address?: string | null; memberId?: string };
        const card = JSON.parse(payload) as { title?: string; lines?: string[] };
        const first = (card.title ?? card.lines?.[0] ?? "").split("\n")[0]!.trim();
        return { ...row, recipientKind: to.kind, address: to.address ?? null, memberId: to.memberId ?? null, firstLine: first, createdAt: time(createdAt) };
      }),
      deadlines: (
        await rows.all<Omit<DeadlineRow, "ticketCreatedAt" | "dueAt" | "chain"> & { ticketCreatedAt: string | Date; dueAt: string | Date; chain: string }>(
          `SELECT d."id", d."ticketId", t."number", t."level", t."createdAt" AS "ticketCreatedAt", d."kind", d."dueAt", d."status", d."chain", d."step", d."remindersSent"
           FROM "Deadline" d JOIN "Ticket" t ON t."id" = d."ticketId"`,
        )
      ).map((row) => ({
        ...row,
        ticketCreatedAt: time(row.ticketCreatedAt),
        dueAt: time(row.dueAt),
        chain: JSON.parse(row.chain) as string[],
      })),
      firings: (
        await rows.all<{ ticketId: number; type: FiringEvent["type"]; data: string; at: string | Date }>(
          `SELECT "ticketId", "type", "data", "at" FROM "TicketEvent" WHERE "type" IN ('reminded', 'escalated', 'deadline_missed')`,
        )
      ).map(({ data, at, ...row }) => {
        const fields = JSON.parse(data) as { deadline: number; to?: string; step?: number };
        const event: FiringEvent = { ...row, deadlineId: fields.deadline, at: time(at) };
        if (fields.to !== undefined) event.to = fields.to;
        if (fields.step !== undefined) event.step = fields.step;
        return event;
      }),
      pings: await rows.all<PingRow>(`SELECT t."number", p."memberId" FROM "Ping" p JOIN "Ticket" t ON t."id" = p."ticketId" WHERE p."memberId" IS NOT NULL`),
    }));
  }

  /** What the soak waits on before it checks: nothing left to send, no deadline past its time. */
  pendingWork(policy: { reminderMs: number }, graceMs: number): Promise<{ deliveries: number; overdueDeadlines: number }> {
    return this.read(async (rows) => {
      const [counted] = await rows.all<{ n: number | bigint }>(`SELECT COUNT(*) AS "n" FROM "Delivery" WHERE "status" IN ('pending', 'sending')`);
      const pending = await rows.all<{ dueAt: string | Date; remindersSent: number }>(`SELECT "dueAt", "remindersSent" FROM "Deadline" WHERE "status" = 'pending'`);
      const now = Date.now();
      const overdueDeadlines = pending.filter((row) => nextFiring(time(row.dueAt), row.remindersSent, policy.reminderMs) < now - graceMs).length;
      return { deliveries: Number(counted?.n ?? 0), overdueDeadlines };
    });
  }

  /** The earliest instant, after `after`, at which a pending deadline's timer must fire. */
  nextDeadlineFiring(reminderMs: number, after: number): Promise<number | undefined> {
    return this.read(async (rows) => {
      const pending = await rows.all<{ dueAt: string | Date; remindersSent: number }>(`SELECT "dueAt", "remindersSent" FROM "Deadline" WHERE "status" = 'pending'`);
      const times = pending.map((row) => nextFiring(time(row.dueAt), row.remindersSent, reminderMs)).filter((at) => at > after);
      return times.length ? Math.min(...times) : undefined;
    });
  }

  /**
   * Whether the process with this pid holds work another must take over if it dies: a message it
   * claimed and has not marked sent, or a Slack or WeCom request it took and has not finished.
   * (A process's id in the database carries its pid: prisma/stores/process-registry.ts.)
   */
  workInHand(pid: number): Promise<boolean> {
    return this.read(async (rows) => {
      const claimer = `%-${pid}-%`;
      const found = await rows.all<{ one: number }>(
        `SELECT 1 AS "one" FROM "Delivery" WHERE "status" = 'sending' AND "claimedBy" LIKE ?
         UNION ALL SELECT 1 AS "one" FROM "InboundRequest" WHERE "status" = 'handling' AND "claimedBy" LIKE ?`,
        claimer, claimer,
      );
      return found.length > 0;
    });
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.engine.kind === "sqlite") this.engine.db.close();
    else await this.engine.storage.close();
  }
}

/** better-sqlite3 binds no booleans or Dates: as the SQLite engine writes them. */
function sqliteValue(value: SqlValue): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  return value instanceof Date ? value.toISOString().replace("Z", "+00:00") : value;
}

/** When a pending deadline must fire next: its reminder if not yet sent, else the deadline itself. */
export const nextFiring = (dueAt: number, remindersSent: number, reminderMs: number) => (remindersSent < 1 ? dueAt - reminderMs : dueAt);
