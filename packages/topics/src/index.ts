export { matchesFilter } from "./match-filter.js";
export type { SharedGroup } from "./shared-group.js";
export {
  isSharedSubscription,
  parseSharedSubscription,
  SHARED_SUBSCRIPTION_PREFIX,
  type SharedSubscription,
} from "./shared-subscription.js";
export {
  type MatchCallback,
  type SharedGroupCallback,
  type SubscriptionMatch,
  SubscriptionTree,
  type SubscriptionTreeOptions,
} from "./subscription-tree.js";
export {
  REASON_TOPIC_FILTER_INVALID,
  REASON_TOPIC_NAME_INVALID,
  TopicError,
  type TopicErrorCode,
} from "./topic-error.js";
export {
  assertTopicFilter,
  assertTopicName,
  DEFAULT_MAX_TOPIC_LEVELS,
  MAX_TOPIC_BYTES,
  type TopicValidationOptions,
  validateTopicFilter,
  validateTopicName,
} from "./validate.js";
