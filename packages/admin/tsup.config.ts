import { defineConfig } from "tsup";

export default defineConfig({
  // dashboard-bundle: also run by scripts/build-dashboard.mjs after tsup.
  entry: ["src/index.ts", "src/dashboard-bundle.ts"],
  format: ["esm"],
  target: "es2022",
  platform: "node",
  // A devDependency, imported only to bundle the dashboard when dist/dashboard is absent.
  external: ["esbuild"],
  dts: true,
  sourcemap: true,
  clean: true,
});
