import { actsOnAllTickets, hasRole, type Member } from "../directory/member.js";
import type { Organisation } from "../directory/organisation.js";
import { activePings, type Ticket } from "./ticket.js";

/** Pinged to the member personally or to their department (a cancelled ping no longer counts). */
export function isPinged(member: Member, ticket: Ticket): boolean {
  return activePings(ticket).some((p) => p.memberId === member.id || (p.departmentId !== null && p.departmentId === member.departmentId));
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

/** §4 定级 and confirmation: the departments and roles the organisation file names (after-sales and managers by default). */
export function mayGrade(member: Member, org: Organisation): boolean {
  const departments = org.grading.departments;
  return hasRole(member, "admin") || (member.departmentId !== undefined && departments.includes(member.departmentId)) || org.grading.roles.some((role) => hasRole(member, role));
}

/** §4: 由售后服务部委派、监督各服务中心: after-sales (and managers) assign a service center. */
export const mayAssign = (member: Member, org: Organisation) => actsOnAllTickets(member, org);

/** The repair result comes from the assigned center's staff, or after-sales writing down what it phoned in. */
export function mayGiveFeedback(member: Member, ticket: Ticket, org: Organisation): boolean {
  const ofTheCenter = member.serviceCenterId !== undefined && member.serviceCenterId === ticket.serviceCenterId;
  return ofTheCenter || actsOnAllTickets(member, org);
}

/** §4 客服中心: the hotline transfers what it cannot settle itself. */
export function mayTransfer(member: Member, org: Organisation): boolean {
  return org.customerServiceDepartment !== undefined && member.departmentId === org.customerServiceDepartment;
}

/** §5: after-sales, which owns the case, arranges a faulty vehicle's return (and managers with it). */
export const mayArrangeReturn = (member: Member, org: Organisation) => actsOnAllTickets(member, org);

/** §5 物流部负责退回的故障车辆的运输: the members of the department the organisation names for transport. */
export function mayRecordTransport(member: Member, org: Organisation): boolean {
  return org.logistics !== undefined && member.departmentId === org.logistics.transport;
}

/** §5 计划物流部负责贮存和保管: the members of the department the organisation names for storage. */
export function mayRecordStorage(member: Member, org: Organisation): boolean {
  return org.logistics !== undefined && member.departmentId === org.logistics.storage;
}

/**
 * QA's work on a ticket (§4: technical support, measures; §5: 技术鉴定、核实) comes from the quality
 * assurance department; managers may write it down for them.
 */
export function mayRecordQualityWork(member: Member, org: Organisation): boolean {
  return member.departmentId === org.qualityAssuranceDepartment || hasRole(member, "manager") || hasRole(member, "admin");
}

/** §5 销售财务处负责相关财务处理: the finance department (and managers) records how an agreed amount was handled. */
export function mayRecordFinance(member: Member, org: Organisation): boolean {
  return member.departmentId === org.complaintTeam.financeDepartment || hasRole(member, "manager") || hasRole(member, "admin");
}

/** A member of the ticket's complaint team (any seat, the leader's included). */
export const isOnTeam = (member: Member, ticket: Ticket) => ticket.team.some((s) => s.memberId === member.id);

/** §5: the team records its own progress; after-sales, which leads it, and managers may too. */
export const mayRecordForTeam = (member: Member, ticket: Ticket, org: Organisation) => isOnTeam(member, ticket) || actsOnAllTickets(member, org);
