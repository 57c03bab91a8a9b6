import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { actsOnAllTickets } from "../../../core/directory/member.js";
import { t } from "../../../core/messages/catalog.js";
import { pick } from "../../../core/messages/locale.js";
import { TICKET_STATUSES } from "../../../core/tickets/ticket.js";
import { BOARD_PAGE_SIZE, type BoardFilter } from "../../../prisma/stores/ticket-board.js";
import type { ConsoleContext, ConsoleHono, ConsoleKit } from "../console-kit.js";
import { boardPage } from "../console-pages.js";

const boardQuery = z.object({
  kind: z.enum(["fault", "complaint"]).optional().catch(undefined),
  level: z.enum(["general", "1", "2", "3"]).optional().catch(undefined),
  status: z.enum(["open", ...TICKET_STATUSES]).optional().catch(undefined),
  serviceCenterId: z.string().max(64).optional(),
  departmentId: z.string().max(64).optional(),
  overdue: z.literal("1").optional().catch(undefined),
  search: z.string().max(100).optional(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  mine: z.literal("1").optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

/** The board of tickets the member may see, its filters' counts, and its live updates. */
export function boardRoutes(app: ConsoleHono, kit: ConsoleKit): void {
  const { deps } = kit;
  /** The board's filter as the query gives it, and who is looking. */
  const boardRequest = (c: ConsoleContext) => {
    const { mine, overdue, page, ...query } = boardQuery.parse(c.req.query());
    const member = c.get("member");
    const filter: BoardFilter = { ...query, mine: mine === "1", overdue: overdue === "1" };
    const viewer = { memberId: member.id, departmentId: member.departmentId, serviceCenterId: member.serviceCenterId, seesAll: actsOnAllTickets(member, deps.core.org) };
    return { filter, page, viewer };
  };

  app.get("/", async (c) => {
    const locale = c.get("locale");
    const { filter, page, viewer } = boardRequest(c);
    const { rows, total } = await deps.board.page(viewer, filter, page);
    const pages = Math.max(1, Math.ceil(total / BOARD_PAGE_SIZE));
    const kept = new URLSearchParams(Object.entries(c.req.query()).filter(([key, value]) => key !== "page" && key !== "lang" && value !== ""));
    return c.html(
      boardPage(kit.signedInPage(c), {
        filter, rows, total, page, pages, query: kept.toString(),
        centers: deps.core.org.serviceCenters.map((sc) => [sc.id, pick(sc.name, locale)]),
        departments: deps.core.org.departments.map((department) => [department.id, pick(department.name, locale)]),
        statuses: TICKET_STATUSES.map((status) => [status, t(locale, `status.${status}`)]),
      }),
    );
  });

  // How many tickets each filter's choices would show: asked for by the board's page after it is shown,
  // since counting every choice over many tickets takes longer than the page itself.
  app.get("/counts", async (c) => {
    const { filter, viewer } = boardRequest(c);
    return c.json(await deps.board.counts(viewer, filter), 200, { "cache-control": "no-store" });
  });

  // The board's live updates (server-sent events): "changed" whenever a ticket changed anywhere; the page fetches itself again.
  app.get("/events", (c) =>
    streamSSE(c, async (stream) => {
      await new Promise<void>((resolve) => {
        const unsubscribe = deps.changes.subscribe({ changed: () => void stream.writeSSE({ event: "changed", data: "" }).catch(() => {}), closed: resolve });
        const keepAlive = setInterval(() => void stream.write(": keep-alive\n\n").catch(() => {}), 25_000);
        stream.onAbort(() => {
          clearInterval(keepAlive);
          unsubscribe();
          resolve();
        });
      });
    }),
  );
}
