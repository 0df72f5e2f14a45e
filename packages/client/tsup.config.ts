import { defineConfig } from "tsup";

export default defineConfig([
  {
    // Node: TCP, TLS and WebSocket (through the ws package).
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "es2022",
    platform: "node",
    dts: true,
    sourcemap: true,
    clean: true,
  },
  {
    // Browsers: WebSocket only, every dependency bundled, no Node polyfills.
    entry: ["src/browser.ts"],
    format: ["esm"],
    target: "es2022",
    platform: "browser",
    dts: true,
    sourcemap: true,
    noExternal: [/.*/],
  },
]);
