import { organisationTerms } from "../directory/organisation-terms.js";
import type { Organisation } from "../directory/organisation.js";
import type { HotlineError } from "../errors.js";
import { card, type Card } from "../messages/card.js";
import { t } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import type { Refusal, TicketAction } from "../tickets/flow-support.js";
import { normalizeTicketNumber } from "../tickets/ticket.js";

/** A domain error as the member reads it: every code has its sentence in the catalog, none shows a developer's message. */
export function refusal(error: HotlineError, locale: Locale, org: Organisation): Card {
  const number = String(error.details.number ?? "");
  const terms = organisationTerms(org, locale);
  const text = (() => {
    switch (error.code) {
      case "invalid_input":
      case "invalid_config":
        return t(locale, `error.${error.code}`);
      case "ticket_not_found":
        return t(locale, "error.ticket_not_found", { number: normalizeTicketNumber(number) ?? number });
      case "not_allowed":
        return t(locale, `error.not_allowed.${(error.details.refusal as Refusal | "report" | "reports") ?? "act"}`, { number, ...terms });
      case "invalid_transition":
        return t(locale, "error.invalid_transition", {
          number,
          status: t(locale, `status.${error.details.status as "open"}`),
          action: t(locale, `action.${error.details.action as TicketAction}`),
        });
      case "nothing_to_acknowledge":
      case "nothing_to_confirm":
      case "no_team":
        return t(locale, `error.${error.code}`, { number, ...terms });
      case "no_seat":
      case "not_in_department":
      case "unknown_member":
      case "unknown_service_center":
      case "already_assigned":
        return t(locale, `error.${error.code}`, error.details);
      case "not_awaiting_confirmation":
      case "not_assigned":
      case "not_first_line":
      case "not_resolved":
      case "no_logistics":
      case "return_already_arranged":
      case "return_not_requested":
      case "not_transported":
      case "no_record_form":
        return t(locale, `error.${error.code}`, { number, ...terms });
      case "milestone_recorded":
        return t(locale, "error.milestone_recorded", error.details);
      case "not_called_for":
        return t(locale, `error.not_called_for.${(error.details.kind as "support") ?? "support"}`, { number });
      case "unknown_department":
      case "already_seated":
      case "leader_seat":
        return t(locale, `error.${error.code}`, error.details);
      case "agreement_not_ready":
        return [t(locale, "error.agreement_not_ready", error.details), ...(error.details.mayOverride ? [t(locale, "agreement.override_hint", { number, ...terms })] : [])].join("\n");
    }
  })();
  // §5: after-sales may record the agreement anyway; the button asks for the reason first.
  const override = error.code === "agreement_not_ready" && error.details.mayOverride ? [{ id: `/agreement ${number} override`, label: t(locale, "button.agreement_override") }] : undefined;
  return card(text, { tone: "error", choices: override });
}
