import type { Member } from "../directory/member.js";
import { HotlineError } from "../errors.js";
import type { Locale } from "../messages/locale.js";
import type { CoreContext } from "../ports.js";
import { cardContext } from "../tickets/flow-support.js";
import { canView, mayCallCustomer } from "../tickets/permissions.js";
import { normalizeTicketNumber, type Ticket } from "../tickets/ticket.js";
import type { ArchivedDocument, RecordFormat } from "./document-archive.js";
import type { RecordDocument } from "./record-document.js";
import { ticketFormOf, ticketRecord, type TicketForm } from "./ticket-record.js";

export interface TicketRecordRequest {
  number: string;
  /**
   * Who it is made for: they must be allowed to see the ticket, and read the customer's contact in
   * full only if they may call the customer. Omitted: the copy after-sales files to the leaders and
   * QA (§4 报送相关领导和质量保证部), the contact masked, as those readers see it.
   */
  reader?: Member | undefined;
  locale: Locale;
}

export interface PreparedTicketRecord {
  ticket: Ticket;
  form: TicketForm;
  document: RecordDocument;
}

/** Loads a ticket and its timeline and makes its form's content; refuses a ticket the manual has no form for. */
export async function prepareTicketRecord(ctx: CoreContext, request: TicketRecordRequest): Promise<PreparedTicketRecord> {
  const number = normalizeTicketNumber(request.number) ?? request.number;
  const ticket = await ctx.tickets.findByNumber(number);
  if (!ticket) throw new HotlineError("ticket_not_found", `no ticket ${number}`, { number });
  const { reader } = request;
  if (reader && !canView(reader, ticket, ctx.org)) throw new HotlineError("not_allowed", `${reader.id} may not view ${number}`, { number, refusal: "view" });
  const form = ticketFormOf(ticket);
  if (!form) throw new HotlineError("no_record_form", `${number} is a general item with no form of its own`, { number });
  const timeline = await ctx.tickets.timeline(ticket.id);
  const fullContact = reader !== undefined && mayCallCustomer(reader, ticket, ctx.org);
  const document = ticketRecord(form, ticket, timeline, await cardContext(ctx, request.locale), { fullContact, madeAt: ctx.clock() });
  return { ticket, form, document };
}

/**
 * Makes a ticket's form as a file and keeps it in the archive, as the next version. The form is
 * due when after-sales confirms a major ticket and again when it changes; the flows reach the
 * renderers through this port.
 */
export interface TicketRecordFiler {
  fileTicketRecord(request: TicketRecordRequest & { format: RecordFormat }): Promise<ArchivedDocument>;
}
