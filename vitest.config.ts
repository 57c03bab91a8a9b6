import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Integration tests spawn the CLI and migrate real SQLite files: give them room on a busy machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
