import { z } from "zod";
import { pendingPrompt } from "../../../core/conversation/handle-message.js";
import { reportSoFar } from "../../../core/conversation/report-so-far.js";
import { conversationOf, type ConsoleForms } from "../console-forms.js";
import type { ConsoleContext, ConsoleHono, ConsoleKit } from "../console-kit.js";
import { reportPage } from "../console-pages.js";

const CHOICE = z.object({ choice: z.string().min(1).max(200) });
const ANSWER = z.object({ answer: z.string().min(1).max(4000) });
const reportForm = z.union([z.object({ start: z.literal("1") }), CHOICE, ANSWER]);

/**
 * Taking a call is the chats' report dialog: the same steps and checks, answered on the page.
 * Beside the questions: the severity as the answers stand, and the caller's earlier tickets.
 */
export function intakeRoutes(app: ConsoleHono, kit: ConsoleKit, forms: ConsoleForms): void {
  const { deps } = kit;
  const soFar = async (c: ConsoleContext) => (await reportSoFar(deps.core, c.get("member"), conversationOf(c.get("member")))) ?? [];

  // After an answer, the page shows its replies (`?result=`); otherwise the question left open.
  app.get("/report", async (c) => {
    const member = c.get("member");
    const replies = await forms.resultShown(c);
    if (replies) {
      const waiting = await deps.core.dialogs.find(member.id, conversationOf(member));
      return c.html(reportPage(kit.signedInPage(c), { cards: replies, waiting: waiting !== undefined, soFar: await soFar(c) }));
    }
    const waiting = await pendingPrompt(deps.core, member, conversationOf(member));
    return c.html(reportPage(kit.signedInPage(c), { cards: waiting ? [waiting] : [], waiting: waiting !== undefined, soFar: await soFar(c) }));
  });

  // Each answer is done once per form; the call's last one files its ticket once, however often it is
  // sent, and redirects to the ticket's page, so neither a double click nor a reload files it twice.
  app.post("/report", async (c) => {
    const body = await c.req.parseBody();
    const form = reportForm.safeParse(body);
    const key = forms.keyOf(body);
    if (!form.success || !key) return kit.refuse(c, "forbidden", 400);
    const input = "start" in form.data ? { text: "/new" } : "choice" in form.data ? { choice: form.data.choice } : { text: form.data.answer };
    const outcome = await forms.runOnce(c, key, input);
    if (!outcome) return kit.refuse(c, "forbidden", 400);
    return c.redirect(outcome.ticketNumber ? `/console/tickets/${outcome.ticketNumber}?result=${key}` : `/console/report?result=${key}`, 303);
  });
}
