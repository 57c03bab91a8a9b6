import type { Organisation, WarrantyTerms } from "../directory/organisation.js";
import { t } from "../messages/catalog.js";
import type { Locale } from "../messages/locale.js";
import type { Ticket } from "./ticket.js";
import { warrantyOf, type VehicleAge, type Warranty, type WarrantyFacts } from "./warranty.js";

/**
 * A ticket's warranty as its card shows it, with the reason and the facts behind it:
 * `质量担保：在保（售出 1 年 3 个月，12,000 km；担保 2 年/6 万公里）`.
 */
export function warrantyLine(ticket: WarrantyFacts & Pick<Ticket, "localDate">, org: Pick<Organisation, "warranty">, locale: Locale): string {
  const { verdict, facts } = warrantyParts(ticket, org, locale);
  return facts === undefined ? t(locale, "warranty.line_bare", { verdict }) : t(locale, "warranty.line", { verdict, facts });
}

/**
 * The warranty's verdict (`在保`) and the facts behind it (`售出 1 年 3 个月，12,000 km；担保 2 年/6 万公里`),
 * for the card's line and the forms' field; no facts where the brand has no terms.
 */
export function warrantyParts(ticket: WarrantyFacts & Pick<Ticket, "localDate">, org: Pick<Organisation, "warranty">, locale: Locale): { verdict: string; facts?: string } {
  const warranty = warrantyOf(ticket, org, ticket.localDate);
  const verdict = verdictText(warranty, locale, t(locale, `brand.${ticket.brand}`));
  if (warranty.status === "unknown" && warranty.reason === "no_terms") return { verdict };
  const facts = [
    "age" in warranty && warranty.age ? soldText(warranty.age, locale) : undefined,
    "mileageKm" in warranty && warranty.mileageKm !== null ? `${warranty.mileageKm.toLocaleString("en")} km` : undefined,
  ].filter((fact) => fact !== undefined);
  const terms = termsText(warranty.terms, locale);
  const known = facts.join(t(locale, "warranty.facts_separator"));
  return { verdict, facts: [known, terms].filter(Boolean).join(t(locale, "warranty.terms_separator")) };
}

function verdictText(warranty: Warranty, locale: Locale, brand: string): string {
  switch (warranty.status) {
    case "in":
      return t(locale, "warranty.in");
    case "out":
      return t(locale, `warranty.out.${warranty.reason}`);
    case "unknown":
      return t(locale, `warranty.unknown.${warranty.reason}`, { brand });
  }
}

function soldText(age: VehicleAge, locale: Locale): string {
  if (age.years === 0 && age.months === 0) return t(locale, "warranty.sold_recently");
  return t(locale, "warranty.sold", { age: durationText(age, locale) });
}

/** `1 年 3 个月`, `1 year 3 months`, `2 years`. */
export function durationText(age: VehicleAge, locale: Locale): string {
  const years = age.years ? t(locale, age.years === 1 ? "duration.year" : "duration.years", { count: age.years }) : "";
  const months = age.months ? t(locale, age.months === 1 ? "duration.month" : "duration.months", { count: age.months }) : "";
  return [years, months].filter(Boolean).join(" ");
}

/** `担保 2 年/6 万公里`, `terms 2 years / 60,000 km`: Chinese counts a round limit in 万. */
function termsText(terms: WarrantyTerms, locale: Locale): string {
  const km = terms.km.toLocaleString("en");
  const inWan = terms.km >= 10_000 && terms.km % 1_000 === 0;
  return t(locale, "warranty.terms", {
    years: durationText({ years: terms.years, months: 0 }, locale),
    km: t(locale, inWan ? "warranty.km_wan" : "warranty.km", { km, wan: terms.km / 10_000 }),
  });
}
