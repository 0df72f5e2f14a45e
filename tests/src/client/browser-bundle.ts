/**
 * Builds @ternmq/client's browser entry for a test page: esbuild (the bundler tsup runs)
 * bundles `@ternmq/client/browser` from the packages' TypeScript source for the browser
 * platform, so a Node import anywhere in its graph (`node:net`, `ws`, ...) fails the build
 * instead of reaching the browser.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const testsFolder = fileURLToPath(new URL("../../", import.meta.url));

/** The ES module text of the browser bundle (exports `connect`, `connectAsync`, ...). */
export async function buildBrowserBundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: 'export * from "@ternmq/client/browser";\n',
      sourcefile: "page-entry.ts",
      loader: "ts",
      // Resolved from tests/, whose node_modules hold the workspace packages.
      resolveDir: testsFolder,
    },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@ternmq/source"],
    logLevel: "silent",
    write: false,
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error("esbuild produced no output");
  return output.text;
}
