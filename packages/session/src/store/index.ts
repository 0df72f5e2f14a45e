export { MemoryRetainedStore } from "./memory-retained-store.js";
export { MemorySessionStore } from "./memory-session-store.js";
export type { RetainedMessage, RetainedStore } from "./retained-store.js";
export type {
  SessionChanges,
  SessionRecord,
  SessionStore,
  SnapshotChanges,
  StoredSubscription,
} from "./session-store.js";
export { StoreError, type StoreErrorCode } from "./store-error.js";
