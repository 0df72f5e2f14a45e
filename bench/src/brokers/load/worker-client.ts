/**
 * The parent's handle on a load generator process (worker.ts, forked through tsx), so the
 * generator never shares a process, an event loop or a heap with the broker or the driver.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Target } from "./raw-client.js";
import type { Mark, ScenarioResult, Size } from "./scenarios.js";
import type { ToParent, ToWorker } from "./worker-protocol.js";

const benchFolder = fileURLToPath(new URL("../../../", import.meta.url));
const workerScript = fileURLToPath(new URL("./worker.ts", import.meta.url));

export class LoadWorker {
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  /**
   * Forks the worker process; resolves once it is ready for scenarios: those of scenarios.ts,
   * or of the module at `scenarioModule` (a file URL) with a `runScenario` of the same shape.
   */
  static start(scenarioModule?: URL): Promise<LoadWorker> {
    const child = fork(workerScript, scenarioModule === undefined ? [] : [scenarioModule.href], {
      cwd: benchFolder,
      execArgv: ["--import", "tsx", "--conditions=@ternmq/source"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`load worker exited (${code}) at start`)));
      child.once("message", (message: ToParent) => {
        if (message.type === "ready") resolve(new LoadWorker(child));
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /**
   * Runs one scenario in the worker; `onMark` is awaited at each of its marks. `nodes`: every
   * node of a cluster, `target` first (cluster suite).
   */
  run<Id extends string>(
    scenario: Id,
    target: Target,
    size: Size,
    runId: string,
    onMark: (point: Mark) => Promise<void>,
    nodes?: readonly Target[],
  ): Promise<ScenarioResult<Id>> {
    const child = this.#child;
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => {
        cleanUp();
        reject(new Error(`load worker exited (${code}) during ${scenario}`));
      };
      const onMessage = (message: ToParent): void => {
        if (message.type === "mark") {
          onMark(message.point).then(
            () => this.#send({ type: "resume" }),
            (error: unknown) => {
              cleanUp();
              reject(error);
            },
          );
        } else if (message.type === "result") {
          cleanUp();
          resolve(message.result as ScenarioResult<Id>);
        } else if (message.type === "failed") {
          cleanUp();
          reject(new Error(`${scenario} failed in the load worker: ${message.error}`));
        }
      };
      const cleanUp = (): void => {
        child.off("message", onMessage);
        child.off("exit", onExit);
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
      this.#send({
        type: "run",
        scenario,
        target,
        size,
        runId,
        ...(nodes === undefined ? {} : { nodes }),
      });
    });
  }

  /** Ends the worker process and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
  }

  #send(message: ToWorker): void {
    this.#child.send(message);
  }
}
