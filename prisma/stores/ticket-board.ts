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

/**
 * The tickets pinged to the viewer or their department, read apart before the board's query: as
 * ids, or undefined when there are more than PINGED_IDS (then the board asks the pings itself).
 * Asked inside the board's OR, the pings are a subquery for every ticket read; PostgreSQL runs it
 * per row (100,000 index probes for a center's staff), where a list of ids costs nothing.
 */
type PingedTickets = number[] | undefined;

/** The most pinged tickets read as ids: a member acts on a few hundred; a list stays short. */
export const PINGED_IDS = 1_000;

function pingedTo(viewer: BoardViewer, pinged: PingedTickets): Prisma.TicketWhereInput[] {
  if (pinged) return pinged.length ? [{ id: { in: pinged } }] : [];
  return [
    { pings: { some: { memberId: viewer.memberId, cancelledAt: null } } },
    ...(viewer.departmentId ? [{ pings: { some: { departmentId: viewer.departmentId, cancelledAt: null } } }] : []),
  ];
}

/** Reported by the viewer, their center's, or pinged to them or their department (as `/mine`). */
function concerning(viewer: BoardViewer, pinged: PingedTickets): Prisma.TicketWhereInput {
  return { OR: [{ reporterId: viewer.memberId }, ...(viewer.serviceCenterId ? [{ serviceCenterId: viewer.serviceCenterId }] : []), ...pingedTo(viewer, pinged)] };
}

/** What the chats' canView allows, as a query. */
const visibleTo = (viewer: BoardViewer, pinged: PingedTickets): Prisma.TicketWhereInput => (viewer.seesAll ? {} : concerning(viewer, pinged));

/** A deadline past its first time: it has climbed the chain (its time moved on), or its time is up, or it was missed. */
const overdueAt = (now: Date): Prisma.TicketWhereInput => ({
  status: { notIn: FINISHED },
  deadlines: { some: { OR: [{ status: "missed" }, { status: "pending", OR: [{ step: { gt: 0 } }, { dueAt: { lt: now } }] }] } },
});

function matching(filter: BoardFilter, now: Date, search: Prisma.TicketWhereInput | undefined): Prisma.TicketWhereInput[] {
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
  if (search) where.push(search);
  return where;
}

const TICKET_NUMBER = /^HL-?\d[\d-]*$/i;
/** Part of a VIN: letters and digits both, as people read them off a windscreen (no I, O or Q). */
const VIN_PART = /^(?=.*\d)(?=.*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{5,17}$/i;
const DIGITS = /^[\d\s+-]{4,}$/;

/** The columns the search reads, each indexed for it (see prisma/schema.prisma, model Ticket). */
type SearchColumn = "number" | "vin" | "customerPhone" | "customerName" | "description";

/** A ticket matches a search when one of the term's columns contains its text. */
interface SearchPart {
  column: SearchColumn;
  text: string;
}

/**
 * The columns a search term can be in, by its shape: a ticket number, part of a VIN, a phone
 * number (typed as digits, kept as displayed: 138 1234 5678), or words of a name or description.
 * Each shape reads only its columns, which keeps a search over many tickets short.
 */
export function searchParts(term: string): SearchPart[] {
  if (TICKET_NUMBER.test(term)) return [{ column: "number", text: term.toUpperCase() }];
  if (VIN_PART.test(term)) return [{ column: "vin", text: term.toUpperCase() }];
  if (DIGITS.test(term)) {
    const phone = parsePhone(term);
    return [{ column: "customerPhone", text: phone.ok ? phone.value.display : term }, { column: "number", text: term }];
  }
  return [{ column: "customerName", text: term }, { column: "description", text: term }];
}

/**
 * What the search means, on either database: Prisma's `contains`, a LIKE '%…%' (ASCII letters in
 * either case on SQLite, exact case on PostgreSQL). PostgreSQL's trigram indexes serve it as it is.
 */
export function containing(parts: readonly SearchPart[]): Prisma.TicketWhereInput {
  const each = parts.map(({ column, text }) => ({ [column]: { contains: text } }) as Prisma.TicketWhereInput);
  return each.length === 1 ? each[0]! : { OR: each };
}

/** The trigram index finds only runs of three characters (code points) or more. */
const TRIGRAM = 3;
/**
 * The most tickets SQLite's search takes from its index. A term in more (a common word) is
 * searched by the scan: the newest page fills within the first rows read, and counting so many
 * costs the same either way, while their ids would have to travel back as a long IN list.
 */
export const INDEXED_MATCHES = 1_000;

/** An FTS5 query: any part's column holds its text as a phrase (the trigram tokenizer: a substring). */
const ftsQuery = (parts: readonly SearchPart[]) => parts.map(({ column, text }) => `${column} : "${text.replaceAll('"', '""')}"`).join(" OR ");

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

interface BoardScope {
  viewer: BoardViewer;
  search: Prisma.TicketWhereInput | undefined;
  pinged: PingedTickets;
}

/** The console's board: the tickets a member may see, filtered, newest first, a page at a time. */
export class TicketBoard {
  constructor(
    private readonly storage: Storage,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** What every query of a board read shares: the search's condition and the viewer's pinged tickets. */
  private async scope(viewer: BoardViewer, filter: BoardFilter): Promise<BoardScope> {
    const [search, pinged] = await Promise.all([this.searching(filter.search), viewer.seesAll && !filter.mine ? undefined : this.pingedTickets(viewer)]);
    return { viewer, search, pinged };
  }

  private async pingedTickets(viewer: BoardViewer): Promise<PingedTickets> {
    const rows = await this.storage.prisma.ping.findMany({
      where: { cancelledAt: null, OR: [{ memberId: viewer.memberId }, ...(viewer.departmentId ? [{ departmentId: viewer.departmentId }] : [])] },
      select: { ticketId: true },
      distinct: ["ticketId"],
      take: PINGED_IDS + 1,
    });
    return rows.length > PINGED_IDS ? undefined : rows.map((row) => row.ticketId);
  }

  private where({ viewer, search, pinged }: BoardScope, filter: BoardFilter): Prisma.TicketWhereInput {
    return { AND: [visibleTo(viewer, pinged), ...(filter.mine ? [concerning(viewer, pinged)] : []), ...matching(filter, this.clock(), search)] };
  }

  /**
   * The search's condition. On SQLite, a term whose every part is three characters or more is
   * looked up in the trigram table TicketSearch first (prisma/migrations/20261203160000_board_search),
   * and the LIKE then reads only the tickets it found: the index folds the case of every letter, so
   * it finds what the LIKE finds and perhaps more (É for é), which the LIKE drops again. Shorter
   * terms, and terms with LIKE's wildcards, are searched by the LIKE alone.
   */
  private async searching(term: string | undefined): Promise<Prisma.TicketWhereInput | undefined> {
    const search = term?.trim();
    if (!search) return undefined;
    const parts = searchParts(search);
    const like = containing(parts);
    if (this.storage.dialect !== "sqlite" || parts.some(({ text }) => [...text].length < TRIGRAM || /[%_]/.test(text))) return like;
    const found = await this.storage.prisma.$queryRawUnsafe<{ id: number | bigint }[]>(
      `SELECT rowid AS "id" FROM "TicketSearch" WHERE "TicketSearch" MATCH ? LIMIT ?`,
      ftsQuery(parts),
      INDEXED_MATCHES + 1,
    );
    if (found.length > INDEXED_MATCHES) return like;
    return { AND: [{ id: { in: found.map((row) => Number(row.id)) } }, like] };
  }

  async page(viewer: BoardViewer, filter: BoardFilter, page: number): Promise<{ rows: BoardRow[]; total: number }> {
    const where = this.where(await this.scope(viewer, filter), filter);
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
    const scope = await this.scope(viewer, filter);
    const without = (key: keyof BoardFilter) => this.where(scope, { ...filter, [key]: undefined });
    const [kinds, levels, statuses, centers, overdue] = await Promise.all([
      ticket.groupBy({ by: ["kind"], where: without("kind"), _count: { _all: true } }),
      ticket.groupBy({ by: ["category", "level"], where: without("level"), _count: { _all: true } }),
      ticket.groupBy({ by: ["status"], where: without("status"), _count: { _all: true } }),
      ticket.groupBy({ by: ["serviceCenterId"], where: without("serviceCenterId"), _count: { _all: true } }),
      ticket.count({ where: this.where(scope, { ...filter, overdue: true }) }),
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
