import type { Organisation } from "../directory/organisation.js";
import type { Card, Choice, Mention } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import { departmentName, memberName, recordLines, ticketFields, type CardContext } from "../tickets/ticket-card.js";
import { isFinished, type TeamSeat, type Ticket, type WorkRecordKind } from "../tickets/ticket.js";
import { formatLocalTime } from "../time/business-time.js";

function leadOf(departmentId: string, org: Organisation): string | null {
  return org.departments.find((d) => d.id === departmentId)?.lead ?? null;
}

/**
 * Who belongs in the team's own place (channel, group chat): the leader first, then each seat's
 * member, or the lead of a seat still empty, who has to appoint one.
 */
export function teamPeople(ticket: Ticket, org: Organisation): string[] {
  const seats = [...ticket.team].sort((a, b) => Number(b.leader) - Number(a.leader));
  const people = seats.map((seat) => seat.memberId ?? leadOf(seat.departmentId, org)).filter((id): id is string => id !== null);
  return [...new Set(people)];
}

/** What the roster keeps of the work on the case: QA's appraisal, the team's split and agreement, finance's handling. */
const TEAM_RECORDS: readonly WorkRecordKind[] = ["appraisal", "responsibility", "agreement", "finance"];

function seatLine(seat: TeamSeat, ctx: CardContext): string {
  const department = departmentName(seat.departmentId, ctx);
  const who = memberName(seat.memberId, ctx);
  if (seat.leader) return t(ctx.locale, "team.seat.leader", { department, who });
  if (!seat.memberId) return t(ctx.locale, "team.seat.awaiting", { department, lead: memberName(leadOf(seat.departmentId, ctx.org), ctx) });
  return t(ctx.locale, seat.confirmedAt ? "team.seat.confirmed" : "team.seat.appointed", { department, who });
}

/**
 * What the team can record next (§5): arriving on site, the responsibility split, the signed
 * agreement; and for after-sales, a seat for another department. Each button asks for its text.
 */
function progressActions(ticket: Ticket, ctx: CardContext): Choice[] {
  if (isFinished(ticket.status) || ticket.status === "agreement_signed") return [];
  const button = (command: string, label: Parameters<typeof t>[1]): Choice => ({ id: `/${command} ${ticket.number}`, label: t(ctx.locale, label) });
  const onSite = ticket.status === "team_on_site" ? [] : [button("onsite", "button.on_site")];
  return [...onSite, button("responsibility", "button.responsibility"), button("agreement", "button.agreement"), { id: `/team ${ticket.number} add`, label: t(ctx.locale, "button.add_seat") }];
}

/**
 * A complaint team's roster (manual §5): each department's seat and where it stands, the
 * same-day on-site deadline, a member picker for each seat still empty, and the progress buttons.
 */
export function teamCard(ticket: Ticket, ctx: CardContext): Card {
  const { locale } = ctx;
  const onSite = ticket.deadlines.find((d) => d.kind === "on_site");
  const empty = ticket.team.filter((seat) => !seat.leader && !seat.memberId);
  const mentions: Mention[] = empty.flatMap((seat) => {
    const lead = leadOf(seat.departmentId, ctx.org);
    return lead ? [{ memberId: lead, name: memberName(lead, ctx) }] : [];
  });
  return {
    title: t(locale, "team.title", { number: ticket.number }),
    lines: [
      ...(onSite ? [t(locale, "team.on_site_by", { due: formatLocalTime(onSite.dueAt, ctx.timeZone) })] : []),
      ...ticket.team.map((seat) => seatLine(seat, ctx)),
      ...recordLines(ticket, ctx, TEAM_RECORDS),
    ],
    fields: ticketFields(ticket, ctx, { only: ["status", "description", "serviceCenter", "customerName"] }),
    pickers: isFinished(ticket.status)
      ? []
      : empty.map((seat) => ({ id: `/appoint ${ticket.number} ${seat.departmentId}`, label: t(locale, "team.picker", { department: departmentName(seat.departmentId, ctx) }) })),
    choices: progressActions(ticket, ctx),
    mentions,
    tone: "info",
  };
}
