/**
 * A reply or notification as platform-neutral data. Each adapter renders it natively
 * (inline keyboards, Block Kit, numbered options) and escapes the plain text for its format.
 */
export interface Card {
  title?: string | undefined;
  /** Paragraphs of plain text, never markup: user input goes here unescaped. */
  lines: string[];
  fields?: CardField[] | undefined;
  choices?: Choice[] | undefined;
  /**
   * The answer is typed (a VIN, an amount) and the choices are shortcuts: adapters that number
   * their options must not read a typed number as an option.
   */
  typedAnswer?: boolean | undefined;
  /**
   * Pick-a-member inputs. The chosen member's id is appended to the picker's id, which is a command
   * (`/appoint HL-… quality_assurance` + ` chen.jie`); adapters without pickers show the command to type.
   */
  pickers?: Choice[] | undefined;
  /** People to notify by name; the adapter turns each into a real mention. */
  mentions?: Mention[] | undefined;
  tone?: "info" | "question" | "success" | "warning" | "error" | undefined;
}

export interface CardField {
  label: string;
  value: string;
}

/** A button or numbered option. The id is short and stable: Telegram allows 64 bytes of callback data. */
export interface Choice {
  id: string;
  label: string;
}

export interface Mention {
  memberId: string;
  name: string;
}

export const card = (lines: string | string[], extra: Omit<Card, "lines"> = {}): Card => ({
  lines: typeof lines === "string" ? [lines] : lines,
  ...extra,
});

/** Renders a card as plain text: the terminal chat, logs and fallbacks use it. */
export function cardToPlainText(c: Card): string {
  const out: string[] = [];
  if (c.title) out.push(c.title);
  out.push(...c.lines);
  for (const f of c.fields ?? []) out.push(`${f.label}: ${f.value}`);
  out.push(...pickerHints(c));
  if (c.mentions?.length) out.push(c.mentions.map((m) => `@${m.name}`).join(" "));
  return out.join("\n");
}

/** Pickers as the command to type, for adapters that cannot show a member picker. */
export function pickerHints(c: Card): string[] {
  return (c.pickers ?? []).map((p) => `${p.label}: ${p.id} <member>`);
}
