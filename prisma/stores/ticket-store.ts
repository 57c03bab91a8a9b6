import type { Member } from "../../core/directory/member.js";
import { platformSchema, type Duty } from "../../core/directory/organisation.js";
import type { Notification } from "../../core/escalation/notification.js";
import type { Clock, TicketChange, TicketDraft, TicketStore } from "../../core/ports.js";
import {
  formatTicketNumber,
  type AttachmentRef,
  type Brand,
  type Deadline,
  type DeadlineKind,
  type MatchedRuleRef,
  type Ticket,
  type TicketKind,
  type TicketSource,
  type TicketStatus,
} from "../../core/tickets/ticket.js";
import type { Level } from "../../core/triage/rules.js";
import { Prisma } from "../../generated/prisma/client.ts";
import { transact, type DbClient } from "../database.js";

const WITH_DETAILS = { pings: { orderBy: { id: "asc" } }, deadlines: { orderBy: { id: "asc" } }, attachments: true, teamSeats: { orderBy: { id: "asc" } } } as const;
type TicketRow = Prisma.TicketGetPayload<{ include: typeof WITH_DETAILS }>;
type Tx = Prisma.TransactionClient;

/**
 * Tickets on Prisma. Times are the app's clock (the one that numbered the ticket and set its
 * deadlines), so a ticket, its timeline and its messages agree on when things happened.
 */
export class PrismaTicketStore implements TicketStore {
  constructor(
    private readonly db: DbClient,
    private readonly clock: Clock = () => new Date(),
  ) {}

  async create(draft: TicketDraft, outboxFor: (ticket: Ticket) => Notification[]): Promise<Ticket> {
    return transact(this.db, async (tx) => {
      const sequence = await tx.ticketDaySequence.upsert({
        where: { localDate: draft.localDate },
        create: { localDate: draft.localDate, last: 1 },
        update: { last: { increment: 1 } },
      });
      const { ticket: t } = draft;
      const row = await tx.ticket.create({
        data: {
          number: formatTicketNumber(draft.localDate, sequence.last),
          localDate: draft.localDate,
          kind: t.kind,
          source: t.source,
          category: t.category,
          level: t.level,
          matchedRules: JSON.stringify(t.matched),
          answers: JSON.stringify(t.answers),
          status: t.status,
          brand: t.brand,
          vin: t.vin,
          mileageKm: t.mileageKm,
          description: t.description,
          customerName: t.customerName,
          customerPhone: t.customerPhone,
          reporterId: t.reporterId,
          originPlatform: t.originPlatform,
          serviceCenterId: t.serviceCenterId,
          createdAt: this.clock(),
          attachments: { create: t.attachments.map((a) => ({ platform: a.platform, fileId: a.fileId, kind: a.kind, name: a.name ?? null })) },
        },
        include: { attachments: true },
      });
      // The rows come back from the inserts, so the ticket is built without reading it again.
      const pings = (await tx.ping.createManyAndReturn({ data: draft.pings.map((ping) => ({ ticketId: row.id, ...ping })) })).sort((a, b) => a.id - b.id);
      // Ids grow in insertion order, so sorted rows line up with draft.pings (deadlines refer to them by index).
      const deadlines = await tx.deadline.createManyAndReturn({
        data: draft.deadlines.map((d) => ({
          ticketId: row.id,
          kind: d.kind,
          dueAt: d.dueAt,
          pingId: d.pingIndex === null ? null : (pings[d.pingIndex]?.id ?? null),
          chain: JSON.stringify(d.chain),
        })),
      });
      await addEvents(tx, row.id, draft.events, row.createdAt);
      const ticket = toTicket({ ...row, pings, deadlines: deadlines.sort((a, b) => a.id - b.id), attachments: row.attachments, teamSeats: [] });
      await addOutbox(tx, outboxFor(ticket), row.id, row.createdAt);
      return ticket;
    });
  }

  async findByNumber(number: string): Promise<Ticket | undefined> {
    const row = await this.db.ticket.findUnique({ where: { number }, include: WITH_DETAILS });
    return row ? toTicket(row) : undefined;
  }

  async findById(id: number): Promise<Ticket | undefined> {
    const row = await this.db.ticket.findUnique({ where: { id }, include: WITH_DETAILS });
    return row ? toTicket(row) : undefined;
  }

  async listConcerning(member: Member): Promise<Ticket[]> {
    const rows = await this.db.ticket.findMany({
      where: {
        status: { notIn: ["resolved", "closed"] },
        OR: [
          { reporterId: member.id },
          ...(member.serviceCenterId ? [{ serviceCenterId: member.serviceCenterId }] : []),
          { pings: { some: { memberId: member.id } } },
          ...(member.departmentId ? [{ pings: { some: { departmentId: member.departmentId } } }] : []),
        ],
      },
      include: WITH_DETAILS,
      orderBy: { createdAt: "desc" },
      take: 50,
    });
    return rows.map(toTicket);
  }

  async apply(ticketId: number, change: TicketChange): Promise<void> {
    await transact(this.db, async (tx) => {
      const data: Prisma.TicketUpdateInput = {};
      if (change.status) data.status = change.status;
      if (change.resolvedAt) data.resolvedAt = change.resolvedAt;
      if (change.closedAt) data.closedAt = change.closedAt;
      await tx.ticket.update({ where: { id: ticketId }, data });
      const ack = change.acknowledgePings;
      if (ack?.ids.length) {
        await tx.ping.updateMany({ where: { id: { in: ack.ids }, acknowledgedAt: null }, data: { acknowledgedAt: ack.at, acknowledgedBy: ack.by } });
      }
      const met = change.meetDeadlines;
      if (met?.ids.length) {
        await tx.deadline.updateMany({ where: { id: { in: met.ids }, status: "pending" }, data: { status: "met", metAt: met.at } });
      }
      if (change.addTeamSeats?.length) await tx.teamSeat.createMany({ data: change.addTeamSeats.map((seat) => ({ ticketId, ...seat })) });
      const seat = change.updateTeamSeat;
      if (seat) await tx.teamSeat.update({ where: { ticketId_departmentId: { ticketId, departmentId: seat.departmentId } }, data: seat.seat });
      const now = this.clock();
      await addEvents(tx, ticketId, change.events, now);
      await addOutbox(tx, change.outbox, ticketId, now);
      await refreshLiveViews(tx, ticketId, now);
    });
  }
}

/*
 * Timeline entries and outbox messages are written with every change, on the hot paths of
 * reports and timers: one plain multi-row INSERT each (the query builder costs several times more).
 */

export async function addEvents(tx: Tx, ticketId: number, events: TicketChange["events"], at: Date): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => Prisma.sql`(${ticketId}, ${e.type}, ${e.actorId}, ${JSON.stringify(e.data ?? {})}, ${at})`);
  await tx.$executeRaw`INSERT INTO "TicketEvent" ("ticketId", "type", "actorId", "data", "at") VALUES ${Prisma.join(rows)}`;
}

/** Messages wait as pending deliveries; one with no address is recorded as failed, never dropped. */
export async function addOutbox(tx: Tx, notifications: Notification[], ticketId: number | null, createdAt: Date): Promise<void> {
  if (notifications.length === 0) return;
  const rows = notifications.map((n) => {
    const unreachable = n.recipient.address === null;
    return Prisma.sql`(${n.recipient.platform ?? "none"}, ${JSON.stringify(n.recipient)}, ${JSON.stringify(n.card)}, ${ticketId}, ${n.view ?? null}, ${unreachable ? "failed" : "pending"}, ${unreachable ? `no chat identity for ${n.recipient.name}` : null}, ${createdAt})`;
  });
  await tx.$executeRaw`INSERT INTO "Delivery" ("platform", "recipient", "payload", "ticketId", "view", "status", "lastError", "createdAt") VALUES ${Prisma.join(rows)}`;
}

/**
 * After a change, the messages that show the ticket are edited to match: one pending refresh per
 * platform that posted any (a refresh reads the ticket when it runs, so one waiting is enough).
 */
export async function refreshLiveViews(tx: Tx, ticketId: number, at: Date): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "Delivery" ("platform", "kind", "recipient", "payload", "ticketId", "status", "createdAt")
    SELECT DISTINCT p."platform", 'refresh', '{}', '{}', p."ticketId", 'pending', ${at}
    FROM "PostedMessage" p
    WHERE p."ticketId" = ${ticketId}
      AND NOT EXISTS (
        SELECT 1 FROM "Delivery" d
        WHERE d."ticketId" = p."ticketId" AND d."platform" = p."platform" AND d."kind" = 'refresh' AND d."status" = 'pending'
      )`;
}

function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    number: row.number,
    localDate: row.localDate,
    kind: row.kind as TicketKind,
    source: row.source as TicketSource,
    category: row.category as Ticket["category"],
    level: row.level as Level | null,
    matched: JSON.parse(row.matchedRules) as MatchedRuleRef[],
    answers: JSON.parse(row.answers) as Ticket["answers"],
    status: row.status as TicketStatus,
    brand: row.brand as Brand,
    vin: row.vin,
    mileageKm: row.mileageKm,
    description: row.description,
    customerName: row.customerName,
    customerPhone: row.customerPhone,
    reporterId: row.reporterId,
    originPlatform: platformSchema.safeParse(row.originPlatform).data ?? null,
    serviceCenterId: row.serviceCenterId,
    createdAt: row.createdAt,
    resolvedAt: row.resolvedAt,
    closedAt: row.closedAt,
    pings: row.pings.map((p) => ({ ...p, duty: p.duty as Duty })),
    deadlines: row.deadlines.map((d) => ({
      id: d.id,
      pingId: d.pingId,
      kind: d.kind as DeadlineKind,
      dueAt: d.dueAt,
      status: d.status as Deadline["status"],
      chain: JSON.parse(d.chain) as string[],
      step: d.step,
    })),
    attachments: row.attachments.map((a): AttachmentRef => ({ platform: a.platform, fileId: a.fileId, kind: a.kind as AttachmentRef["kind"], name: a.name ?? undefined })),
    team: row.teamSeats.map(({ departmentId, leader, memberId, appointedBy, appointedAt, confirmedAt }) => ({ departmentId, leader, memberId, appointedBy, appointedAt, confirmedAt })),
  };
}
