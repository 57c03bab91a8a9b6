import { Hono } from "hono";
import { consoleForms } from "./console-forms.js";
import { consoleKit, type ConsoleDeps, type ConsoleEnv } from "./console-kit.js";
import { CONSOLE_CSS } from "./console-pages.js";
import { boardRoutes } from "./routes/board-routes.js";
import { deliveriesRoutes } from "./routes/deliveries-routes.js";
import { intakeRoutes } from "./routes/intake-routes.js";
import { reportsRoutes } from "./routes/reports-routes.js";
import { signInRoutes } from "./routes/sign-in-routes.js";
import { ticketRoutes } from "./routes/ticket-routes.js";

export type { ConsoleDeps } from "./console-kit.js";

/**
 * The web console, the fourth adapter: sign-in by one-time link or password, the board of tickets,
 * and each ticket's page with the actions the chats have, through the same core flows and permissions.
 */
export function consoleApp(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>().basePath("/console");
  const kit = consoleKit(deps);
  const forms = consoleForms(kit);
  app.get("/console.css", (c) => c.body(CONSOLE_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "max-age=3600" }));
  // Sign-in first: its session check guards every area registered after it.
  signInRoutes(app, kit);
  boardRoutes(app, kit);
  ticketRoutes(app, kit, forms);
  intakeRoutes(app, kit, forms);
  reportsRoutes(app, kit, forms);
  deliveriesRoutes(app, kit);
  app.onError((error, c) => {
    deps.log.error({ err: error, path: c.req.path }, "console: request failed");
    return c.text("internal error", 500);
  });
  return app;
}
