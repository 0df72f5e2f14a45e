/**
 * The load generator's process: runs the scenarios a parent asks for (over IPC, see
 * worker-client.ts) against the broker address it is given, and reports each mark and result.
 * Started by `LoadWorker.start()`; not meant to be run by hand.
 */
import { type Mark, runScenario } from "./scenarios.js";
import type { ToParent, ToWorker } from "./worker-protocol.js";

function send(message: ToParent): void {
  process.send?.(message);
}

let resumeMark: (() => void) | undefined;

async function run(message: Extract<ToWorker, { type: "run" }>): Promise<void> {
  try {
    const result = await runScenario(message.scenario, message.target, {
      size: message.size,
      runId: message.runId,
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
