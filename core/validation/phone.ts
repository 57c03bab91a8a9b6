import { invalid, ok, type ParseResult } from "./result.js";

/** A Chinese phone number; 400/800 service numbers count as `landline`. */
export type PhoneNumber = { kind: "mobile" | "landline"; e164: string; display: string };

// Per the MIIT national numbering plan (电信网编号计划): mobiles are 1[3-9] + 9 digits;
// area codes are 010 and 020–029, or 0 + three digits from 03xx up, so the split is
// unambiguous; local numbers have 7–8 digits and never start with 0; 400/800 are
// 10-digit nationwide service numbers.
const MOBILE = /^(1[3-9]\d)(\d{4})(\d{4})$/;
const LANDLINE = /^0(10|2\d|[3-9]\d{2})([1-9]\d{6,7})$/;
const SERVICE = /^([48]00)(\d{3})(\d{4})$/;

// No national number starts with 86 or 00, so a bare `86` prefix is unambiguous.
const COUNTRY_CODE = /^(?:\+86|0086|86)/;
const SEPARATORS = /[\s()-]/g;
const EXTENSION_WORD = /^(.+?)\s*(?:转|分机|ext\.?)\s*(\d{1,6})$/i;
const EXTENSION_DASH = /^(.+\d)\s*-\s*(\d{1,6})$/;

/**
 * Parses a Chinese phone number typed by staff: mobiles (`138 1234 5678`,
 * `+86 138-1234-5678`), landlines with area code (`024-12345678`,
 * `(021)12345678`, `+86 24 1234 5678`) and 400/800 service numbers. Full-width
 * characters are folded. A landline extension (`转123`, `-123`) is kept in
 * `display` only, since E.164 has no extension syntax.
 *
 * @returns kind, E.164 form (`+8613812345678`) and display form, or `empty` / `phone_format`.
 */
export function parsePhone(input: string): ParseResult<PhoneNumber> {
  const text = input.normalize("NFKC").trim();
  if (text === "") return invalid("empty");
  const { main, extension } = splitExtension(text);
  const phone = classify(main);
  if (phone === undefined) return invalid("phone_format");
  if (extension === undefined) return ok(phone);
  if (phone.kind === "mobile") return invalid("phone_format");
  return ok({ ...phone, display: `${phone.display}-${extension}` });
}

function splitExtension(text: string): { main: string; extension?: string } {
  const word = EXTENSION_WORD.exec(text);
  if (word?.[1] && word[2]) return { main: word[1], extension: word[2] };
  // A trailing `-123` is an extension only if what precedes it is already a full
  // landline; otherwise the dash is a separator, as in `024-1234-5678`.
  const dash = EXTENSION_DASH.exec(text);
  if (dash?.[1] && dash[2] && classify(dash[1])?.kind === "landline") {
    return { main: dash[1], extension: dash[2] };
  }
  return { main: text };
}

function classify(text: string): PhoneNumber | undefined {
  const compact = text.replace(SEPARATORS, "");
  const rest = compact.replace(COUNTRY_CODE, "");
  // The international form drops the trunk 0 (`+86 24 …`), but people often keep it.
  const candidates = rest === compact ? [rest] : [rest, `0${rest}`];
  for (const national of candidates) {
    const phone = mobile(national) ?? service(national) ?? landline(national);
    if (phone) return phone;
  }
  return undefined;
}

function mobile(national: string): PhoneNumber | undefined {
  const m = MOBILE.exec(national);
  if (m === null) return undefined;
  return { kind: "mobile", e164: `+86${national}`, display: `${m[1]} ${m[2]} ${m[3]}` };
}

function service(national: string): PhoneNumber | undefined {
  const m = SERVICE.exec(national);
  if (m === null) return undefined;
  return { kind: "landline", e164: `+86${national}`, display: `${m[1]}-${m[2]}-${m[3]}` };
}

function landline(national: string): PhoneNumber | undefined {
  const m = LANDLINE.exec(national);
  if (m === null) return undefined;
  return { kind: "landline", e164: `+86${m[1]}${m[2]}`, display: `0${m[1]}-${m[2]}` };
}
