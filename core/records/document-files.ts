import { t } from "../messages/catalog.js";
import type { CardContext } from "../tickets/ticket-card.js";
import type { ArchivedDocument, DocumentFormat } from "./document-archive.js";
import { formTitle, type TitledRecord } from "./ticket-record.js";

/** How each format is announced to whoever receives it (a chat platform, a browser). */
export const CONTENT_TYPES: Record<DocumentFormat, string> = {
  pdf: "application/pdf",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  png: "image/png",
};

/** The charts kept beside the records they are printed in; the records are titled as the manual names them. */
const CHART_TITLES = { daily_charts: "document.form.daily_charts", weekly_trend: "document.form.weekly_trend" } as const;

/** A kept document's title in the reader's language: the record's (the organisation's name for it), or its chart's. */
export function documentTitle(kind: string, ctx: Pick<CardContext, "org" | "locale">): string {
  return kind in CHART_TITLES ? t(ctx.locale, CHART_TITLES[kind as keyof typeof CHART_TITLES]) : formTitle(kind as TitledRecord, ctx);
}

/**
 * The name a document has as a file: what it records, then its title
 * (`HL-20261126-0001-重大售后质量信息报告单.pdf`, `2026-11-26-售后服务电话接听日报表.xlsx`).
 * A period's spaces are dropped (`2026-11-23~2026-11-29-…`): some platforms cut names at one.
 */
export function documentFileName(document: Pick<ArchivedDocument, "kind" | "subject" | "format">, ctx: Pick<CardContext, "org" | "locale">): string {
  return `${document.subject.replace(/\s+/g, "")}-${documentTitle(document.kind, ctx)}.${document.format}`;
}

/**
 * A document's name among its versions, in ASCII: `<kind>-<subject>-v<version>.<format>`
 * (`hotline_call_log-2026-11-26-v2.pdf`, a week's `2026-11-20_2026-11-26`), for a file written
 * beside its other versions and for browsers that read no UTF-8 name.
 */
export function versionedFileName(document: Pick<ArchivedDocument, "kind" | "subject" | "format" | "version">): string {
  return `${document.kind}-${document.subject.replaceAll(" ", "").replace("~", "_")}-v${document.version}.${document.format}`;
}
