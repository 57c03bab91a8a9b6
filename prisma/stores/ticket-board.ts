import { parsePhone } from "../../core/validation/phone.js";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Storage } from "../storage/storage.js";

/** Who is looking: what they may see is decided here, in the query, so a page never holds another's ticket. */
export interface BoardViewer {
  memberId: string;
  departmentId?: string | undefined;
  serviceCenterId?: string | undefined;
  /** After-sales, managers and admins see every ticket. */
  seesAll: boolean;
}

export interface BoardFilter {
  kind?: "fault" | "complaint" | undefined;
  /** "general", or a major level. */
  level?: "general" | "1" | "2" | "3" | undefined;
  /** "open" is every unfinished status. */
  status?: string | undefined;
  serviceCenterId?: string | undefined;
  /** Pinged to this department (and not cancelled). */
  departmentId?: string | undefined;
  /** Unfinished, with a deadline past its time: escalating, or missed at the chain's end. */
  overdue?: boolean | undefined;
  /** Reported by the viewer, their center's, or pinged to them or their department (as `/mine`). */
  mine?: boolean | undefined;
  /** Number, VIN, phone, customer or description contains it. */
  search?: string | undefined;
  /** Local business dates, inclusive (YYYY-MM-DD). */
  from?: string | undefined;
  to?: string | undefined;
}

export interface BoardRow {
  number: string;
  kind: string;
  category: string;
  level: number | null;
  status: string;
  serviceCenterId: string | null;
  customerName: string;
  description: string;
  createdAt: Date;
}

export const BOARD_PAGE_SIZE = 25;

const FINISHED = ["resolved", "closed"];

function pingedTo(viewer: BoardViewer): Prisma.TicketWhereInput[] {
  return [
    { pings: { some: { memberId: viewer.memberId, cancelledAt: null } } },
    ...(viewer.departmentId ? [{ pings: { some: { departmentId: viewer.departmentId, cancelledAt: null } } }] : []),
  ];
}

/** Reported by the viewer, their center's, or pinged to them or their department (as `/mine`). */
function concerning(viewer: BoardViewer): Prisma.TicketWhereInput {
  return { OR: [{ reporterId: viewer.memberId }, ...(viewer.serviceCenterId ? [{ serviceCenterId: viewer.serviceCenterId }] : []), ...pingedTo(viewer)] };
}

/** What the chats' canView allows, as a query. */
const visibleTo = (viewer: BoardViewer): Prisma.TicketWhereInput => (viewer.seesAll ? {} : concerning(viewer));

/** A deadline past its first time: it has climbed the chain (its time moved on), or its time is up, or it was missed. */
const overdueAt = (now: Date): Prisma.TicketWhereInput => ({
  status: { notIn: FINISHED },
  deadlines: { some: { OR: [{ status: "missed" }, { status: "pending", OR: [{ step: { gt: 0 } }, { dueAt: { lt: now } }] }] } },
});

function matching(filter: BoardFilter, now: Date): Prisma.TicketWhereInput[] {
  const where: Prisma.TicketWhereInput[] = [];
  if (filter.kind) where.push({ kind: filter.kind });
  if (filter.level === "general") where.push({ category: "general" });
  else if (filter.level) where.push({ category: "major", level: Number(filter.level) });
  if (filter.status === "open") where.push({ status: { notIn: FINISHED } });
  else if (filter.status) where.push({ status: filter.status });
  if (filter.serviceCenterId) where.push({ serviceCenterId: filter.serviceCenterId });
  if (filter.departmentId) where.push({ pings: { some: { departmentId: filter.departmentId, cancelledAt: null } } });
  if (filter.overdue) where.push(overdueAt(now));
  if (filter.from) where.push({ localDate: { gte: filter.from } });
  if (filter.to) where.push({ localDate: { lte: filter.to } });
  const search = filter.search?.trim();
  if (search) where.push(searching(search));
  return where;
}

const TICKET_NUMBER = /^HL-?\d[\d-]*$/i;
/** Part of a VIN: letters and digits both, as people read them off a windscreen (no I, O or Q). */
const VIN_PART = /^(?=.*\d)(?=.*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{5,17}$/i;
const DIGITS = /^[\d\s+-]{4,}$/;

/**
 * The columns a search term can be in, by its shape: a ticket number, part of a VIN, a phone
 * number (typed as digits, kept as displayed: 138 1234 5678), or words of a name or description.
 * Each shape reads only its columns, which keeps a search over many tickets short.
 */
function searching(term: string): Prisma.TicketWhereInput {
  if (TICKET_NUMBER.test(term)) return { number: { contains: term.toUpperCase() } };
  if (VIN_PART.test(term)) return { vin: { contains: term.toUpperCase() } };
  if (DIGITS.test(term)) {
    const phone = parsePhone(term);
    return { OR: [{ customerPhone: { contains: phone.ok ? phone.value.display : term } }, { number: { contains: term } }] };
  }
  return { OR: [{ customerName: { contains: term } }, { description: { contains: term } }] };
}

/** How many tickets each choice of a filter would show, the other filters as they are. */
export interface BoardCounts {
  kind: Record<string, number>;
  /** "general", "1", "2", "3". */
  level: Record<string, number>;
  /** Each status, and "open" for every unfinished one. */
  status: Record<string, number>;
  serviceCenterId: Record<string, number>;
  overdue: number;
}

/** The console's board: the tickets a member may see, filtered, newest first, a page at a time. */
export class TicketBoard {
  constructor(
    private readonly storage: Storage,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private where(viewer: BoardViewer, filter: BoardFilter): Prisma.TicketWhereInput {
    return { AND: [visibleTo(viewer), ...(filter.mine ? [concerning(viewer)] : []), ...matching(filter, this.clock())] };
  }

  async page(viewer: BoardViewer, filter: BoardFilter, page: number): Promise<{ rows: BoardRow[]; total: number }> {
    const where = this.where(viewer, filter);
    const [rows, total] = await Promise.all([
      this.storage.prisma.ticket.findMany({
        where,
        select: { number: true, kind: true, category: true, level: true, status: true, serviceCenterId: true, customerName: true, description: true, createdAt: true },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        skip: (page - 1) * BOARD_PAGE_SIZE,
        take: BOARD_PAGE_SIZE,
      }),
      this.storage.prisma.ticket.count({ where }),
    ]);
    return { rows, total };
  }

  /** The counts beside each filter's choices: each filter counted with the others applied, not itself. */
  async counts(viewer: BoardViewer, filter: BoardFilter): Promise<BoardCounts> {
    const { ticket } = this.storage.prisma;
    const without = (key: keyof BoardFilter) => this.where(viewer, { ...filter, [key]: undefined });
    const [kinds, levels, statuses, centers, overdue] = await Promise.all([
      ticket.groupBy({ by: ["kind"], where: without("kind"), _count: { _all: true } }),
      ticket.groupBy({ by: ["category", "level"], where: without("level"), _count: { _all: true } }),
      ticket.groupBy({ by: ["status"], where: without("status"), _count: { _all: true } }),
      ticket.groupBy({ by: ["serviceCenterId"], where: without("serviceCenterId"), _count: { _all: true } }),
      ticket.count({ where: this.where(viewer, { ...filter, overdue: true }) }),
    ]);
    const tally = <Row>(rows: Row[], key: (row: Row) => string | null, count: (row: Row) => number) => {
      const counts: Record<string, number> = {};
      for (const row of rows) {
        const name = key(row);
        if (name !== null) counts[name] = (counts[name] ?? 0) + count(row);
      }
      return counts;
    };
    const status = tally(statuses, (row) => row.status, (row) => row._count._all);
    status["open"] = statuses.filter((row) => !FINISHED.includes(row.status)).reduce((sum, row) => sum + row._count._all, 0);
    return {
      kind: tally(kinds, (row) => row.kind, (row) => row._count._all),
      level: tally(levels, (row) => (row.category === "major" ? (row.level === null ? null : String(row.level)) : "general"), (row) => row._count._all),
      status,
      serviceCenterId: tally(centers, (row) => row.serviceCenterId, (row) => row._count._all),
      overdue,
    };
  }
}
