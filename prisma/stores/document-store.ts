import { createHash } from "node:crypto";
import type { Clock } from "../../core/ports.js";
import type { ArchivedDocument, DocumentArchive, DocumentFormat, NewDocument } from "../../core/records/document-archive.js";
import type { Locale } from "../../core/messages/locale.js";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Storage } from "../storage/storage.js";

/** Everything but the bytes: a list never reads the files themselves. */
const DESCRIPTION = {
  id: true, kind: true, subject: true, ticketId: true, period: true, format: true, locale: true, madeFor: true, version: true, sha256: true, byteSize: true, createdAt: true,
} as const;
type DescriptionRow = Prisma.DocumentGetPayload<{ select: typeof DESCRIPTION }>;

const toDocument = (row: DescriptionRow): ArchivedDocument => ({ ...row, format: row.format as DocumentFormat, locale: row.locale as Locale });

export const sha256Of = (content: Uint8Array) => createHash("sha256").update(content).digest("hex");

/** The bytes read back are not the bytes kept: the archive's copy is damaged. */
export class DocumentDamaged extends Error {
  override readonly name = "DocumentDamaged";
}

/** The archive in the database: each document with its checksum and size, versions kept side by side. */
export class DocumentStore implements DocumentArchive {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock = () => new Date(),
  ) {}

  keep(document: NewDocument): Promise<ArchivedDocument> {
    const { content, ...described } = document;
    return this.storage.transaction(async (tx) => {
      // Two processes making the same record at once take versions one after the other.
      await tx.lock(`document:${described.kind}:${described.subject}:${described.format}`);
      const latest = await tx.prisma.document.findFirst({
        where: { kind: described.kind, subject: described.subject, format: described.format },
        orderBy: { version: "desc" },
        select: { version: true },
      });
      const row = await tx.prisma.document.create({
        data: { ...described, version: (latest?.version ?? 0) + 1, sha256: sha256Of(content), byteSize: content.byteLength, content: new Uint8Array(content), createdAt: this.clock() },
        select: DESCRIPTION,
      });
      return toDocument(row);
    });
  }

  async list(filter: { ticketId?: number; period?: string } = {}): Promise<ArchivedDocument[]> {
    const rows = await this.storage.prisma.document.findMany({
      where: { ...(filter.ticketId === undefined ? {} : { ticketId: filter.ticketId }), ...(filter.period === undefined ? {} : { period: filter.period }) },
      select: DESCRIPTION,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    });
    return rows.map(toDocument);
  }

  async read(id: number): Promise<{ document: ArchivedDocument; content: Uint8Array } | undefined> {
    const row = await this.storage.prisma.document.findUnique({ where: { id }, select: { ...DESCRIPTION, content: true } });
    if (!row) return undefined;
    const { content, ...described } = row;
    const document = toDocument(described);
    const actual = sha256Of(content);
    if (actual !== document.sha256 || content.byteLength !== document.byteSize) {
      throw new DocumentDamaged(`document ${id} is damaged: its ${content.byteLength} bytes hash to ${actual}, but ${document.byteSize} bytes hashing to ${document.sha256} were kept`);
    }
    return { document, content };
  }
}
