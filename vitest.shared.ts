import { defineConfig } from "vitest/config";

// Tests import workspace packages from their TypeScript source (no build first):
// every workspace package.json maps the "@ternmq/source" export condition to src/.
// Vitest runs node tests in Vite's ssr environment, so the condition goes in
// ssr.resolve.conditions (resolve.conditions alone does not reach node tests).
export default defineConfig({
  ssr: {
    resolve: {
      conditions: ["@ternmq/source", "module", "node", "development|production"],
    },
  },
});
