import type { Organisation, WarrantyTerms } from "../directory/organisation.js";
import type { Ticket } from "./ticket.js";

/** How long a vehicle had been sold on a day: whole years and the months beyond them. */
export interface VehicleAge {
  years: number;
  months: number;
}

/**
 * Whether a ticket's fault falls within the vehicle's warranty (§5: 质量担保期内的故障维修按质量担保规定的要求执行),
 * and why. Whichever limit comes first ends it: the years since the sale, or the kilometres.
 */
export type Warranty =
  | { status: "in"; terms: WarrantyTerms; age: VehicleAge; mileageKm: number }
  | { status: "out"; reason: "years" | "km"; terms: WarrantyTerms; age: VehicleAge | null; mileageKm: number | null }
  | { status: "unknown"; reason: "no_terms" }
  | { status: "unknown"; reason: "no_sale_date"; terms: WarrantyTerms; mileageKm: number | null }
  | { status: "unknown"; reason: "no_mileage"; terms: WarrantyTerms; age: VehicleAge };

export type WarrantyStatus = Warranty["status"];

/** What the rule reads off a ticket: the brand's terms, the sale date, the mileage reported. */
export type WarrantyFacts = Pick<Ticket, "brand" | "saleDate" | "mileageKm">;

/**
 * The warranty on `day` (YYYY-MM-DD), the day the fault was reported: callers pass the ticket's
 * creation day, so a ticket's warranty does not change as it ages. Out as soon as one limit is
 * passed, even with the other unknown; in only with both known and within; unknown otherwise.
 * Pure.
 */
export function warrantyOf(ticket: WarrantyFacts, org: Pick<Organisation, "warranty">, day: string): Warranty {
  const terms = org.warranty[ticket.brand];
  if (!terms) return { status: "unknown", reason: "no_terms" };
  const age = ticket.saleDate === null ? null : vehicleAge(ticket.saleDate, day);
  const mileageKm = ticket.mileageKm;
  if (ticket.saleDate !== null && day > lastWarrantyDay(ticket.saleDate, terms.years)) return { status: "out", reason: "years", terms, age, mileageKm };
  // Exactly the limit is still within it: only more kilometres exceed it.
  if (mileageKm !== null && mileageKm > terms.km) return { status: "out", reason: "km", terms, age, mileageKm };
  if (age === null) return { status: "unknown", reason: "no_sale_date", terms, mileageKm };
  if (mileageKm === null) return { status: "unknown", reason: "no_mileage", terms, age };
  return { status: "in", terms, age, mileageKm };
}

/**
 * The last day within `years` of a sale, counted as the Civil Code counts periods (民法典 第二百零一条、
 * 第二百零三条): the sale day itself is not counted, so the period ends on the same date `years`
 * later (the anniversary is still within it); a sale on 29 February ends on 28 February of a
 * year without one.
 */
export function lastWarrantyDay(saleDate: string, years: number): string {
  const [year, month, day] = dateParts(saleDate);
  const endYear = year + years;
  const lastOfMonth = new Date(Date.UTC(endYear, month, 0)).getUTCDate();
  return isoDate(endYear, month, Math.min(day, lastOfMonth));
}

/** Whole years and months from the sale to `day`; a month is complete on its same date (none before the sale). */
export function vehicleAge(saleDate: string, day: string): VehicleAge {
  const [saleYear, saleMonth, saleDay] = dateParts(saleDate);
  const [year, month, date] = dateParts(day);
  const months = Math.max(0, (year - saleYear) * 12 + (month - saleMonth) - (date < saleDay ? 1 : 0));
  return { years: Math.floor(months / 12), months: months % 12 };
}

function dateParts(date: string): [number, number, number] {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return [year, month, day];
}

const isoDate = (year: number, month: number, day: number) => `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
