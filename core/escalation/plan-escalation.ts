import type { Duty, Organisation, PingSpec, PlanKey } from "../directory/organisation.js";
import type { NewDeadline, NewPing } from "../ports.js";
import type { DeadlineKind, TicketKind, TicketSource } from "../tickets/ticket.js";
import { endOfLocalDay, minutes } from "../time/business-time.js";
import type { TriageAnswers } from "../triage/answers.js";
import type { Classification } from "../triage/classify.js";

export interface EscalationInput {
  kind: TicketKind;
  source: TicketSource;
  classification: Classification;
  answers: TriageAnswers;
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
  pings: NewPing[];
  deadlines: NewDeadline[];
  team: ComplaintTeamPlan | null;
  /** Escalation channels that carry this ticket. */
  channelIds: string[];
}

export function planKeyOf(classification: Pick<Classification, "level">): PlanKey {
  return classification.level === null ? "general" : `level${classification.level}`;
}

export function planEscalation(input: EscalationInput, org: Organisation): EscalationPlan {
  const planKey = planKeyOf(input.classification);
  const team = isMajorComplaint(input) ? planComplaintTeam(input, org) : null;
  const pings = dedupePings([
    ...(org.escalation.plans[planKey] ?? []).flatMap((spec) => pingsFor(spec, org)),
    ...(team ? [...org.escalation.complaint.flatMap((spec) => pingsFor(spec, org)), ...teamPings(team, org)] : []),
  ]);
  const ackDue = new Date(input.now.getTime() + minutes(org.deadlines.acknowledgeMinutes[planKey]));
  const deadlines: NewDeadline[] = pings.flatMap((ping, pingIndex) =>
    ping.needsAck ? [{ kind: "acknowledge", dueAt: ackDue, pingIndex, chain: chainFor(ping.memberId, org) }] : [],
  );
  deadlines.push(...followUpDeadlines(input, pings, team, org));
  return { planKey, pings, deadlines, team, channelIds: escalationChannels(planKey, org) };
}

function isMajorComplaint(input: EscalationInput): boolean {
  return input.kind === "complaint" && input.classification.category === "major";
}

function leadOf(departmentId: string, org: Organisation): string {
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

/** Leading the team includes confirming it, so the leader's other duty gives way. */
function teamPings(team: ComplaintTeamPlan, org: Organisation): NewPing[] {
  const lead = (departmentId: string, duty: Duty): NewPing => ({ departmentId, memberId: leadOf(departmentId, org), duty, needsAck: true });
  return [lead(team.leaderDepartmentId, "lead_complaint_team"), ...team.departmentIds.map((d) => lead(d, "appoint_team_member"))];
}

function dedupePings(pings: NewPing[]): NewPing[] {
  const leaderDepartments = new Set(pings.filter((p) => p.duty === "lead_complaint_team").map((p) => p.departmentId));
  const seen = new Set<string>();
  return pings.filter((ping) => {
    if (ping.duty === "confirm" && leaderDepartments.has(ping.departmentId)) return false;
    // One ping per person and duty: a leader named twice (as a leader and as a lead) is told once.
    const key = `${ping.memberId}|${ping.duty}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The chain a missed deadline climbs: the pinged person first, then the organisation's chain
 * above them. Someone on the chain itself only climbs from their own step, never down.
 */
function chainFor(firstMemberId: string, org: Organisation): string[] {
  const steps = org.escalation.chain.map((step) => (step === "lead" ? firstMemberId : step));
  const above = steps.slice(steps.lastIndexOf(firstMemberId) + 1);
  return [firstMemberId, ...above].filter((id, i, all) => all.indexOf(id) === i);
}

function followUpDeadlines(input: EscalationInput, pings: NewPing[], team: ComplaintTeamPlan | null, org: Organisation): NewDeadline[] {
  const at = (mins: number) => new Date(input.now.getTime() + minutes(mins));
  const afterSalesChain = chainFor(leadOf(org.afterSalesDepartment, org), org);
  const deadline = (kind: DeadlineKind, dueAt: Date, chain = afterSalesChain): NewDeadline => ({ kind, dueAt, pingIndex: null, chain });
  const result: NewDeadline[] = [];
  if (input.classification.category === "general") {
    // §4: the service center reports back within the set time; after-sales returns the result (回执).
    result.push(deadline("feedback", at(org.deadlines.feedbackMinutes)), deadline("receipt", at(org.deadlines.receiptMinutes)));
  }
  const measures = pings.find((p) => p.duty === "propose_measures");
  if (measures) result.push(deadline("measures", at(org.deadlines.measuresMinutes), chainFor(measures.memberId, org)));
  // §5: the team must reach the site the same (local) day.
  if (team) result.push(deadline("on_site", team.onSiteBy));
  return result;
}

function planComplaintTeam(input: EscalationInput, org: Organisation): ComplaintTeamPlan {
  const level = input.classification.level;
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

function escalationChannels(planKey: PlanKey, org: Organisation): string[] {
  return org.channels
    .filter((c) => c.purpose === "escalation" && (c.levels === undefined || c.levels.includes(planKey)))
    .map((c) => c.id);
}
