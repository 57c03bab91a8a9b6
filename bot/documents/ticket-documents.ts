import type { CoreContext } from "../../core/ports.js";
import type { ArchivedDocument, DocumentArchive, DocumentFormat } from "../../core/records/document-archive.js";
import type { RecordDocument } from "../../core/records/record-document.js";
import { prepareTicketRecord, type TicketRecordFiler, type TicketRecordRequest } from "../../core/records/record-flows.js";
import { renderRecordPdf, type PdfFont } from "./record-pdf.js";
import { renderRecordXlsx } from "./record-xlsx.js";

/** A record's content as a file of the format. */
export function renderRecord(record: RecordDocument, format: DocumentFormat, font: PdfFont): Promise<Buffer> {
  return format === "pdf" ? renderRecordPdf(record, font) : renderRecordXlsx(record);
}

/** Makes tickets' forms as PDF or XLSX files and keeps each in the archive, as its next version. */
export class TicketDocuments implements TicketRecordFiler {
  constructor(private readonly deps: { core: CoreContext; archive: DocumentArchive; font: PdfFont }) {}

  async fileTicketRecord(request: TicketRecordRequest & { format: DocumentFormat }): Promise<ArchivedDocument> {
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
}
