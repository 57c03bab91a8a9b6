import type { Notification } from "../escalation/notification.js";
import type { Brand, Deadline, DeadlineKind, TicketKind, TicketSource, TicketStatus, WorkRecordKind } from "../tickets/ticket.js";
import type { Level } from "../triage/rules.js";

/** Local calendar days, inclusive, in the business time zone. */
export interface ReportPeriod {
  from: string;
  to: string;
}

export interface TicketSummary {
  number: string;
  kind: TicketKind;
  source: TicketSource;
  category: "general" | "major";
  level: Level | null;
  status: TicketStatus;
  serviceCenterId: string | null;
  createdAt: Date;
  /** What was done, once resolved (null before, and on tickets resolved before results were kept). */
  result: string | null;
  resolvedBy: string | null;
  /** The business day it was reported: its warranty is read on that day (§5). */
  localDate: string;
  brand: Brand;
  saleDate: string | null;
  mileageKm: number | null;
}

export interface OpenMajorTicket extends TicketSummary {
  /** Who holds it: those who took it, else those who acknowledged, else those still pinged. */
  holderIds: string[];
}

export interface TeamDeadline {
  number: string;
  dueAt: Date;
  status: "pending" | "met" | "missed" | "cancelled";
}

export interface MissedDeadline {
  number: string;
  kind: DeadlineKind;
  at: Date;
}

/** What the daily reports are made of, read in a handful of indexed queries. */
export interface ReportData {
  created: TicketSummary[];
  openMajor: OpenMajorTicket[];
  missed: MissedDeadline[];
  teams: TeamDeadline[];
  /** Tickets resolved or closed in the period. */
  finished: TicketSummary[];
}

/** A ticket as the day's records list it: who called or reported, what about, and what was done. */
export interface DayTicket extends TicketSummary {
  description: string;
  customerName: string;
  /** In full: each record masks it for its reader. */
  customerPhone: string;
  reporterId: string;
  /** The hotline handles it itself (§4 客服中心) until it transfers it. */
  firstLine: boolean;
  transferredAt: Date | null;
  resolvedAt: Date | null;
  /** Work on record (measures, support…), oldest first. */
  records: { kind: WorkRecordKind; text: string; by: string; at: Date }[];
  /** What the assigned service center reported back (§4: 在规定时间内反馈), oldest first. */
  feedback: { text: string; at: Date }[];
}

/** What the three daily records are made of (§4: the call log, the mail log, the major problems report). */
export interface DailyRecordData {
  /** Every ticket reported on the day, oldest first. */
  reported: DayTicket[];
  /** Major tickets still open, and those finished during the day, oldest first, with who holds them. */
  major: (DayTicket & { holderIds: string[] })[];
}

/** A ticket as the measures (§2.2.3 考核) count it, with its acknowledgements and deadlines. */
export interface MeasuredTicket {
  number: string;
  category: "general" | "major";
  level: Level | null;
  serviceCenterId: string | null;
  localDate: string;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  /** Pings that asked for an acknowledgement. */
  pings: { departmentId: string | null; createdAt: Date; acknowledgedAt: Date | null }[];
  deadlines: { kind: DeadlineKind; status: Deadline["status"]; dueAt: Date; metAt: Date | null }[];
}

/** Which tickets an export holds: reported on these local days, of one severity if given. */
export interface TicketExportFilter {
  from: string;
  to: string;
  /** `general`, or a major level; omitted: every ticket. */
  level?: "general" | Level | undefined;
}

/** A ticket as an export lists it: every column a spreadsheet reader filters and sums by. */
export interface ExportedTicket extends TicketSummary {
  vin: string | null;
  description: string;
  customerName: string;
  customerPhone: string;
  reporterId: string;
  resolvedAt: Date | null;
  closedAt: Date | null;
}

export interface ReportStore {
  load(period: ReportPeriod, range: { start: Date; end: Date }): Promise<ReportData>;
  /** The day's records' content, in a few indexed queries; `range` is the day's start and end in UTC. */
  loadDailyRecords(day: string, range: { start: Date; end: Date }): Promise<DailyRecordData>;
  /** The tickets reported in the period, for the measures (§2.2.3 考核). */
  loadMeasures(period: ReportPeriod): Promise<MeasuredTicket[]>;
  /** Tickets for an export, oldest first. */
  exportTickets(filter: TicketExportFilter): Promise<ExportedTicket[]>;
  /**
   * Keeps a report (the manual asks for archives) with its messages, in one transaction; false
   * (and nothing sent) if that report for that period was kept already.
   */
  archive(record: { kind: ReportKind; period: ReportPeriod; content: unknown }, outbox: Notification[]): Promise<boolean>;
}

export type ReportKind = "major_problems" | "hotline_daily";
