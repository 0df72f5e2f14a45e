// `pnpm bench [codec|topics|session ...]`: runs TernMQ and its peers side by side in one
// process and prints ratios. With no argument every suite runs, one after another, so
// that no two suites compete for the CPU.
const suites = {
  codec: () => import("./codec.js"),
  topics: () => import("./topics.js"),
  session: () => import("./session.js"),
} as const satisfies Record<string, () => Promise<{ run(): Promise<void> }>>;

type SuiteName = keyof typeof suites;

function isSuiteName(name: string): name is SuiteName {
  return Object.hasOwn(suites, name);
}

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !isSuiteName(name));
if (unknown.length > 0) {
  console.error(
    `unknown suite(s): ${unknown.join(", ")}; known: ${Object.keys(suites).join(", ")}`,
  );
  process.exit(2);
}
const selected =
  requested.length > 0 ? requested.filter(isSuiteName) : (Object.keys(suites) as SuiteName[]);

for (const name of selected) {
  console.log(`\n=== ${name} ===`);
  const suite = await suites[name]();
  await suite.run();
}
