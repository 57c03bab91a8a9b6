import { z } from "zod";

// What the listeners read of a request, checked: Slack signs what it sends, but a field of another
// type than documented must not reach the core or throw half-way through a listener.
const slackId = z.string().min(1);
export const MENTION = z.looseObject({ event_id: slackId, user: slackId.optional(), channel: slackId, text: z.string() });
/** A file shared in a message: kept on the ticket by its Slack id (downloading it needs `files:read`). */
const SHARED_FILE = z.looseObject({ id: slackId, name: z.string().nullish(), mimetype: z.string().nullish() });
export const DIRECT_MESSAGE = z.looseObject({ event_id: slackId, user: slackId, channel: slackId, text: z.string().optional(), files: z.array(SHARED_FILE).optional() });
export const COMMAND = z.looseObject({ trigger_id: slackId, user_id: slackId, channel_id: slackId, text: z.string(), response_url: z.url({ protocol: /^https?$/ }) });
export const PRESS = z.looseObject({
  trigger_id: slackId,
  user: z.looseObject({ id: slackId }),
  channel: z.looseObject({ id: slackId, name: z.string().optional() }).optional(),
  message: z.looseObject({ ts: slackId, text: z.string().optional(), blocks: z.array(z.unknown()).optional() }).optional(),
});
export type Press = z.infer<typeof PRESS>;
export const BUTTON = z.looseObject({ action_id: z.string(), value: z.string().optional(), text: z.looseObject({ text: z.string() }).optional() });
export const PICK = z.looseObject({ selected_user: slackId, block_id: z.string().min(1) });
/** A command's form, submitted: the text typed into its one input. */
export const FORM_SUBMISSION = z.looseObject({
  id: slackId,
  hash: z.string(),
  private_metadata: z.string(),
  user: z.looseObject({ id: slackId }),
  state: z.looseObject({
    values: z.looseObject({ form: z.looseObject({ text: z.looseObject({ value: z.string().nullish() }).optional() }).optional() }),
  }),
});
/** The command the form completes (`/resolve HL-…`) and where its sender pressed. */
export const FORM_METADATA = z.object({ command: z.string().regex(/^\/[a-z_]+ \S+$/), channel: slackId });
