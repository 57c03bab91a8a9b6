/**
 * One Prisma schema file cannot serve two providers, so PostgreSQL's schema is derived from the
 * SQLite one (the source of truth) and kept beside it, with migrations of its own. The models are
 * the same; only the datasource, the generated client's folder and the lines SQLite's schema keeps
 * for PostgreSQL alone (`// postgresql: `) differ.
 */

const HEADER = `// GENERATED from prisma/schema.prisma by \`npm run db:postgresql\`: edit that file, not this one.
// PostgreSQL's copy of Hotline's store, for several processes on one database.`;

const REPLACEMENTS: readonly { what: string; from: RegExp; to: string }[] = [
  { what: "the SQLite header comment", from: /^(\/\/[^\n]*\n)+/, to: `${HEADER}\n` },
  { what: "the generated client's folder", from: /output\s+=\s+"\.\.\/generated\/prisma"/, to: 'output     = "../../generated/prisma-postgresql"' },
  { what: "the datasource provider", from: /provider\s+=\s+"sqlite"/, to: 'provider = "postgresql"' },
  // What SQLite's schema cannot say and PostgreSQL's must (the search's trigram indexes): lines
  // commented out there with "// postgresql: ", taken in here.
  { what: "PostgreSQL's own lines (// postgresql: …)", from: /^([ \t]*)\/\/ postgresql: /gm, to: "$1" },
];

/** PostgreSQL's schema for the SQLite schema's text; throws when the SQLite schema no longer has what it rewrites. */
export function derivePostgresSchema(sqliteSchema: string): string {
  return REPLACEMENTS.reduce((schema, { what, from, to }) => {
    if (!from.test(schema)) throw new Error(`prisma/schema.prisma: ${what} is not where the PostgreSQL schema expects it`);
    return schema.replace(from, to);
  }, sqliteSchema);
}
