import type { ActionsBlock, Button, KnownBlock, SectionBlock } from "@slack/types";
import { accountsOn, type Member } from "../../core/directory/member.js";
import type { Organisation } from "../../core/directory/organisation.js";
import { cardToPlainText, type Card } from "../../core/messages/card.js";

/*
 * Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks): a header holds 150
 * characters, a section's text 3,000, a field 2,000 and at most 10 fields, an actions block 25
 * elements, a button label 75 characters, a block_id 255, and a message 50 blocks.
 */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_PER_SECTION = 10;
const BUTTON_LABEL_MAX = 75;
const ACTIONS_PER_BLOCK = 25;
const BLOCKS_MAX = 50;

/** Action ids the adapter routes on. */
export const ACTION = {
  /** A button whose value is a core choice id (a command like `/ack HL-…` or a dialog answer). */
  choice: "choice",
  /** Opens the Add-note modal for the ticket in the button's value. */
  note: "note",
  /** Opens a form for the text a command in the button's value needs (a resolution's result). */
  form: "form",
  /** A member picker; its block_id is the command the chosen member completes. */
  pick: "pick",
} as const;

export interface SlackRenderOptions {
  /** The mention for a member: `<@U…>`, a department's `<!subteam^S…>`, or undefined (name only). */
  mentionOf: (memberId: string) => string | undefined;
  /** Button label of the Add-note modal, shown beside a ticket's actions. */
  noteLabel: string;
  /** Whether a button's command still needs text typed: its button opens a form for it. */
  needsForm?: ((command: string) => boolean) | undefined;
}

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/**
 * Escapes text for mrkdwn, which Slack parses in a message's `text` and in `mrkdwn` text objects
 * (https://docs.slack.dev/messaging/formatting-message-text#escaping): without `<`, a reporter
 * cannot write a mention, a link or `<!channel>`. plain_text is shown as typed and needs none.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Text that was escaped for mrkdwn, as typed: escaping it again then leaves no markup and no double escapes. */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

const clip = (text: string, max: number) => ([...text].length > max ? `${[...text].slice(0, max - 1).join("")}…` : text);
/** Clips escaped text without cutting an entity in two (`&am…` would show as typed). */
const clipEscaped = (text: string, max: number) => {
  const clipped = clip(text, max);
  return clipped === text ? text : clipped.replace(/&[a-z]{0,3}…$/, "…");
};

/** Slack's ids: users (U…, or W… on Enterprise Grid) and user groups (S…); anything else is named, not mentioned. */
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const USER_GROUP_ID = /^S[A-Z0-9]{2,}$/;

/** A member's mention: `<@U…>` or a department's `<!subteam^S…>`; undefined for an id that is not Slack's. */
export function slackMention(id: { user: string } | { userGroup: string }): string | undefined {
  if ("user" in id) return USER_ID.test(id.user) ? `<@${id.user}>` : undefined;
  return USER_GROUP_ID.test(id.userGroup) ? `<!subteam^${id.userGroup}>` : undefined;
}

/**
 * Whom a card's mention reaches: a department's lead by the department's user group where the
 * organisation file names one (the whole department hears it), anyone else by their Slack id.
 */
export function slackMentionPolicy(members: readonly Member[], org: Pick<Organisation, "departments">): SlackRenderOptions["mentionOf"] {
  const slackIdOf = accountsOn(members, "slack");
  const groups = new Map(org.departments.flatMap((d) => (d.slackUserGroup ? [[d.lead, d.slackUserGroup] as const] : [])));
  return (memberId) => {
    const group = groups.get(memberId);
    const groupMention = group ? slackMention({ userGroup: group }) : undefined;
    if (groupMention) return groupMention;
    const id = slackIdOf(memberId);
    return id ? slackMention({ user: id }) : undefined;
  };
}

const TONE_EMOJI: Record<NonNullable<Card["tone"]>, string> = {
  info: "",
  question: "",
  success: ":white_check_mark: ",
  warning: ":warning: ",
  error: ":x: ",
};

/** Paragraphs packed into sections under the section limit; an overlong paragraph is cut. */
function textSections(lines: string[]): SectionBlock[] {
  const sections: string[] = [];
  for (const line of lines.map((l) => clipEscaped(escapeMrkdwn(l), SECTION_MAX))) {
    const last = sections.at(-1);
    if (last !== undefined && last.length + 1 + line.length <= SECTION_MAX) sections[sections.length - 1] = `${last}\n${line}`;
    else sections.push(line);
  }
  return sections.map((text) => ({ type: "section", text: { type: "mrkdwn", text } }));
}

function fieldSections(card: Card): SectionBlock[] {
  const fields = (card.fields ?? []).map((f) => ({ type: "mrkdwn" as const, text: clipEscaped(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, FIELD_MAX) }));
  const sections: SectionBlock[] = [];
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) sections.push({ type: "section", fields: fields.slice(i, i + FIELDS_PER_SECTION) });
  return sections;
}

function mentionSection(card: Card, options: SlackRenderOptions): SectionBlock[] {
  if (!card.mentions?.length) return [];
  const mentions = card.mentions.map((m) => options.mentionOf(m.memberId) ?? `@${escapeMrkdwn(m.name)}`);
  return [{ type: "section", text: { type: "mrkdwn", text: [...new Set(mentions)].join(" ") } }];
}

function pickerSections(card: Card): SectionBlock[] {
  return (card.pickers ?? []).map((picker) => ({
    type: "section",
    block_id: picker.id,
    text: { type: "mrkdwn", text: clipEscaped(escapeMrkdwn(picker.label), SECTION_MAX) },
    accessory: { type: "users_select", action_id: ACTION.pick, placeholder: { type: "plain_text", text: clip(picker.label, BUTTON_LABEL_MAX) } },
  }));
}

/** The ticket a card's actions are about: the Acknowledge or Take button names it. */
export function ticketOfActions(card: Card): string | undefined {
  const action = card.choices?.find((c) => /^\/(ack|take|resolve) /.test(c.id));
  return action?.id.split(" ")[1];
}

function actionBlocks(card: Card, options: SlackRenderOptions): ActionsBlock[] {
  const buttons: Button[] = (card.choices ?? []).map((choice, i) => ({
    type: "button",
    action_id: `${options.needsForm?.(choice.id) ? ACTION.form : ACTION.choice}-${i}`, // action ids must be unique within a message
    text: { type: "plain_text", text: clip(choice.label, BUTTON_LABEL_MAX) },
    value: choice.id,
  }));
  const ticket = ticketOfActions(card);
  if (ticket) buttons.push({ type: "button", action_id: ACTION.note, text: { type: "plain_text", text: options.noteLabel }, value: ticket });
  const blocks: ActionsBlock[] = [];
  for (let i = 0; i < buttons.length; i += ACTIONS_PER_BLOCK) blocks.push({ type: "actions", elements: buttons.slice(i, i + ACTIONS_PER_BLOCK) });
  return blocks;
}

/**
 * A card as one Block Kit message, with its plain text, escaped, as the notification fallback: Slack
 * parses `text` as mrkdwn too, so the only mentions in the message are the mention section's.
 */
export function renderForSlack(card: Card, options: SlackRenderOptions): SlackMessage {
  const header: KnownBlock[] = card.title ? [{ type: "header", text: { type: "plain_text", text: clip(`${TONE_EMOJI[card.tone ?? "info"]}${card.title}`, HEADER_MAX) } }] : [];
  const lines = !card.title && card.tone ? [`${TONE_EMOJI[card.tone]}${card.lines[0] ?? ""}`, ...card.lines.slice(1)] : card.lines;
  const blocks: KnownBlock[] = [
    ...header,
    ...textSections(lines),
    ...fieldSections(card),
    ...mentionSection(card, options),
    ...pickerSections(card),
    ...actionBlocks(card, options),
  ];
  // Slack refuses a message over 50 blocks; the buttons at the end are the part that must survive.
  const fitted = blocks.length > BLOCKS_MAX ? [...blocks.slice(0, BLOCKS_MAX - 2), ...blocks.slice(-2)] : blocks;
  return { text: clipEscaped(escapeMrkdwn(cardToPlainText(card)), SECTION_MAX), blocks: fitted };
}

/**
 * Slack truncates a message's text past 40,000 characters and advises keeping it under 4,000
 * (https://docs.slack.dev/reference/methods/chat.postMessage#truncating): a file's comment is a
 * message's text, and the caption of a form is a few lines.
 */
const CAPTION_MAX = 4000;

/**
 * A card as the mrkdwn comment a shared file carries (files.completeUploadExternal's
 * `initial_comment`, which takes no blocks): its text escaped, then its mentions as the mention
 * section writes them. Choices and pickers have no place beside a file and are left out.
 */
export function renderCaptionForSlack(card: Card, options: Pick<SlackRenderOptions, "mentionOf">): string {
  const text = clipEscaped(escapeMrkdwn(cardToPlainText({ ...card, mentions: undefined, pickers: undefined })), CAPTION_MAX);
  const mentions = mentionSection(card, { ...options, noteLabel: "" }).map((section) => section.text?.text ?? "");
  return [text, ...mentions].filter((part) => part !== "").join("\n");
}
