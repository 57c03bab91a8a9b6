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

/** What the chats' canView allows, as a query. */
function visibleTo(viewer: BoardViewer): Prisma.TicketWhereInput {
  if (viewer.seesAll) return {};
  return { OR: [{ reporterId: viewer.memberId }, ...(viewer.serviceCenterId ? [{ serviceCenterId: viewer.serviceCenterId }] : []), ...pingedTo(viewer)] };
}

function concerning(viewer: BoardViewer): Prisma.TicketWhereInput {
  return { OR: [{ reporterId: viewer.memberId }, ...(viewer.serviceCenterId ? [{ serviceCenterId: viewer.serviceCenterId }] : []), ...pingedTo(viewer)] };
}

function matching(filter: BoardFilter): Prisma.TicketWhereInput[] {
  const where: Prisma.TicketWhereInput[] = [];
  if (filter.kind) where.push({ kind: filter.kind });
  if (filter.level === "general") where.push({ category: "general" });
  else if (filter.level) where.push({ category: "major", level: Number(filter.level) });
  if (filter.status === "open") where.push({ status: { notIn: FINISHED } });
  else if (filter.status) where.push({ status: filter.status });
  if (filter.serviceCenterId) where.push({ serviceCenterId: filter.serviceCenterId });
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

/** The console's board: the tickets a member may see, filtered, newest first, a page at a time. */
export class TicketBoard {
  constructor(private readonly storage: Storage) {}

  async page(viewer: BoardViewer, filter: BoardFilter, page: number): Promise<{ rows: BoardRow[]; total: number }> {
    const where: Prisma.TicketWhereInput = { AND: [visibleTo(viewer), ...(filter.mine ? [concerning(viewer)] : []), ...matching(filter)] };
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
}
