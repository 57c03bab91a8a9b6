import type { Member } from "../directory/member.js";
import type { CoreContext } from "../ports.js";
import { done, ticketFor, type FlowResult } from "./flow-support.js";
import { canView } from "./permissions.js";
import type { AttachmentRef } from "./ticket.js";

/**
 * Photos and files added to a ticket after its report was submitted (`/attach`). Whoever may see
 * the ticket may add to it: the reporter's photos of the repair, a department's inspection report.
 */
export async function addAttachments(ctx: CoreContext, actor: Member, number: string, attachments: AttachmentRef[]): Promise<FlowResult> {
  const ticket = await ticketFor(ctx, actor, number, (m, tk) => canView(m, tk, ctx.org), "view");
  await ctx.tickets.apply(ticket.id, {
    addAttachments: attachments,
    events: [{ type: "attachment_added", actorId: actor.id, data: { count: attachments.length } }],
    outbox: [],
  });
  return done(ctx, actor, "attach.done", ticket.number, [], { count: attachments.length });
}
