/**
 * What every connection and handler of one broker shares: limits, hooks, registries,
 * counters, the logger and the event emitter.
 *
 * Design: the Broker builds one BrokerContext and keeps the public surface (options,
 * listen, close, publish) to itself; connections and handlers reach the shared parts
 * through this object, so none of them needs the Broker class. `publish()` is the single
 * entry of an application message into the broker (client PUBLISH, will, Broker.publish).
 * `applyOutbound()` is the single exit of engine Steps: it journals a persistent session's
 * changes and sends the packets through the write-ahead gate (`writes`). In cluster mode,
 * `publish()` also hands the message to the other nodes (`cluster`, see cluster-link.ts).
 */
import type { EventEmitter } from "node:events";
import type { Will } from "@ternmq/codec";
import type { SessionStore, Step } from "@ternmq/session";
import type { Logger } from "pino";
import type { ClusterLink } from "./cluster-link.js";
import type { Connection } from "./connection.js";
import type { Hooks } from "./hooks.js";
import { createTrafficCounters } from "./inspect.js";
import type { RetainedMessages } from "./retained.js";
import type { Router } from "./router.js";
import type { SessionEntry, SessionRegistry } from "./session-registry.js";
import { isSysTopic } from "./sys-topic.js";
import type {
  BrokerEvents,
  BrokerLimits,
  BrokerMessage,
  BrokerStats,
  ClientInfo,
} from "./types.js";
import type { WriteAhead } from "./write-ahead.js";
import type { FlushScheduler } from "./writer.js";

export interface BrokerSettings {
  readonly limits: BrokerLimits;
  readonly maxQoS: 0 | 1 | 2;
  readonly retainAvailable: boolean;
  readonly clientIdPattern: RegExp | undefined;
  /** `{ maxLevels }` for the topics package's validators, made once. */
  readonly topicOptions: { readonly maxLevels: number };
}

export class BrokerContext {
  readonly connections = new Set<Connection>();
  /** PUBLISH counts and payload bytes by QoS (read by BrokerInspector). */
  readonly traffic = createTrafficCounters();
  /** Set by the Broker right after construction (they need the context themselves). */
  registry!: SessionRegistry;
  router!: Router;
  retained!: RetainedMessages;
  writes!: WriteAhead;
  /** The session store (the registry writes it; the cluster link loads from it). */
  sessionStore!: SessionStore;
  /** This node's link to its cluster; undefined for a standalone broker. */
  cluster: ClusterLink | undefined;
  /**
   * Pending while the broker loads the stored sessions and retained count at start;
   * undefined afterwards. CONNECT and `Broker.publish` wait for it.
   */
  restoring: Promise<void> | undefined;

  constructor(
    readonly settings: BrokerSettings,
    readonly hooks: Hooks,
    readonly stats: BrokerStats,
    readonly logger: Logger,
    readonly events: EventEmitter<BrokerEvents>,
    readonly scheduler: FlushScheduler,
    readonly now: () => number,
  ) {}

  /**
   * Routes `message` to every matching subscription and stores it when retained. The store
   * writes this makes are tracked by `writes` (compare `writes.issued` before and after to
   * know whether an acknowledgement must wait); the Promise of the retained write, if any,
   * is returned for callers that wait for it.
   */
  publish(message: BrokerMessage, publisher: ClientInfo | undefined): Promise<void> | undefined {
    const stored =
      message.retain && this.settings.retainAvailable ? this.retained.retain(message) : undefined;
    this.router.route(message);
    this.cluster?.forward(message);
    this.events.emit("published", publisher, message);
    return stored;
  }

  /**
   * Publishes the will of `client` (its connection ended ungracefully): as a PUBLISH of the
   * client, with its QoS and RETAIN, subject to `authorizePublish` and the `$SYS` rule.
   */
  publishWill(client: ClientInfo, will: Will): void {
    const message: BrokerMessage = {
      topic: will.topic,
      payload: will.payload,
      qos: will.qos,
      retain: will.retain,
    };
    if (isSysTopic(message.topic)) {
      this.logger.info({ clientId: client.clientId, topic: message.topic }, "will to $SYS dropped");
      return;
    }
    const publishIf = (allowed: boolean): void => {
      if (!allowed) return;
      this.publish(message, client); // a failed write is the write-ahead gate's to report
    };
    const allowed = this.hooks.authorizePublish(client, message.topic, message);
    if (typeof allowed === "boolean") publishIf(allowed);
    else void allowed.then(publishIf);
  }

  /**
   * Carries out an engine Step for `entry`: counts drops, journals the Step's changes (a
   * persistent session's engine runs with `journal: true`), writes its packets if connected.
   * Write-ahead: the packets wait for the journal write, and for every write issued so far
   * when `afterWrites` (an acknowledgement of a message whose routing wrote to the store).
   */
  applyOutbound(entry: SessionEntry, step: Step, afterWrites = false): void {
    const events = step.events;
    for (let index = 0; index < events.length; index++) {
      const event = events[index];
      if (event?.type === "message-dropped") this.countDrop(entry.clientId, event.reason);
    }
    const changes = step.changes;
    if (changes !== undefined) this.registry.journal(entry, changes);
    const connection = entry.connection;
    if (step.send.length > 0 && connection !== undefined) {
      this.writes.send(connection, step.send, afterWrites || changes !== undefined);
    }
  }

  /** One message that a subscriber will not get. */
  countDrop(clientId: string, reason: string): void {
    this.stats.messagesDropped++;
    this.events.emit("dropped", clientId, reason, 1);
  }
}
