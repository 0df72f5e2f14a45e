/**
 * Builds @ternmq/client's browser entry for a test page: esbuild (the workspace's binary, the
 * one tsup runs) bundles `@ternmq/client/browser` from the packages' TypeScript source for
 * `--platform=browser`, so a Node import anywhere in its graph (`node:net`, `ws`, ...) fails
 * the build instead of reaching the browser.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const testsFolder = fileURLToPath(new URL("../../", import.meta.url));
const esbuild = fileURLToPath(new URL("../../../node_modules/.bin/esbuild", import.meta.url));

/** The ES module text of the browser bundle (exports `connect`, `connectAsync`, ...). */
export function buildBrowserBundle(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      esbuild,
      [
        "--bundle",
        "--format=esm",
        "--platform=browser",
        "--target=es2022",
        "--conditions=@ternmq/source",
        "--sourcefile=page-entry.ts",
        "--loader=ts",
        "--log-level=error",
      ],
      // Resolved from tests/, whose node_modules hold the workspace packages.
      { cwd: testsFolder, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`esbuild failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
    child.stdin?.end('export * from "@ternmq/client/browser";\n');
  });
}
