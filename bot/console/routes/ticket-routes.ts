import { z } from "zod";
import { COMMANDS } from "../../../core/conversation/commands.js";
import { organisationTerms } from "../../../core/directory/organisation-terms.js";
import type { Card } from "../../../core/messages/card.js";
import { t } from "../../../core/messages/catalog.js";
import { RECORD_FORMATS } from "../../../core/records/document-archive.js";
import { CONTENT_TYPES } from "../../../core/records/document-files.js";
import { ticketFormOf } from "../../../core/records/ticket-record.js";
import { canView } from "../../../core/tickets/permissions.js";
import { normalizeTicketNumber, type Ticket } from "../../../core/tickets/ticket.js";
import { showTicketWithTimeline } from "../../../core/tickets/ticket-flows.js";
import type { ConsoleForms } from "../console-forms.js";
import { downloadHeaders } from "../download-headers.js";
import type { ConsoleContext, ConsoleHono, ConsoleKit } from "../console-kit.js";
import { notice, ticketPage } from "../console-pages.js";
import { text } from "../console-text.js";
import { fileHeaders, filesOf, type FileDownloads } from "../ticket-files.js";

/** The commands that act on a ticket, as the ticket page offers them. */
const TICKET_COMMANDS = COMMANDS.filter((row) => row.ticket);
const actionForm = z.union([
  z.object({ choice: z.string().min(1).max(200) }),
  z.object({ answer: z.string().min(1).max(4000) }),
  z.object({ command: z.enum(TICKET_COMMANDS.map((row) => row.name) as [string, ...string[]]), text: z.string().max(4000).default("") }),
]);

/** A ticket's page, its files and its form as the manual names it, and the actions taken on it. */
export function ticketRoutes(app: ConsoleHono, kit: ConsoleKit, forms: ConsoleForms): void {
  const { deps } = kit;
  const notFound = (c: ConsoleContext) => kit.refuse(c, "notFound", 404);

  /** The ticket the path names, if the member may see it; another center's ticket is as unknown as a missing one. */
  const visibleTicket = async (c: ConsoleContext) => {
    const number = normalizeTicketNumber(c.req.param("number") ?? "") ?? "";
    const ticket = number ? await deps.core.tickets.findByNumber(number) : undefined;
    return ticket && canView(c.get("member"), ticket, deps.core.org) ? ticket : undefined;
  };
  /** The ticket's page from the ticket read once: its card, timeline, files, form and the commands it takes. */
  const showTicketPage = async (c: ConsoleContext, ticket: Ticket, results: Card[] = []) => {
    const member = c.get("member"), locale = c.get("locale");
    const shown = await showTicketWithTimeline(deps.core, member, ticket, { seenByOthers: false });
    const terms = organisationTerms(deps.core.org, locale);
    const commands = TICKET_COMMANDS.map((row) => ({ name: row.name, usage: row.usage, help: t(locale, row.help, terms) }));
    const form = ticketFormOf(ticket);
    const files = filesOf(ticket).map((file) => ({ kind: file.kind, name: file.name, platform: file.platform, fetchable: deps.downloads[file.platform as keyof FileDownloads] !== undefined }));
    const record = form ? { title: t(locale, `document.form.${form}`), formats: [...RECORD_FORMATS] } : undefined;
    return c.html(ticketPage(kit.signedInPage(c), { number: ticket.number, cards: [shown.card], timeline: [shown.timeline], results, commands, files, record }));
  };

  app.get("/tickets/:number", async (c) => {
    const ticket = await visibleTicket(c);
    return ticket ? showTicketPage(c, ticket, (await forms.resultShown(c)) ?? []) : notFound(c);
  });

  // A ticket's file, fetched from the platform it came in on; only for those who may see the ticket.
  app.get("/tickets/:number/files/:position", async (c) => {
    const ticket = await visibleTicket(c);
    const position = Number(c.req.param("position"));
    const file = ticket && Number.isInteger(position) ? filesOf(ticket)[position] : undefined;
    if (!file) return notFound(c);
    const download = deps.downloads[file.platform as keyof FileDownloads];
    if (!download) return c.html(notice(text(c.get("locale"), "fileUnavailable", { platform: file.platform }), "error"), 404);
    const signal = AbortSignal.timeout(deps.fileTimeoutMs);
    try {
      const bytes = await download(file.fileId, signal);
      return c.body(new Uint8Array(bytes), 200, fileHeaders(file, bytes, position));
    } catch (error) {
      deps.log.warn({ err: error, ticket: ticket!.number, platform: file.platform }, "console: could not fetch a file from its platform");
      return c.html(notice(text(c.get("locale"), "fileFailed", { platform: file.platform }), "error"), signal.aborted ? 504 : 502);
    }
  });

  // The ticket's form as the manual names it, made for the reader (their view of the customer's
  // contact) and kept in the archive as its next version, as `hotline documents ticket` does.
  app.get("/tickets/:number/record/:format", async (c) => {
    const ticket = await visibleTicket(c);
    const format = z.enum(RECORD_FORMATS).safeParse(c.req.param("format"));
    const form = ticket && ticketFormOf(ticket);
    if (!ticket || !form || !format.success) return notFound(c);
    const member = c.get("member");
    const kept = await deps.records.fileTicketRecord({ number: ticket.number, reader: member, locale: c.get("locale"), format: format.data });
    const { content } = (await deps.archive.read(kept.id))!;
    const name = `${ticket.number}-${t(c.get("locale"), `document.form.${form}`)}-v${kept.version}.${format.data}`;
    return c.body(new Uint8Array(content), 200, downloadHeaders({ name, contentType: CONTENT_TYPES[format.data], fallback: `${ticket.number}-v${kept.version}.${format.data}` }));
  });

  // An action is a chat command in the member's console conversation: the same checks, notices and follow-up questions.
  // Done once per form, then redirected to the ticket's page with its replies, so a reload sends nothing.
  app.post("/tickets/:number", async (c) => {
    const ticket = await visibleTicket(c);
    if (!ticket) return notFound(c);
    const body = await c.req.parseBody();
    const form = actionForm.safeParse(body);
    const key = forms.keyOf(body);
    if (!form.success || !key) return kit.refuse(c, "forbidden", 400);
    const input = "choice" in form.data ? { choice: form.data.choice } : "answer" in form.data ? { text: form.data.answer } : { text: `/${form.data.command} ${ticket.number} ${form.data.text}`.trim() };
    if (!(await forms.runOnce(c, key, input))) return kit.refuse(c, "forbidden", 400);
    return c.redirect(`/console/tickets/${ticket.number}?result=${key}`, 303);
  });
}
