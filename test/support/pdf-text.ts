import { execFileSync } from "node:child_process";

/** A PDF's text as poppler's pdftotext reads it (Debian's poppler-utils), in its layout. */
export function pdfText(content: Uint8Array): string {
  return execFileSync("pdftotext", ["-layout", "-", "-"], { input: content, encoding: "utf8" });
}
