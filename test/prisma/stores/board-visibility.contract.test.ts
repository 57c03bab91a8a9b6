import { describe, expect, it } from "vitest";
import type { NewPing } from "../../../core/ports.js";
import { PINGED_IDS, TicketBoard, type BoardViewer } from "../../../prisma/stores/ticket-board.js";
import { PrismaTicketStore } from "../../../prisma/stores/ticket-store.js";
import { DIALECTS, newTicket, ticketDraft, useStorage } from "./contract-support.js";

const NOW = new Date("2026-11-26T02:00:00Z");
/** QA's lead: no center, sees what is pinged to them or to QA. */
const QA_LEAD: BoardViewer = { memberId: "chen.jie", departmentId: "quality_assurance", seesAll: false };
/** A center's staff: its tickets, their own reports, what is pinged to them. */
const STAFF: BoardViewer = { memberId: "ma.jun", serviceCenterId: "sc-shenyang", seesAll: false };

describe.each(DIALECTS)("who sees which ticket on the board, on %s", (dialect) => {
  const scene = useStorage(dialect);
  const board = () => new TicketBoard(scene.storage, () => NOW);

  async function report(description: string, options: { center?: string; reporter?: string; pings?: NewPing[] } = {}): Promise<string> {
    const ticket = newTicket({ description, serviceCenterId: options.center ?? "sc-beijing", reporterId: options.reporter ?? "guo.tao" });
    return (await new PrismaTicketStore(scene.storage, () => NOW).create(ticketDraft("2026-11-26", { ticket, pings: options.pings ?? [] }), () => [])).number;
  }
  const listed = async (viewer: BoardViewer, filter = {}) => {
    const { rows, total } = await board().page(viewer, filter, 1);
    return { numbers: new Set(rows.map((row) => row.number)), total };
  };

  it("shows a member their center's tickets, their reports and what is pinged to them or their department, not cancelled, and nothing else", async () => {
    const ownCenter = await report("沈阳的", { center: "sc-shenyang" });
    const ownReport = await report("马俊报的", { reporter: "ma.jun" });
    const toQaLead = await report("给陈杰的", { pings: [{ departmentId: null, memberId: "chen.jie", duty: "informed", needsAck: false }] });
    const toQa = await report("给质量保证部的", { pings: [{ departmentId: "quality_assurance", memberId: "qian.hao", duty: "propose_measures", needsAck: true }] });
    const nobodys = await report("别人的", { pings: [{ departmentId: "public_relations", memberId: "sun.li", duty: "coordinate", needsAck: true }] });
    const cancelled = await report("撤回的", { pings: [{ departmentId: null, memberId: "chen.jie", duty: "informed", needsAck: false }] });
    await scene.storage.prisma.ping.updateMany({ where: { ticket: { number: cancelled } }, data: { cancelledAt: NOW } });

    expect(await listed(STAFF)).toEqual({ numbers: new Set([ownCenter, ownReport]), total: 2 });
    expect(await listed(QA_LEAD)).toEqual({ numbers: new Set([toQaLead, toQa]), total: 2 });
    expect((await listed({ memberId: "zhou.min", departmentId: "after_sales", seesAll: true })).total).toBe(6);
    // "Mine" for one who sees every ticket: what concerns them, as for anyone.
    expect(await listed({ ...QA_LEAD, seesAll: true }, { mine: true })).toEqual({ numbers: new Set([toQaLead, toQa]), total: 2 });
    expect(nobodys).toBeDefined();
    // The counts beside the filters follow the same visibility.
    expect((await board().counts(QA_LEAD, {})).kind).toEqual({ fault: 2 });
  });

  it(`still shows a member pinged on more than ${PINGED_IDS} tickets each of them`, async () => {
    const first = await report("第一张", { pings: [{ departmentId: null, memberId: "chen.jie", duty: "informed", needsAck: false }] });
    const [{ id: firstId }] = await scene.storage.prisma.ticket.findMany({ where: { number: first }, select: { id: true } }) as [{ id: number }];
    // More tickets pinged to QA's lead than the board reads as ids: copies of the first, written straight.
    await scene.storage.promptly(async (sql) => {
      for (let i = 0; i < PINGED_IDS + 5; i++) {
        await sql.run(
          `INSERT INTO "Ticket" ("number", "localDate", "kind", "source", "category", "matchedRules", "answers", "status", "brand", "description", "customerName", "customerPhone", "reporterId", "serviceCenterId", "createdAt", "updatedAt")
           SELECT ?, "localDate", "kind", "source", "category", "matchedRules", "answers", "status", "brand", "description", "customerName", "customerPhone", "reporterId", "serviceCenterId", "createdAt", "updatedAt" FROM "Ticket" WHERE "id" = ?`,
          `HL-20261126-9${String(i).padStart(4, "0")}`, firstId,
        );
      }
      await sql.run(
        `INSERT INTO "Ping" ("ticketId", "memberId", "duty", "needsAck", "createdAt") SELECT t."id", 'chen.jie', 'informed', FALSE, ? FROM "Ticket" t WHERE t."number" LIKE 'HL-20261126-9%'`,
        NOW,
      );
    });
    const shown = await listed(QA_LEAD);
    expect(shown.total).toBe(PINGED_IDS + 6);
    expect(shown.numbers.size).toBe(25);
    expect((await listed(STAFF)).total).toBe(0);
  });
});
