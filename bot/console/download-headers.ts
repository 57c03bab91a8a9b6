/**
 * The headers a download is served with: a file to save, never a page the browser reads (`nosniff`),
 * nor one it keeps (a record may hold a customer's contact). The name goes as UTF-8 (RFC 6266's
 * `filename*`), and as `fallback`, ASCII, for browsers that read only `filename`.
 */
export function downloadHeaders(file: { name: string; contentType: string; fallback?: string }): Record<string, string> {
  const fallback = (file.fallback ?? file.name).replace(/[^\x20-\x7e]|["\\]/g, "_");
  return {
    "content-type": file.contentType,
    "content-disposition": `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
  };
}
