/**
 * Prints the functions with the most self time in a V8 CPU profile (`node --cpu-prof`, or
 * `pnpm bench brokers --cpu-prof <dir>` for the Node brokers), grouped by function and file:
 *
 *   node --import tsx src/brokers/profile-summary.ts <file.cpuprofile> [--top 25]
 */
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const root = fileURLToPath(new URL("../../../", import.meta.url));

function location(url: string, line: number): string {
  if (url === "") return "";
  const path = url.startsWith("file://") ? relative(root, fileURLToPath(url)) : url;
  return `${path.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")}:${line + 1}`;
}

/** Self time per function (ms) and the share of all samples, largest first. */
export function selfTimes(profile: Profile): { name: string; ms: number; share: number }[] {
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / profile.samples.length;
  const totals = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || "(anonymous)"} ${location(url, lineNumber)}`.trim();
    totals.set(name, (totals.get(name) ?? 0) + (node.hitCount ?? 0));
  }
  return [...totals]
    .map(([name, hits]) => ({ name, ms: hits * msPerSample, share: hits / profile.samples.length }))
    .sort((a, b) => b.ms - a.ms);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: "string", default: "25" } },
  });
  for (const file of positionals) {
    const profile = JSON.parse(await readFile(file, "utf8")) as Profile;
    console.log(`${file}: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`);
    for (const entry of selfTimes(profile).slice(0, Number(values.top))) {
      console.log(
        `${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.ms.toFixed(0).padStart(7)} ms  ${entry.name}`,
      );
    }
  }
}
