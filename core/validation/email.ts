import { invalid, ok, type ParseResult } from "./result.js";

// One @, a local part without spaces, a domain with at least one dot and a letter TLD: what a
// mail server will take, without trying to be RFC 5322 (quoted local parts are not typed by staff).
const ADDRESS = /^[^\s@"<>()[\],;:]+@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/i;
/** RFC 5321: a forward path holds at most 254 characters of address. */
const MAX_LENGTH = 254;

/** Parses a customer's e-mail address; full-width characters are folded and the domain lower-cased. */
export function parseEmail(input: string): ParseResult<string> {
  const text = input.normalize("NFKC").trim();
  if (text === "") return invalid("empty");
  if (text.length > MAX_LENGTH || !ADDRESS.test(text)) return invalid("email_format");
  const at = text.lastIndexOf("@");
  return ok(`${text.slice(0, at)}@${text.slice(at + 1).toLowerCase()}`);
}
