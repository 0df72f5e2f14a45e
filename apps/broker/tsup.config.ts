import { defineConfig } from "tsup";

// The app bundles nothing of its own dependencies: they are installed beside it.
export default defineConfig({
  entry: ["src/main.ts"],
  format: ["esm"],
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  banner: { js: "#!/usr/bin/env node" },
});
