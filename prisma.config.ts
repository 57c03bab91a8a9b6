import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// The schema reads env("DATABASE_URL"); give the CLI the same default as the app.
process.env.DATABASE_URL ??= "file:./data/hotline.db";

// The CLI (generate, migrate deploy, migrate diff) runs offline through the JS engine and this adapter.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  adapter: async () => new PrismaBetterSQLite3({ url: process.env.DATABASE_URL! }),
});
