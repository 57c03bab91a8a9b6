import { createApp } from "../app.js";
import { loadConfig } from "../config/env.js";
import { parsedJson, recipientText, shownRecipient, type StoredRecipient } from "../outbox-listing.js";
import { UsageError } from "./usage-error.js";
import { formatZonedTime, isoZonedTime } from "./zoned-time.js";

/**
 * `hotline deliveries [--failed]`: the outbox, newest first; `hotline deliveries retry <id>`
 * puts a failed one back in line (the running bot sends it within seconds).
 */
export async function deliveriesCommand(args: { action?: string; id?: string; failed: boolean; json: boolean }): Promise<string> {
  const app = await createApp(loadConfig());
  try {
    if (args.action === "retry") {
      const id = Number(args.id);
      if (!Number.isInteger(id) || id <= 0) throw new UsageError(`hotline deliveries retry: the id must be a delivery's number (#12 in the list is 12), not "${args.id ?? ""}"`);
      if (!(await app.outbox.retry(id))) throw new UsageError(`delivery ${id} is not a failed delivery`);
      return `Delivery ${id} will be sent again.`;
    }
    if (args.action !== undefined) throw new UsageError(`hotline deliveries: unknown action "${args.action}". Usage: hotline deliveries [--failed] [--json] | hotline deliveries retry <id>`);
    const rows = await app.outbox.list({ failed: args.failed });
    const timeZone = app.config.TZ;
    if (args.json) {
      const objects = rows.map((row) => ({
        ...row,
        recipient: shownRecipient(parsedJson(row.recipient) as StoredRecipient),
        payload: parsedJson(row.payload),
        template: row.template === null ? null : parsedJson(row.template),
        createdAt: isoZonedTime(row.createdAt, timeZone),
        sentAt: row.sentAt && isoZonedTime(row.sentAt, timeZone),
      }));
      return JSON.stringify(objects, null, 2);
    }
    if (rows.length === 0) return args.failed ? "No failed deliveries." : "No deliveries yet.";
    return rows
      .map((row) => {
        const ticket = row.ticketNumber ?? "-";
        const error = row.lastError ? `  ${row.lastError}` : "";
        return `#${row.id}  ${row.status.padEnd(7)} ${row.platform.padEnd(8)} ${recipientText(row)}  ${ticket}  attempts ${row.attempts}  ${formatZonedTime(row.createdAt, timeZone)}${error}`;
      })
      .join("\n");
  } finally {
    await app.close();
  }
}
