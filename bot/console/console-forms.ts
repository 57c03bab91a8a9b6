import { z } from "zod";
import type { Member } from "../../core/directory/member.js";
import type { Card } from "../../core/messages/card.js";
import { handleMessage } from "../../core/conversation/handle-message.js";
import type { ConsoleSubmission } from "../../prisma/stores/console-submission-store.js";
import type { ConsoleContext, ConsoleKit } from "./console-kit.js";

/** A form's one-time key, as `newSubmissionKey()` makes it. */
const SUBMISSION_KEY = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

/** The member's console conversation: actions and the report dialog run there as chat messages do. */
export const conversationOf = (member: Member) => `web:${member.id}`;

/** What a form that changes something is sent as: a chat message's text or a button's choice. */
export type ConsoleInput = { text?: string; choice?: string };

/** Sending a form that changes something once, and showing what it did on the page it redirects to. */
export interface ConsoleForms {
  /** The key a form was sent with, when it has a well-formed one. */
  keyOf(body: Record<string, unknown>): string | undefined;
  /**
   * Runs a form's input once per key, the key claimed in the same transaction: a second send of
   * the form (even at the same instant) does nothing and gets the first send's outcome.
   * Undefined when the key is another member's.
   */
  runOnce(c: ConsoleContext, key: string, input: ConsoleInput): Promise<ConsoleSubmission | undefined>;
  /** The replies of the member's form that redirected here (`?result=<key>`); reading them again changes nothing. */
  resultShown(c: ConsoleContext): Promise<Card[] | undefined>;
}

export function consoleForms({ deps }: ConsoleKit): ConsoleForms {
  return {
    keyOf: (body) => {
      const key = SUBMISSION_KEY.safeParse(body["_once"]);
      return key.success ? key.data : undefined;
    },
    runOnce: async (c, key, input) => {
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
    },
    resultShown: async (c) => {
      const key = SUBMISSION_KEY.safeParse(c.req.query("result"));
      return key.success ? (await deps.submissions.find(key.data, c.get("member").id))?.replies : undefined;
    },
  };
}
