import { describe, expect, it } from "vitest";
import { parsePhone } from "../../../core/validation/phone.js";
import { PrismaTicketStore } from "../../../prisma/stores/ticket-store.js";
import { containing, INDEXED_MATCHES, searchParts, TicketBoard, type BoardViewer } from "../../../prisma/stores/ticket-board.js";
import { DIALECTS, newTicket, ticketDraft, useStorage } from "./contract-support.js";

const NOW = new Date("2026-11-26T02:00:00Z");
const AFTER_SALES: BoardViewer = { memberId: "zhou.min", departmentId: "after_sales", seesAll: true };
const shown = (phone: string) => {
  const parsed = parsePhone(phone);
  if (!parsed.ok) throw new Error(`not a phone: ${phone}`);
  return parsed.value.display;
};

/** Customers as the report dialog keeps them: phones as displayed, Chinese and Latin names, VINs or none. */
const CUSTOMERS = [
  { customerName: "张伟", customerPhone: shown("13812345678"), vin: "LSJA24U67MS012345", description: "发动机异响，怠速抖动" },
  { customerName: "李娜", customerPhone: shown("13900001234"), vin: "LSGPC52U000054321", description: "变速箱顿挫，换挡冲击" },
  { customerName: "欧阳娜娜", customerPhone: shown("024-12345678"), vin: null, description: "仪表盘报警 🚗 灯亮" },
  { customerName: "Émile Zola", customerPhone: shown("+86 186 0000 1111"), vin: "LFV2A21K8D4123456", description: "brake pad 50% worn, ABS_light on" },
  { customerName: "John O'Brien", customerPhone: shown("400-810-8888"), vin: null, description: 'He said "no" twice; Engine NOISE at idle' },
  { customerName: "Li Na", customerPhone: shown("13812349999"), vin: "LSJA24U67MS099999", description: "空调不制冷" },
];

/** Terms of every shape the board reads, short and long, in either case, with LIKE's and FTS5's special characters. */
const TERMS = [
  "1", "12", "138", "5678", "13812345678", "1381234", "138 1234", "+86 138 1234 5678", "024-1234", "4008108888", "HL-20261126", "HL-20261126-0002", "hl-20261126-3",
  "U000054321", "54321", "LSJA24", "lsja24u67", "MS0", "张", "张伟", "李娜", "娜娜", "欧阳", "欧阳娜娜", "发动机", "变速箱顿挫", "异响，怠速", "🚗", "报警 🚗",
  "émile", "Émile", "ÉMILE", "zola", "ZOLA", "Li", "li na", "50%", "%", "_", "ABS_light", "abs_", "o'brien", '"no"', '"', "engine noise", "NOISE", "AND", "OR", "nothing like it",
];

describe.each(DIALECTS)("the board's search on %s", (dialect) => {
  const scene = useStorage(dialect);
  const board = () => new TicketBoard(scene.storage, () => NOW);
  const tickets = () => new PrismaTicketStore(scene.storage, () => NOW);

  async function report(customers: readonly (typeof CUSTOMERS)[number][]): Promise<string[]> {
    const numbers: string[] = [];
    for (const customer of customers) numbers.push((await tickets().create(ticketDraft("2026-11-26", { ticket: newTicket(customer) }), () => [])).number);
    return numbers;
  }

  const searched = async (search: string) => {
    const { rows, total } = await board().page(AFTER_SALES, { search }, 1);
    return { numbers: rows.map((row) => row.number), total };
  };
  /** Today's search without the index: Prisma's LIKE over every ticket. */
  const scanned = async (search: string) => {
    const where = containing(searchParts(search.trim()));
    const rows = await scene.storage.prisma.ticket.findMany({ where, select: { number: true }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 25 });
    return { numbers: rows.map((row) => row.number), total: await scene.storage.prisma.ticket.count({ where }) };
  };

  it("finds, for every term, the tickets a LIKE over every ticket finds, and only them", async () => {
    await report(CUSTOMERS);
    for (const term of TERMS) expect(await searched(term), term).toEqual(await scanned(term));
  });

  it("finds a phone typed as digits, part of a VIN, a ticket's number and a two-character Chinese name", async () => {
    const [zhang, li, ouyang, emile, obrien, liNa] = await report(CUSTOMERS);
    expect((await searched("13812345678")).numbers).toEqual([zhang]);
    // Part of a phone is found as it is displayed; its digits alone are not (as before the index).
    expect((await searched("138 1234")).numbers).toEqual([liNa, zhang]);
    expect((await searched("1381234")).numbers).toEqual([]);
    expect((await searched("U000054321")).numbers).toEqual([li]);
    expect((await searched("hl-20261126-0003")).numbers).toEqual([ouyang]);
    expect((await searched("李娜")).numbers).toEqual([li]);
    expect((await searched("娜娜")).numbers).toEqual([ouyang]);
    expect((await searched("异响，怠速")).numbers).toEqual([zhang]);
    expect((await searched("ABS_light")).numbers).toEqual([emile]);
    expect((await searched('"no"')).numbers).toEqual([obrien]);
    // SQLite's LIKE folds ASCII letters only, PostgreSQL's none; SQLite's index folds É to é, and the LIKE still decides.
    expect((await searched("émile")).numbers).toEqual([]);
    expect((await searched("ÉMILE")).numbers).toEqual(dialect === "sqlite" ? [emile] : []);
    expect((await searched("zola")).numbers).toEqual(dialect === "sqlite" ? [emile] : []);
  });

  it("follows a ticket's corrections: a phone, a name and a description changed, a ticket removed", async () => {
    const [zhang, li] = await report(CUSTOMERS);
    await scene.storage.prisma.ticket.update({ where: { number: zhang }, data: { customerPhone: shown("13512340000"), customerName: "张伟明" } });
    await scene.storage.promptly((sql) => sql.run(`UPDATE "Ticket" SET "description" = ? WHERE "number" = ?`, "刹车异响", li!));
    expect((await searched("13812345678")).numbers).toEqual([]);
    expect((await searched("13512340000")).numbers).toEqual([zhang]);
    expect((await searched("张伟明")).numbers).toEqual([zhang]);
    expect((await searched("刹车异响")).numbers).toEqual([li]);
    expect((await searched("变速箱")).numbers).toEqual([]);
    await scene.storage.prisma.ticket.delete({ where: { number: li! } });
    expect((await searched("刹车异响")).total).toBe(0);
    for (const term of TERMS) expect(await searched(term), term).toEqual(await scanned(term));
    if (dialect === "sqlite") await expect(indexMatchesTickets()).resolves.toBe(1);
  });

  /** SQLite's trigram table checked against Ticket, row by row: it throws when one differs. */
  const indexMatchesTickets = () => scene.storage.promptly((sql) => sql.run(`INSERT INTO "TicketSearch" ("TicketSearch", rank) VALUES ('integrity-check', 1)`));

  it("searches through an index made for parts of words: SQLite's trigram table, PostgreSQL's trigram indexes", async () => {
    await report(CUSTOMERS);
    if (dialect === "sqlite") {
      await expect(indexMatchesTickets()).resolves.toBe(1);
      const found = await scene.storage.promptly((sql) => sql.all<{ id: number }>(`SELECT rowid AS "id" FROM "TicketSearch" WHERE "TicketSearch" MATCH 'customerPhone : "138 1234"'`));
      expect(found).toHaveLength(2);
      return;
    }
    const plan = await scene.storage.transaction(async ({ sql }) => {
      await sql.run("SET LOCAL enable_seqscan = off");
      return (await sql.all<{ "QUERY PLAN": string }>(`EXPLAIN SELECT "id" FROM "Ticket" WHERE "customerPhone" LIKE ? OR "number" LIKE ?`, "%138 1234%", "%1381234%")).map((row) => row["QUERY PLAN"]).join("\n");
    });
    expect(plan).toContain("Ticket_customerPhone_trgm_idx");
    expect(plan).toContain("Ticket_number_trgm_idx");
  });

  it(`finds a term held by more than ${INDEXED_MATCHES} tickets, counted whole, and counts each filter's choices with the search applied`, async () => {
    const at = (i: number) => new Date(NOW.getTime() - i * 60_000);
    await scene.storage.prisma.ticket.createMany({
      data: Array.from({ length: INDEXED_MATCHES + 5 }, (_, i) => ({
        ...{ localDate: "2026-11-26", kind: i % 3 ? "fault" : "complaint", source: "hotline", category: "general", matchedRules: "[]", answers: "{}", status: "open", brand: "haise" },
        number: `HL-20261126-${String(i + 1).padStart(4, "0")}`,
        description: `空调不制冷，第 ${i} 号`,
        customerName: `顾客${i}`,
        customerPhone: shown(`139${String(i).padStart(8, "0")}`),
        reporterId: "wang.fang",
        createdAt: at(i),
        updatedAt: at(i),
      })),
    });
    for (const term of ["空调不制冷", "第 1", "第 1000 号", "13900001", "顾客10"]) expect(await searched(term), term).toEqual(await scanned(term));
    expect((await searched("空调不制冷")).total).toBe(INDEXED_MATCHES + 5);
    // 第 100 号 and 第 1000 号 to 第 1004 号: one complaint in every three tickets.
    const counts = await board().counts(AFTER_SALES, { search: "第 100" });
    expect(counts.kind).toEqual({ complaint: 1, fault: 5 });
    expect(counts.status).toEqual({ open: 6 });
  });
});
