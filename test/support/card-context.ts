import type { Member } from "../../core/directory/member.js";
import type { Locale } from "../../core/messages/locale.js";
import type { CardContext } from "../../core/tickets/ticket-card.js";
import { defaultOrganisation } from "./organisation.js";

/** What the card renderers read, for the default organisation's people, in one language. */
export function cardContextIn(locale: Locale, timeZone = "Asia/Shanghai"): CardContext {
  const org = defaultOrganisation();
  const members = new Map<string, Member>(
    org.members.map((m) => [m.id, { id: m.id, name: m.name, roles: m.roles, departmentId: m.department, serviceCenterId: m.serviceCenter, identities: m.identities }]),
  );
  return { locale, org, timeZone, members };
}
