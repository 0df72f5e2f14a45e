export {
  describeRetainedStoreConformance,
  type RetainedStoreFactory,
} from "./retained-store-conformance.js";
export {
  describeSessionStoreConformance,
  type SessionStoreFactory,
} from "./session-store-conformance.js";
export type { ConformanceMatchers, ConformanceOptions, ConformanceTestApi } from "./test-api.js";
