import { writeFileSync } from "node:fs";
import { z } from "zod";
import { LOCALES } from "../../core/messages/locale.js";
import { createApp } from "../app.js";
import { loadConfig } from "../config/env.js";
import { EXPORT_FORMATS, exportLevel, makeTicketExport } from "../documents/ticket-export-file.js";
import { businessDay, outFile, parseWith } from "./arg-schemas.js";
import { UsageError } from "./usage-error.js";

/** As `hotline export --help` shows it (bot/cli/main.ts). */
export const EXPORT_USAGE = "hotline export tickets --from YYYY-MM-DD --to YYYY-MM-DD [--format xlsx|csv] [--level general|1|2|3] [--out FILE] [--locale zh-CN|en]";

/** An export of more days than this is refused: a year is what an audit asks for, and the file stays one Excel opens. */
export const EXPORT_MAX_DAYS = 366;

const exportArgs = z
  .object({
    "<what>": z.literal("tickets", { error: "must be tickets (the only export so far)" }),
    "--from": businessDay,
    "--to": businessDay,
    "--format": z.enum(EXPORT_FORMATS, { error: "must be xlsx or csv" }).default("xlsx"),
    "--level": exportLevel.optional(),
    "--out": outFile.optional(),
    "--locale": z.enum(LOCALES, { error: `must be ${LOCALES.join(" or ")}` }).optional(),
  })
  .superRefine((args, ctx) => {
    const days = (Date.parse(args["--to"]) - Date.parse(args["--from"])) / 86_400_000;
    if (days < 0) ctx.addIssue({ code: "custom", path: ["--to"], message: `is before --from (${args["--from"]})` });
    else if (days >= EXPORT_MAX_DAYS) ctx.addIssue({ code: "custom", path: ["--to"], message: `is more than ${EXPORT_MAX_DAYS} days after --from: export a year at a time` });
  });

export interface ExportArgs {
  what: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  format?: string | undefined;
  level?: string | undefined;
  out?: string | undefined;
  locale?: string | undefined;
}

/**
 * `hotline export tickets …`: the tickets reported on those business days as a workbook or as CSV
 * for Excel (UTF-8 with a BOM, CRLF, RFC 4180 quoting), the customer's phone masked.
 */
export async function exportCommand(raw: ExportArgs): Promise<string> {
  if (raw.what === undefined) throw new UsageError(`hotline export: <what> is required. Usage: ${EXPORT_USAGE}`);
  const args = parseWith("hotline export", EXPORT_USAGE, exportArgs, {
    "<what>": raw.what, "--from": raw.from, "--to": raw.to, "--format": raw.format, "--level": raw.level, "--out": raw.out, "--locale": raw.locale,
  });
  const app = await createApp(loadConfig());
  try {
    const filter = { from: args["--from"], to: args["--to"], level: args["--level"] };
    const made = await makeTicketExport(app.core, { filter, format: args["--format"], locale: args["--locale"] ?? app.config.DEFAULT_LOCALE });
    const file = args["--out"] ?? made.name;
    writeFileSync(file, made.content);
    return `Wrote ${made.tickets} ticket${made.tickets === 1 ? "" : "s"} reported ${filter.from} to ${filter.to} to ${file}.`;
  } finally {
    await app.close();
  }
}
