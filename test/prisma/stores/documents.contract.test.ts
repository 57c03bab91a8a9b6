import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { NewDocument } from "../../../core/records/document-archive.js";
import { DocumentDamaged, DocumentStore } from "../../../prisma/stores/document-store.js";
import { PrismaTicketStore } from "../../../prisma/stores/ticket-store.js";
import { DIALECTS, ticketDraft, useStorage } from "./contract-support.js";

const NOW = new Date("2026-11-26T02:00:00Z");

/** Bytes that are not text, zero bytes and high bytes included: a database must keep them as they are. */
const bytes = (seed: number, length = 4096) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 17) % 256);

const form = (content: Uint8Array, overrides: Partial<NewDocument> = {}): NewDocument => ({
  kind: "major_quality_report", subject: "HL-20261126-0001", ticketId: null, period: null, format: "pdf", locale: "zh-CN", madeFor: null, content, ...overrides,
});

describe.each(DIALECTS)("the document archive on %s", (dialect) => {
  const scene = useStorage(dialect);
  let clock = NOW;
  const store = () => new DocumentStore(scene.storage, () => clock);

  it("keeps every version of a record, numbered per kind, subject and format, with the checksum and size of its bytes", async () => {
    const first = await store().keep(form(bytes(1)));
    const second = await store().keep(form(bytes(2)));
    const xlsx = await store().keep(form(bytes(3), { format: "xlsx" }));
    const other = await store().keep(form(bytes(4), { subject: "HL-20261126-0002" }));
    expect([first.version, second.version, xlsx.version, other.version]).toEqual([1, 2, 1, 1]);
    expect(first).toEqual({
      id: first.id, kind: "major_quality_report", subject: "HL-20261126-0001", ticketId: null, period: null, format: "pdf", locale: "zh-CN", madeFor: null,
      version: 1, sha256: createHash("sha256").update(bytes(1)).digest("hex"), byteSize: 4096, createdAt: NOW,
    });
    for (const [kept, seed] of [[first, 1], [second, 2]] as const) {
      const read = await store().read(kept.id);
      expect(read?.document).toEqual(kept);
      expect(Buffer.from(read!.content).equals(Buffer.from(bytes(seed)))).toBe(true);
    }
    expect(await store().read(other.id + 100)).toBeUndefined();
  });

  it("gives records made at the same moment versions one after the other", async () => {
    const kept = await Promise.all(Array.from({ length: 6 }, (_, i) => store().keep(form(bytes(i)))));
    expect(kept.map((d) => d.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("lists newest first, a ticket's alone when asked, without reading the bytes", async () => {
    const ticket = await new PrismaTicketStore(scene.storage, () => NOW).create(ticketDraft(), () => []);
    const daily = await store().keep(form(bytes(1), { kind: "hotline_daily", subject: "2026-11-26", period: "2026-11-26", format: "xlsx" }));
    clock = new Date(NOW.getTime() + 60_000);
    const ticketForm = await store().keep(form(bytes(2), { subject: ticket.number, ticketId: ticket.id, madeFor: "zhou.min", locale: "en" }));
    expect(await store().list()).toEqual([ticketForm, daily]);
    expect(await store().list({ ticketId: ticket.id })).toEqual([ticketForm]);
    expect(ticketForm).toMatchObject({ ticketId: ticket.id, madeFor: "zhou.min", locale: "en" });
    expect(daily).toMatchObject({ ticketId: null, period: "2026-11-26" });
    expect(Object.keys(ticketForm)).not.toContain("content");
    clock = NOW;
  });

  it("lists a period's documents alone when asked, every version of them", async () => {
    const day = { kind: "hotline_call_log", subject: "2026-11-26", period: "2026-11-26", format: "pdf" } as const;
    const first = await store().keep(form(bytes(1), day));
    const week = await store().keep(form(bytes(2), { kind: "weekly_measures", subject: "2026-11-20 ~ 2026-11-26", period: "2026-11-20 ~ 2026-11-26" }));
    await store().keep(form(bytes(3), { kind: "hotline_call_log", subject: "2026-11-25", period: "2026-11-25" }));
    await store().keep(form(bytes(4))); // a ticket's form: no period
    clock = new Date(NOW.getTime() + 60_000);
    const second = await store().keep(form(bytes(5), day));
    clock = NOW;
    expect(await store().list({ period: "2026-11-26" })).toEqual([second, first]);
    expect(await store().list({ period: "2026-11-20 ~ 2026-11-26" })).toEqual([week]);
    expect(await store().list({ period: "2026-11-27" })).toEqual([]);
  });

  it("refuses to hand back bytes that no longer match their checksum, naming the document", async () => {
    const kept = await store().keep(form(bytes(1)));
    await scene.storage.prisma.document.update({ where: { id: kept.id }, data: { content: bytes(9) } });
    const refused = await store().read(kept.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DocumentDamaged);
    expect((refused as Error).message).toContain(`document ${kept.id} is damaged`);
    expect((refused as Error).message).toContain(kept.sha256);
  });
});
