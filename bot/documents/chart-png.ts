import { existsSync } from "node:fs";
import type * as fontkit from "fontkit";
import { renderAsync } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Chart } from "../../core/reports/report-charts.js";
import { NO_SUBSTITUTIONS, parsedFont, type FontFace } from "./font-faces.js";
import { DocumentFontMissing } from "./record-pdf.js";

/** The font charts are drawn in: a file with Chinese in it, its face, and its family name (resvg picks faces by family). */
export interface ChartFont extends FontFace {
  /** e.g. `Noto Sans CJK SC`, the Simplified Chinese family of Debian's fonts-noto-cjk collection. */
  family: string;
}

/** One panel's size in CSS pixels: a bar chart's, and a trend's, which takes two. */
export const PANEL = { width: 380, height: 280 } as const;
/** Pixels per CSS pixel: twice, so the picture stays sharp when a PDF or a chat client scales it. */
export const CHART_SCALE = 2;

export interface ChartPicture {
  png: Buffer;
  /** Pixels, as the PNG's header says. */
  width: number;
  height: number;
}

const COLOURS = ["#4C78A8", "#F58518", "#E45756", "#72B7B2", "#54A24B"];

/** A panel as a vega-lite spec sized to exactly its box (`fit`, padding included), so panels line up. */
function panelSpec(chart: Chart, font: string): TopLevelSpec {
  const base = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: chart.title, fontSize: 14 },
    autosize: { type: "fit", contains: "padding" },
    background: "white",
    padding: 12,
    config: { font, axis: { labelFont: font, titleFont: font, labelFontSize: 11 }, legend: { labelFont: font, titleFont: font }, title: { font }, view: { stroke: null } },
  } as const;
  if (chart.type === "bar") {
    return {
      ...base,
      width: PANEL.width,
      height: PANEL.height,
      data: { values: chart.bars },
      encoding: {
        x: { field: "label", type: "nominal", sort: null, title: null, axis: { labelAngle: chart.bars.length > 5 ? -30 : 0, labelLimit: 120 } },
        // From zero to at least one, so a quiet day's zeros sit on the axis rather than in the middle.
        y: { field: "value", type: "quantitative", title: null, axis: { tickMinStep: 1, format: "d" }, scale: { domain: [0, Math.max(1, ...chart.bars.map((bar) => bar.value))], nice: true } },
      },
      layer: [
        { mark: { type: "bar", color: COLOURS[0] } },
        { mark: { type: "text", dy: -6, fontSize: 11 }, encoding: { text: { field: "value", type: "quantitative" } } },
      ],
    };
  }
  return {
    ...base,
    width: PANEL.width * 2,
    height: PANEL.height,
    data: { values: chart.series.flatMap((series, order) => series.values.map((value, i) => ({ day: chart.days[i], series: series.label, order, value }))) },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "day", type: "ordinal", title: null, axis: { labelAngle: 0 } },
      y: { field: "value", type: "quantitative", title: null, axis: { tickMinStep: 1, format: "d" }, scale: { domain: [0, Math.max(1, ...chart.series.flatMap((s) => s.values))], nice: true } },
      color: { field: "series", type: "nominal", title: null, sort: chart.series.map((s) => s.label), scale: { range: COLOURS }, legend: { orient: "bottom" } },
    },
  };
}

const XML_ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&apos;": "'" };
const attribute = (attributes: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attributes)?.[1];

/**
 * Each of vega's <text> elements as the outlines of its glyphs, from the face the PDFs use. resvg
 * lays each text element out by loading the face from the collection again (some 35 ms a label
 * for Noto CJK, most of a chart's time); outlines need no layout, and look the same.
 */
function labelsAsOutlines(svg: string, font: fontkit.Font): string {
  return svg.replace(/<text\b([^>]*)>([^<]*)<\/text>/g, (_, attributes: string, content: string) => {
    const text = content.replace(/&(?:amp|lt|gt|quot|#39|apos);/g, (entity) => XML_ENTITIES[entity]!);
    const size = Number.parseFloat(attribute(attributes, "font-size") ?? "11");
    const scale = size / font.unitsPerEm;
    const run = font.layout(text, NO_SUBSTITUTIONS as never);
    let advance = 0;
    const outlines = run.glyphs.map((glyph, i) => {
      const outline = glyph.path.translate(advance, 0).toSVG();
      advance += run.positions[i]!.xAdvance;
      return outline;
    });
    const anchor = attribute(attributes, "text-anchor");
    const shift = anchor === "middle" ? (-advance * scale) / 2 : anchor === "end" ? -advance * scale : 0;
    const transform = attribute(attributes, "transform") ?? "";
    const fill = attribute(attributes, "fill") ?? "#000";
    const opacity = attribute(attributes, "opacity") ?? "1";
    // Outlines are drawn y-up from the baseline, where the text's own origin is.
    return `<path transform="${transform} translate(${shift},0) scale(${scale},${-scale})" fill="${fill}" opacity="${opacity}" d="${outlines.join("")}"/>`;
  });
}

async function panelSvg(chart: Chart, font: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(panelSpec(chart, font)).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Charts side by side as one PNG: each drawn by vega-lite → vega as SVG, its labels turned into
 * outlines of the CJK face, placed in a row, and rasterised by resvg with only the given font
 * loaded (for any text left), so Chinese labels never fall back to boxes.
 */
export async function renderChartsPng(charts: readonly Chart[], font: ChartFont): Promise<ChartPicture> {
  if (!existsSync(font.path)) {
    throw new DocumentFontMissing(`the chart font ${font.path} (DOCUMENT_FONT) is missing: install Debian's fonts-noto-cjk, or set DOCUMENT_FONT to a font file with Chinese in it`);
  }
  let face: fontkit.Font;
  try {
    face = parsedFont(font);
  } catch (error) {
    throw new DocumentFontMissing(`the chart font ${font.path} (DOCUMENT_FONT, face ${font.face} from DOCUMENT_FONT_FACE) could not be used: ${(error as Error).message}`);
  }
  let x = 0;
  const placed: string[] = [];
  for (const chart of charts) {
    const width = chart.type === "bar" ? PANEL.width : PANEL.width * 2;
    // Nested <svg> elements keep each panel's own viewBox; x moves it along the row.
    placed.push(labelsAsOutlines(await panelSvg(chart, font.family), face).replace(/^<svg /, `<svg x="${x}" y="0" `));
    x += width;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${x}" height="${PANEL.height}" viewBox="0 0 ${x} ${PANEL.height}"><rect width="100%" height="100%" fill="white"/>${placed.join("")}</svg>`;
  // Off the main thread (libuv's pool): loading the CJK collection and shaping the labels is most
  // of a chart's time, and the records' workbooks can be written meanwhile.
  const rendered = await renderAsync(svg, {
    font: { fontFiles: [font.path], loadSystemFonts: false, defaultFontFamily: font.family },
    fitTo: { mode: "zoom", value: CHART_SCALE },
    background: "white",
  });
  return { png: Buffer.from(rendered.asPng()), width: rendered.width, height: rendered.height };
}
