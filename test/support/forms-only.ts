import type { OutboundFile, OutboundFiles } from "../../jobs/delivery-queue.js";

/** The files of a delivery queue whose test sends tickets' forms only: each made by `form`; the archive keeps nothing else. */
export const formsOnly = (form: (ticketId: number) => Promise<OutboundFile>): OutboundFiles => ({
  ticketForm: (ticketId) => form(ticketId),
  archived: async () => undefined,
});
