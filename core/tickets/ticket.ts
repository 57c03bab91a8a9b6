import type { Duty, Platform } from "../directory/organisation.js";
import type { TriageAnswers } from "../triage/answers.js";
import type { Level } from "../triage/rules.js";

export const TICKET_KINDS = ["fault", "complaint"] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
export const TICKET_SOURCES = ["service_center", "hotline", "customer", "dealer", "mail"] as const;
export type TicketSource = (typeof TICKET_SOURCES)[number];
export const BRANDS = ["haise", "zhonghua", "other"] as const;
export type Brand = (typeof BRANDS)[number];

/**
 * A ticket's life. The complaint-team states (manual §5) sit between acknowledgement and
 * resolution; statuses only move forward, except that closing needs a resolved ticket.
 */
export const TICKET_STATUSES = [
  "open",
  "confirmed",
  "acknowledged",
  "in_progress",
  "team_forming",
  "team_on_site",
  "agreement_signed",
  "resolved",
  "closed",
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

const RANK: Record<TicketStatus, number> = {
  open: 0,
  confirmed: 1,
  acknowledged: 2,
  in_progress: 3,
  team_forming: 3,
  team_on_site: 4,
  agreement_signed: 5,
  resolved: 6,
  closed: 7,
};

/** The status after an action that would move the ticket to `target`; never moves backwards. */
export function advanceStatus(current: TicketStatus, target: TicketStatus): TicketStatus {
  return RANK[target] > RANK[current] ? target : current;
}

export const isFinished = (status: TicketStatus) => status === "resolved" || status === "closed";

/**
 * What a deadline waits for: an acknowledgement, QA's support dispatched (level 1) or measures
 * (level 2), the team on site, a center's feedback, the receipt, finance handling an agreed
 * amount, a returned vehicle transported and stored.
 */
export const DEADLINE_KINDS = ["acknowledge", "support", "measures", "on_site", "feedback", "receipt", "finance", "transport", "storage"] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export interface AttachmentRef {
  platform: string;
  fileId: string;
  kind: "photo" | "document";
  name?: string | undefined;
}

/**
 * What the people handling a ticket did, in their words (manual §4, §5). `support`: who QA sent for
 * technical support (level 1); `measures`: QA's proposed measures (level 2); `appraisal`: QA's
 * technical appraisal; `responsibility`: the complaint team's split of responsibility (分清责任);
 * `agreement`: the terms agreed with the customer; `finance`: sales finance's handling of the
 * amount; `transported`/`stored`: a returned vehicle's milestones; `phone_receipt`: the receipt
 * given to the customer by phone.
 */
export const WORK_RECORD_KINDS = ["support", "measures", "appraisal", "responsibility", "agreement", "finance", "transported", "stored", "phone_receipt"] as const;
export type WorkRecordKind = (typeof WORK_RECORD_KINDS)[number];

export interface WorkRecord {
  id: number;
  kind: WorkRecordKind;
  text: string;
  /** The agreement's amount in fen (分); null for every other kind, or an agreement without money. */
  amountFen: number | null;
  /** Why after-sales recorded the agreement before every seat was confirmed and the team on site. */
  override: string | null;
  by: string;
  at: Date;
  /** Files that belong to the record (the signed agreement). */
  attachments: AttachmentRef[];
}

export type NewWorkRecord = Omit<WorkRecord, "id">;

export interface MatchedRuleRef {
  rule: string;
  /** Null: a criterion that makes the item major with no level of its own (§4). */
  level: Level | null;
}

/** A department or person that must act under the manual's flow. */
export interface Ping {
  id: number;
  departmentId: string | null;
  memberId: string | null;
  duty: Duty;
  needsAck: boolean;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  /** Set when a new level (or an assignment) no longer needs it; the ping stays on record. */
  cancelledAt: Date | null;
}

/** Pings still in force: a cancelled ping neither shows the ticket to its member nor awaits them. */
export const activePings = (ticket: Pick<Ticket, "pings">): Ping[] => ticket.pings.filter((p) => p.cancelledAt === null);

export interface Deadline {
  id: number;
  pingId: number | null;
  kind: DeadlineKind;
  dueAt: Date;
  status: "pending" | "met" | "missed" | "cancelled";
  /** Member ids to escalate to, in order; `step` is how far it has climbed. */
  chain: string[];
  step: number;
}

/**
 * A department's place on a major complaint's handling team (manual §5). The lead appoints a
 * member, who confirms the appointment, since team members must be authorized.
 */
export interface TeamSeat {
  departmentId: string;
  leader: boolean;
  memberId: string | null;
  appointedBy: string | null;
  appointedAt: Date | null;
  confirmedAt: Date | null;
}

/**
 * How severe a ticket is: general, or major with its level (1 most severe). Major with no level is
 * important by §4's definition (whole-vehicle performance or personal safety, a batch) but meets no
 * level's criteria yet: after-sales grades it.
 */
export interface Severity {
  category: "general" | "major";
  level: Level | null;
}

export const isUngraded = (severity: Severity) => severity.category === "major" && severity.level === null;

/** After-sales set the ticket's level (定级), beside the criteria the answers met. */
export interface Grading {
  from: Severity;
  to: Severity;
  by: string;
  reason: string;
  at: Date;
}

export interface Ticket extends Severity {
  id: number;
  number: string;
  localDate: string;
  kind: TicketKind;
  source: TicketSource;
  matched: MatchedRuleRef[];
  answers: TriageAnswers;
  status: TicketStatus;
  brand: Brand;
  vin: string | null;
  mileageKm: number | null;
  description: string;
  customerName: string;
  customerPhone: string;
  reporterId: string;
  /** The chat platform the report came in on; the reporter hears back there. */
  originPlatform: Platform | null;
  /** The service center that repairs it: the reporter's own, or the one after-sales assigned. */
  serviceCenterId: string | null;
  /**
   * When the escalation went out to everyone its plan names. Null while the ticket waits for
   * after-sales to confirm or grade it (§4: 经售后服务部确认后 … 报送相关领导和质量保证部).
   */
  releasedAt: Date | null;
  /** A hotline call the customer-service center handles itself, until it transfers it (§4 客服中心). */
  firstLine: boolean;
  /** When the customer-service center filed it to after-sales as a customer pending work order (顾客待处理工单). */
  transferredAt: Date | null;
  /** Every grading, oldest first. */
  gradings: Grading[];
  /** Where the customer wants the receipt by e-mail; null when they gave no address. */
  customerEmail: string | null;
  /** The customer asked not to be contacted: no SMS or e-mail goes to them. */
  doNotContact: boolean;
  /** The vehicle's sale date (YYYY-MM-DD), where its warranty starts; null when unknown. */
  saleDate: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
  /** What was done, in the resolver's words; the receipt (回执) carries it. */
  result: string | null;
  resolvedBy: string | null;
  /** What QA, the team, finance and logistics recorded, oldest first. */
  records: WorkRecord[];
  closedAt: Date | null;
  pings: Ping[];
  deadlines: Deadline[];
  attachments: AttachmentRef[];
  /** Empty until after-sales forms the complaint team. */
  team: TeamSeat[];
}

export type TimelineEventType =
  | "created"
  | "classified"
  | "pinged"
  | "acknowledged"
  | "taken"
  | "note"
  | "info_requested"
  | "attachment_added"
  | "status_changed"
  | "resolved"
  | "closed"
  | "reminded"
  | "escalated"
  | "deadline_missed"
  | "team_formed"
  | "team_appointed"
  | "team_confirmed"
  | "team_on_site"
  | "agreement_signed"
  | "confirmed"
  | "released"
  | "graded"
  | "ping_cancelled"
  | "deadline_cancelled"
  | "assigned"
  | "feedback"
  | "transferred"
  | "team_seat_added"
  | "team_seat_removed"
  | "work_recorded"
  | "receipt_sent"
  | "receipt_failed"
  | "vehicle_return_requested";

export interface NewTimelineEvent {
  type: TimelineEventType;
  actorId: string | null;
  data?: Record<string, unknown>;
}

/** `HL-20261126-0007`: short enough to read aloud, unique per local business day. */
export function formatTicketNumber(localDate: string, sequence: number): string {
  return `HL-${localDate.replaceAll("-", "")}-${String(sequence).padStart(4, "0")}`;
}

const TICKET_NUMBER = /^HL-?(\d{8})-?(\d{1,6})$/;

/** Accepts what people type (`hl-20261126-7`, `HL202611260007`) and returns the canonical number. */
export function normalizeTicketNumber(input: string): string | undefined {
  const match = TICKET_NUMBER.exec(input.trim().toUpperCase());
  if (!match) return undefined;
  const [, day, seq] = match as unknown as [string, string, string];
  return `HL-${day}-${seq.padStart(4, "0")}`;
}

/** 138****1234: enough to recognise a customer without spreading their number (a +86 prefix is left out). */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, "").replace(/^(?:0086|86)(?=1\d{10}$)/, "");
  if (digits.length < 7) return "****";
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

/** An e-mail address as lists show it: `z***@example.com` (the first character and the domain). */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf("@");
  if (at < 1) return "***";
  return `${String.fromCodePoint(address.codePointAt(0)!)}***${address.slice(at)}`;
}
