import { actsOnAllTickets, hasRole, type Member } from "../directory/member.js";
import type { Organisation } from "../directory/organisation.js";
import type { Ticket } from "./ticket.js";

/** Pinged to the member personally or to their department. */
export function isPinged(member: Member, ticket: Ticket): boolean {
  return ticket.pings.some((p) => p.memberId === member.id || (p.departmentId !== null && p.departmentId === member.departmentId));
}

/** Staff see their own and their center's tickets; pinged departments, after-sales and managers see theirs. */
export function canView(member: Member, ticket: Ticket, org: Organisation): boolean {
  return (
    ticket.reporterId === member.id ||
    (member.serviceCenterId !== undefined && member.serviceCenterId === ticket.serviceCenterId) ||
    actsOnAllTickets(member, org) ||
    isPinged(member, ticket)
  );
}

/** Department leads act on tickets pinged to their department; after-sales and managers on all. */
export function canAct(member: Member, ticket: Ticket, org: Organisation): boolean {
  return actsOnAllTickets(member, org) || isPinged(member, ticket);
}

/** A service center resolves the general faults it repairs (manual §5); otherwise those who act. */
export function canResolve(member: Member, ticket: Ticket, org: Organisation): boolean {
  const repairsIt = ticket.category === "general" && hasRole(member, "staff") && member.serviceCenterId === ticket.serviceCenterId;
  return repairsIt || canAct(member, ticket, org);
}

/**
 * Who gets the customer's whole phone number: those who must call the customer. The reporter took
 * the call or the visit; the ticket's service center repairs the vehicle (manual §4, 一般质量信息);
 * after-sales assigns, supervises and sends the customer the result (回执). Everyone else, managers
 * included, reads it masked, and so does everyone in a conversation others can read.
 */
export function mayCallCustomer(member: Member, ticket: Ticket, org: Organisation): boolean {
  return (
    ticket.reporterId === member.id ||
    (member.serviceCenterId !== undefined && member.serviceCenterId === ticket.serviceCenterId) ||
    member.departmentId === org.afterSalesDepartment
  );
}

export const canClose = (member: Member, org: Organisation) => actsOnAllTickets(member, org);

/** Reports come from the front line: service centers, the hotline, after-sales. */
export function canReport(member: Member, org: Organisation): boolean {
  return hasRole(member, "staff") || hasRole(member, "agent") || actsOnAllTickets(member, org);
}
