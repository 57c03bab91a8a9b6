import type { CoreContext } from "../../core/ports.js";
import type { ArchivedDocument, DocumentArchive, RecordFormat } from "../../core/records/document-archive.js";
import type { RecordDocument } from "../../core/records/record-document.js";
import { prepareTicketRecord, type TicketRecordFiler, type TicketRecordRequest } from "../../core/records/record-flows.js";
import type { OutboundFile } from "../../jobs/delivery-queue.js";
import { asOutboundFile } from "./outbound-files.js";
import { renderRecordPdf, type PdfFont } from "./record-pdf.js";
import { renderRecordXlsx } from "./record-xlsx.js";

/** A record's content as a file of the format. */
export function renderRecord(record: RecordDocument, format: RecordFormat, font: PdfFont): Promise<Buffer> {
  return format === "pdf" ? renderRecordPdf(record, font) : renderRecordXlsx(record);
}

/** Makes tickets' forms as PDF or XLSX files and keeps each in the archive, as its next version. */
export class TicketDocuments implements TicketRecordFiler {
  private readonly making = new Map<string, Promise<OutboundFile>>();

  constructor(private readonly deps: { core: CoreContext; archive: DocumentArchive; font: PdfFont }) {}

  async fileTicketRecord(request: TicketRecordRequest & { format: RecordFormat }): Promise<ArchivedDocument> {
    const { ticket, form, document } = await prepareTicketRecord(this.deps.core, request);
    const content = await renderRecord(document, request.format, this.deps.font);
    return this.deps.archive.keep({
      kind: form,
      subject: ticket.number,
      ticketId: ticket.id,
      period: null,
      format: request.format,
      locale: request.locale,
      madeFor: request.reader?.id ?? null,
      content,
    });
  }

  /**
   * The filed copy of a ticket's form as a PDF (the customer's contact masked), for the messages of
   * a change made at `since`: the newest kept one when it was made since, else made anew as the next
   * version. So a change is filed once, however many recipients it goes to.
   */
  filedForm(ticketId: number, since: Date): Promise<OutboundFile> {
    // The messages of one change are sent side by side: they wait for one making, not one each.
    const key = `${ticketId}@${since.getTime()}`;
    const making = this.making.get(key) ?? this.makeFiledForm(ticketId, since).finally(() => this.making.delete(key));
    this.making.set(key, making);
    return making;
  }

  private async makeFiledForm(ticketId: number, since: Date): Promise<OutboundFile> {
    const { core, archive } = this.deps;
    const ticket = await core.tickets.findById(ticketId);
    if (!ticket) throw new Error(`no ticket with id ${ticketId}`);
    const filed = (await archive.list({ ticketId })).find((d) => d.madeFor === null && d.format === "pdf" && d.locale === core.defaultLocale);
    const current = filed && filed.createdAt >= since ? filed : await this.fileTicketRecord({ number: ticket.number, locale: core.defaultLocale, format: "pdf" });
    const { document, content } = (await archive.read(current.id))!;
    return asOutboundFile(document, content, core.org);
  }
}
