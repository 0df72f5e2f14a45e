/**
 * The broker load generator as a library: raw-socket scenarios against any MQTT 3.1.1 broker
 * address (`runScenario` in this process, or `LoadWorker` for a separate process). Used by
 * the `brokers` bench suite; meant for `ternmq bench` as well.
 */
export { Flow, type FlowOptions, type PhaseOptions, type PhaseResult } from "./flow.js";
export type { Target } from "./raw-client.js";
export {
  type Mark,
  type Metric,
  runScenario,
  SCENARIOS,
  type ScenarioDefinition,
  type ScenarioHooks,
  type ScenarioId,
  type ScenarioResult,
  type Size,
  scenarioById,
} from "./scenarios.js";
export { LoadWorker } from "./worker-client.js";
