import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root: relative settings (database file, organisation file) start here. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
