import { randomBytes, timingSafeEqual } from "node:crypto";
import type { HttpBindings } from "@hono/node-server";
import { Hono, type Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { COMMANDS } from "../../core/conversation/commands.js";
import { handleMessage, pendingPrompt } from "../../core/conversation/handle-message.js";
import { reportSoFar } from "../../core/conversation/report-so-far.js";
import { readReports } from "../../core/reports/report-flows.js";
import { RECORD_FORMATS, type DocumentArchive } from "../../core/records/document-archive.js";
import type { TicketRecordFiler } from "../../core/records/record-flows.js";
import { ticketFormOf } from "../../core/records/ticket-record.js";
import { actsOnAllTickets, managesDeliveries, type Member } from "../../core/directory/member.js";
import { organisationTerms } from "../../core/directory/organisation-terms.js";
import { t } from "../../core/messages/catalog.js";
import { localeSchema, pick, type Locale } from "../../core/messages/locale.js";
import type { CoreContext } from "../../core/ports.js";
import { canView } from "../../core/tickets/permissions.js";
import { normalizeTicketNumber, TICKET_STATUSES } from "../../core/tickets/ticket.js";
import { showTicket } from "../../core/tickets/ticket-flows.js";
import { showTimeline } from "../../core/tickets/timeline-flows.js";
import { formatLocalTime } from "../../core/time/business-time.js";
import type { ConsoleSession } from "../../prisma/stores/console-store.js";
import type { ConsoleSubmission, ConsoleSubmissionStore } from "../../prisma/stores/console-submission-store.js";
import type { OutboxStore } from "../../prisma/stores/outbox-store.js";
import { BOARD_PAGE_SIZE, type BoardFilter, type TicketBoard } from "../../prisma/stores/ticket-board.js";
import type { AppUnitOfWork } from "../app.js";
import type { Logger } from "../logger.js";
import { firstLineOf, recipientText } from "../outbox-listing.js";
import { MIN_PASSWORD_LENGTH, type ConsoleAccess, type OpenedSession, type SignInRefusal } from "./console-access.js";
import { boardPage, CONSOLE_CSS, deliveriesPage, reportsPage, linkPage, notice, passwordPage, reportPage, signInPage, ticketPage, type PageContext } from "./console-pages.js";
import { text } from "./console-text.js";
import type { TicketChanges } from "./ticket-changes.js";
import { fileHeaders, filesOf, type FileDownloads } from "./ticket-files.js";

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
  archive: Pick<DocumentArchive, "read">;
  /** Failed deliveries, for those who look after them, and their retries. */
  outbox: Pick<OutboxStore, "list" | "retry">;
  /** The console is served over HTTPS (CONSOLE_URL): cookies are Secure. */
  secureCookies: boolean;
  /** After an action: send what it wrote to the outbox, queue its deadlines' timers. */
  afterChange: () => void;
  log: Logger;
}

const SESSION_COOKIE = "hotline_session";
/** Before sign-in there is no session to hold the form token: the browser holds it (double submit). */
const FORM_COOKIE = "hotline_form";
const LANGUAGE_COOKIE = "hotline_lang";

type Env = { Bindings: HttpBindings; Variables: { member: Member; session: ConsoleSession; locale: Locale } };
type ConsoleContext = Context<Env>;

const sameToken = (a: unknown, b: string) => typeof a === "string" && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const boardQuery = z.object({
  kind: z.enum(["fault", "complaint"]).optional().catch(undefined),
  level: z.enum(["general", "1", "2", "3"]).optional().catch(undefined),
  status: z.enum(["open", ...TICKET_STATUSES]).optional().catch(undefined),
  serviceCenterId: z.string().max(64).optional(),
  departmentId: z.string().max(64).optional(),
  overdue: z.literal("1").optional().catch(undefined),
  search: z.string().max(100).optional(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  mine: z.literal("1").optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

/** A form's one-time key, as `submissionKey()` makes it: 16 random bytes. */
const SUBMISSION_KEY = z.string().regex(/^[A-Za-z0-9_-]{22}$/);
const submissionKey = () => randomBytes(16).toString("base64url");

const reportsQuery = z.object({
  period: z.enum(["today", "week"]).catch("today").default("today"),
  date: z.string().max(10).optional().transform((date) => date || undefined),
});

/** The commands that act on a ticket, as the ticket page offers them. */
const TICKET_COMMANDS = COMMANDS.filter((row) => row.ticket);
const CHOICE = z.object({ choice: z.string().min(1).max(200) });
const ANSWER = z.object({ answer: z.string().min(1).max(4000) });
const reportForm = z.union([z.object({ start: z.literal("1") }), CHOICE, ANSWER]);
const actionForm = z.union([
  CHOICE,
  ANSWER,
  z.object({ command: z.enum(TICKET_COMMANDS.map((row) => row.name) as [string, ...string[]]), text: z.string().max(4000).default("") }),
]);

/**
 * The web console, the fourth adapter: sign-in by one-time link or password, the board of tickets,
 * and each ticket's page with the actions the chats have, through the same core flows and permissions.
 */
export function consoleApp(deps: ConsoleDeps): Hono<Env> {
  const app = new Hono<Env>().basePath("/console");
  const address = (c: ConsoleContext) => c.env.incoming?.socket.remoteAddress;
  const cookieOptions = { httpOnly: true, sameSite: "Lax", secure: deps.secureCookies, path: "/console" } as const;

  const languageOf = (c: ConsoleContext, member?: Member): Locale => {
    const chosen = localeSchema.safeParse(c.req.query("lang") ?? getCookie(c, LANGUAGE_COOKIE));
    if (c.req.query("lang") && chosen.success) setCookie(c, LANGUAGE_COOKIE, chosen.data, { ...cookieOptions, maxAge: 365 * 86_400 });
    return chosen.success ? chosen.data : (member?.locale ?? deps.core.defaultLocale);
  };
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
  const anonymousPage = (c: ConsoleContext): PageContext => ({ locale: languageOf(c), csrfToken: formToken(c), here: here(c) });
  const signedInPage = (c: ConsoleContext): PageContext => ({
    locale: c.get("locale"),
    memberName: pick(c.get("member").name, c.get("locale")),
    managesDeliveries: managesDeliveries(c.get("member"), deps.core.org),
    readsReports: actsOnAllTickets(c.get("member"), deps.core.org),
    csrfToken: c.get("session").csrfToken,
    submissionKey: submissionKey(),
    here: here(c),
  });
  const refusalText = (locale: Locale, refused: SignInRefusal, retryAt?: Date) =>
    text(locale, `refused.${refused}`, { time: retryAt ? retryAt.toLocaleTimeString(locale, { timeZone: deps.core.timeZone }) : "" });
  // The server ends the session at its time; the cookie itself lives as long as the browser, so a browser's clock cannot end or stretch it.
  const startSession = (c: ConsoleContext, opened: OpenedSession) => setCookie(c, SESSION_COOKIE, opened.token, cookieOptions);

  app.get("/console.css", (c) => c.body(CONSOLE_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "max-age=3600" }));

  // Before sign-in: every form carries the token its page set in a cookie, or it is refused.
  const anonymousForm = async (c: ConsoleContext) => {
    const body = await c.req.parseBody();
    const cookie = getCookie(c, FORM_COOKIE);
    return cookie && sameToken(body["_csrf"], cookie) ? body : undefined;
  };

  app.get("/sign-in", (c) => c.html(signInPage(anonymousPage(c))));
  app.post("/sign-in", async (c) => {
    const body = await anonymousForm(c);
    if (!body) return c.html(signInPage(anonymousPage(c), notice(text(languageOf(c), "forbidden"), "error")), 403);
    const memberId = typeof body["member"] === "string" ? body["member"].trim() : "";
    const password = typeof body["password"] === "string" ? body["password"] : "";
    const result = await deps.access.signInWithPassword(memberId, password, address(c));
    if ("refused" in result) return c.html(signInPage(anonymousPage(c), notice(refusalText(languageOf(c), result.refused, result.retryAt), "error")), 401);
    startSession(c, result);
    return c.redirect("/console", 303);
  });

  // A link opens a page with a button: link previews in chat apps fetch the page without using the link up.
  app.get("/link/:code", (c) => c.html(linkPage(anonymousPage(c), c.req.param("code"))));
  app.post("/link/:code", async (c) => {
    const body = await anonymousForm(c);
    if (!body) return c.html(linkPage(anonymousPage(c), c.req.param("code"), notice(text(languageOf(c), "forbidden"), "error")), 403);
    const result = await deps.access.signInWithLink(c.req.param("code"), address(c));
    if ("refused" in result) return c.html(signInPage(anonymousPage(c), notice(refusalText(languageOf(c), result.refused), "error")), 401);
    startSession(c, result);
    return c.redirect("/console/password", 303);
  });

  // Everything else needs a session; every form in it carries the session's token.
  app.use("*", async (c, next) => {
    const signedIn = await deps.access.sessionOf(getCookie(c, SESSION_COOKIE));
    if (!signedIn) return c.req.method === "GET" ? c.redirect("/console/sign-in", 303) : c.text("sign in first", 401);
    c.set("member", signedIn.member);
    c.set("session", signedIn.session);
    c.set("locale", languageOf(c, signedIn.member));
    if (c.req.method === "POST") {
      const body = await c.req.parseBody();
      if (!sameToken(body["_csrf"], signedIn.session.csrfToken)) return c.html(notice(text(c.get("locale"), "forbidden"), "error"), 403);
    }
    await next();
  });

  app.post("/sign-out", async (c) => {
    await deps.access.signOut(c.get("session"), address(c));
    setCookie(c, SESSION_COOKIE, "", { ...cookieOptions, maxAge: 0 });
    return c.redirect("/console/sign-in", 303);
  });

  app.get("/password", (c) => c.html(passwordPage(signedInPage(c))));
  app.post("/password", async (c) => {
    const password = (await c.req.parseBody())["password"];
    const locale = c.get("locale");
    if (typeof password !== "string" || [...password].length < MIN_PASSWORD_LENGTH) return c.html(passwordPage(signedInPage(c), notice(text(locale, "passwordTooShort"), "error")), 400);
    await deps.access.setPassword(c.get("member").id, password, address(c));
    return c.html(passwordPage(signedInPage(c), notice(text(locale, "passwordSet"), "success")));
  });

  /** The board's filter as the query gives it, and who is looking. */
  const boardRequest = (c: ConsoleContext) => {
    const { mine, overdue, page, ...query } = boardQuery.parse(c.req.query());
    const member = c.get("member");
    const filter: BoardFilter = { ...query, mine: mine === "1", overdue: overdue === "1" };
    const viewer = { memberId: member.id, departmentId: member.departmentId, serviceCenterId: member.serviceCenterId, seesAll: actsOnAllTickets(member, deps.core.org) };
    return { filter, page, viewer };
  };

  app.get("/", async (c) => {
    const locale = c.get("locale");
    const { filter, page, viewer } = boardRequest(c);
    const { rows, total } = await deps.board.page(viewer, filter, page);
    const pages = Math.max(1, Math.ceil(total / BOARD_PAGE_SIZE));
    const kept = new URLSearchParams(Object.entries(c.req.query()).filter(([key, value]) => key !== "page" && key !== "lang" && value !== ""));
    return c.html(
      boardPage(signedInPage(c), {
        filter, rows, total, page, pages, query: kept.toString(),
        centers: deps.core.org.serviceCenters.map((sc) => [sc.id, pick(sc.name, locale)]),
        departments: deps.core.org.departments.map((department) => [department.id, pick(department.name, locale)]),
        statuses: TICKET_STATUSES.map((status) => [status, t(locale, `status.${status}`)]),
      }),
    );
  });

  // How many tickets each filter's choices would show: asked for by the board's page after it is shown,
  // since counting every choice over many tickets takes longer than the page itself.
  app.get("/counts", async (c) => {
    const { filter, viewer } = boardRequest(c);
    return c.json(await deps.board.counts(viewer, filter), 200, { "cache-control": "no-store" });
  });

  // The member's console conversation: actions and the report dialog run there as chat messages do.
  const conversationOf = (member: Member) => `web:${member.id}`;
  /**
   * Runs a form's input once per one-time key, the key claimed in the same transaction: a second
   * send of the form (even at the same instant) does nothing and gets the first send's outcome.
   * Undefined when the key is another member's.
   */
  const runOnce = async (c: ConsoleContext, key: string, input: { text?: string; choice?: string }): Promise<ConsoleSubmission | undefined> => {
    const member = c.get("member");
    const { outcome, ran } = await deps.unitOfWork.run(async ({ core, submissions }) => {
      if (!(await submissions.claim(key, member.id, core.clock()))) return { ran: false, outcome: await submissions.find(key, member.id) };
      const result = await handleMessage(core, { member, conversation: conversationOf(member), seenByOthers: false, ...input });
      const outcome = { memberId: member.id, ticketNumber: result.openedTicket ?? null, replies: result.replies };
      await submissions.settle(key, outcome);
      return { ran: true, outcome };
    });
    if (ran) deps.afterChange();
    return outcome;
  };
  /** The key a form was sent with, when it has a well-formed one. */
  const keyOf = (body: Record<string, unknown>) => {
    const key = SUBMISSION_KEY.safeParse(body["_once"]);
    return key.success ? key.data : undefined;
  };
  /** The replies of the member's form that redirected here (`?result=<key>`); reading them again changes nothing. */
  const resultShown = async (c: ConsoleContext) => {
    const key = SUBMISSION_KEY.safeParse(c.req.query("result"));
    return key.success ? (await deps.submissions.find(key.data, c.get("member").id))?.replies : undefined;
  };
  // The board's live updates (server-sent events): "changed" whenever a ticket changed anywhere; the page fetches itself again.
  app.get("/events", (c) =>
    streamSSE(c, async (stream) => {
      await new Promise<void>((resolve) => {
        const unsubscribe = deps.changes.subscribe({ changed: () => void stream.writeSSE({ event: "changed", data: "" }).catch(() => {}), closed: resolve });
        const keepAlive = setInterval(() => void stream.write(": keep-alive\n\n").catch(() => {}), 25_000);
        stream.onAbort(() => {
          clearInterval(keepAlive);
          unsubscribe();
          resolve();
        });
      });
    }),
  );

  /** The ticket the path names, if the member may see it; another center's ticket is as unknown as a missing one. */
  const visibleTicket = async (c: ConsoleContext) => {
    const number = normalizeTicketNumber(c.req.param("number") ?? "") ?? "";
    const ticket = number ? await deps.core.tickets.findByNumber(number) : undefined;
    return ticket && canView(c.get("member"), ticket, deps.core.org) ? ticket : undefined;
  };
  const showTicketPage = async (c: ConsoleContext, number: string, results: Awaited<ReturnType<typeof handleMessage>>["replies"] = []) => {
    const member = c.get("member"), locale = c.get("locale");
    const [status, timeline, ticket] = await Promise.all([
      showTicket(deps.core, member, number, { seenByOthers: false }),
      showTimeline(deps.core, member, number),
      deps.core.tickets.findByNumber(number),
    ]);
    const terms = organisationTerms(deps.core.org, locale);
    const commands = TICKET_COMMANDS.map((row) => ({ name: row.name, usage: row.usage, help: t(locale, row.help, terms) }));
    const form = ticket && ticketFormOf(ticket);
    const files = (ticket ? filesOf(ticket) : []).map((file) => ({ kind: file.kind, name: file.name, platform: file.platform, fetchable: deps.downloads[file.platform as keyof FileDownloads] !== undefined }));
    const record = form ? { title: t(locale, `document.form.${form}`), formats: [...RECORD_FORMATS] } : undefined;
    return c.html(ticketPage(signedInPage(c), { number, cards: status.replies, timeline: timeline.replies, results, commands, files, record }));
  };
  const notFound = (c: ConsoleContext) => c.html(notice(text(c.get("locale"), "notFound"), "error"), 404);

  app.get("/tickets/:number", async (c) => {
    const ticket = await visibleTicket(c);
    return ticket ? showTicketPage(c, ticket.number, (await resultShown(c)) ?? []) : notFound(c);
  });

  // A ticket's file, fetched from the platform it came in on; only for those who may see the ticket.
  app.get("/tickets/:number/files/:position", async (c) => {
    const ticket = await visibleTicket(c);
    const position = Number(c.req.param("position"));
    const file = ticket && Number.isInteger(position) ? filesOf(ticket)[position] : undefined;
    if (!file) return notFound(c);
    const download = deps.downloads[file.platform as keyof FileDownloads];
    if (!download) return c.html(notice(text(c.get("locale"), "fileUnavailable", { platform: file.platform }), "error"), 404);
    const signal = AbortSignal.timeout(deps.fileTimeoutMs);
    try {
      const bytes = await download(file.fileId, signal);
      return c.body(new Uint8Array(bytes), 200, fileHeaders(file, bytes, position));
    } catch (error) {
      deps.log.warn({ err: error, ticket: ticket!.number, platform: file.platform }, "console: could not fetch a file from its platform");
      return c.html(notice(text(c.get("locale"), "fileFailed", { platform: file.platform }), "error"), signal.aborted ? 504 : 502);
    }
  });

  // The ticket's form as the manual names it, made for the reader (their view of the customer's
  // contact) and kept in the archive as its next version, as `hotline documents ticket` does.
  app.get("/tickets/:number/record/:format", async (c) => {
    const ticket = await visibleTicket(c);
    const format = z.enum(RECORD_FORMATS).safeParse(c.req.param("format"));
    const form = ticket && ticketFormOf(ticket);
    if (!ticket || !form || !format.success) return notFound(c);
    const member = c.get("member");
    const kept = await deps.records.fileTicketRecord({ number: ticket.number, reader: member, locale: c.get("locale"), format: format.data });
    const { content } = (await deps.archive.read(kept.id))!;
    const name = `${ticket.number}-${t(c.get("locale"), `document.form.${form}`)}-v${kept.version}.${format.data}`;
    return c.body(new Uint8Array(content), 200, {
      "content-type": format.data === "pdf" ? "application/pdf" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "content-disposition": `attachment; filename="${ticket.number}-v${kept.version}.${format.data}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
    });
  });

  // An action is a chat command in the member's console conversation: the same checks, notices and follow-up questions.
  // Done once per form, then redirected to the ticket's page with its replies, so a reload sends nothing.
  app.post("/tickets/:number", async (c) => {
    const ticket = await visibleTicket(c);
    if (!ticket) return notFound(c);
    const body = await c.req.parseBody();
    const form = actionForm.safeParse(body);
    const key = keyOf(body);
    if (!form.success || !key) return c.html(notice(text(c.get("locale"), "forbidden"), "error"), 400);
    const input = "choice" in form.data ? { choice: form.data.choice } : "answer" in form.data ? { text: form.data.answer } : { text: `/${form.data.command} ${ticket.number} ${form.data.text}`.trim() };
    if (!(await runOnce(c, key, input))) return c.html(notice(text(c.get("locale"), "forbidden"), "error"), 400);
    return c.redirect(`/console/tickets/${ticket.number}?result=${key}`, 303);
  });

  // Taking a call is the chats' report dialog: the same steps and checks, answered on the page.
  // Beside the questions: the severity as the answers stand, and the caller's earlier tickets.
  const soFar = async (c: ConsoleContext) => (await reportSoFar(deps.core, c.get("member"), conversationOf(c.get("member")))) ?? [];
  // After an answer, the page shows its replies (`?result=`); otherwise the question left open.
  app.get("/report", async (c) => {
    const member = c.get("member");
    const replies = await resultShown(c);
    if (replies) {
      const waiting = await deps.core.dialogs.find(member.id, conversationOf(member));
      return c.html(reportPage(signedInPage(c), { cards: replies, waiting: waiting !== undefined, soFar: await soFar(c) }));
    }
    const waiting = await pendingPrompt(deps.core, member, conversationOf(member));
    return c.html(reportPage(signedInPage(c), { cards: waiting ? [waiting] : [], waiting: waiting !== undefined, soFar: await soFar(c) }));
  });
  // Each answer is done once per form; the call's last one files its ticket once, however often it is
  // sent, and redirects to the ticket's page, so neither a double click nor a reload files it twice.
  app.post("/report", async (c) => {
    const body = await c.req.parseBody();
    const form = reportForm.safeParse(body);
    const key = keyOf(body);
    if (!form.success || !key) return c.html(notice(text(c.get("locale"), "forbidden"), "error"), 400);
    const input = "start" in form.data ? { text: "/new" } : "choice" in form.data ? { choice: form.data.choice } : { text: form.data.answer };
    const outcome = await runOnce(c, key, input);
    if (!outcome) return c.html(notice(text(c.get("locale"), "forbidden"), "error"), 400);
    return c.redirect(outcome.ticketNumber ? `/console/tickets/${outcome.ticketNumber}?result=${key}` : `/console/report?result=${key}`, 303);
  });

  // The daily reports with their charts, for those who oversee every ticket (as /report).
  app.get("/reports", async (c) => {
    const member = c.get("member"), locale = c.get("locale");
    if (!actsOnAllTickets(member, deps.core.org)) return c.html(notice(text(locale, "noPage"), "error"), 404);
    const asked = reportsQuery.parse(c.req.query());
    const wanted = asked.date ?? asked.period;
    const read = await readReports(deps.core, member, wanted);
    if (!read) return c.html(reportsPage(signedInPage(c), { wanted, cards: [], charts: [] }, notice(text(locale, "badPeriod"), "error")), 400);
    return c.html(reportsPage(signedInPage(c), { wanted, cards: read.cards, charts: read.charts }));
  });

  // Deliveries, for after-sales and admins: what could not be sent, its error, and a retry.
  const deliveries = async (c: ConsoleContext, message?: { notice: ReturnType<typeof notice>; status: 200 | 409 }) => {
    const failedOnly = c.req.query("all") !== "1";
    const rows = await deps.outbox.list({ failed: failedOnly, limit: 200 });
    const shown = rows.map((row) => ({
      id: row.id, status: row.status, platform: row.platform, attempts: row.attempts, lastError: row.lastError,
      ticketNumber: row.ticketNumber, recipient: recipientText(row), firstLine: firstLineOf(row),
      createdAt: formatLocalTime(row.createdAt, deps.core.timeZone),
    }));
    return c.html(deliveriesPage(signedInPage(c), { rows: shown, failedOnly, timeZone: deps.core.timeZone }, message?.notice), message?.status ?? 200);
  };
  const onlyForDeliveries = async (c: ConsoleContext, next: () => Promise<void>) =>
    managesDeliveries(c.get("member"), deps.core.org) ? next() : c.html(notice(text(c.get("locale"), "noPage"), "error"), 404);
  app.use("/deliveries", onlyForDeliveries);
  app.use("/deliveries/*", onlyForDeliveries);
  app.get("/deliveries", (c) => deliveries(c));
  app.post("/deliveries/:id/retry", async (c) => {
    const id = z.coerce.number().int().positive().safeParse(c.req.param("id"));
    const retried = id.success && (await deps.outbox.retry(id.data));
    if (retried) deps.afterChange();
    const locale = c.get("locale");
    return deliveries(
      c,
      retried ? { notice: notice(text(locale, "retried", { id: id.data }), "success"), status: 200 } : { notice: notice(text(locale, "notRetried"), "error"), status: 409 },
    );
  });

  app.onError((error, c) => {
    deps.log.error({ err: error, path: c.req.path }, "console: request failed");
    return c.text("internal error", 500);
  });
  return app;
}
