import type { Platform } from "../../../core/directory/organisation.js";
import type { DeadlineChange, InboundRef, InviteRedemption, TicketDraft } from "../../../core/ports.js";
import type { NewTimelineEvent } from "../../../core/tickets/ticket.js";
import type { Storage } from "../../../prisma/storage/storage.js";
import { PrismaDeadlineStore } from "../../../prisma/stores/deadline-store.js";
import { SqlDialogStore } from "../../../prisma/stores/dialog-store.js";
import { SqlInboundLog } from "../../../prisma/stores/inbound-log.js";
import { InboundRequestStore } from "../../../prisma/stores/inbound-request-store.js";
import { PrismaInviteStore } from "../../../prisma/stores/invite-store.js";
import { OutboxStore } from "../../../prisma/stores/outbox-store.js";
import { PrismaTicketStore } from "../../../prisma/stores/ticket-store.js";

/** One bot process as a race sees it: its storage, and the id its claims carry. */
export interface ProcessContext {
  storage: Storage;
  processId: string;
}

/** A dialog's state in the races: how many steps were taken, and by which process each. */
export interface CountedSteps {
  steps: number;
  by: string[];
}

/**
 * What two processes do at once in the contract suites, each through the real store on its own
 * storage. Arguments and results cross a thread boundary (structured clone): plain data only.
 */
export const operations = {
  async createTicket({ storage }: ProcessContext, draft: TicketDraft): Promise<string> {
    return (await new PrismaTicketStore(storage).create(draft, () => [])).number;
  },

  advanceDeadline({ storage }: ProcessContext, id: number, expectedSeq: number, change: DeadlineChange, events: NewTimelineEvent[]): Promise<boolean> {
    return new PrismaDeadlineStore(storage).advance(id, expectedSeq, change, events, []);
  },

  /** One message's step of a dialog: reads it, holds the unit open for `holdMs`, saves the next step. Returns the steps it saw. */
  stepDialog({ storage, processId }: ProcessContext, memberId: string, conversation: string, holdMs: number): Promise<number> {
    return storage.transaction(async (tx) => {
      const dialogs = new SqlDialogStore(tx);
      const seen = ((await dialogs.find(memberId, conversation))?.state as CountedSteps | undefined) ?? { steps: 0, by: [] };
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      const state: CountedSteps = { steps: seen.steps + 1, by: [...seen.by, processId] };
      await dialogs.save({ memberId, conversation, dialog: "report", step: `step ${state.steps}`, state });
      return seen.steps;
    });
  },

  redeemInvite({ storage }: ProcessContext, input: InviteRedemption) {
    return new PrismaInviteStore(storage).redeem(input);
  },

  markHandled({ storage, processId }: ProcessContext, platform: Platform, eventId: string): Promise<boolean> {
    return storage.transaction((tx) => new SqlInboundLog(tx, processId).markHandled(platform, eventId));
  },

  async claimUnsentReplies({ storage, processId }: ProcessContext, event: InboundRef): Promise<number[]> {
    const claimed = await storage.transaction((tx) => new SqlInboundLog(tx, processId).claimUnsentReplies(event));
    return claimed.map((reply) => reply.deliveryId);
  },

  async claimDelivery({ storage, processId }: ProcessContext, id: number): Promise<number | null> {
    return (await new OutboxStore(storage, processId).claim(id))?.id ?? null;
  },

  async claimWaitingRequests({ storage, processId }: ProcessContext, queue: string): Promise<number[]> {
    return (await new InboundRequestStore(storage, processId).claimWaiting(queue)).map((row) => row.id);
  },
};

export type Operations = typeof operations;
export type OperationName = keyof Operations;
type ArgumentsOf = { [K in OperationName]: Operations[K] extends (context: ProcessContext, ...args: infer A) => unknown ? A : never };
export type OperationArgs<K extends OperationName> = ArgumentsOf[K];
export type OperationResult<K extends OperationName> = Awaited<ReturnType<Operations[K]>>;

/** Runs an operation as the process `context` is. */
export function runOperation<K extends OperationName>(context: ProcessContext, name: K, args: OperationArgs<K>): Promise<OperationResult<K>> {
  const operation = operations[name] as unknown as (context: ProcessContext, ...args: OperationArgs<K>) => Promise<OperationResult<K>>;
  return operation(context, ...args);
}
