import type { CoreContext } from "../../core/ports.js";
import type { ArchivedDocument, DocumentArchive } from "../../core/records/document-archive.js";
import { CONTENT_TYPES, documentFileName } from "../../core/records/document-files.js";
import type { OutboundFile, OutboundFiles } from "../../jobs/delivery-queue.js";
import type { TicketDocuments } from "./ticket-documents.js";

/** A kept document as a chat platform sends it: named in its own language, with its content type. */
export function asOutboundFile(document: ArchivedDocument, content: Uint8Array, org: CoreContext["org"]): OutboundFile {
  return { bytes: content, name: documentFileName(document, { org, locale: document.locale }), contentType: CONTENT_TYPES[document.format] };
}

/** The files the outbox sends: tickets' forms, made when sent, and documents as the archive keeps them. */
export class OutboundDocuments implements OutboundFiles {
  constructor(private readonly deps: { org: CoreContext["org"]; archive: DocumentArchive; ticketRecords: TicketDocuments }) {}

  ticketForm(ticketId: number, since: Date): Promise<OutboundFile> {
    return this.deps.ticketRecords.filedForm(ticketId, since);
  }

  async archived(documentId: number): Promise<OutboundFile | undefined> {
    const kept = await this.deps.archive.read(documentId);
    return kept && asOutboundFile(kept.document, kept.content, this.deps.org);
  }
}
