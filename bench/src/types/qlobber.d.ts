// Minimal types for the parts of qlobber 8.0.1 that the topics benchmark uses.
declare module "qlobber/aedes/qlobber-sub.js" {
  interface QlobberSubOptions {
    separator?: string;
    wildcard_one?: string;
    wildcard_some?: string;
    match_empty_levels?: boolean;
    max_words?: number;
    max_wildcard_somes?: number;
  }
  interface Subscription {
    clientId: string;
    topic: string;
    qos: number;
    rh?: number;
    rap?: boolean;
    nl?: boolean;
  }
  /** The subscription index of aedes-persistence (aedes's in-memory persistence). */
  class QlobberSub {
    constructor(options?: QlobberSubOptions);
    subscriptionsCount: number;
    add(topic: string, value: Subscription): this;
    remove(topic: string, value?: Pick<Subscription, "clientId" | "topic">): this;
    match(topic: string): Array<Omit<Subscription, "topic"> & { topic?: string }>;
    clear(): this;
  }
  export default QlobberSub;
}
