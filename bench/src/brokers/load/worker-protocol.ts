/** The IPC messages between a `LoadWorker` (parent) and its worker process. */
import type { Target } from "./raw-client.js";
import type { Mark, ScenarioId, ScenarioResult, Size } from "./scenarios.js";

export type ToWorker =
  | {
      readonly type: "run";
      readonly scenario: ScenarioId;
      readonly target: Target;
      readonly size: Size;
      readonly runId: string;
    }
  | { readonly type: "resume" };

export type ToParent =
  | { readonly type: "ready" }
  | { readonly type: "mark"; readonly point: Mark }
  | { readonly type: "result"; readonly result: ScenarioResult }
  | { readonly type: "failed"; readonly error: string };
