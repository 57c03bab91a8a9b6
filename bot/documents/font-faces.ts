import * as fontkit from "fontkit";

/** A font file with Chinese in it, and the face to use when it is a collection. */
export interface FontFace {
  path: string;
  /** PostScript name of the face in a .ttc collection, e.g. NotoSansCJKsc-Regular. */
  face: string;
}

/**
 * Text is laid out without the font's glyph substitutions (GSUB: locale and vertical forms,
 * ligatures): the collection's Simplified Chinese face maps each character to its own glyph
 * already, horizontal Chinese needs none of them, and shaping every string through Noto CJK's
 * substitution tables was most of a long PDF's time (ten times the rest). Kerning (GPOS) stays.
 */
export const NO_SUBSTITUTIONS = Object.fromEntries(["ccmp", "locl", "rlig", "liga", "clig", "calt", "rclt", "rvrn"].map((feature) => [feature, false]));

/**
 * The font as pdfkit uses it, laying text out with NO_SUBSTITUTIONS unless told otherwise. pdfkit
 * caches the layout of each word only when it asks for none of its own features, so they are set
 * here rather than in each call.
 */
function withoutSubstitutions(font: fontkit.Font): fontkit.Font {
  return new Proxy(font, {
    get(target, property) {
      if (property === "layout") return (text: string, features?: unknown) => target.layout(text, (features ?? NO_SUBSTITUTIONS) as never);
      return Reflect.get(target, property, target);
    },
  });
}

/**
 * Parsed fonts by file and face, kept for the process: parsing a CJK collection and its layout
 * tables costs a few hundred milliseconds, which every PDF (and chart) would otherwise pay again.
 * Each PDF still takes its own subset of the glyphs.
 */
const parsedFonts = new Map<string, fontkit.Font>();

export function parsedFont(font: FontFace): fontkit.Font {
  const key = `${font.path}\0${font.face}`;
  let parsed = parsedFonts.get(key);
  if (!parsed) {
    const collection = /\.(ttc|dfont)$/i.test(font.path);
    const opened = fontkit.openSync(font.path, collection ? font.face : undefined) as fontkit.Font | fontkit.FontCollection | null;
    if (!opened || "fonts" in opened) throw new Error(collection ? `it has no face ${font.face}` : "it is a collection: name the face");
    parsed = withoutSubstitutions(opened);
    parsedFonts.set(key, parsed);
  }
  return parsed;
}

