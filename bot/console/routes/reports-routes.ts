import { z } from "zod";
import { actsOnAllTickets } from "../../../core/directory/member.js";
import { readReports } from "../../../core/reports/report-flows.js";
import type { ConsoleHono, ConsoleKit } from "../console-kit.js";
import { notice, reportsPage } from "../console-pages.js";
import { text } from "../console-text.js";

const reportsQuery = z.object({
  period: z.enum(["today", "week"]).catch("today").default("today"),
  date: z.string().max(10).optional().transform((date) => date || undefined),
});

/** The daily reports with their charts, for those who oversee every ticket (as /report). */
export function reportsRoutes(app: ConsoleHono, kit: ConsoleKit): void {
  const { deps } = kit;
  app.get("/reports", async (c) => {
    const member = c.get("member"), locale = c.get("locale");
    if (!actsOnAllTickets(member, deps.core.org)) return kit.refuse(c, "noPage", 404);
    const asked = reportsQuery.parse(c.req.query());
    const wanted = asked.date ?? asked.period;
    const read = await readReports(deps.core, member, wanted);
    if (!read) return c.html(reportsPage(kit.signedInPage(c), { wanted, cards: [], charts: [] }, notice(text(locale, "badPeriod"), "error")), 400);
    return c.html(reportsPage(kit.signedInPage(c), { wanted, cards: read.cards, charts: read.charts }));
  });
}
