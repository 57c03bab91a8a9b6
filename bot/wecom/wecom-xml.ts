/**
 * WeCom's XML is flat: `<xml><Tag><![CDATA[text]]></Tag><Tag>123</Tag>…</xml>`. A value is plain
 * text or one or more CDATA sections (a literal `]]>` is written as two); nested elements such as
 * a card event's selections are not needed here and are skipped.
 */
const ELEMENT = /<([A-Za-z_][\w.-]*)>((?:<!\[CDATA\[[\s\S]*?\]\]>)+|[^<]*)<\/\1>/g;
const CDATA = /<!\[CDATA\[([\s\S]*?)\]\]>/g;

const ENTITIES: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'" };

/** The elements of a flat WeCom XML document, by tag name. */
export function parseFlatXml(xml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [, tag, value] of xml.matchAll(ELEMENT)) {
    if (tag === undefined || value === undefined || tag in fields) continue;
    fields[tag] = value.startsWith("<![CDATA[") ? value.replace(CDATA, "$1") : value.replace(/&(lt|gt|amp|quot|apos);/g, (entity) => ENTITIES[entity]!);
  }
  return fields;
}
