/**
 * @ternmq/pubsubclient: knolleary's Arduino PubSubClient 2.8 API in TypeScript, over the
 * TernMQ codec and session engine, so a sketch ports line by line.
 */
export { type Clock, delay, millis, setClock } from "./clock.js";
export * from "./constants.js";
export {
  PubSubClientError,
  type PubSubClientErrorCode,
  type PubSubClientErrorOptions,
} from "./errors.js";
export { IPAddress, type ServerAddress } from "./ip-address.js";
export { type MqttCallback, PubSubClient } from "./pubsub-client.js";
export { runSketch, type Sketch, type SketchHandle } from "./run-sketch.js";
export { TcpClient, type TcpClientOptions } from "./tcp-client.js";
export type { Client, Stream } from "./transport.js";
