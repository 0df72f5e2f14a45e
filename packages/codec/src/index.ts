export * from "./types.js";
export { MqttError, type MqttErrorOptions } from "./mqtt-error.js";
