// `pnpm bench [suite ...] [--option ...]`: runs TernMQ and its peers side by side and prints
// ratios; suites: codec, topics, session, store-sqlite, durable, client, brokers, cluster. With no suite named every suite runs, one after another, so
// that no two suites compete for the CPU. Arguments from the first one starting with "-" on
// are the suites' options (e.g. `pnpm bench brokers --quick`).
const suites = {
  codec: () => import("./codec.js"),
  topics: () => import("./topics.js"),
  session: () => import("./session.js"),
  "store-sqlite": () => import("./store-sqlite.js"),
  durable: () => import("./durable.js"),
  client: () => import("./client.js"),
  brokers: () => import("./brokers/index.js"),
  cluster: () => import("./cluster/index.js"),
} as const satisfies Record<
  string,
  () => Promise<{ run(options?: readonly string[]): Promise<void> }>
>;

type SuiteName = keyof typeof suites;

function isSuiteName(name: string): name is SuiteName {
  return Object.hasOwn(suites, name);
}

const firstOption = process.argv.slice(2).findIndex((argument) => argument.startsWith("-"));
const requested = process.argv.slice(2, firstOption === -1 ? undefined : firstOption + 2);
const options = firstOption === -1 ? [] : process.argv.slice(firstOption + 2);
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
  await suite.run(options);
}
