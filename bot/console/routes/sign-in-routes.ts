import { getCookie, setCookie } from "hono/cookie";
import type { Locale } from "../../../core/messages/locale.js";
import { MIN_PASSWORD_LENGTH, type OpenedSession, type SignInRefusal } from "../console-access.js";
import { FORM_COOKIE, SESSION_COOKIE, sameToken, type ConsoleContext, type ConsoleHono, type ConsoleKit } from "../console-kit.js";
import { linkPage, notice, passwordPage, signInPage } from "../console-pages.js";
import { text } from "../console-text.js";

/**
 * Signing in by password or one-time link, then the session every other page needs (its form token
 * checked on every POST), signing out and setting a password. Registered before the other areas:
 * the session check guards whatever is registered after it.
 */
export function signInRoutes(app: ConsoleHono, kit: ConsoleKit): void {
  const { deps, cookieOptions, address, languageOf, anonymousPage } = kit;
  const refusalText = (locale: Locale, refused: SignInRefusal, retryAt?: Date) =>
    text(locale, `refused.${refused}`, { time: retryAt ? retryAt.toLocaleTimeString(locale, { timeZone: deps.core.timeZone }) : "" });
  // The server ends the session at its time; the cookie itself lives as long as the browser, so a browser's clock cannot end or stretch it.
  const startSession = (c: ConsoleContext, opened: OpenedSession) => setCookie(c, SESSION_COOKIE, opened.token, cookieOptions);
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
      if (!sameToken(body["_csrf"], signedIn.session.csrfToken)) return kit.refuse(c, "forbidden", 403);
    }
    await next();
  });

  app.post("/sign-out", async (c) => {
    await deps.access.signOut(c.get("session"), address(c));
    setCookie(c, SESSION_COOKIE, "", { ...cookieOptions, maxAge: 0 });
    return c.redirect("/console/sign-in", 303);
  });

  app.get("/password", (c) => c.html(passwordPage(kit.signedInPage(c))));
  app.post("/password", async (c) => {
    const password = (await c.req.parseBody())["password"];
    const locale = c.get("locale");
    if (typeof password !== "string" || [...password].length < MIN_PASSWORD_LENGTH) return c.html(passwordPage(kit.signedInPage(c), notice(text(locale, "passwordTooShort"), "error")), 400);
    await deps.access.setPassword(c.get("member").id, password, address(c));
    return c.html(passwordPage(kit.signedInPage(c), notice(text(locale, "passwordSet"), "success")));
  });
}
