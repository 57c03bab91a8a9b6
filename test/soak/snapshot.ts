/**
 * What the bot's database holds at the end of a soak, read straight from its SQLite file (read
 * only, beside the running bot: WAL lets a reader in without waiting).
 */
import Database from "better-sqlite3";

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

const time = (value: string) => Date.parse(value);

export function readSnapshot(file: string): Snapshot {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const read = db.transaction(() => ({
      at: Date.now(),
      tickets: (db.prepare("SELECT id, number, description, level, kind, createdAt FROM Ticket").all() as (Omit<TicketRow, "createdAt"> & { createdAt: string })[]).map((row) => ({
        ...row,
        createdAt: time(row.createdAt),
      })),
      deliveries: (db.prepare("SELECT id, platform, kind, status, attempts, lastError, recipient, payload, createdAt FROM Delivery").all() as {
        id: number;
        platform: string;
        kind: string;
        status: string;
        attempts: number;
        lastError: string | null;
        recipient: string;
        payload: string;
        createdAt: string;
      }[]).map(({ recipient, payload, createdAt, ...row }) => {
        const to = JSON.parse(recipient) as { kind: string; address?: string | null; memberId?: string };
        const card = JSON.parse(payload) as { title?: string; lines?: string[] };
        const first = (card.title ?? card.lines?.[0] ?? "").split("\n")[0]!.trim();
        return { ...row, recipientKind: to.kind, address: to.address ?? null, memberId: to.memberId ?? null, firstLine: first, createdAt: time(createdAt) };
      }),
      deadlines: (db.prepare(
        "SELECT d.id, d.ticketId, t.number, t.level, t.createdAt AS ticketCreatedAt, d.kind, d.dueAt, d.status, d.chain, d.step, d.remindersSent FROM Deadline d JOIN Ticket t ON t.id = d.ticketId",
      ).all() as (Omit<DeadlineRow, "ticketCreatedAt" | "dueAt" | "chain"> & { ticketCreatedAt: string; dueAt: string; chain: string })[]).map((row) => ({
        ...row,
        ticketCreatedAt: time(row.ticketCreatedAt),
        dueAt: time(row.dueAt),
        chain: JSON.parse(row.chain) as string[],
      })),
      firings: (db.prepare("SELECT ticketId, type, data, at FROM TicketEvent WHERE type IN ('reminded', 'escalated', 'deadline_missed')").all() as {
        ticketId: number;
        type: FiringEvent["type"];
        data: string;
        at: string;
      }[]).map(({ data, at, ...row }) => {
        const fields = JSON.parse(data) as { deadline: number; to?: string; step?: number };
        const event: FiringEvent = { ...row, deadlineId: fields.deadline, at: time(at) };
        if (fields.to !== undefined) event.to = fields.to;
        if (fields.step !== undefined) event.step = fields.step;
        return event;
      }),
      pings: db.prepare("SELECT t.number, p.memberId FROM Ping p JOIN Ticket t ON t.id = p.ticketId WHERE p.memberId IS NOT NULL").all() as PingRow[],
    }));
    return read();
  } finally {
    db.close();
  }
}

/** What the soak waits on before it checks: nothing left to send, no deadline past its time. */
export function pendingWork(file: string, policy: { reminderMs: number }, graceMs: number): { deliveries: number; overdueDeadlines: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const deliveries = (db.prepare("SELECT COUNT(*) AS n FROM Delivery WHERE status IN ('pending', 'sending')").get() as { n: number }).n;
    const pending = db.prepare("SELECT dueAt, remindersSent FROM Deadline WHERE status = 'pending'").all() as { dueAt: string; remindersSent: number }[];
    const now = Date.now();
    const overdueDeadlines = pending.filter((row) => nextFiring(time(row.dueAt), row.remindersSent, policy.reminderMs) < now - graceMs).length;
    return { deliveries, overdueDeadlines };
  } finally {
    db.close();
  }
}

/** When a pending deadline must fire next: its reminder if not yet sent, else the deadline itself. */
export const nextFiring = (dueAt: number, remindersSent: number, reminderMs: number) => (remindersSent < 1 ? dueAt - reminderMs : dueAt);

/** The earliest instant, after `after`, at which a pending deadline's timer must fire. */
export function nextDeadlineFiring(file: string, reminderMs: number, after: number): number | undefined {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const pending = db.prepare("SELECT dueAt, remindersSent FROM Deadline WHERE status = 'pending'").all() as { dueAt: string; remindersSent: number }[];
    const times = pending.map((row) => nextFiring(time(row.dueAt), row.remindersSent, reminderMs)).filter((at) => at > after);
    return times.length ? Math.min(...times) : undefined;
  } finally {
    db.close();
  }
}
