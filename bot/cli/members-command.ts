import { pick } from "../../core/messages/locale.js";
import { createApp } from "../app.js";
import { loadConfig } from "../config/env.js";

/** `hotline members`: everyone in the directory, with the id `chat --as` takes. */
export async function membersCommand(): Promise<string> {
  const app = await createApp(loadConfig());
  try {
    const members = await app.directory.listMembers();
    return members
      .map((m) => `${m.id.padEnd(16)} ${pick(m.name, app.config.DEFAULT_LOCALE).padEnd(8)} ${m.roles.join(",").padEnd(14)} ${m.departmentId ?? m.serviceCenterId ?? ""}`)
      .join("\n");
  } finally {
    await app.close();
  }
}
