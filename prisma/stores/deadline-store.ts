import type { Duty } from "../../core/directory/organisation.js";
import type { Notification } from "../../core/escalation/notification.js";
import type { Clock, DeadlineChange, DeadlineRecord, DeadlineStore } from "../../core/ports.js";
import type { Deadline, DeadlineKind, NewTimelineEvent } from "../../core/tickets/ticket.js";
import type { Level } from "../../core/triage/rules.js";
import { transact, type DbClient } from "../database.js";
import { addEvents, addOutbox } from "./ticket-store.js";

export class PrismaDeadlineStore implements DeadlineStore {
  constructor(
    private readonly db: DbClient,
    private readonly clock: Clock = () => new Date(),
  ) {}

  async find(id: number): Promise<DeadlineRecord | undefined> {
    const row = await this.db.deadline.findUnique({
      where: { id },
      include: { ticket: { select: { number: true, level: true, reporterId: true, pings: { select: { id: true, duty: true } } } } },
    });
    if (!row) return undefined;
    return {
      id: row.id,
      pingId: row.pingId,
      kind: row.kind as DeadlineKind,
      dueAt: row.dueAt,
      status: row.status as Deadline["status"],
      chain: JSON.parse(row.chain) as string[],
      step: row.step,
      ticketId: row.ticketId,
      ticketNumber: row.ticket.number,
      ticketLevel: row.ticket.level as Level | null,
      reporterId: row.ticket.reporterId,
      remindersSent: row.remindersSent,
      fireSeq: row.fireSeq,
      duty: (row.ticket.pings.find((p) => p.id === row.pingId)?.duty as Duty | undefined) ?? null,
    };
  }

  advance(id: number, expectedSeq: number, change: DeadlineChange, events: NewTimelineEvent[], outbox: Notification[]): Promise<boolean> {
    return transact(this.db, async (tx) => {
      // Only the timer that finds the deadline pending at its sequence number has an effect.
      const claimed = await tx.deadline.updateMany({
        where: { id, status: "pending", fireSeq: expectedSeq },
        data: { ...change, fireSeq: expectedSeq + 1 },
      });
      if (claimed.count === 0) return false;
      const { ticketId } = await tx.deadline.findUniqueOrThrow({ where: { id }, select: { ticketId: true } });
      const now = this.clock();
      await addEvents(tx, ticketId, events, now);
      await addOutbox(tx, outbox, ticketId, now);
      return true;
    });
  }
}
