import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "tests/vitest.config.ts"],
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**/*.ts"],
      exclude: ["**/*.test.ts", "**/testing/**", "packages/testkit/**"],
      reporter: ["text-summary", "text"],
      thresholds: {
        // The codec is the bytes every other package trusts (issue: >= 95 % of lines).
        "packages/codec/src/**/*.ts": { lines: 95 },
      },
    },
  },
});
