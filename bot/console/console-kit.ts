import { randomBytes, timingSafeEqual } from "node:crypto";
import type { HttpBindings } from "@hono/node-server";
import type { Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { actsOnAllTickets, managesDeliveries, type Member } from "../../core/directory/member.js";
import { localeSchema, pick, type Locale } from "../../core/messages/locale.js";
import type { CoreContext } from "../../core/ports.js";
import type { DocumentArchive } from "../../core/records/document-archive.js";
import type { PeriodRecordFiler } from "../../core/records/daily-record-flows.js";
import type { TicketRecordFiler } from "../../core/records/record-flows.js";
import type { ConsoleSession } from "../../prisma/stores/console-store.js";
import type { ConsoleSubmissionStore } from "../../prisma/stores/console-submission-store.js";
import type { OutboxStore } from "../../prisma/stores/outbox-store.js";
import type { TicketBoard } from "../../prisma/stores/ticket-board.js";
import type { AppUnitOfWork } from "../app.js";
import type { Logger } from "../logger.js";
import type { ConsoleAccess } from "./console-access.js";
import { notice, type PageContext } from "./console-pages.js";
import { text } from "./console-text.js";
import type { TicketChanges } from "./ticket-changes.js";
import type { FileDownloads } from "./ticket-files.js";

/** What the console needs from the composition root, and nothing more. */
export interface ConsoleDeps {
  access: ConsoleAccess;
  board: TicketBoard;
  /** Changes to tickets anywhere, for the boards open in browsers. */
  changes: TicketChanges;
  /** For reads: tickets, the directory, the organisation. */
  core: CoreContext;
  /** Actions run in one transaction, as a chat message's do, with their form's one-time key. */
  unitOfWork: AppUnitOfWork;
  /** What a form did when it was first sent, for the page it redirects to. */
  submissions: Pick<ConsoleSubmissionStore, "find">;
  /** Each platform's way to fetch a file it holds, for the ticket page's attachments. */
  downloads: FileDownloads;
  /** How long a file may take to come from its platform before the page says it failed. */
  fileTimeoutMs: number;
  /** A ticket's form (PDF or XLSX) made for the reader and kept in the archive, and the archive to read it back. */
  records: TicketRecordFiler;
  /** The archive: a ticket's form read back, a period's documents listed and served. */
  archive: Pick<DocumentArchive, "read" | "list">;
  /** The day's records and the week's measures, made on the reports page as their next versions. */
  periodRecords: PeriodRecordFiler;
  /** Failed deliveries, for those who look after them, and their retries. */
  outbox: Pick<OutboxStore, "list" | "retry">;
  /** The console is served over HTTPS (CONSOLE_URL): cookies are Secure. */
  secureCookies: boolean;
  /** After an action: send what it wrote to the outbox, queue its deadlines' timers. */
  afterChange: () => void;
  log: Logger;
}

export type ConsoleEnv = { Bindings: HttpBindings; Variables: { member: Member; session: ConsoleSession; locale: Locale } };
export type ConsoleContext = Context<ConsoleEnv>;
export type ConsoleHono = Hono<ConsoleEnv>;

export const SESSION_COOKIE = "hotline_session";
/** Before sign-in there is no session to hold the form token: the browser holds it (double submit). */
export const FORM_COOKIE = "hotline_form";
const LANGUAGE_COOKIE = "hotline_lang";

export const sameToken = (a: unknown, b: string) => typeof a === "string" && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** A page's one-time form key: 16 random bytes, too many to guess another member's. */
export const newSubmissionKey = () => randomBytes(16).toString("base64url");

/** What every area of the console shares: its dependencies, cookies, language and the pages' context. */
export interface ConsoleKit {
  deps: ConsoleDeps;
  cookieOptions: { httpOnly: true; sameSite: "Lax"; secure: boolean; path: "/console" };
  /** The client's address, for the access records. */
  address(c: ConsoleContext): string | undefined;
  /** The language asked for (`?lang=`, kept in a cookie), else the member's, else the organisation's. */
  languageOf(c: ConsoleContext, member?: Member): Locale;
  /** The context of a page shown before sign-in. */
  anonymousPage(c: ConsoleContext): PageContext;
  /** The context of a signed-in member's page, with a fresh one-time key for its forms. */
  signedInPage(c: ConsoleContext): PageContext;
  /** An error page: a sentence of the console's and a status. */
  refuse(c: ConsoleContext, sentence: "forbidden" | "notFound" | "noPage", status: 400 | 403 | 404): Response | Promise<Response>;
}

export function consoleKit(deps: ConsoleDeps): ConsoleKit {
  const cookieOptions = { httpOnly: true, sameSite: "Lax", secure: deps.secureCookies, path: "/console" } as const;
  const languageOf = (c: ConsoleContext, member?: Member): Locale => {
    const chosen = localeSchema.safeParse(c.req.query("lang") ?? getCookie(c, LANGUAGE_COOKIE));
    if (c.req.query("lang") && chosen.success) setCookie(c, LANGUAGE_COOKIE, chosen.data, { ...cookieOptions, maxAge: 365 * 86_400 });
    return chosen.success ? chosen.data : (member?.locale ?? deps.core.defaultLocale);
  };
  /** The current path and query without the language, for the language switch. */
  const here = (c: ConsoleContext) => {
    const url = new URL(c.req.url);
    url.searchParams.delete("lang");
    return url.pathname + url.search;
  };
  /** A form token for the pages shown before sign-in, kept in a cookie of its own. */
  const formToken = (c: ConsoleContext) => {
    const existing = getCookie(c, FORM_COOKIE);
    if (existing) return existing;
    const token = randomBytes(24).toString("base64url");
    setCookie(c, FORM_COOKIE, token, cookieOptions);
    return token;
  };
  return {
    deps,
    cookieOptions,
    address: (c) => c.env.incoming?.socket.remoteAddress,
    languageOf,
    anonymousPage: (c) => ({ locale: languageOf(c), csrfToken: formToken(c), here: here(c) }),
    signedInPage: (c) => ({
      locale: c.get("locale"),
      memberName: pick(c.get("member").name, c.get("locale")),
      managesDeliveries: managesDeliveries(c.get("member"), deps.core.org),
      readsReports: actsOnAllTickets(c.get("member"), deps.core.org),
      csrfToken: c.get("session").csrfToken,
      submissionKey: newSubmissionKey(),
      here: here(c),
    }),
    refuse: (c, sentence, status) => c.html(notice(text(c.get("locale"), sentence), "error"), status),
  };
}
