/**
 * The numeric constants of PubSubClient 2.8 (`PubSubClient.h`), with the same names and values,
 * so `if (client.state() == MQTT_CONNECT_UNAUTHORIZED)` ports unchanged.
 */

/** `state()`: the server did not answer (CONNACK or PINGRESP) within the timeout. */
export const MQTT_CONNECTION_TIMEOUT = -4;
/** `state()`: the network connection broke while connected. */
export const MQTT_CONNECTION_LOST = -3;
/** `state()`: the network connection (`Client.connect`) failed. */
export const MQTT_CONNECT_FAILED = -2;
/** `state()`: cleanly disconnected (also the initial state). */
export const MQTT_DISCONNECTED = -1;
/** `state()`: connected. */
export const MQTT_CONNECTED = 0;
/** `state()`: CONNACK return code 1, the server does not support the protocol level. */
export const MQTT_CONNECT_BAD_PROTOCOL = 1;
/** `state()`: CONNACK return code 2, the server rejected the client identifier. */
export const MQTT_CONNECT_BAD_CLIENT_ID = 2;
/** `state()`: CONNACK return code 3, the server was unable to accept the connection. */
export const MQTT_CONNECT_UNAVAILABLE = 3;
/** `state()`: CONNACK return code 4, bad user name or password. */
export const MQTT_CONNECT_BAD_CREDENTIALS = 4;
/** `state()`: CONNACK return code 5, the client is not authorized to connect. */
export const MQTT_CONNECT_UNAUTHORIZED = 5;

/** One of the values `state()` returns. */
export type MqttState =
  | typeof MQTT_CONNECTION_TIMEOUT
  | typeof MQTT_CONNECTION_LOST
  | typeof MQTT_CONNECT_FAILED
  | typeof MQTT_DISCONNECTED
  | typeof MQTT_CONNECTED
  | typeof MQTT_CONNECT_BAD_PROTOCOL
  | typeof MQTT_CONNECT_BAD_CLIENT_ID
  | typeof MQTT_CONNECT_UNAVAILABLE
  | typeof MQTT_CONNECT_BAD_CREDENTIALS
  | typeof MQTT_CONNECT_UNAUTHORIZED;

/** Protocol level of MQTT 3.1 (`MQIsdp`). */
export const MQTT_VERSION_3_1 = 3;
/** Protocol level of MQTT 3.1.1, the level this client speaks (2.8's default). */
export const MQTT_VERSION_3_1_1 = 4;
/** The protocol level sent in CONNECT. */
export const MQTT_VERSION = MQTT_VERSION_3_1_1;
/** Default buffer size in bytes (`setBufferSize` changes it): the largest packet. */
export const MQTT_MAX_PACKET_SIZE = 256;
/** Default keepalive in seconds (`setKeepAlive`). */
export const MQTT_KEEPALIVE = 15;
/** Default socket timeout in seconds (`setSocketTimeout`): how long `connect` waits for CONNACK. */
export const MQTT_SOCKET_TIMEOUT = 15;
/**
 * Bytes 2.8 reserves in front of every packet for the fixed header (1 byte type + up to 4
 * bytes Remaining Length). Its size checks count these 5 bytes whatever the real header
 * length, and so do ours, so the same publish fits or fails as on a board.
 */
export const MQTT_MAX_HEADER_SIZE = 5;
