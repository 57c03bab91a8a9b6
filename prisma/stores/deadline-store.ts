import type { Duty } from "../../core/directory/organisation.js";
import type { Notification } from "../../core/escalation/notification.js";
import type { Clock, DeadlineChange, DeadlineRecord, DeadlineStore } from "../../core/ports.js";
import type { Deadline, DeadlineKind, NewTimelineEvent } from "../../core/tickets/ticket.js";
import type { Level } from "../../core/triage/rules.js";
import { sqliteOf, transact, type Database } from "../database.js";
import { addEvents, addOutbox, refreshLiveViews } from "./ticket-store.js";

export class PrismaDeadlineStore implements DeadlineStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock = () => new Date(),
  ) {}

  /** One joined read: it runs every time a timer fires. */
  async find(id: number): Promise<DeadlineRecord | undefined> {
    const [row] = await this.db.$queryRaw<
      { id: number; pingId: number | null; kind: string; dueAt: Date; status: string; chain: string; step: number; ticketId: number; remindersSent: number; fireSeq: number; number: string; level: number | null; category: string; released: number | boolean; reporterId: string; duty: string | null }[]
    >`SELECT d."id", d."pingId", d."kind", d."dueAt", d."status", d."chain", d."step", d."ticketId", d."remindersSent", d."fireSeq",
             t."number", t."level", t."category", t."releasedAt" IS NOT NULL AS "released", t."reporterId", p."duty"
      FROM "Deadline" d JOIN "Ticket" t ON t."id" = d."ticketId" LEFT JOIN "Ping" p ON p."id" = d."pingId"
      WHERE d."id" = ${id}`;
    if (!row) return undefined;
    return {
      id: row.id,
      pingId: row.pingId,
      kind: row.kind as DeadlineKind,
      dueAt: new Date(row.dueAt),
      status: row.status as Deadline["status"],
      chain: JSON.parse(row.chain) as string[],
      step: Number(row.step),
      ticketId: row.ticketId,
      ticketNumber: row.number,
      ticketLevel: row.level === null ? null : (Number(row.level) as Level),
      ticketCategory: row.category === "major" ? "major" : "general",
      ticketReleased: Boolean(row.released),
      reporterId: row.reporterId,
      remindersSent: Number(row.remindersSent),
      fireSeq: Number(row.fireSeq),
      duty: (row.duty as Duty | null) ?? null,
    };
  }

  advance(id: number, expectedSeq: number, change: DeadlineChange, events: NewTimelineEvent[], outbox: Notification[]): Promise<boolean> {
    return transact(this.db, async (tx) => {
      // Only the timer that finds the deadline pending at its sequence number has an effect.
      const claimed = await tx.$queryRaw<{ ticketId: number }[]>`
        UPDATE "Deadline" SET "fireSeq" = ${expectedSeq + 1},
          "status" = COALESCE(${change.status ?? null}, "status"), "step" = COALESCE(${change.step ?? null}, "step"),
          "dueAt" = COALESCE(${change.dueAt ?? null}, "dueAt"), "remindersSent" = COALESCE(${change.remindersSent ?? null}, "remindersSent")
        WHERE "id" = ${id} AND "status" = 'pending' AND "fireSeq" = ${expectedSeq}
        RETURNING "ticketId"`;
      const ticketId = claimed[0]?.ticketId;
      if (ticketId === undefined) return false;
      const now = this.clock();
      const sql = sqliteOf(tx);
      addEvents(sql, ticketId, events, now);
      addOutbox(sql, outbox, ticketId, now);
      // An escalation or a miss shows on the ticket's messages; a reminder changes nothing there.
      if (change.step !== undefined || change.status !== undefined) refreshLiveViews(sql, ticketId, now);
      return true;
    });
  }
}
