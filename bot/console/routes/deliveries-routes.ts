import { z } from "zod";
import { managesDeliveries } from "../../../core/directory/member.js";
import { formatLocalTime } from "../../../core/time/business-time.js";
import { firstLineOf, recipientText } from "../../outbox-listing.js";
import type { ConsoleContext, ConsoleHono, ConsoleKit } from "../console-kit.js";
import { deliveriesPage, notice } from "../console-pages.js";
import { text } from "../console-text.js";

/** Deliveries, for after-sales and admins: what could not be sent, its error, and a retry. */
export function deliveriesRoutes(app: ConsoleHono, kit: ConsoleKit): void {
  const { deps } = kit;
  const deliveries = async (c: ConsoleContext, message?: { notice: ReturnType<typeof notice>; status: 200 | 409 }) => {
    const failedOnly = c.req.query("all") !== "1";
    const rows = await deps.outbox.list({ failed: failedOnly, limit: 200 });
    const shown = rows.map((row) => ({
      id: row.id, status: row.status, platform: row.platform, attempts: row.attempts, lastError: row.lastError,
      ticketNumber: row.ticketNumber, recipient: recipientText(row), firstLine: firstLineOf(row),
      createdAt: formatLocalTime(row.createdAt, deps.core.timeZone),
    }));
    return c.html(deliveriesPage(kit.signedInPage(c), { rows: shown, failedOnly, timeZone: deps.core.timeZone }, message?.notice), message?.status ?? 200);
  };
  const onlyForDeliveries = async (c: ConsoleContext, next: () => Promise<void>) => (managesDeliveries(c.get("member"), deps.core.org) ? next() : kit.refuse(c, "noPage", 404));

  app.use("/deliveries", onlyForDeliveries);
  app.use("/deliveries/*", onlyForDeliveries);
  app.get("/deliveries", (c) => deliveries(c));
  // A second press (another tab) finds the message back in line already: it changes nothing and says so.
  app.post("/deliveries/:id/retry", async (c) => {
    const id = z.coerce.number().int().positive().safeParse(c.req.param("id"));
    const retried = id.success && (await deps.outbox.retry(id.data));
    if (retried) deps.afterChange();
    const locale = c.get("locale");
    return deliveries(
      c,
      retried ? { notice: notice(text(locale, "retried", { id: id.data }), "success"), status: 200 } : { notice: notice(text(locale, "notRetried"), "error"), status: 409 },
    );
  });
}
