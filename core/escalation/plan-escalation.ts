import type { Duty, LevelKey, MajorLevelKey, Organisation, PingSpec, PlanKey } from "../directory/organisation.js";
import type { NewDeadline, NewPing } from "../ports.js";
import type { DeadlineKind, Severity, TicketKind, TicketSource } from "../tickets/ticket.js";
import { endOfLocalDay, minutes } from "../time/business-time.js";
import type { TriageAnswers } from "../triage/answers.js";

/** Where a ticket stands in the manual's loop: what decides who it is pinged to. */
export interface TicketStage {
  /** The escalation went out to everyone its plan names (after confirmation, or its deadline). */
  released: boolean;
  /** The customer-service center handles the call itself (§4 客服中心). */
  firstLine: boolean;
  /** The customer-service center transferred it to after-sales (顾客待处理工单). */
  transferred: boolean;
  /** The service center that repairs it, once known. */
  serviceCenterId: string | null;
}

export interface EscalationInput {
  kind: TicketKind;
  source: TicketSource;
  severity: Severity;
  answers: TriageAnswers;
  stage: TicketStage;
  now: Date;
  timeZone: string;
}

export interface ComplaintTeamPlan {
  leaderDepartmentId: string;
  departmentIds: string[];
  onSiteBy: Date;
}

/** Who must be pinged and by when, following the manual's flows (§4, §5). Pure. */
export interface EscalationPlan {
  planKey: PlanKey;
  /** Only after-sales hears of it until it confirms (or grades) it. */
  held: boolean;
  pings: NewPing[];
  deadlines: NewDeadline[];
  team: ComplaintTeamPlan | null;
  /** Escalation channels that carry this ticket. */
  channelIds: string[];
}

/** The channels' name for a severity; a ticket still to be graded is held, so it reaches no channel. */
export function levelKeyOf(severity: Severity): LevelKey {
  return severity.level === null ? "general" : `level${severity.level}`;
}

/** Which plan a ticket follows: its severity's, or the hotline's while it is a call. */
export function planKeyOf(severity: Severity, stage: Pick<TicketStage, "firstLine" | "transferred">): PlanKey {
  if (severity.category === "major") return severity.level === null ? "ungraded" : `level${severity.level}`;
  if (stage.firstLine) return "first_line";
  return stage.transferred ? "work_order" : "general";
}

/** §4: major information of a level the organisation lists waits for after-sales to confirm it. */
export function needsConfirmation(severity: Severity, org: Organisation): boolean {
  return severity.level !== null && org.confirmation.levels.includes(`level${severity.level}` as MajorLevelKey);
}

/** Whether the ticket waits for after-sales before anyone else hears of it. */
export function isHeld(severity: Severity, stage: Pick<TicketStage, "released">, org: Organisation): boolean {
  if (stage.released) return false;
  return (severity.category === "major" && severity.level === null) || needsConfirmation(severity, org);
}

export function planEscalation(input: EscalationInput, org: Organisation): EscalationPlan {
  const planKey = planKeyOf(input.severity, input.stage);
  const held = isHeld(input.severity, input.stage, org);
  if (held && planKey !== "ungraded") return confirmationPlan(input, planKey, org);
  const team = !held && isMajorComplaint(input) ? planComplaintTeam(input, org) : null;
  const assigned = input.stage.serviceCenterId !== null;
  const pings = dedupePings([
    ...(needsConfirmation(input.severity, org) ? [confirmPing(org)] : []),
    ...org.escalation.plans[planKey].flatMap((spec) => pingsFor(spec, org)),
    ...(team ? [...org.escalation.complaint.flatMap((spec) => pingsFor(spec, org)), ...teamPings(team, org)] : []),
  ]).filter((ping) => !(assigned && ping.duty === "assign_service_center")); // §4: a center's own report is assigned to it already
  const ackDue = at(input.now, org.deadlines.acknowledgeMinutes[planKey]);
  const confirmDue = needsConfirmation(input.severity, org) ? confirmationDue(input, org) : ackDue;
  const deadlines: NewDeadline[] = pings.flatMap((ping, pingIndex) =>
    ping.needsAck ? [{ kind: "acknowledge", dueAt: ping.duty === "confirm" ? confirmDue : ackDue, pingIndex, chain: chainFor(ping.memberId, org) }] : [],
  );
  deadlines.push(...followUpDeadlines(input, planKey, pings, team, org));
  return { planKey, held, pings, deadlines, team, channelIds: held ? [] : escalationChannels(levelKeyOf(input.severity), org) };
}

/** Held for confirmation: after-sales alone is asked, with the level's short confirmation deadline. */
function confirmationPlan(input: EscalationInput, planKey: PlanKey, org: Organisation): EscalationPlan {
  const ping = confirmPing(org);
  const deadline: NewDeadline = { kind: "acknowledge", dueAt: confirmationDue(input, org), pingIndex: 0, chain: chainFor(ping.memberId, org) };
  return { planKey, held: true, pings: [ping], deadlines: [deadline], team: null, channelIds: [] };
}

function confirmationDue(input: EscalationInput, org: Organisation): Date {
  const levelKey = levelKeyOf(input.severity) as MajorLevelKey;
  return at(input.now, org.confirmation.minutes[levelKey]);
}

const confirmPing = (org: Organisation): NewPing => ({ departmentId: org.afterSalesDepartment, memberId: leadOf(org.afterSalesDepartment, org), duty: "confirm", needsAck: true });

const at = (now: Date, mins: number) => new Date(now.getTime() + minutes(mins));

function isMajorComplaint(input: EscalationInput): boolean {
  return input.kind === "complaint" && input.severity.category === "major" && input.severity.level !== null;
}

export function leadOf(departmentId: string, org: Organisation): string {
  const department = org.departments.find((d) => d.id === departmentId);
  if (!department) throw new Error(`unknown department ${departmentId}`); // the schema checks references
  return department.lead;
}

function pingsFor(spec: PingSpec, org: Organisation): NewPing[] {
  if (spec.department) {
    return [{ departmentId: spec.department, memberId: leadOf(spec.department, org), duty: spec.duty, needsAck: spec.acknowledge }];
  }
  return (spec.members ?? []).map((memberId) => ({ departmentId: null, memberId, duty: spec.duty, needsAck: spec.acknowledge }));
}

function teamPings(team: ComplaintTeamPlan, org: Organisation): NewPing[] {
  const lead = (departmentId: string, duty: Duty): NewPing => ({ departmentId, memberId: leadOf(departmentId, org), duty, needsAck: true });
  return [lead(team.leaderDepartmentId, "lead_complaint_team"), ...team.departmentIds.map((d) => lead(d, "appoint_team_member"))];
}

/** One ping per person and duty: a leader named twice (as a leader and as a lead) is told once. */
function dedupePings(pings: NewPing[]): NewPing[] {
  const seen = new Set<string>();
  return pings.filter((ping) => {
    const key = pingKey(ping);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * What makes two pings the same ask: one person, one duty (a leader named as a leader and as a
 * department's lead is told once). A plan recomputed for a new level keeps the pings it shares with the old one.
 */
export const pingKey = (ping: { memberId: string | null; duty: Duty }) => `${ping.memberId}|${ping.duty}`;

/**
 * The chain a missed deadline climbs: the pinged person first, then the organisation's chain
 * above them. Someone on the chain itself only climbs from their own step, never down.
 */
export function chainFor(firstMemberId: string, org: Organisation): string[] {
  const steps = org.escalation.chain.map((step) => (step === "lead" ? firstMemberId : step));
  const above = steps.slice(steps.lastIndexOf(firstMemberId) + 1);
  return [firstMemberId, ...above].filter((id, i, all) => all.indexOf(id) === i);
}

/** §4: a service center's feedback climbs the center's own chain, then after-sales'. */
function centerChain(serviceCenterId: string, org: Organisation): string[] {
  const own = org.serviceCenters.find((c) => c.id === serviceCenterId)?.chain ?? [];
  const afterSales = chainFor(leadOf(org.afterSalesDepartment, org), org);
  return [...own, ...afterSales].filter((id, i, all) => all.indexOf(id) === i);
}

function followUpDeadlines(input: EscalationInput, planKey: PlanKey, pings: NewPing[], team: ComplaintTeamPlan | null, org: Organisation): NewDeadline[] {
  const afterSalesChain = chainFor(leadOf(org.afterSalesDepartment, org), org);
  const deadline = (kind: DeadlineKind, mins: number, chain = afterSalesChain): NewDeadline => ({ kind, dueAt: at(input.now, mins), pingIndex: null, chain });
  const result: NewDeadline[] = [];
  const center = input.stage.serviceCenterId;
  // §4 一般质量信息: the center repairs and reports back within the set time; after-sales returns
  // the result (回执) to the center and the customer. A call the hotline settles itself has neither.
  if (input.severity.category === "general" && planKey !== "first_line") {
    if (center) result.push(deadline("feedback", org.deadlines.feedbackMinutes, centerChain(center, org)));
    result.push(deadline("receipt", org.deadlines.receiptMinutes));
  }
  // §4 1级: QA confirms, then immediately (立即) sends people for technical support.
  const support = pings.find((p) => p.duty === "technical_support");
  if (support) result.push(deadline("support", org.deadlines.supportMinutes, chainFor(support.memberId, org)));
  const measures = pings.find((p) => p.duty === "propose_measures");
  if (measures) result.push(deadline("measures", org.deadlines.measuresMinutes, chainFor(measures.memberId, org)));
  // §5: the team must reach the site the same (local) day.
  if (team) result.push({ kind: "on_site", dueAt: team.onSiteBy, pingIndex: null, chain: afterSalesChain });
  return result;
}

function planComplaintTeam(input: EscalationInput, org: Organisation): ComplaintTeamPlan {
  const level = input.severity.level;
  const media = input.answers.media;
  const departmentIds = org.complaintTeam.rules
    .filter((rule) => {
      const when = rule.when;
      if (!when) return true;
      const levelOk = when.levels === undefined || (level !== null && when.levels.includes(level));
      const mediaOk = when.media === undefined || (media !== undefined && media !== "none" && when.media.includes(media));
      return levelOk && mediaOk;
    })
    .flatMap((rule) => rule.departments)
    .filter((id, i, all) => all.indexOf(id) === i && id !== org.complaintTeam.leader);
  return {
    leaderDepartmentId: org.complaintTeam.leader,
    departmentIds,
    onSiteBy: endOfLocalDay(input.now, input.timeZone),
  };
}

/**
 * Duties and follow-up deadlines a flow asks for on request, outside every plan (§5): a returned
 * vehicle's transport and storage, sales finance handling a signed agreement's amount. A new plan
 * (a grading, an assignment) neither cancels them nor asks for them again.
 */
export const ON_REQUEST_DUTIES: ReadonlySet<Duty> = new Set(["transport_vehicle", "store_vehicle", "handle_finance"]);
export const ON_REQUEST_DEADLINES: ReadonlySet<DeadlineKind> = new Set(["transport", "storage", "finance"]);

/** What a vehicle's return asks for: `pings` in order (transport, then storage) and their deadlines. */
export interface VehicleReturnPlan {
  pings: NewPing[];
  deadlines: NewDeadline[];
}

/**
 * §5 销售公司物流部负责退回的故障车辆的运输，计划物流部负责贮存和保管: each department's lead is pinged
 * to acknowledge (within the ticket's plan's minutes, up the escalation chain like every ping) and
 * owes its milestone: the vehicle back within `transportMinutes`, stored within `storageMinutes`
 * of the request. Undefined when the organisation names no logistics departments. Pure.
 */
export function planVehicleReturn(input: { severity: Severity; stage: TicketStage; now: Date }, org: Organisation): VehicleReturnPlan | undefined {
  if (!org.logistics) return undefined;
  const ackDue = at(input.now, org.deadlines.acknowledgeMinutes[planKeyOf(input.severity, input.stage)]);
  const legs = [
    { departmentId: org.logistics.transport, duty: "transport_vehicle", kind: "transport", minutes: org.deadlines.transportMinutes },
    { departmentId: org.logistics.storage, duty: "store_vehicle", kind: "storage", minutes: org.deadlines.storageMinutes },
  ] as const;
  const pings: NewPing[] = legs.map((leg) => ({ departmentId: leg.departmentId, memberId: leadOf(leg.departmentId, org), duty: leg.duty, needsAck: true }));
  const deadlines = legs.flatMap((leg, pingIndex): NewDeadline[] => {
    const chain = chainFor(pings[pingIndex]!.memberId, org);
    return [
      { kind: "acknowledge", dueAt: ackDue, pingIndex, chain },
      { kind: leg.kind, dueAt: at(input.now, leg.minutes), pingIndex: null, chain },
    ];
  });
  return { pings, deadlines };
}

function escalationChannels(levelKey: LevelKey, org: Organisation): string[] {
  return org.channels
    .filter((c) => c.purpose === "escalation" && (c.levels === undefined || c.levels.includes(levelKey)))
    .map((c) => c.id);
}

/**
 * A ping a step adds to a ticket outside its plan (a seat added to the team, an agreed amount for
 * sales finance): the department's lead, with an acknowledgement deadline as long as the plan's
 * and the lead's chain. Its deadline's `pingIndex` is 0: the ping is the change's only new one.
 */
export function departmentAsk(input: { departmentId: string; duty: Duty; planKey: PlanKey; now: Date }, org: Organisation): { ping: NewPing; deadline: NewDeadline } {
  const memberId = leadOf(input.departmentId, org);
  return {
    ping: { departmentId: input.departmentId, memberId, duty: input.duty, needsAck: true },
    deadline: { kind: "acknowledge", dueAt: at(input.now, org.deadlines.acknowledgeMinutes[input.planKey]), pingIndex: 0, chain: chainFor(memberId, org) },
  };
}
