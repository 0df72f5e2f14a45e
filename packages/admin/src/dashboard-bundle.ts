/**
 * Bundles the dashboard (`dashboard/`: TSX with preact, uPlot charts, CSS) with esbuild into
 * three files: `index.html`, `dashboard.js`, `dashboard.css`. Everything is inlined in them:
 * no CDN, the dashboard works offline.
 *
 * Used twice: by `scripts/build-dashboard.mjs` at build time (writes `dist/dashboard/`), and
 * by the server when it runs from source (tests), which bundles in memory at the first request
 * for a dashboard file. esbuild is a devDependency: it is imported only here, on demand.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The dashboard's files by name. */
export type DashboardFiles = Map<string, Uint8Array>;

/** `dashboard/` of this package, from `src/` and from `dist/` alike. */
const SOURCE_DIRECTORY = new URL("../dashboard/", import.meta.url);

export async function bundleDashboard(options: { minify?: boolean } = {}): Promise<DashboardFiles> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: { dashboard: fileURLToPath(new URL("main.tsx", SOURCE_DIRECTORY)) },
    bundle: true,
    write: false,
    outdir: "/dashboard",
    format: "esm",
    platform: "browser",
    target: "es2020",
    jsx: "automatic",
    jsxImportSource: "preact",
    // Workspace packages from their TypeScript source (the client's browser entry).
    conditions: ["@ternmq/source", "browser"],
    minify: options.minify ?? true,
    legalComments: "none",
    logLevel: "silent",
  });
  const files: DashboardFiles = new Map();
  for (const output of result.outputFiles) {
    const name = output.path.slice(output.path.lastIndexOf("/") + 1);
    files.set(name, output.contents);
  }
  files.set("index.html", await readFile(new URL("index.html", SOURCE_DIRECTORY)));
  return files;
}
