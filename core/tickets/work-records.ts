import type { Member } from "../directory/member.js";
import type { CoreContext, TicketChange } from "../ports.js";
import { activePings, type AttachmentRef, type NewTimelineEvent, type Ticket, type WorkRecordKind } from "./ticket.js";

/*
 * What the people handling a ticket did, in their words: QA's support, measures and appraisal
 * (§4, §5), the complaint team's responsibility split and agreement, finance's handling (§5).
 * After-sales keeps every record (§4: 售后服务部负责各种质量信息记录的归档保存): each is on the
 * ticket, on its card and on its timeline.
 */

export interface WorkDone {
  kind: WorkRecordKind;
  text: string;
  by: Member;
  at: Date;
  amountFen?: number | null | undefined;
  override?: string | null | undefined;
  attachments?: AttachmentRef[] | undefined;
}

/** The record and its timeline entry, as parts of a ticket change. */
export function recordOf(work: WorkDone): Pick<TicketChange, "addRecords"> & { event: NewTimelineEvent } {
  const amountFen = work.amountFen ?? null;
  return {
    addRecords: [{ kind: work.kind, text: work.text, amountFen, override: work.override ?? null, by: work.by.id, at: work.at, attachments: work.attachments ?? [] }],
    event: { type: "work_recorded", actorId: work.by.id, data: { kind: work.kind, text: work.text, amountFen } },
  };
}

/**
 * Who in after-sales hears of the work: whoever the ticket asks to coordinate or handle it (§4:
 * 售后服务部给予协调处理 / 自行处理), else the after-sales lead.
 */
export async function afterSalesHandlers(ctx: CoreContext, ticket: Ticket): Promise<Member[]> {
  const asked = activePings(ticket).filter((p) => p.duty === "coordinate" || p.duty === "handle").flatMap((p) => (p.memberId ? [p.memberId] : []));
  const lead = ctx.org.departments.find((d) => d.id === ctx.org.afterSalesDepartment)?.lead;
  const ids = asked.length ? [...new Set(asked)] : lead ? [lead] : [];
  const members = await Promise.all(ids.map((id) => ctx.directory.findMember(id)));
  return members.filter((m): m is Member => m !== undefined);
}
