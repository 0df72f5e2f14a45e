import { SubscriberList } from "./subscriber-list.js";

/**
 * The members of one shared subscription `$share/{shareName}/{topicFilter}`, as the broker sees
 * them when a topic matches: it delivers each message to ONE member (which one is the Server's
 * choice, MQTT 5.0 section 4.8.2). Members are addressed by index
 * `0 .. size - 1`; `nextIndex()` walks them round-robin with a cursor stored in the group, so
 * picking a member costs O(1) and allocates nothing. A broker that skips offline members calls
 * `nextIndex()` again, at most `size` times.
 */
export interface SharedGroup<T, Id = string> {
  readonly shareName: string;
  /** The filter topics are matched against, without `$share/{shareName}/`. */
  readonly topicFilter: string;
  /** The whole filter, `$share/{shareName}/{topicFilter}`, as first given to `addShared`. */
  readonly filter: string;
  /** Number of members (at least 1 while the group is in the tree). */
  readonly size: number;
  subscriberIdAt(index: number): Id;
  valueAt(index: number): T;
  /** The next member's index, round-robin. */
  nextIndex(): number;
}

export class SharedGroupList<T, Id> extends SubscriberList<T, Id> implements SharedGroup<T, Id> {
  readonly shareName: string;
  readonly topicFilter: string;
  private cursor = 0;

  constructor(filter: string, shareName: string, topicFilter: string, subscriberId: Id, value: T) {
    super(filter, subscriberId, value);
    this.shareName = shareName;
    this.topicFilter = topicFilter;
  }

  subscriberIdAt(index: number): Id {
    return this.idAt(index);
  }

  nextIndex(): number {
    if (this.cursor >= this.size) this.cursor = 0;
    return this.cursor++;
  }
}
