/**
 * The dashboard's files as the server sends them: read from `dist/dashboard/` when the
 * package is built, else bundled in memory with esbuild (running from source, as in tests).
 *
 * Design: loaded once, at the first request for a dashboard file, and kept (a few hundred KB);
 * concurrent first requests share one load.
 */
import { readFile } from "node:fs/promises";
import type { DashboardFiles } from "./dashboard-bundle.js";

/** Next to the built `index.js`: `dist/dashboard/`. Absent when running from `src/`. */
const BUILT_DIRECTORY = new URL("./dashboard/", import.meta.url);
const BUILT_FILES = ["index.html", "dashboard.js", "dashboard.css"] as const;

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "dashboard.js": "text/javascript; charset=utf-8",
  "dashboard.css": "text/css; charset=utf-8",
};

let loading: Promise<DashboardFiles> | undefined;

export function dashboardFiles(): Promise<DashboardFiles> {
  loading ??= loadDashboard();
  loading.catch(() => {
    loading = undefined; // a failed load is retried by the next request
  });
  return loading;
}

async function loadDashboard(): Promise<DashboardFiles> {
  const built = await readBuilt();
  if (built !== undefined) return built;
  const { bundleDashboard } = await import("./dashboard-bundle.js");
  return bundleDashboard();
}

async function readBuilt(): Promise<DashboardFiles | undefined> {
  const files: DashboardFiles = new Map();
  try {
    for (const name of BUILT_FILES) files.set(name, await readFile(new URL(name, BUILT_DIRECTORY)));
  } catch {
    return undefined;
  }
  return files;
}
