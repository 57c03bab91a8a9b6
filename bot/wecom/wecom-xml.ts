/**
 * WeCom's XML is flat: `<xml><Tag><![CDATA[text]]></Tag><Tag>123</Tag>…</xml>`. A value is plain
 * text or one or more CDATA sections (a literal `]]>` is written as two); nested elements such as
 * a card event's selections are not needed here: their leaves are read like any other element.
 *
 * The callback's body is parsed before its signature can be checked, so anyone can send it: the
 * scan goes once from left to right (a backtracking pattern took exponential time on a few dozen
 * unclosed CDATA sections), expands no entity but the five predefined ones, and reads no DTD.
 */

const OPEN_TAG = /<([A-Za-z_][\w.-]*)>/y;
const CLOSE_TAG = /<\/([A-Za-z_][\w.-]*)\s*>/y;
const ENTITY = /&(lt|gt|amp|quot|apos);/g;
const ENTITIES: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'" };

/** Markup that is skipped whole: what opens it, and what closes it. */
const SKIPPED: readonly [string, string][] = [
  ["<!--", "-->"],
  ["<?", "?>"],
  ["<!", ">"],
];

const CDATA_OPEN = "<![CDATA[";
const CDATA_CLOSE = "]]>";

/** An element whose value is being read: its name and the text so far. */
interface OpenElement {
  tag: string;
  value: string;
}

/**
 * The leaf elements of a WeCom XML document, by tag name; the first of a name wins. An element
 * with child elements or with malformed content has no value.
 */
export function parseFlatXml(xml: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  let open: OpenElement | undefined;
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf("<", at);
    const text = xml.slice(at, lt === -1 ? xml.length : lt);
    if (open) open.value += text.replace(ENTITY, (entity) => ENTITIES[entity]!);
    if (lt === -1) break;

    if (xml.startsWith(CDATA_OPEN, lt)) {
      const end = xml.indexOf(CDATA_CLOSE, lt + CDATA_OPEN.length);
      if (end === -1) break; // an unclosed section runs to the end: nothing after it can close
      if (open) open.value += xml.slice(lt + CDATA_OPEN.length, end);
      at = end + CDATA_CLOSE.length;
      continue;
    }
    const skipped = SKIPPED.find(([opener]) => xml.startsWith(opener, lt));
    if (skipped) {
      const end = xml.indexOf(skipped[1], lt + skipped[0].length);
      if (end === -1) break;
      open = undefined;
      at = end + skipped[1].length;
      continue;
    }
    CLOSE_TAG.lastIndex = lt;
    const close = CLOSE_TAG.exec(xml);
    if (close) {
      if (open && open.tag === close[1] && !Object.hasOwn(fields, open.tag)) fields[open.tag] = open.value;
      open = undefined;
      at = CLOSE_TAG.lastIndex;
      continue;
    }
    OPEN_TAG.lastIndex = lt;
    const opening = OPEN_TAG.exec(xml);
    open = opening ? { tag: opening[1]!, value: "" } : undefined;
    at = opening ? OPEN_TAG.lastIndex : lt + 1;
  }
  return fields;
}
