import type { Platform } from "../../core/directory/organisation.js";
import type { AttachmentRef, Ticket } from "../../core/tickets/ticket.js";

/** A platform's way to fetch the bytes of a file it holds (Telegram's getFile, Slack's files.info…), given up on `signal`. */
export type FileDownload = (fileId: string, signal: AbortSignal) => Promise<Buffer>;
export type FileDownloads = Partial<Record<Platform, FileDownload>>;

/** Every file on a ticket: its own, then those of its work records (a signed agreement), in the order kept. */
export const filesOf = (ticket: Ticket): AttachmentRef[] => [...ticket.attachments, ...ticket.records.flatMap((record) => record.attachments)];

/** The image types a browser may show inline, by their first bytes (never by what the sender said). */
const IMAGE_SIGNATURES: [string, (bytes: Buffer) => boolean][] = [
  ["image/jpeg", (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ["image/png", (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ["image/gif", (b) => b.subarray(0, 4).toString("latin1") === "GIF8"],
  ["image/webp", (b) => b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP"],
];

export const imageTypeOf = (bytes: Buffer): string | undefined => IMAGE_SIGNATURES.find(([, matches]) => matches(bytes))?.[0];

/**
 * The headers a file is served with. An image is shown inline as the type its bytes are; anything
 * else is a download that the browser must not read as a page (a file may hold HTML or script).
 */
export function fileHeaders(file: AttachmentRef, bytes: Buffer, position: number): Record<string, string> {
  const image = imageTypeOf(bytes);
  const name = file.name ?? `${file.kind === "photo" ? "photo" : "file"}-${position + 1}${image ? `.${image.slice("image/".length)}` : ""}`;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return {
    "content-type": image ?? "application/octet-stream",
    "content-disposition": `${image ? "inline" : "attachment"}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": "private, max-age=3600",
  };
}
