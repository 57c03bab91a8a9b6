import { z } from "zod";

/**
 * What the adapter reads of an update, checked before any of it is handled: a field of the wrong
 * type (a numeric text, a message without its chat) would otherwise throw mid-handling. Objects
 * are loose: Telegram adds fields, and grammY gets the update as it came.
 */

/** Telegram's own limit on a message's text (and a Premium caption), in UTF-16 code units; longer did not come from Telegram. */
const MAX_TEXT_LENGTH = 4096;

const text = z.string().max(MAX_TEXT_LENGTH);

const user = z.looseObject({ id: z.int(), is_bot: z.boolean() });

const chat = z.looseObject({ id: z.int(), type: z.string() });

const inlineButton = z.looseObject({ text: z.string(), callback_data: z.string().optional() });

const message = z.looseObject({
  message_id: z.int(),
  chat,
  from: user.optional(),
  text: text.optional(),
  caption: text.optional(),
  reply_to_message: z.looseObject({ from: user.optional() }).optional(),
  photo: z.array(z.looseObject({ file_id: z.string() })).optional(),
  document: z.looseObject({ file_id: z.string(), file_name: z.string().optional() }).optional(),
  reply_markup: z.looseObject({ inline_keyboard: z.array(z.array(inlineButton)) }).optional(),
});

/** A button press: on a message of a chat, or on an inline message (inline_message_id, no message). */
const callbackQuery = z.looseObject({
  id: z.string(),
  from: user,
  data: z.string().optional(),
  message: message.optional(),
  inline_message_id: z.string().optional(),
});

const usableUpdate = z.looseObject({
  update_id: z.int(),
  message: message.optional(),
  callback_query: callbackQuery.optional(),
});

/** A body is an update when it is an object with an integer update_id; anything else is refused. */
const anyUpdate = z.looseObject({ update_id: z.int() });

export function updateIdOf(body: unknown): number | undefined {
  const parsed = anyUpdate.safeParse(body);
  return parsed.success ? parsed.data.update_id : undefined;
}

/** Where the update does not have the shape the adapter reads: field paths only, never values. */
export function unusableFields(update: unknown): string[] {
  const parsed = usableUpdate.safeParse(update);
  if (parsed.success) return [];
  return [...new Set(parsed.error.issues.map((issue) => issue.path.join(".") || "(update)"))];
}
