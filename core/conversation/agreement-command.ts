import { addAgreementCopy, checkAgreementOverride, recordAgreement } from "../teams/team-work.js";
import type { CommandCall, CommandResult } from "./commands.js";

/** The word that records the agreement before the team is complete (after-sales, with a reason). */
export const OVERRIDE = "override";
/** The step that takes the signed copy's files, once the agreement is recorded. */
const COPY = "copy";

/**
 * `/agreement`, step by step (§5 双方达成协议后签字生效):
 * - `/agreement <no> <terms> [amount]`: recorded once the team is on site and every seat confirmed;
 * - `/agreement <no> override [reason]`: after-sales records it anyway; the reason (asked for when
 *   missing, as the "Sign anyway" button sends none), then the terms;
 * then the copy both sides signed is asked for as files, unless it came with the command.
 */
export async function agreementCommand(c: CommandCall): Promise<CommandResult> {
  const [step, reason] = c.args;
  if (step === COPY) return addAgreementCopy(c.ctx, c.member, c.ticket, c.attachments);
  if (step === OVERRIDE && reason !== undefined) return askForCopy(c, await recordAgreement(c.ctx, c.member, c.ticket, { text: c.text, override: reason, attachments: c.attachments }));
  if (step === OVERRIDE) return askForTerms(c, c.text);
  const first = c.text.split(/\s+/, 1)[0] ?? "";
  if (first.toLowerCase() === OVERRIDE) {
    const typed = c.text.slice(first.length).trim();
    return typed ? askForTerms(c, typed) : askForReason(c);
  }
  return askForCopy(c, await recordAgreement(c.ctx, c.member, c.ticket, { text: c.text, attachments: c.attachments }));
}

/** "Sign anyway" pressed: the reason first (refused at once to those who may not override). */
async function askForReason(c: CommandCall): Promise<CommandResult> {
  await checkAgreementOverride(c.ctx, c.member, c.ticket);
  return { replies: [], notifications: [], next: { awaiting: "text", ask: "command.ask.agreement_override", args: [OVERRIDE] } };
}

/** The reason given: the terms next. Nothing missing any more: no reason to keep, the terms as usual. */
async function askForTerms(c: CommandCall, reason: string): Promise<CommandResult> {
  const { needed } = await checkAgreementOverride(c.ctx, c.member, c.ticket);
  if (!needed) return { replies: [], notifications: [], next: { awaiting: "text", ask: "command.ask.agreement_no_override", args: [] } };
  return { replies: [], notifications: [], next: { awaiting: "text", ask: "command.ask.agreement_after_override", args: [OVERRIDE, reason] } };
}

/** The signed copy, one message of files after another until Done; none asked for when it came with the command. */
function askForCopy(c: CommandCall, recorded: CommandResult): CommandResult {
  if (c.attachments.length) return recorded;
  return { ...recorded, next: { awaiting: "files", ask: "command.ask.agreement_copy", args: [COPY] } };
}
