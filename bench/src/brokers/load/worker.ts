/**
 * The load generator's process: runs the scenarios a parent asks for (over IPC, see
 * worker-client.ts) against the broker address it is given, and reports each mark and result.
 * Started by `LoadWorker.start()`; not meant to be run by hand. The scenarios are those of
 * scenarios.ts, or of the module whose URL is the first argument (another suite's, exporting
 * a `runScenario` of the same signature).
 */
import type { Target } from "./raw-client.js";
import type { Mark, RunOptions, ScenarioResult } from "./scenarios.js";
import type { ToParent, ToWorker } from "./worker-protocol.js";

interface ScenarioModule {
  runScenario(id: string, target: Target, options: RunOptions): Promise<ScenarioResult<string>>;
}

const scenarioModule = process.argv[2];
const { runScenario }: ScenarioModule = await import(scenarioModule ?? "./scenarios.js");

function send(message: ToParent): void {
  process.send?.(message);
}

let resumeMark: (() => void) | undefined;

async function run(message: Extract<ToWorker, { type: "run" }>): Promise<void> {
  try {
    const result = await runScenario(message.scenario, message.target, {
      size: message.size,
      runId: message.runId,
      ...(message.nodes === undefined ? {} : { nodes: message.nodes }),
      hooks: {
        mark: (point: Mark) =>
          new Promise<void>((resolve) => {
            resumeMark = resolve;
            send({ type: "mark", point });
          }),
      },
    });
    send({ type: "result", result });
  } catch (error) {
    send({
      type: "failed",
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
}

process.on("message", (message: ToWorker) => {
  if (message.type === "run") void run(message);
  else if (message.type === "resume") resumeMark?.();
});
// The parent going away (Ctrl-C, a crash) ends this process too.
process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
