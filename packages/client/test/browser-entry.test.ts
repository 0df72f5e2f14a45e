/**
 * The browser entry must not reach a Node module or `ws`, directly or through our own
 * modules (tsup bundles it for browsers without polyfills). Walks the static imports of
 * src/browser.ts; codec, topics and session are pure packages (biome enforces it there).
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const source = join(dirname(fileURLToPath(import.meta.url)), "..", "src");
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/g;

function reachableSpecifiers(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const [, specifier = ""] of readFileSync(file, "utf8").matchAll(IMPORT)) {
      if (specifier.startsWith(".")) {
        pending.push(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
      } else {
        packages.add(specifier);
      }
    }
  }
  return { files, packages };
}

describe("browser entry", () => {
  it("imports only pure TernMQ packages: no node: module, no ws", () => {
    const { files, packages } = reachableSpecifiers(join(source, "browser.ts"));
    expect([...packages].sort()).toStrictEqual([
      "@ternmq/codec",
      "@ternmq/session",
      "@ternmq/topics",
    ]);
    const names = [...files].map((file) => file.slice(source.length + 1)).sort();
    expect(names).not.toContain("transports/node.ts");
    expect(names).not.toContain("file-session-store.ts");
  });

  it("the Node entry does reach the Node transports (the walk finds imports)", () => {
    const { packages } = reachableSpecifiers(join(source, "index.ts"));
    expect(packages.has("ws")).toBe(true);
    expect(packages.has("node:net")).toBe(true);
  });
});
