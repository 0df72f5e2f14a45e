// Writes the bundled dashboard to dist/dashboard/ (after tsup built dist/dashboard-bundle.js).
import { mkdir, writeFile } from "node:fs/promises";
import { bundleDashboard } from "../dist/dashboard-bundle.js";

const target = new URL("../dist/dashboard/", import.meta.url);
const files = await bundleDashboard();
await mkdir(target, { recursive: true });
for (const [name, contents] of files) await writeFile(new URL(name, target), contents);
console.log(`dashboard: ${[...files.keys()].join(", ")} -> dist/dashboard/`);
