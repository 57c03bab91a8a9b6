import { createApp } from "../app.js";
import { loadConfig } from "../config/env.js";
import { UsageError } from "./usage-error.js";

/**
 * `hotline deliveries [--failed]`: the outbox, newest first; `hotline deliveries retry <id>`
 * puts a failed one back in line (the running bot sends it within seconds).
 */
export async function deliveriesCommand(args: { action?: string; id?: string; failed: boolean; json: boolean }): Promise<string> {
  const app = await createApp(loadConfig());
  try {
    if (args.action === "retry") {
      const id = Number(args.id);
      if (!Number.isInteger(id) || id <= 0) throw new UsageError("usage: hotline deliveries retry <id>");
      const retried = await app.db.delivery.updateMany({ where: { id, status: "failed" }, data: { status: "pending", attempts: 0 } });
      if (retried.count === 0) throw new UsageError(`delivery ${id} is not a failed delivery`);
      return `Delivery ${id} will be sent again.`;
    }
    if (args.action !== undefined) throw new UsageError("usage: hotline deliveries [--failed] [--json] | retry <id>");
    const rows = await app.db.delivery.findMany({
      where: args.failed ? { status: "failed" } : {},
      orderBy: { id: "desc" },
      take: 100,
    });
    if (args.json) return JSON.stringify(rows, null, 2);
    if (rows.length === 0) return args.failed ? "No failed deliveries." : "No deliveries yet.";
    const numbers = new Map((await app.db.ticket.findMany({ where: { id: { in: rows.flatMap((r) => (r.ticketId ? [r.ticketId] : [])) } }, select: { id: true, number: true } })).map((t) => [t.id, t.number]));
    return rows
      .map((row) => {
        const recipient = JSON.parse(row.recipient) as { name: string; address: string | null };
        const ticket = row.ticketId ? numbers.get(row.ticketId) : "-";
        const error = row.lastError ? `  ${row.lastError}` : "";
        return `#${row.id}  ${row.status.padEnd(7)} ${row.platform.padEnd(8)} ${recipient.name} (${recipient.address ?? "no address"})  ${ticket}  attempts ${row.attempts}  ${row.createdAt.toISOString()}${error}`;
      })
      .join("\n");
  } finally {
    await app.close();
  }
}
