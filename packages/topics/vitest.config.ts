import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.js";

export default mergeConfig(
  shared,
  defineProject({ test: { name: "topics", include: ["test/**/*.test.ts"] } }),
);
