/** The repository's root: relative settings (database file, organisation file) start here. */
export { PROJECT_ROOT } from "../../prisma/project-root.js";
