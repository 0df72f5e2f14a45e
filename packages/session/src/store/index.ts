export { invalidChangeError, validateSessionChanges } from "./change-validation.js";
export { MemoryRetainedStore } from "./memory-retained-store.js";
export { MemorySessionStore } from "./memory-session-store.js";
export { decodeStoredMessage, encodeStoredMessage } from "./message-bytes.js";
export {
  subscriptionsFromJson,
  subscriptionsToJson,
  willFromJson,
  willToJson,
} from "./record-json.js";
export type { RetainedMessage, RetainedStore } from "./retained-store.js";
export type {
  SessionChanges,
  SessionRecord,
  SessionStore,
  SnapshotChanges,
  StoredSubscription,
} from "./session-store.js";
export { StoreError, type StoreErrorCode } from "./store-error.js";
export { type StoredDataErrorFactory, storedDataError } from "./stored-data-error.js";
