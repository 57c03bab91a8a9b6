import { writeFileSync } from "node:fs";
import { z } from "zod";
import { refusal } from "../../core/conversation/refusal.js";
import { isHotlineError } from "../../core/errors.js";
import { cardToPlainText } from "../../core/messages/card.js";
import { LOCALES } from "../../core/messages/locale.js";
import { RECORD_FORMATS, type ArchivedDocument } from "../../core/records/document-archive.js";
import { normalizeTicketNumber } from "../../core/tickets/ticket.js";
import { DocumentDamaged } from "../../prisma/stores/document-store.js";
import { createApp, type App } from "../app.js";
import { loadConfig } from "../config/env.js";
import { DocumentFontMissing } from "../documents/record-pdf.js";
import { outFile, parseWith } from "./arg-schemas.js";
import { CommandFailure } from "./command-failure.js";
import { UsageError } from "./usage-error.js";
import { formatZonedTime } from "./zoned-time.js";

/** As `hotline documents --help` shows it (bot/cli/main.ts). */
export const DOCUMENTS_USAGE = "hotline documents ticket <number> [--format pdf|xlsx] [--out FILE] [--locale zh-CN|en] [--as <member>] | list [--ticket <number>] | get <id> --out FILE";

const ticketNumber = z.string().transform((text, ctx) => {
  const number = normalizeTicketNumber(text);
  if (number !== undefined) return number;
  ctx.addIssue({ code: "custom", message: `must be a ticket number such as HL-20261126-0001, not "${text}"` });
  return z.NEVER;
});

const ticketArgs = z.object({
  "<number>": ticketNumber,
  "--format": z.enum(RECORD_FORMATS, { error: `must be ${RECORD_FORMATS.join(" or ")}` }).default("pdf"),
  "--out": outFile.optional(),
  "--locale": z.enum(LOCALES, { error: `must be ${LOCALES.join(" or ")}` }).optional(),
  "--as": z.string().min(1, "must name a member").optional(),
});
const listArgs = z.object({ "--ticket": ticketNumber.optional() });
const getArgs = z.object({
  "<id>": z.string().regex(/^[1-9]\d*$/, "must be a document's id, a whole number as `hotline documents list` shows it").transform(Number),
  "--out": outFile,
});

/** Parsed by `schema`; a bad or missing argument is one line that names it, exit code 2. */
const parsed = <S extends z.ZodType>(schema: S, args: Record<string, string | undefined>): z.infer<S> => parseWith("hotline documents", DOCUMENTS_USAGE, schema, args);

export interface DocumentsArgs {
  action: string | undefined;
  target: string | undefined;
  format?: string | undefined;
  out?: string | undefined;
  locale?: string | undefined;
  as?: string | undefined;
  ticket?: string | undefined;
}

/**
 * `hotline documents …`: makes a ticket's form and keeps it in the archive, lists what the archive
 * holds, and writes a kept document back out after checking its checksum.
 */
export async function documentsCommand(args: DocumentsArgs): Promise<string> {
  const run = ACTIONS[args.action ?? ""];
  if (!run) throw new UsageError(`hotline documents: ${args.action === undefined ? "missing the action" : `unknown action "${args.action}"`} (ticket, list or get). Usage: ${DOCUMENTS_USAGE}`);
  const check = run.check(args);
  const app = await createApp(loadConfig());
  try {
    return await run.act(app, check);
  } finally {
    await app.close();
  }
}

interface Action<T> {
  check(args: DocumentsArgs): T;
  act(app: App, args: T): Promise<string>;
}

const action = <T>(a: Action<T>) => a as Action<unknown>;

const ACTIONS: Record<string, Action<unknown>> = {
  ticket: action({
    check: (args) => parsed(ticketArgs, { "<number>": args.target, "--format": args.format, "--out": args.out, "--locale": args.locale, "--as": args.as }),
    act: async (app, args) => {
      const reader = args["--as"] === undefined ? undefined : await app.core.directory.findMember(args["--as"]);
      if (args["--as"] !== undefined && !reader) throw new UsageError(`hotline documents: --as names no member of the directory ("${args["--as"]}"; hotline members lists them)`);
      const number = args["<number>"];
      let kept: ArchivedDocument;
      try {
        kept = await app.ticketRecords.fileTicketRecord({ number, format: args["--format"], locale: args["--locale"] ?? app.config.DEFAULT_LOCALE, reader });
      } catch (error) {
        if (error instanceof DocumentFontMissing) throw new CommandFailure(`hotline documents: ${error.message}`);
        if (isHotlineError(error, "not_allowed")) throw new UsageError(`hotline documents: --as ${reader!.id} may not see ${number} (only the reporter, their service center, pinged departments, after-sales and managers may)`);
        if (isHotlineError(error)) throw new UsageError(`hotline documents: <number> ${cardToPlainText(refusal(error, "en", app.org))}`);
        throw error;
      }
      const file = args["--out"] ?? `${kept.subject}-${kept.kind}-v${kept.version}.${kept.format}`;
      const read = await app.documents.read(kept.id);
      writeFileSync(file, read!.content);
      return [`Made the ${kept.kind} of ${kept.subject}, version ${kept.version}, and kept it as document ${kept.id}.`, describe(kept, app.config.TZ), `Written to ${file}.`].join("\n");
    },
  }),
  list: action({
    check: (args) => parsed(listArgs, { "--ticket": args.ticket }),
    act: async (app, args) => {
      const number = args["--ticket"];
      const ticket = number === undefined ? undefined : await app.core.tickets.findByNumber(number);
      if (number !== undefined && !ticket) throw new UsageError(`hotline documents: --ticket names no ticket (${number})`);
      const documents = await app.documents.list(ticket ? { ticketId: ticket.id } : {});
      if (documents.length === 0) return ticket ? `No documents of ${ticket.number} yet.` : "No documents yet.";
      return documents.map((d) => describe(d, app.config.TZ)).join("\n");
    },
  }),
  get: action({
    check: (args) => parsed(getArgs, { "<id>": args.target, "--out": args.out }),
    act: async (app, args) => {
      let read: Awaited<ReturnType<App["documents"]["read"]>>;
      try {
        read = await app.documents.read(args["<id>"]);
      } catch (error) {
        if (error instanceof DocumentDamaged) throw new CommandFailure(`hotline documents: ${error.message}; nothing was written`);
        throw error;
      }
      if (!read) throw new UsageError(`hotline documents: <id> names no document (${args["<id>"]}; hotline documents list shows them)`);
      writeFileSync(args["--out"], read.content);
      return [describe(read.document, app.config.TZ), `Checksum verified; written to ${args["--out"]}.`].join("\n");
    },
  }),
};

/** One line per document: id, kind, subject, version, format, size, checksum, when, who it was made for. */
function describe(d: ArchivedDocument, timeZone: string): string {
  const madeFor = d.madeFor === null ? "filed copy" : `for ${d.madeFor}`;
  return `#${d.id}  ${d.kind}  ${d.subject}  v${d.version}  ${d.format}  ${d.locale}  ${d.byteSize.toLocaleString("en")} bytes  sha256 ${d.sha256}  ${formatZonedTime(d.createdAt, timeZone)}  ${madeFor}`;
}
