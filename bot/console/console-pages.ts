import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { Card } from "../../core/messages/card.js";
import type { BarChart } from "../../core/reports/report-charts.js";
import type { Locale } from "../../core/messages/locale.js";
import type { BoardFilter, BoardRow } from "../../prisma/stores/ticket-board.js";
import { EXPORT_FORMATS } from "../documents/ticket-export-file.js";
import { MIN_PASSWORD_LENGTH } from "./console-access.js";
import { otherLocale, text } from "./console-text.js";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** What every signed-in page knows: who, in which language, and the form token its forms carry. */
export interface PageContext {
  locale: Locale;
  memberName?: string | undefined;
  /** After-sales and admins: the header links to the deliveries page. */
  managesDeliveries?: boolean;
  /** After-sales, managers and admins: the header links to the reports. */
  readsReports?: boolean;
  csrfToken: string;
  /**
   * A one-time key for the page's forms that change something: sent twice (a double click, a
   * reload, a resend after a slow answer), the form is done once and the second send gets its outcome.
   */
  submissionKey?: string | undefined;
  /** The current path and query, for the language switch. */
  here: string;
}

const csrfField = (page: PageContext) =>
  html`<input type="hidden" name="_csrf" value="${page.csrfToken}">${page.submissionKey ? html`<input type="hidden" name="_once" value="${page.submissionKey}">` : ""}`;

export function layout(page: PageContext, title: string, body: Html): Html {
  const switchTo = otherLocale(page.locale);
  const separator = page.here.includes("?") ? "&" : "?";
  return html`<!doctype html>
<html lang="${page.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${text(page.locale, "title")}</title>
<link rel="stylesheet" href="/console/console.css">
</head>
<body>
<header>
  <a class="brand" href="/console">${text(page.locale, "title")}</a>
  <nav>
    ${page.memberName ? html`<a href="/console/report">${text(page.locale, "takeCall")}</a>` : ""}
    ${page.readsReports ? html`<a href="/console/reports">${text(page.locale, "reports")}</a>` : ""}
    ${page.managesDeliveries ? html`<a href="/console/deliveries">${text(page.locale, "deliveries")}</a>` : ""}
    <a href="${page.here}${separator}lang=${switchTo}" lang="${switchTo}">${text(page.locale, "language")}</a>
    ${page.memberName
      ? html`<span class="who">${page.memberName}</span>
    <form method="post" action="/console/sign-out">${csrfField(page)}<button type="submit">${text(page.locale, "signOut")}</button></form>`
      : ""}
  </nav>
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

export function notice(message: string, tone: "error" | "success" | "info" = "info"): Html {
  return html`<p class="notice ${tone}" role="${tone === "error" ? "alert" : "status"}">${message}</p>`;
}

export function signInPage(page: PageContext, message?: Html): Html {
  const { locale } = page;
  return layout(
    page,
    text(locale, "signIn"),
    html`${message ?? ""}
<form method="post" action="/console/sign-in" class="stack">
  ${csrfField(page)}
  <label for="member">${text(locale, "memberId")}</label>
  <input id="member" name="member" autocomplete="username" required>
  <label for="password">${text(locale, "password")}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">${text(locale, "signIn")}</button>
</form>`,
  );
}

export function linkPage(page: PageContext, code: string, message?: Html): Html {
  const { locale } = page;
  return layout(
    page,
    text(locale, "signIn"),
    html`${message ?? ""}
<p>${text(locale, "linkIntro")}</p>
<form method="post" action="/console/link/${encodeURIComponent(code)}">
  ${csrfField(page)}
  <button type="submit">${text(locale, "linkContinue")}</button>
</form>`,
  );
}

export function passwordPage(page: PageContext, message?: Html): Html {
  const { locale } = page;
  return layout(
    page,
    text(locale, "setPassword"),
    html`${message ?? ""}
<form method="post" action="/console/password" class="stack">
  ${csrfField(page)}
  <label for="password">${text(locale, "newPassword")}</label>
  <input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required>
  <button type="submit">${text(locale, "setPassword")}</button>
</form>
<p><a href="/console">${text(locale, "keepLinks")}</a></p>`,
  );
}

function option(value: string, label: string, selected: string | undefined): Html {
  return html`<option value="${value}"${value === (selected ?? "") ? html` selected` : ""}>${label}</option>`;
}

/** A filter's choices; the page's script writes beside each how many tickets it would show. */
function select(id: keyof BoardFilter, label: string, options: [string, string][], selected: string | undefined, counted = true): Html {
  return html`<div class="field"><label for="${id}">${label}</label><select id="${id}" name="${id}">${options.map(([value, name]) =>
    value === "" || !counted ? option(value, name, selected) : html`<option value="${value}" data-count="${id}.${value}" data-label="${name}"${value === (selected ?? "") ? html` selected` : ""}>${name}</option>`,
  )}</select></div>`;
}

export interface BoardView {
  filter: BoardFilter;
  rows: BoardRow[];
  total: number;
  page: number;
  pages: number;
  centers: [string, string][];
  departments: [string, string][];
  statuses: [string, string][];
  /** The board's query without its page, to page with. */
  query: string;
}

export function boardPage(page: PageContext, board: BoardView): Html {
  const { locale } = page;
  const { filter } = board;
  const any = text(locale, "any");
  const levelLabel = (row: BoardRow) => (row.category === "major" && row.level ? text(locale, "levelN", { n: row.level }) : text(locale, "general"));
  const pageLink = (n: number, label: string) => html`<a href="/console?${board.query}${board.query ? "&" : ""}page=${n}">${label}</a>`;
  return layout(
    page,
    text(locale, "board"),
    html`<form method="get" action="/console" class="filters" role="search">
  <div class="field wide"><label for="search">${text(locale, "search")}</label><input id="search" name="search" type="search" value="${filter.search ?? ""}"></div>
  ${select("kind", text(locale, "kind"), [["", any], ["fault", text(locale, "fault")], ["complaint", text(locale, "complaint")]], filter.kind)}
  ${select("level", text(locale, "level"), [["", any], ["general", text(locale, "general")], ...(["1", "2", "3"] as const).map((n): [string, string] => [n, text(locale, "levelN", { n })])], filter.level)}
  ${select("status", text(locale, "status"), [["", any], ["open", text(locale, "openOnly")], ...board.statuses], filter.status)}
  ${select("serviceCenterId", text(locale, "center"), [["", any], ...board.centers], filter.serviceCenterId)}
  ${select("departmentId", text(locale, "department"), [["", any], ...board.departments], filter.departmentId, false)}
  <div class="field"><label for="from">${text(locale, "from")}</label><input id="from" name="from" type="date" value="${filter.from ?? ""}"></div>
  <div class="field"><label for="to">${text(locale, "to")}</label><input id="to" name="to" type="date" value="${filter.to ?? ""}"></div>
  <div class="field check"><input id="overdue" name="overdue" type="checkbox" value="1"${filter.overdue ? html` checked` : ""}><label for="overdue" data-count="overdue" data-label="${text(locale, "overdue")}">${text(locale, "overdue")}</label></div>
  <div class="field check"><input id="mine" name="mine" type="checkbox" value="1"${filter.mine ? html` checked` : ""}><label for="mine">${text(locale, "mine")}</label></div>
  <button type="submit">${text(locale, "filter")}</button>
</form>
<div id="board" aria-live="polite">
<p class="count">${text(locale, "count", { total: board.total, page: board.page, pages: board.pages })}</p>
${board.rows.length === 0
  ? html`<p>${text(locale, "none")}</p>`
  : html`<div class="table"><table>
  <thead><tr><th scope="col">${text(locale, "number")}</th><th scope="col">${text(locale, "kind")}</th><th scope="col">${text(locale, "level")}</th><th scope="col">${text(locale, "status")}</th><th scope="col">${text(locale, "customer")}</th><th scope="col">${text(locale, "description")}</th></tr></thead>
  <tbody>${board.rows.map(
    (row) => html`<tr class="level-${row.category === "major" ? row.level : "general"}">
    <td><a href="/console/tickets/${row.number}">${row.number}</a></td>
    <td>${text(locale, row.kind === "complaint" ? "complaint" : "fault")}</td>
    <td>${levelLabel(row)}</td>
    <td>${board.statuses.find(([id]) => id === row.status)?.[1] ?? row.status}</td>
    <td>${row.customerName}</td>
    <td class="description">${row.description}</td>
  </tr>`,
  )}</tbody>
</table></div>`}
<nav class="pages">${board.page > 1 ? pageLink(board.page - 1, text(locale, "previous")) : ""} ${board.page < board.pages ? pageLink(board.page + 1, text(locale, "next")) : ""}</nav>
</div>
<script>${raw(LIVE_BOARD_SCRIPT)}</script>`,
  );
}

/**
 * The board follows changes without a reload: on each "changed" event the page fetches itself and
 * swaps in the new list (filters, focus and typing in the form are left alone), then the filters'
 * counts, which come after the page as they take longer to count. Without scripts, the
 * board is the same, only without counts and not live.
 */
const LIVE_BOARD_SCRIPT = `
(() => {
  const showCounts = async () => {
    const response = await fetch("/console/counts" + location.search, { credentials: "same-origin" });
    if (!response.ok) return;
    const counts = await response.json();
    document.querySelectorAll("[data-count]").forEach((element) => {
      const [facet, value] = element.dataset.count.split(".");
      const n = value === undefined ? counts[facet] : (counts[facet] || {})[value] || 0;
      element.textContent = element.dataset.label + " (" + n + ")";
    });
  };
  const events = new EventSource("/console/events");
  let fetching = false;
  events.addEventListener("changed", async () => {
    if (fetching) return;
    fetching = true;
    try {
      const response = await fetch(location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("board");
      if (next) document.getElementById("board").replaceWith(next);
      await showCounts();
    } finally {
      fetching = false;
    }
  });
  showCounts();
})();
`;

/** A card from the core, as the chats show it: choices become buttons that send their id. */
export function cardHtml(page: PageContext, card: Card, action?: string, options: { answerBox?: boolean } = {}): Html {
  const typed = options.answerBox !== false && card.tone === "question" && (!card.choices?.length || card.typedAnswer);
  return html`<section class="card ${card.tone ?? "info"}">
  ${card.title ? html`<h2>${card.title}</h2>` : ""}
  ${card.lines.map((line) => html`<p>${line}</p>`)}
  ${card.fields?.length ? html`<dl>${card.fields.map((f) => html`<div><dt>${f.label}</dt><dd>${f.value}</dd></div>`)}</dl>` : ""}
  ${card.pickers?.map((p) => html`<p class="hint">${p.label}: <code>${p.id} &lt;member&gt;</code></p>`) ?? ""}
  ${card.choices?.length && action
    ? html`<form method="post" action="${action}" class="choices">${csrfField(page)}${card.choices.map((c) => html`<button type="submit" name="choice" value="${c.id}">${c.label}</button>`)}</form>`
    : ""}
  ${typed && action ? answerForm(page, action) : ""}
</section>`;
}

/** A question that wants typed text (a grading's reason): the answer goes to the command that asked. */
function answerForm(page: PageContext, action: string): Html {
  return html`<form method="post" action="${action}" class="stack">${csrfField(page)}
    <label for="answer">${text(page.locale, "answer")}</label>
    <textarea id="answer" name="answer" rows="3" required autofocus></textarea>
    <button type="submit">${text(page.locale, "send")}</button>
  </form>`;
}

/**
 * Taking a call: the report dialog's question at hand, answered on the page, step by step as in
 * chat. Every question also takes a typed answer (an option's number, as in the terminal chat), so
 * an agent on the phone can keep to the keyboard.
 */
export function reportPage(page: PageContext, call: { cards: Card[]; waiting: boolean; soFar: Card[] }): Html {
  const { locale } = page;
  const action = "/console/report";
  return layout(
    page,
    text(locale, "takeCall"),
    // One answer box below the cards takes every step's typed answer, even after a refused one.
    html`<div class="intake">
<div class="questions">
<div aria-live="polite">${call.cards.map((c) => cardHtml(page, c, action, { answerBox: false }))}</div>
${call.waiting
  ? answerForm(page, action)
  : html`<form method="post" action="${action}">${csrfField(page)}<button type="submit" name="start" value="1">${text(locale, "startReport")}</button></form>`}
</div>
${call.soFar.length ? html`<aside class="so-far" aria-label="${text(locale, "soFar")}">${call.soFar.map((c) => cardHtml(page, c))}</aside>` : ""}
</div>`,
  );
}

export interface TicketView {
  number: string;
  cards: Card[];
  timeline: Card[];
  /** Results of the action just run, shown first. */
  results: Card[];
  /** The commands a ticket takes: their word and usage. */
  commands: { name: string; usage: string; help: string }[];
  /** The ticket's files, in order (their position is their address); fetchable when their platform is connected. */
  files: { kind: "photo" | "document"; name?: string | undefined; platform: string; fetchable: boolean }[];
  /** The manual's form for this ticket, when it has one, to download. */
  record?: { title: string; formats: string[] } | undefined;
}

/** Photos shown (fetched from their platform as the page loads), other files as downloads. */
function filesSection(page: PageContext, view: TicketView): Html {
  const { locale } = page;
  const label = (file: TicketView["files"][number], i: number) => file.name ?? `${text(locale, file.kind === "photo" ? "photo" : "file")} ${i + 1}`;
  const href = (i: number) => `/console/tickets/${view.number}/files/${i}`;
  return html`<section class="files">
  <h2>${text(locale, "files")}</h2>
  ${view.files.length === 0 ? html`<p>${text(locale, "noFiles")}</p>` : ""}
  <ul>${view.files.map((file, i) =>
    !file.fetchable
      ? html`<li>${label(file, i)} <span class="hint">(${text(locale, "fileUnavailable", { platform: file.platform })})</span></li>`
      : file.kind === "photo"
        ? html`<li><figure><a href="${href(i)}"><img src="${href(i)}" alt="${label(file, i)}" loading="lazy"></a><figcaption>${label(file, i)}</figcaption></figure></li>`
        : html`<li><a href="${href(i)}" download>${label(file, i)}</a></li>`,
  )}</ul>
</section>`;
}

export function ticketPage(page: PageContext, view: TicketView): Html {
  const { locale } = page;
  const action = `/console/tickets/${view.number}`;
  return layout(
    page,
    view.number,
    html`<div aria-live="polite">${view.results.map((c) => cardHtml(page, c, action))}</div>
${view.cards.map((c) => cardHtml(page, c, action))}
${view.record
  ? html`<section class="record"><h2>${view.record.title}</h2><p>${view.record.formats.map(
      (format) => html`<a href="/console/tickets/${view.number}/record/${format}" download>${text(page.locale, "downloadAs", { format: format.toUpperCase() })}</a> `,
    )}</p></section>`
  : ""}
${filesSection(page, view)}
<section class="actions">
  <h2>${text(locale, "actions")}</h2>
  <form method="post" action="${action}" class="stack">
    ${csrfField(page)}
    <label for="command">${text(locale, "action")}</label>
    <select id="command" name="command">${view.commands.map((c) => html`<option value="${c.name}">${c.usage} — ${c.help}</option>`)}</select>
    <label for="text">${text(locale, "actionText")}</label>
    <textarea id="text" name="text" rows="3"></textarea>
    <button type="submit">${text(locale, "run")}</button>
  </form>
</section>
<h2>${text(locale, "timeline")}</h2>
${view.timeline.map((c) => cardHtml(page, c))}`,
  );
}

/**
 * A bar chart drawn as SVG on the server: one bar per entry, scaled to the largest, the value
 * beside it; the figure's label reads the values out for screen readers.
 */
export function barChartSvg(chart: BarChart): Html {
  const rowHeight = 28, labelWidth = 130, barWidth = 220, width = labelWidth + barWidth + 50;
  const height = chart.bars.length * rowHeight + 8;
  const largest = Math.max(1, ...chart.bars.map((bar) => bar.value));
  const described = chart.bars.map((bar) => `${bar.label} ${bar.value}`).join(", ");
  return html`<figure class="chart">
  <figcaption>${chart.title}</figcaption>
  <svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${chart.title}: ${described}">
    ${chart.bars.map((bar, i) => {
      const y = 4 + i * rowHeight;
      const length = Math.round((bar.value / largest) * barWidth);
      return html`<text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end">${bar.label}</text>
    <rect x="${labelWidth}" y="${y + 4}" width="${Math.max(length, 1)}" height="${rowHeight - 10}" rx="2"></rect>
    <text x="${labelWidth + Math.max(length, 1) + 6}" y="${y + 18}">${bar.value}</text>`;
    })}
  </svg>
</figure>`;
}

/** A kept document of the period, as the reports page lists it. */
export interface PeriodDocumentView {
  id: number;
  /** In the reader's language. */
  title: string;
  format: string;
  version: number;
  /** In business time. */
  madeAt: string;
  size: string;
}

export interface ReportsView {
  /** `today`, `week` or a date. */
  wanted: string;
  cards: Card[];
  charts: BarChart[];
  /** What the form that redirected here did. */
  results?: Card[] | undefined;
  /** The period's documents to download and make; absent when the period could not be read. */
  files?: { documents: PeriodDocumentView[]; timeZone: string } | undefined;
}

/** The period a page shows, as the hidden fields of its forms. */
const periodFields = (wanted: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(wanted) ? html`<input type="hidden" name="date" value="${wanted}">` : html`<input type="hidden" name="period" value="${wanted}">`;

/**
 * The period's kept documents, each a download, with the button that makes them again; and the
 * export of its tickets, of one level if chosen.
 */
function periodFilesSection(page: PageContext, view: ReportsView, files: NonNullable<ReportsView["files"]>): Html {
  const { locale } = page;
  return html`<div class="period-files">
<section class="documents" aria-labelledby="documents-heading">
  <h2 id="documents-heading">${text(locale, "documents")}</h2>
  ${files.documents.length === 0
    ? html`<p>${text(locale, "noDocuments")}</p>`
    : html`<p class="hint">${text(locale, "documentsIntro", { zone: files.timeZone })}</p>
  <ul>${files.documents.map(
    (d) => html`<li><a href="/console/documents/${d.id}" download>${text(locale, "documentLink", { title: d.title, format: d.format.toUpperCase() })}</a>
    <span class="hint">${text(locale, "documentDetails", { version: d.version, time: d.madeAt, size: d.size })}</span></li>`,
  )}</ul>`}
  <form method="post" action="/console/reports/documents">
    ${csrfField(page)}${periodFields(view.wanted)}
    <button type="submit" aria-describedby="make-hint">${text(locale, "makeDocuments")}</button>
    <p class="hint" id="make-hint">${text(locale, "makeDocumentsHint")}</p>
  </form>
</section>
<section class="export" aria-labelledby="export-heading">
  <h2 id="export-heading">${text(locale, "exportTickets")}</h2>
  <p class="hint">${text(locale, "exportIntro")}</p>
  <form method="get" action="/console/reports/export" class="filters">
    ${periodFields(view.wanted)}
    <div class="field"><label for="export-level">${text(locale, "level")}</label><select id="export-level" name="level">
      ${option("", text(locale, "any"), "")}${option("general", text(locale, "general"), "")}${(["1", "2", "3"] as const).map((n) => option(n, text(locale, "levelN", { n }), ""))}
    </select></div>
    ${EXPORT_FORMATS.map((format) => html`<button type="submit" name="format" value="${format}">${text(locale, "downloadAs", { format: format.toUpperCase() })}</button>`)}
  </form>
</section>
</div>`;
}

/** The daily reports for a period: today, the last seven days, or a date; their documents, export, cards and charts. */
export function reportsPage(page: PageContext, view: ReportsView, message?: Html): Html {
  const { locale } = page;
  const isDate = /^\d{4}-\d{2}-\d{2}$/.test(view.wanted);
  return layout(
    page,
    text(locale, "reports"),
    html`${message ?? ""}
<div aria-live="polite">${(view.results ?? []).map((c) => cardHtml(page, c))}</div>
<form method="get" action="/console/reports" class="filters">
  <div class="field"><label for="period">${text(locale, "period")}</label><select id="period" name="period">
    ${option("today", text(locale, "today"), isDate ? undefined : view.wanted)}${option("week", text(locale, "week"), isDate ? undefined : view.wanted)}
  </select></div>
  <div class="field"><label for="date">${text(locale, "orDate")}</label><input id="date" name="date" type="date" value="${isDate ? view.wanted : ""}"></div>
  <button type="submit">${text(locale, "show")}</button>
</form>
${view.files ? periodFilesSection(page, view, view.files) : ""}
<div class="charts">${view.charts.map(barChartSvg)}</div>
${view.cards.map((c) => cardHtml(page, c))}`,
  );
}

export interface DeliveryView {
  id: number;
  status: string;
  platform: string;
  recipient: string;
  firstLine: string;
  ticketNumber: string | null;
  attempts: number;
  lastError: string | null;
  /** In business time. */
  createdAt: string;
}

/** The outbox for those who look after it: failed messages with their errors, each with a retry. */
export function deliveriesPage(page: PageContext, view: { rows: DeliveryView[]; failedOnly: boolean; timeZone: string }, message?: Html): Html {
  const { locale } = page;
  const csrf = csrfField(page);
  return layout(
    page,
    text(locale, "deliveries"),
    html`${message ?? ""}
<p>${text(locale, "deliveriesIntro", { zone: view.timeZone })}</p>
<nav class="pages">${view.failedOnly ? html`<a href="/console/deliveries?all=1">${text(locale, "showAll")}</a>` : html`<a href="/console/deliveries">${text(locale, "failedOnly")}</a>`}</nav>
${view.rows.length === 0
  ? html`<p>${text(locale, view.failedOnly ? "noDeliveries" : "noRecentDeliveries")}</p>`
  : html`<div class="table"><table>
  <thead><tr><th scope="col">#</th><th scope="col">${text(locale, "created")}</th><th scope="col">${text(locale, "status")}</th><th scope="col">${text(locale, "platform")}</th><th scope="col">${text(locale, "recipient")}</th><th scope="col">${text(locale, "ticket")}</th><th scope="col">${text(locale, "message")}</th><th scope="col">${text(locale, "attempts")}</th><th scope="col">${text(locale, "error")}</th><th scope="col"></th></tr></thead>
  <tbody>${view.rows.map(
    (row) => html`<tr class="delivery-${row.status}">
    <td>${row.id}</td><td>${row.createdAt}</td><td>${row.status}</td><td>${row.platform}</td><td>${row.recipient}</td>
    <td>${row.ticketNumber ? html`<a href="/console/tickets/${row.ticketNumber}">${row.ticketNumber}</a>` : ""}</td>
    <td class="description">${row.firstLine}</td><td>${row.attempts}</td><td class="description">${row.lastError ?? ""}</td>
    <td>${row.status === "failed"
      ? html`<form method="post" action="/console/deliveries/${row.id}/retry">${csrf}<button type="submit" aria-label="${text(locale, "retry")} #${row.id}">${text(locale, "retry")}</button></form>`
      : ""}</td>
  </tr>`,
  )}</tbody>
</table></div>`}`,
  );
}

export const CONSOLE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1b1f24;background:#f4f5f7}
header{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.6rem 1rem;background:#12355b;color:#fff;flex-wrap:wrap}
header a{color:#fff}
.brand{font-weight:700;text-decoration:none}
nav{display:flex;gap:.8rem;align-items:center}
nav form{margin:0}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.4rem 0 1rem}
h2{font-size:1.1rem;margin:.2rem 0 .5rem}
label{font-weight:600}
input,select,textarea,button{font:inherit;padding:.45rem .6rem;border:1px solid #8a94a3;border-radius:4px;background:#fff;color:inherit}
button{background:#12355b;color:#fff;border-color:#12355b;cursor:pointer}
header button{background:transparent;border-color:#fff}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.stack{display:flex;flex-direction:column;gap:.4rem;max-width:28rem}
.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:flex-end;margin-bottom:.6rem}
.field{display:flex;flex-direction:column;gap:.2rem}
.field.wide{flex:1 1 18rem}
.field.check{flex-direction:row;align-items:center;gap:.4rem}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #dde1e6;vertical-align:top}
td:first-child{white-space:nowrap}
td.description{max-width:28rem;overflow:hidden;text-overflow:ellipsis}
tr.level-1 td:first-child{border-left:4px solid #c62828}
tr.level-2 td:first-child{border-left:4px solid #ef6c00}
tr.level-3 td:first-child{border-left:4px solid #f9a825}
.card{background:#fff;border:1px solid #dde1e6;border-left:4px solid #5b7083;border-radius:4px;padding:.6rem .9rem;margin:.6rem 0}
.card.success{border-left-color:#2e7d32}.card.warning{border-left-color:#ef6c00}.card.error{border-left-color:#c62828}.card.question{border-left-color:#12355b}
.card p{margin:.2rem 0;white-space:pre-wrap;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.4rem 0}
dl div{display:contents}
dt{color:#5b6573}
dd{margin:0;overflow-wrap:anywhere}
.choices{display:flex;flex-wrap:wrap;gap:.4rem;margin-top:.4rem}
.notice{padding:.5rem .8rem;border-radius:4px;background:#e8eef6}
.notice.error{background:#fdecea}.notice.success{background:#e8f5e9}
.pages{display:flex;gap:1rem;margin-top:.6rem}
.files ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.8rem}
.files figure{margin:0}
.files img{max-width:14rem;max-height:14rem;border:1px solid #dde1e6;border-radius:4px;background:#fff}
.hint{color:#5b6573}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(27rem,100%),1fr));gap:.8rem;margin-bottom:.6rem}
.chart{margin:0;background:#fff;border:1px solid #dde1e6;border-radius:4px;padding:.6rem .9rem}
.chart figcaption{font-weight:600;margin-bottom:.3rem}
.chart svg{font-size:13px;fill:#1b1f24;max-width:100%;height:auto}
.chart rect{fill:#12355b}
.period-files{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(22rem,100%),1fr));gap:.8rem;margin-bottom:.8rem}
.period-files section{background:#fff;border:1px solid #dde1e6;border-radius:4px;padding:.6rem .9rem}
.period-files ul{list-style:none;padding:0;margin:.4rem 0}
.period-files li{padding:.35rem 0;border-bottom:1px solid #eef0f3;overflow-wrap:anywhere}
.period-files li .hint{display:block;font-size:.9rem}
.period-files form{margin-top:.5rem}
.intake{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1rem;align-items:start}
.so-far .card{background:#f8fafc}
@media (max-width:52rem){.intake{grid-template-columns:1fr}}
@media (max-width:40rem){dl{grid-template-columns:1fr}th:nth-child(2),td:nth-child(2),th:nth-child(6),td:nth-child(6){display:none}}
`;
