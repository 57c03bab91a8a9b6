import type { Duty } from "../directory/organisation.js";
import { t } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import { formatLocalTime } from "../time/business-time.js";
import type { Ticket, WorkRecord } from "./ticket.js";

/** Where a returned faulty vehicle stands (§5): its return arranged, then transported, then stored. */
export interface VehicleReturn {
  /** After-sales arranged it (`/return`): the logistics departments were pinged. */
  requested: boolean;
  transported: WorkRecord | undefined;
  stored: WorkRecord | undefined;
}

/** §5: what a return asks of the two logistics departments. */
const RETURN_DUTIES: ReadonlySet<Duty> = new Set(["transport_vehicle", "store_vehicle"]);

export function vehicleReturnOf(ticket: Pick<Ticket, "pings" | "records">): VehicleReturn {
  return {
    requested: ticket.pings.some((p) => RETURN_DUTIES.has(p.duty) && p.cancelledAt === null),
    transported: ticket.records.find((r) => r.kind === "transported"),
    stored: ticket.records.find((r) => r.kind === "stored"),
  };
}

/** The card's "returned vehicle" line, once a return is arranged: requested, transported at, stored at. */
export function vehicleReturnLines(ticket: Pick<Ticket, "pings" | "records">, view: { locale: Locale; timeZone: string }): string[] {
  const state = vehicleReturnOf(ticket);
  if (!state.requested) return [];
  const at = (record: WorkRecord) => formatLocalTime(record.at, view.timeZone);
  if (state.transported && state.stored) return [t(view.locale, "vehicle_return.stored", { transported: at(state.transported), stored: at(state.stored) })];
  if (state.transported) return [t(view.locale, "vehicle_return.transported", { transported: at(state.transported) })];
  return [t(view.locale, "vehicle_return.requested")];
}
