import { Buffer } from "node:buffer";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { renderForSlack } from "../../bot/slack/render-slack.js";
import { renderForTelegram } from "../../bot/telegram/render-telegram.js";
import { clip, cutLine, MARKDOWN_MAX_BYTES, renderRobotMarkdown, renderText, splitByBytes, TEXT_MAX_BYTES } from "../../bot/wecom/render-wecom.js";
import type { Card } from "../../core/messages/card.js";
import { LEVEL1_FAULT } from "../support/report-script.js";
import { freshDatabaseFile, say, startTestApp } from "../support/test-app.js";

/*
 * The splitters and clippers, for any text: no piece over its limit, no cut inside a surrogate pair
 * (nor, for WeCom's, inside a grapheme), and nothing lost: the pieces put back together give the
 * content, less the separators each function documents.
 */

const SEED = 20261126;
const RUNS = 200;
const bytes = (text: string) => Buffer.byteLength(text, "utf8");
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const graphemes = (text: string) => [...graphemeSegmenter.segment(text)].map((g) => g.segment);
/** What a UTF-8 encoder makes of a string: each lone surrogate becomes U+FFFD. */
const asUtf8 = (text: string) => Buffer.from(text, "utf8").toString("utf8");
const isHigh = (unit: number | undefined) => unit !== undefined && unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number | undefined) => unit !== undefined && unit >= 0xdc00 && unit <= 0xdfff;
/** A boundary between two pieces falls inside a surrogate pair. */
const splitsPair = (before: string, after: string) => isHigh(before.charCodeAt(before.length - 1)) && isLow(after.charCodeAt(0));

// ---- text worth cutting ----

const TRICKY = ["😀", "👨‍👩‍👧‍👦", "🇨🇳", "🏳️‍🌈", "𠀀", "𪚥", "e\u0301", "a\u0301\u0302\u0303", "ก้", "각", "\u200d", "\ufe0f", "发", "\n", " ", "&", "<", ">", "[", "]", "*", "<@u1>", "&amp;"];
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("a", "发", "😀", "👨‍👩‍👧‍👦", "e\u0301"), fc.integer({ min: 1, max: 1_500 })).map(([unit, n]) => unit.repeat(n)) },
);
/** Any text, astral characters, combining marks and emoji sequences included; well-formed UTF-16. */
const text = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(""));
/** The same, with lone surrogates too (a platform's JSON may carry them). */
const rawText = fc.array(fc.oneof({ weight: 6, arbitrary: piece }, { weight: 1, arbitrary: loneSurrogate }), { maxLength: 30 }).map((parts) => parts.join(""));
const lines = fc.array(rawText, { maxLength: 8 });

/**
 * The pieces are the content, in order, with nothing between them but newlines the splitter
 * dropped; returns the indexes of the pieces that begin where a line was cut (no newline before).
 */
function expectLaidOver(pieces: string[], content: string): number[] {
  const cuts: number[] = [];
  let at = 0;
  const misplaced = pieces.findIndex((part, i) => {
    const start = at;
    while (!content.startsWith(part, at) && content[at] === "\n") at++;
    if (!content.startsWith(part, at)) return true;
    if (i > 0 && at === start) cuts.push(i);
    at += part.length;
    return false;
  });
  expect(misplaced, `piece ${misplaced} is not the content at ${at}`).toBe(-1);
  expect(content.slice(at).replace(/\n/g, "")).toBe("");
  return cuts;
}

/** The offsets where `text` may be cut: between graphemes. */
function graphemeBoundaries(text: string): Set<number> {
  const boundaries = new Set<number>([0, text.length]);
  for (const { index } of graphemeSegmenter.segment(text)) boundaries.add(index);
  return boundaries;
}

describe("WeCom's splitters", () => {
  it("cutLine: pieces within the limit, the line back when joined, cuts between graphemes unless one alone is over the limit", () => {
    fc.assert(
      fc.property(rawText, fc.oneof(fc.integer({ min: 4, max: 64 }), fc.constantFrom(TEXT_MAX_BYTES, MARKDOWN_MAX_BYTES)), (line, max) => {
        const pieces = cutLine(line, max);
        expect(pieces.join("")).toBe(line);
        const boundaries = graphemeBoundaries(line);
        const oversized = graphemes(line).some((g) => bytes(g) > max);
        const wrong: string[] = [];
        let at = 0;
        pieces.forEach((part, i) => {
          if (bytes(part) > max) wrong.push(`piece ${i} has ${bytes(part)} bytes`);
          if (pieces.length > 1 && part === "") wrong.push(`piece ${i} is empty`);
          if (i > 0 && splitsPair(pieces[i - 1]!, part)) wrong.push(`cut inside a surrogate pair at ${at}`);
          if (i > 0 && !oversized && !boundaries.has(at)) wrong.push(`cut inside a grapheme at ${at}`);
          at += part.length;
        });
        expect(wrong).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("splitByBytes: messages within the limit and never empty, the lines back with only newlines between them", () => {
    fc.assert(
      fc.property(lines, fc.oneof(fc.integer({ min: 4, max: 64 }), fc.constantFrom(TEXT_MAX_BYTES, MARKDOWN_MAX_BYTES)), (input, max) => {
        const messages = splitByBytes(input, max);
        expect(messages.filter((message) => bytes(message) > max || message === "")).toEqual([]);
        if (input.every((line) => line === "")) return void expect(messages).toEqual([" "]);
        const cuts = expectLaidOver(messages, input.join("\n"));
        expect(cuts.filter((cut) => splitsPair(messages[cut - 1]!, messages[cut]!))).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  const cards: fc.Arbitrary<Card> = fc.record(
    {
      title: rawText,
      lines: lines,
      fields: fc.array(fc.record({ label: fc.constantFrom("顾客", "VIN"), value: rawText }), { maxLength: 3 }),
      mentions: fc.array(fc.record({ memberId: fc.constantFrom("m1", "m2", "m3"), name: rawText }), { maxLength: 3 }),
    },
    { requiredKeys: ["lines"] },
  );
  /** The card's visible text, as a UTF-8 encoder would send it, without newlines (the splitter's separators). */
  const visible = (parts: string[]) => parts.map(asUtf8).join("").replace(/\n/g, "");

  it("renderText: app texts within 2,048 bytes, well-formed, with no <a> tag, and every character of the card", () => {
    fc.assert(
      fc.property(cards, (card) => {
        const texts = renderText(card);
        for (const message of texts) {
          expect(bytes(message)).toBeLessThanOrEqual(TEXT_MAX_BYTES);
          expect(message).not.toMatch(/\p{Cs}/u);
          expect(message).not.toMatch(/<\/?a\b/i);
        }
        const written = [card.title ?? "", ...card.lines, ...(card.fields ?? []).map((f) => `${f.label}：${f.value}`), ...(card.mentions ?? []).map((m) => `@${m.name}`)];
        // An <a> tag's "<" is sent full-width; mentions are joined by spaces.
        const strip = (value: string) => value.replace(/[<＜ ]/g, "");
        expect(strip(visible(texts))).toBe(strip(visible(written)));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("renderRobotMarkdown: pieces within 4,096 bytes, well-formed, the renderer's mentions only, no link, and every character of the card", () => {
    const wecomIds: Record<string, string> = { m1: "zhoumin", m2: "chenjie" };
    fc.assert(
      fc.property(cards, (card) => {
        const pieces = renderRobotMarkdown(card, (memberId) => wecomIds[memberId]);
        const made = new Set((card.mentions ?? []).flatMap((m) => (wecomIds[m.memberId] ? [`<@${wecomIds[m.memberId]}>`] : [])));
        for (const message of pieces) {
          expect(bytes(message)).toBeLessThanOrEqual(MARKDOWN_MAX_BYTES);
          expect(message).not.toMatch(/\p{Cs}/u);
          expect(message).not.toMatch(/\[[^\]]*\]\(/);
          for (const mention of message.match(/<@[^>]*>/g) ?? []) expect(made.has(mention), mention).toBe(true);
          expect(message.replace(/<@(zhoumin|chenjie)>/g, ""), "no other tag").not.toMatch(/[<>[\]]/);
        }
        // Brackets from user text are sent full-width; the title is in bold; mentions are joined by spaces.
        const plain = (value: string) => value.replace(/＜/g, "<").replace(/＞/g, ">").replace(/［/g, "[").replace(/］/g, "]").replace(/ /g, "");
        const written = [
          card.title ? `**${card.title}**` : "",
          ...card.lines,
          ...(card.fields ?? []).map((f) => `${f.label}：${f.value}`),
          ...(card.mentions ?? []).map((m) => (wecomIds[m.memberId] ? `<@${wecomIds[m.memberId]}>` : `@${m.name}`)),
        ];
        expect(plain(visible(pieces))).toBe(plain(visible(written)));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("clip: at most `max` graphemes, a prefix of whole graphemes, and an ellipsis exactly when something was cut", () => {
    fc.assert(
      fc.property(rawText, fc.integer({ min: 1, max: 60 }), (input, max) => {
        const clipped = clip(input, max);
        const whole = graphemes(asUtf8(input));
        expect(clipped).not.toMatch(/\p{Cs}/u);
        expect(graphemes(clipped).length).toBeLessThanOrEqual(max);
        if (whole.length <= max) expect(clipped).toBe(asUtf8(input));
        else expect(clipped).toBe(`${whole.slice(0, max - 1).join("")}…`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe("the other platforms' splitters and clippers (their renderers are pinned here, not changed)", () => {
  it("Telegram: every message within 4,096 characters once its HTML is read, and every character of the card", () => {
    const unescape = (html: string) => html.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), (input) => {
        const messages = renderForTelegram({ lines: input }, { telegramIdOf: () => undefined });
        for (const message of messages) expect(unescape(message.text).length).toBeLessThanOrEqual(4096);
        const content = input.join("");
        // A card with nothing to read is sent as "…"; white space at a message's edges may go.
        const blank = content.trim() === "";
        const read = messages.map((m) => (blank && m.text === "…" ? "" : unescape(m.text))).join("");
        expect(read.replace(/\s/g, "")).toBe(content.replace(/\s/g, ""));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("Slack: header, sections, fields, buttons and the fallback text within their limits, well-formed, each a prefix of its text", () => {
    const codePoints = (value: string) => [...value].length;
    fc.assert(
      fc.property(text, fc.array(text, { maxLength: 4 }), text, (title, input, label) => {
        const message = renderForSlack({ title, lines: input, choices: [{ id: "/ack HL-1", label }] }, { mentionOf: () => undefined, noteLabel: "Note" });
        expect(codePoints(message.text)).toBeLessThanOrEqual(3000);
        expect(message.text).not.toMatch(/\p{Cs}/u);
        for (const block of message.blocks) {
          const serialized = JSON.stringify(block);
          expect(JSON.parse(serialized)).toEqual(block);
          if (block.type === "header") expect(codePoints(block.text.text)).toBeLessThanOrEqual(150);
          if (block.type === "section" && block.text) expect(codePoints(block.text.text)).toBeLessThanOrEqual(3000);
          if (block.type === "actions") for (const button of block.elements) if (button.type === "button") expect(codePoints(button.text.text)).toBeLessThanOrEqual(75);
          expect(serialized).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i);
        }
        const header = message.blocks.find((b) => b.type === "header");
        if (header?.type === "header") expect(title.startsWith(header.text.text.replace(/…$/, ""))).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe("core's truncate, in the list of one's tickets", () => {
  let app: App;
  let db: ReturnType<typeof freshDatabaseFile>;
  beforeAll(async () => {
    db = freshDatabaseFile();
    app = await startTestApp(db.file);
  });
  afterAll(async () => {
    await app.close();
    db.cleanup();
  });

  it("shows each description in at most 40 characters, a prefix of it, never half a surrogate pair", async () => {
    // Descriptions built to put an astral character, an emoji sequence or a combining mark at the cut.
    const description = fc.tuple(fc.integer({ min: 5, max: 45 }), fc.constantFrom("😀", "👨‍👩‍👧‍👦", "e\u0301", "𠀀", "发"), text).map(([n, unit, tail]) => `${"描".repeat(n)}${unit}${tail}`.slice(0, 2_000));
    await fc.assert(
      fc.asyncProperty(fc.array(description, { minLength: 3, maxLength: 3 }), async (descriptions) => {
        for (const written of descriptions) {
          for (const answer of [...LEVEL1_FAULT.slice(0, 6), written, ...LEVEL1_FAULT.slice(7), "1"]) await say(app, "wang.fang", answer);
        }
        const { text: listed } = await say(app, "wang.fang", "/mine");
        const rows = listed.split("\n").filter((line) => line.startsWith("HL-"));
        expect(rows.length).toBeGreaterThanOrEqual(descriptions.length);
        for (const row of rows) {
          const [number, , , ...rest] = row.split(" · ");
          const shown = rest.join(" · ");
          const { description: written } = (await app.core.tickets.findByNumber(number!))!;
          expect([...shown].length).toBeLessThanOrEqual(40);
          expect(shown).not.toMatch(/\p{Cs}/u);
          expect(written.startsWith(shown.replace(/…$/, "")), `${JSON.stringify(shown)} of ${JSON.stringify(written.slice(0, 50))}`).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 4 },
    );
  });
});
