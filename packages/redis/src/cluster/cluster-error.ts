/**
 * Errors of the Redis cluster bus.
 *
 * Design: like every TernMQ error, callers branch on `code`. None of them is a protocol
 * violation by a peer, so they carry no `spec`; the broker decides what a client is told (a
 * refused CONNECT while the cluster is unavailable, for example).
 */
import { MqttError } from "@ternmq/codec";

/** Every code a `RedisClusterBus` rejects with. Documented in the package README. */
export type ClusterErrorCode =
  /** Redis is unreachable now, so ownership of a session cannot be decided. */
  | "MQTT_ERR_CLUSTER_UNAVAILABLE"
  /** The previous owner of a session is alive but did not release it in time. */
  | "MQTT_ERR_CLUSTER_TAKEOVER_TIMEOUT"
  /** The node id is invalid, or a live node already uses it (at `start`). */
  | "MQTT_ERR_CLUSTER_NODE_ID";

export class ClusterError extends MqttError<ClusterErrorCode> {
  /** Client id of the session involved, when there is one. */
  readonly clientId: string | undefined;
  /** Node id involved (the refused id, or the node that did not release), when there is one. */
  readonly nodeId: string | undefined;

  constructor(
    code: ClusterErrorCode,
    message: string,
    options: { clientId?: string; nodeId?: string; cause?: unknown } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.clientId = options.clientId;
    this.nodeId = options.nodeId;
  }

  static isClusterError(value: unknown): value is ClusterError {
    return MqttError.hasCodePrefix(value, "MQTT_ERR_CLUSTER_");
  }
}
