import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { postgresPool } from "./prisma/postgresql/pg-pool.js";
import { dialectOf } from "./prisma/storage/open-storage.js";

// The schema reads env("DATABASE_URL"); give the CLI the same default as the app.
process.env.DATABASE_URL ??= "file:./data/hotline.db";
const url = process.env.DATABASE_URL;
const postgres = dialectOf(url) === "postgresql";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: postgres ? "prisma/postgresql/schema.prisma" : "prisma/schema.prisma",
  migrations: { path: postgres ? "prisma/postgresql/migrations" : "prisma/migrations" },
  adapter: async () => (postgres ? new PrismaPg(postgresPool(url)) : new PrismaBetterSQLite3({ url })),
});
