/** The IPC messages between a `LoadWorker` (parent) and its worker process. */
import type { Target } from "./raw-client.js";
import type { Mark, ScenarioResult, Size } from "./scenarios.js";

export type ToWorker =
  | {
      readonly type: "run";
      /** A scenario id of the worker's scenario module. */
      readonly scenario: string;
      readonly target: Target;
      readonly size: Size;
      readonly runId: string;
      /** Every node of a cluster, `target` first (cluster suite). */
      readonly nodes?: readonly Target[];
    }
  | { readonly type: "resume" };

export type ToParent =
  | { readonly type: "ready" }
  | { readonly type: "mark"; readonly point: Mark }
  | { readonly type: "result"; readonly result: ScenarioResult<string> }
  | { readonly type: "failed"; readonly error: string };
