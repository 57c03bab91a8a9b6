import type { Duty } from "../../core/directory/organisation.js";
import type { Notification } from "../../core/escalation/notification.js";
import type { Clock, DeadlineChange, DeadlineRecord, DeadlineStore } from "../../core/ports.js";
import type { Deadline, DeadlineKind, NewTimelineEvent } from "../../core/tickets/ticket.js";
import type { Level } from "../../core/triage/rules.js";
import { asDate, type Storage } from "../storage/storage.js";
import { OutboxWrites } from "./outbox-store.js";
import { addEvents } from "./ticket-store.js";

export class PrismaDeadlineStore implements DeadlineStore {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock = () => new Date(),
  ) {}

  /** One joined read (Prisma writes the placeholders each database wants): it runs every time a timer fires. */
  async find(id: number): Promise<DeadlineRecord | undefined> {
    const [row] = await this.storage.prisma.$queryRaw<
      { id: number; pingId: number | null; kind: string; dueAt: Date | string; status: string; chain: string; step: number; ticketId: number; remindersSent: number; fireSeq: number; number: string; level: number | null; category: string; released: number | boolean; reporterId: string; duty: string | null }[]
    >`SELECT d."id", d."pingId", d."kind", d."dueAt", d."status", d."chain", d."step", d."ticketId", d."remindersSent", d."fireSeq",
             t."number", t."level", t."category", t."releasedAt" IS NOT NULL AS "released", t."reporterId", p."duty"
      FROM "Deadline" d JOIN "Ticket" t ON t."id" = d."ticketId" LEFT JOIN "Ping" p ON p."id" = d."pingId"
      WHERE d."id" = ${id}`;
    if (!row) return undefined;
    return {
      id: row.id,
      pingId: row.pingId,
      kind: row.kind as DeadlineKind,
      dueAt: asDate(row.dueAt),
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
    return this.storage.transaction(async ({ sql }) => {
      // Only the timer that finds the deadline pending at its sequence number has an effect.
      const claimed = await sql.get<{ ticketId: number }>(
        `UPDATE "Deadline" SET "fireSeq" = ?,
           "status" = COALESCE(?, "status"), "step" = COALESCE(?, "step"),
           "dueAt" = COALESCE(?, "dueAt"), "remindersSent" = COALESCE(?, "remindersSent")
         WHERE "id" = ? AND "status" = 'pending' AND "fireSeq" = ?
         RETURNING "ticketId"`,
        expectedSeq + 1, change.status ?? null, change.step ?? null, change.dueAt ?? null, change.remindersSent ?? null, id, expectedSeq,
      );
      if (claimed === undefined) return false;
      const now = this.clock();
      await addEvents(sql, claimed.ticketId, events, now);
      const writes = new OutboxWrites(sql);
      await writes.add(outbox, claimed.ticketId, now);
      // An escalation or a miss shows on the ticket's messages; a reminder changes nothing there.
      if (change.step !== undefined || change.status !== undefined) await writes.refreshViews(claimed.ticketId, now);
      return true;
    });
  }
}
