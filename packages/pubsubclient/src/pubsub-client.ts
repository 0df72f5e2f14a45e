/**
 * PubSubClient: the API of knolleary's Arduino PubSubClient 2.8 over TernMQ's codec and
 * session engine.
 *
 * Design: the facade is a shell around a `ClientSession` (sans-I/O QoS flows, keepalive) and
 * a codec `Decoder`; it owns no protocol logic of its own beyond 2.8's size checks. Time is
 * `millis()`. `connect()` is the only asynchronous call (Node cannot block for CONNACK);
 * `publish`/`subscribe`/`unsubscribe` encode into the transmit buffer and write to the
 * `Client` at once; `loop()` reads what the `Client` has buffered, decodes it, hands each
 * packet to the engine, calls the callback with a copy of the payload, writes the engine's
 * answers and PINGREQ, and never blocks. Receive (the decoder's chunks plus the copy) and
 * transmit buffers are separate, so publishing from the callback cannot corrupt the payload
 * being read (knolleary/pubsubclient#443, #489, #832).
 *
 * `state()` transitions (2.8's codes):
 *
 * | from        | on                                                   | to                        |
 * |-------------|------------------------------------------------------|---------------------------|
 * | any         | connect(): `Client.connect` fails / no server        | MQTT_CONNECT_FAILED (-2)  |
 * | any         | connect(): no CONNACK within the socket timeout      | MQTT_CONNECTION_TIMEOUT   |
 * | any         | connect(): CONNACK return code 1-5                   | that code (1-5)           |
 * | any         | connect(): CONNACK return code 0                     | MQTT_CONNECTED (0)        |
 * | connected   | `Client.connected()` false, or bad input from server | MQTT_CONNECTION_LOST (-3) |
 * | connected   | loop(): PINGREQ unanswered for a keepalive           | MQTT_CONNECTION_TIMEOUT   |
 * | any         | disconnect()                                         | MQTT_DISCONNECTED (-1)    |
 */
import { Decoder, encodeInto, MqttError, type Packet, preparePublish } from "@ternmq/codec";
import { ClientSession, type MessageEvent, type Step } from "@ternmq/session";
import { millis } from "./clock.js";
import {
  type ConnectArguments,
  type ConnectRest,
  connectPacket,
  connectSize,
  parseConnectArguments,
} from "./connect-packet.js";
import {
  MQTT_CONNECT_FAILED,
  MQTT_CONNECTED,
  MQTT_CONNECTION_LOST,
  MQTT_CONNECTION_TIMEOUT,
  MQTT_DISCONNECTED,
  MQTT_KEEPALIVE,
  MQTT_MAX_HEADER_SIZE,
  MQTT_MAX_PACKET_SIZE,
  MQTT_SOCKET_TIMEOUT,
  MQTT_VERSION,
} from "./constants.js";
import { PubSubClientError, type PubSubClientErrorCode } from "./errors.js";
import { type ServerAddress, serverHost } from "./ip-address.js";
import type { Client, Stream } from "./transport.js";

/** `MQTT_CALLBACK_SIGNATURE`: topic, payload (a copy, yours to keep) and its length. */
export type MqttCallback = (topic: string, payload: Uint8Array, length: number) => void;

/** 2.8's SUBSCRIBE/UNSUBSCRIBE size check: `bufferSize < 9 + strlen(topic)` fails. */
const SUBSCRIBE_OVERHEAD = 9;
/** The largest buffer 2.8's `uint16_t bufferSize` can hold. */
const MAX_BUFFER_SIZE = 0xffff;
const ENCODE_OPTIONS = { protocolVersion: MQTT_VERSION } as const;
const EMPTY_PAYLOAD = new Uint8Array(0);
const utf8 = new TextEncoder();

/** An open connection: everything that dies with it. */
interface Connection {
  readonly client: Client;
  readonly decoder: Decoder;
  /** Bytes of a `beginPublish` payload still to be written, or undefined when none is open. */
  publishRemaining: number | undefined;
}

function isClient(value: unknown): value is Client {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { connect?: unknown }).connect === "function" &&
    typeof (value as { available?: unknown }).available === "function"
  );
}

function utf8Length(text: string): number {
  return utf8.encode(text).length;
}

const pollTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

export class PubSubClient {
  private client: Client | undefined;
  private stream: Stream | undefined;
  private callback: MqttCallback | undefined;
  private host: string | undefined;
  private port = 0;
  private keepAliveSeconds = MQTT_KEEPALIVE;
  private socketTimeoutSeconds = MQTT_SOCKET_TIMEOUT;
  private bufferSize = MQTT_MAX_PACKET_SIZE;
  private transmitBuffer = new Uint8Array(MQTT_MAX_PACKET_SIZE);
  private mqttState: number = MQTT_DISCONNECTED;
  private error: PubSubClientError | undefined;
  private connection: Connection | undefined;
  private session: ClientSession | undefined;
  private pendingConnect: Promise<boolean> | undefined;

  /** `PubSubClient()`: set a client and server before `connect`. */
  constructor();
  /** `PubSubClient(client)`. */
  constructor(client: Client);
  /** `PubSubClient(server, port, client[, stream])`. */
  constructor(server: ServerAddress, port: number, client: Client, stream?: Stream);
  /** `PubSubClient(server, port, callback, client[, stream])`. */
  constructor(
    server: ServerAddress,
    port: number,
    callback: MqttCallback,
    client: Client,
    stream?: Stream,
  );
  constructor(
    first?: Client | ServerAddress,
    port?: number,
    third?: MqttCallback | Client,
    fourth?: Client | Stream,
    fifth?: Stream,
  ) {
    if (first === undefined) return;
    if (isClient(first)) {
      this.client = first;
      return;
    }
    this.setServer(first, port ?? 0);
    if (typeof third === "function") {
      this.callback = third;
      if (isClient(fourth)) this.client = fourth;
      this.stream = fifth;
    } else {
      this.client = third;
      this.stream = fourth;
    }
  }

  /** `setServer(ip | domain, port)`. The host name is copied. Returns this (chains). */
  setServer(server: ServerAddress, port: number): this {
    this.host = serverHost(server);
    this.port = port;
    return this;
  }

  /** `setCallback(callback)`: called from `loop()` for every received PUBLISH. */
  setCallback(callback: MqttCallback | undefined): this {
    this.callback = callback;
    return this;
  }

  /** `setClient(client)`: the transport (`TcpClient` or your own `Client`). */
  setClient(client: Client): this {
    this.client = client;
    return this;
  }

  /** `setStream(stream)`: the payload of every received PUBLISH is also written here. */
  setStream(stream: Stream): this {
    this.stream = stream;
    return this;
  }

  /** `setKeepAlive(seconds)` (default 15; 0 turns PINGREQ off). Used by the next `connect`. */
  setKeepAlive(seconds: number): this {
    this.keepAliveSeconds = seconds;
    return this;
  }

  /** `setSocketTimeout(seconds)` (default 15): how long `connect` waits for CONNACK. */
  setSocketTimeout(seconds: number): this {
    this.socketTimeoutSeconds = seconds;
    return this;
  }

  /**
   * `setBufferSize(size)`: the largest packet sent or received (default 256). False for 0 or
   * anything outside 1-65535 (2.8's `uint16_t`); a failed call keeps the old size.
   */
  setBufferSize(size: number): boolean {
    if (!Number.isInteger(size) || size < 1 || size > MAX_BUFFER_SIZE) {
      return this.fail("PUBSUB_ERR_INVALID_BUFFER_SIZE", `buffer size ${size} is not 1-65535`);
    }
    this.bufferSize = size;
    this.transmitBuffer = new Uint8Array(size);
    return true;
  }

  /** `getBufferSize()`. */
  getBufferSize(): number {
    return this.bufferSize;
  }

  /** `connect(id)`: clean session, no credentials, no will. */
  connect(id: string): Promise<boolean>;
  /** `connect(id, user, pass)`. */
  connect(id: string, user: string | null, pass: string | null): Promise<boolean>;
  /** `connect(id, willTopic, willQos, willRetain, willMessage)`. */
  connect(
    id: string,
    willTopic: string | null,
    willQos: number,
    willRetain: boolean,
    willMessage: string | null,
  ): Promise<boolean>;
  /** `connect(id, user, pass, willTopic, willQos, willRetain, willMessage[, cleanSession])`. */
  connect(
    id: string,
    user: string | null,
    pass: string | null,
    willTopic: string | null,
    willQos: number,
    willRetain: boolean,
    willMessage: string | null,
    cleanSession?: boolean,
  ): Promise<boolean>;
  /**
   * Opens the network connection (unless the Client is already connected), sends CONNECT and
   * waits up to the socket timeout for CONNACK. Resolves true when connected (at once if it
   * already is), false otherwise with `state()` and `lastError()` saying why. Never rejects
   * for network or protocol failures. A call while another is pending returns that one.
   */
  connect(id: string, ...rest: ConnectRest): Promise<boolean> {
    const parsed = parseConnectArguments(id, rest);
    if (this.pendingConnect !== undefined) return this.pendingConnect;
    const attempt = this.runConnect(parsed).finally(() => {
      this.pendingConnect = undefined;
    });
    this.pendingConnect = attempt;
    return attempt;
  }

  /** `disconnect()`: sends DISCONNECT, closes the Client; `state()` becomes -1. */
  disconnect(): void {
    const client = this.client;
    if (client !== undefined) {
      client.write(this.encode({ type: "disconnect" }));
      client.flush();
      client.stop();
    }
    this.endConnection(MQTT_DISCONNECTED);
  }

  /** `publish(topic, payload[, retained])`: QoS 0; the whole string or array is sent. */
  publish(topic: string, payload: string | Uint8Array, retained?: boolean): boolean;
  /** `publish(topic, payload, length[, retained])`: the first `length` bytes of `payload`. */
  publish(topic: string, payload: string | Uint8Array, length: number, retained?: boolean): boolean;
  /**
   * Sends a QoS 0 PUBLISH. False (see `lastError()`) when not connected or when the packet
   * (2.8's count: 5 header bytes + 2 + topic + payload) is larger than the buffer.
   */
  publish(
    topic: string,
    payload: string | Uint8Array,
    lengthOrRetained?: number | boolean,
    retained?: boolean,
  ): boolean {
    const message = this.publishArguments(topic, payload, lengthOrRetained, retained);
    if (message === undefined) return false;
    const connection = this.openConnection();
    if (connection === undefined) return false;
    if (connection.publishRemaining !== undefined) return this.failPublishInProgress();
    const size = MQTT_MAX_HEADER_SIZE + 2 + utf8Length(topic) + message.payload.length;
    if (size > this.bufferSize) {
      return this.failTooLarge(`PUBLISH needs ${size} bytes`);
    }
    return this.sendStep(connection, () => this.requireSession().publish(message, millis()));
  }

  /**
   * `publish_P(topic, payload[, length], retained)`: like 2.8, the payload is streamed to the
   * Client after the head (as `beginPublish` + `write` + `endPublish`), so only the topic has
   * to fit the buffer.
   */
  publish_P(topic: string, payload: string | Uint8Array, retained?: boolean): boolean;
  publish_P(
    topic: string,
    payload: string | Uint8Array,
    length: number,
    retained?: boolean,
  ): boolean;
  publish_P(
    topic: string,
    payload: string | Uint8Array,
    lengthOrRetained?: number | boolean,
    retained?: boolean,
  ): boolean {
    const message = this.publishArguments(topic, payload, lengthOrRetained, retained);
    if (message === undefined) return false;
    const length = message.payload.length;
    if (!this.beginPublish(topic, length, message.retain)) return false;
    if (length > 0 && this.write(message.payload) !== length) return false;
    return this.endPublish() === 1;
  }

  /**
   * `beginPublish(topic, length, retained)`: sends the head of a QoS 0 PUBLISH whose `length`
   * payload bytes follow with `write()`; finish with `endPublish()`. Only the topic has to fit
   * the buffer. `loop()` does nothing until `endPublish()` (it must not write mid-packet).
   */
  beginPublish(topic: string, length: number, retained: boolean): boolean {
    if (!Number.isInteger(length) || length < 0) {
      return this.fail("PUBSUB_ERR_INVALID_ARGUMENT", `length ${length} is not a byte count`);
    }
    const connection = this.openConnection();
    if (connection === undefined) return false;
    if (connection.publishRemaining !== undefined) return this.failPublishInProgress();
    const size = MQTT_MAX_HEADER_SIZE + 2 + utf8Length(topic);
    if (size > this.bufferSize) return this.failTooLarge(`the PUBLISH topic needs ${size} bytes`);
    let head: Uint8Array;
    try {
      // The codec writes the head for a payload of `length` bytes; the zero-filled
      // placeholder is never sent (chunks() returns it untouched as the second chunk).
      const prepared = preparePublish(
        { type: "publish", topic, payload: new Uint8Array(length), retain: retained },
        ENCODE_OPTIONS,
      );
      head = prepared.chunks(0, undefined, false, retained)[0] ?? EMPTY_PAYLOAD;
    } catch (error) {
      return this.failInvalid(error);
    }
    if (!this.writeBytes(connection, head)) return false;
    connection.publishRemaining = length;
    return true;
  }

  /** `write(byte)` during `beginPublish`: returns 1, or 0 (see `lastError()`). */
  write(byte: number): number;
  /** `write(buffer[, size])` during `beginPublish`: returns the bytes written. */
  write(buffer: Uint8Array, size?: number): number;
  write(data: number | Uint8Array, size?: number): number {
    const connection = this.connection;
    if (connection?.publishRemaining === undefined) {
      this.fail("PUBSUB_ERR_NO_PUBLISH_IN_PROGRESS", "write() outside beginPublish/endPublish");
      return 0;
    }
    const bytes = typeof data === "number" ? Uint8Array.of(data) : data.subarray(0, size);
    if (bytes.length > connection.publishRemaining) {
      this.fail(
        "PUBSUB_ERR_PUBLISH_LENGTH_MISMATCH",
        `${bytes.length} bytes written where ${connection.publishRemaining} remain`,
      );
      return 0;
    }
    const written = connection.client.write(bytes);
    connection.publishRemaining -= written;
    this.session?.packetSent(millis());
    if (written !== bytes.length) {
      this.fail("PUBSUB_ERR_WRITE_FAILED", `Client.write took ${written} of ${bytes.length}`);
    }
    return written;
  }

  /**
   * `endPublish()`: 1 when exactly the announced payload length was written. Otherwise 0 and,
   * because the server would read the next packet as payload, the connection is closed
   * (`state()` -3).
   */
  endPublish(): number {
    const connection = this.connection;
    if (connection?.publishRemaining === undefined) {
      this.fail("PUBSUB_ERR_NO_PUBLISH_IN_PROGRESS", "endPublish() without beginPublish()");
      return 0;
    }
    const remaining = connection.publishRemaining;
    connection.publishRemaining = undefined;
    if (remaining === 0) return 1;
    connection.client.stop();
    this.endConnection(MQTT_CONNECTION_LOST);
    this.fail("PUBSUB_ERR_PUBLISH_LENGTH_MISMATCH", `${remaining} payload bytes never written`);
    return 0;
  }

  /**
   * `subscribe(topic[, qos])`: QoS 0 (default) or 1; false for any other QoS, when not
   * connected, or when the packet does not fit the buffer. The SUBACK is read by `loop()`.
   */
  subscribe(topic: string, qos = 0): boolean {
    if (qos !== 0 && qos !== 1) {
      return this.fail("PUBSUB_ERR_INVALID_QOS", `subscribe supports QoS 0 and 1, not ${qos}`);
    }
    if (topic.length === 0) return this.failEmptyTopic();
    const size = SUBSCRIBE_OVERHEAD + utf8Length(topic);
    if (size > this.bufferSize) return this.failTooLarge(`SUBSCRIBE needs ${size} bytes`);
    const connection = this.openConnection();
    if (connection === undefined) return false;
    if (connection.publishRemaining !== undefined) return this.failPublishInProgress();
    return this.sendStep(connection, () =>
      this.requireSession().subscribe([{ topicFilter: topic, qos }], millis()),
    );
  }

  /** `unsubscribe(topic)`: false when not connected or when the packet does not fit. */
  unsubscribe(topic: string): boolean {
    if (topic.length === 0) return this.failEmptyTopic();
    const size = SUBSCRIBE_OVERHEAD + utf8Length(topic);
    if (size > this.bufferSize) return this.failTooLarge(`UNSUBSCRIBE needs ${size} bytes`);
    const connection = this.openConnection();
    if (connection === undefined) return false;
    if (connection.publishRemaining !== undefined) return this.failPublishInProgress();
    return this.sendStep(connection, () => this.requireSession().unsubscribe([topic], millis()));
  }

  /**
   * `loop()`: processes everything the Client has received (callback for PUBLISH, then its
   * PUBACK/PUBREC; PINGRESP; SUBACK...), sends PINGREQ when the keepalive is due, and sets
   * MQTT_CONNECTION_TIMEOUT when a PINGREQ stayed unanswered. Never blocks. Returns
   * `connected()`. An exception thrown by the callback propagates (the message is still
   * acknowledged).
   */
  loop(): boolean {
    const connection = this.openConnection();
    if (connection === undefined) return false;
    if (connection.publishRemaining !== undefined) return true;
    const session = this.requireSession();
    const now = millis();
    this.receive(connection);
    while (this.connection === connection) {
      let packet: Packet | undefined;
      let size = 0;
      let step: Step;
      try {
        const before = connection.decoder.bufferedBytes;
        packet = connection.decoder.next();
        if (packet === undefined) break;
        size = before - connection.decoder.bufferedBytes;
        step = session.handlePacket(packet, now);
      } catch (error) {
        return this.protocolFailure(connection, error);
      }
      if (!this.deliver(connection, step, size, now)) return false;
    }
    if (this.connection !== connection) return false;
    const step = session.handleTimeout(now);
    if (step.events.some((event) => event.type === "ping-timeout")) {
      connection.client.stop();
      this.endConnection(MQTT_CONNECTION_TIMEOUT);
      return this.fail("PUBSUB_ERR_PING_TIMEOUT", "no PINGRESP within the keepalive");
    }
    if (!this.writeStep(connection, step)) return false;
    return this.connected();
  }

  /**
   * `connected()`: true while connected. Notices a connection the Client reports closed:
   * `state()` becomes MQTT_CONNECTION_LOST (-3) and the Client is stopped.
   */
  connected(): boolean {
    const client = this.client;
    if (client === undefined) return false;
    if (client.connected()) return this.mqttState === MQTT_CONNECTED;
    if (this.mqttState === MQTT_CONNECTED) {
      client.flush();
      client.stop();
      this.endConnection(MQTT_CONNECTION_LOST);
      this.fail("PUBSUB_ERR_CONNECTION_LOST", "the Client reports the connection closed");
    }
    return false;
  }

  /** `state()`: one of the `MQTT_*` state constants. */
  state(): number {
    return this.mqttState;
  }

  /**
   * Why the most recent call returned false (or a received message was dropped): a
   * `PubSubClientError` with a stable `code`. Not in 2.8. Cleared by a successful `connect`.
   */
  lastError(): PubSubClientError | undefined {
    return this.error;
  }

  /** The QoS 0 message of 2.8's publish overloads, or undefined (lastError set). */
  private publishArguments(
    topic: string,
    payload: string | Uint8Array,
    lengthOrRetained: number | boolean | undefined,
    retained: boolean | undefined,
  ): { topic: string; payload: Uint8Array; qos: 0; retain: boolean } | undefined {
    const bytes = typeof payload === "string" ? utf8.encode(payload) : payload;
    const length = typeof lengthOrRetained === "number" ? lengthOrRetained : bytes.length;
    const retain = (typeof lengthOrRetained === "boolean" ? lengthOrRetained : retained) ?? false;
    if (!Number.isInteger(length) || length < 0 || length > bytes.length) {
      this.fail("PUBSUB_ERR_INVALID_ARGUMENT", `length ${length} is not within the payload`);
      return undefined;
    }
    return { topic, payload: bytes.subarray(0, length), qos: 0, retain };
  }

  private async runConnect(options: ConnectArguments): Promise<boolean> {
    if (this.connected()) return true;
    const client = this.client;
    if (client === undefined) {
      this.mqttState = MQTT_CONNECT_FAILED;
      return this.fail("PUBSUB_ERR_NO_CLIENT", "no Client: pass one or call setClient()");
    }
    if (!client.connected()) {
      if (this.host === undefined) {
        this.mqttState = MQTT_CONNECT_FAILED;
        return this.fail("PUBSUB_ERR_NO_SERVER", "no server: pass one or call setServer()");
      }
      // A Client that throws or rejects failed to connect, like one that returns false.
      const result = await Promise.resolve()
        .then(() => client.connect(this.host ?? "", this.port))
        .catch(() => false);
      if (result !== true && result !== 1) {
        this.mqttState = MQTT_CONNECT_FAILED;
        return this.fail("PUBSUB_ERR_TCP_CONNECT_FAILED", `Client.connect(${this.host}) failed`);
      }
    }
    const connect = this.encodeConnect(options);
    if (connect === undefined) {
      client.stop();
      return false;
    }
    client.write(connect);
    const decoder = new Decoder({ role: "client", protocolVersion: MQTT_VERSION });
    const connack = await this.awaitConnack(client, decoder);
    if (connack === undefined) return false;
    if (connack.reasonCode !== 0) {
      client.stop();
      this.mqttState = connack.reasonCode;
      return this.fail(
        "PUBSUB_ERR_CONNECTION_REFUSED",
        `CONNACK return code ${connack.reasonCode}`,
      );
    }
    this.mqttState = MQTT_CONNECTED;
    this.error = undefined;
    const connection: Connection = { client, decoder, publishRemaining: undefined };
    this.connection = connection;
    this.session ??= new ClientSession({ protocolVersion: MQTT_VERSION });
    const session = this.session;
    return this.sendStep(connection, () =>
      session.connected(millis(), {
        sessionPresent: connack.sessionPresent,
        keepaliveSeconds: this.keepAliveSeconds,
      }),
    );
  }

  /**
   * The encoded CONNECT for `options`, or undefined (lastError set) when it does not fit the
   * buffer the way 2.8 counts (`CHECK_STRING_LENGTH`) or the codec refuses a field.
   */
  private encodeConnect(options: ConnectArguments): Uint8Array | undefined {
    const size = connectSize(options);
    if (size > this.bufferSize) {
      this.failTooLarge(`CONNECT needs ${size} bytes`);
      return undefined;
    }
    try {
      return this.encode(connectPacket(options, this.keepAliveSeconds));
    } catch (error) {
      this.failInvalid(error);
      return undefined;
    }
  }

  /**
   * Waits (polling, as 2.8 spins on `available()`) for the answer to CONNECT. Returns the
   * CONNACK, or undefined with the Client stopped and state/lastError set.
   */
  private async awaitConnack(
    client: Client,
    decoder: Decoder,
  ): Promise<{ reasonCode: number; sessionPresent: boolean } | undefined> {
    const startedAt = millis();
    for (;;) {
      const received = this.readAvailable(client);
      let packet: Packet | undefined;
      try {
        if (received !== undefined) decoder.push(received);
        packet = decoder.next();
      } catch (error) {
        client.stop();
        this.failProtocol(error, "the answer to CONNECT is malformed");
        return undefined;
      }
      if (packet !== undefined) {
        if (packet.type === "connack") return packet;
        client.stop();
        this.fail("PUBSUB_ERR_UNEXPECTED_PACKET", `${packet.type} instead of CONNACK`);
        return undefined;
      }
      if (!client.connected()) {
        // 2.8 spins until the timeout; the outcome (-4) is the same, just not 15 s later.
        client.stop();
        this.mqttState = MQTT_CONNECTION_TIMEOUT;
        this.fail("PUBSUB_ERR_CONNECTION_LOST", "the connection closed before CONNACK");
        return undefined;
      }
      if (millis() - startedAt >= this.socketTimeoutSeconds * 1000) {
        client.stop();
        this.mqttState = MQTT_CONNECTION_TIMEOUT;
        this.fail("PUBSUB_ERR_CONNECT_TIMEOUT", "no CONNACK within the socket timeout");
        return undefined;
      }
      await pollTurn();
    }
  }

  /** Reads everything the Client has buffered into a fresh chunk (the decoder keeps views). */
  private readAvailable(client: Client): Uint8Array | undefined {
    const available = client.available();
    if (available <= 0) return undefined;
    const chunk = new Uint8Array(available);
    const read = client.read(chunk);
    return read <= 0 ? undefined : chunk.subarray(0, read);
  }

  private receive(connection: Connection): void {
    const chunk = this.readAvailable(connection.client);
    // A poisoned decoder throws its error again from next(); push itself never throws here.
    if (chunk !== undefined) connection.decoder.push(chunk);
  }

  /** Writes a Step's packets and delivers its events. False when the connection ended. */
  private deliver(connection: Connection, step: Step, size: number, now: number): boolean {
    if (!this.writeStep(connection, step)) return false;
    for (const event of step.events) {
      if (event.type === "message") this.deliverMessage(connection, event, size, now);
      if (this.connection !== connection) return false;
    }
    return true;
  }

  /**
   * Hands one received PUBLISH to the stream and the callback, then acknowledges it. Like
   * 2.8: with a stream, the whole payload goes to the stream and the callback gets what fits
   * the buffer; without one, a packet larger than the buffer is not delivered.
   */
  private deliverMessage(connection: Connection, event: MessageEvent, size: number, now: number) {
    const message = event.message;
    try {
      this.stream?.write(message.payload);
      const callback = this.callback;
      if (callback === undefined) return;
      let length = message.payload.length;
      if (size > this.bufferSize) {
        if (this.stream === undefined) {
          this.fail("PUBSUB_ERR_RECEIVED_PACKET_TOO_LARGE", `a ${size}-byte PUBLISH was dropped`);
          return;
        }
        length = Math.max(0, length - (size - this.bufferSize));
      }
      // A copy: the callback may keep it, and publishing from it cannot overwrite it.
      const payload = message.payload.slice(0, length);
      callback(message.topic, payload, length);
    } finally {
      if (event.ackRequired && this.connection === connection) {
        this.sendStep(connection, () =>
          this.requireSession().acknowledge(event.packetId ?? 0, now),
        );
      }
    }
  }

  /** Runs an engine call and writes its Step; false (lastError set) if either fails. */
  private sendStep(connection: Connection, call: () => Step): boolean {
    let step: Step;
    try {
      step = call();
    } catch (error) {
      return this.failInvalid(error);
    }
    return this.writeStep(connection, step);
  }

  private writeStep(connection: Connection, step: Step): boolean {
    for (const packet of step.send) {
      let end: number;
      try {
        end = encodeInto(packet, this.transmitBuffer, 0, ENCODE_OPTIONS);
      } catch (error) {
        return this.failInvalid(error);
      }
      if (!this.writeBytes(connection, this.transmitBuffer.subarray(0, end))) return false;
    }
    return true;
  }

  private writeBytes(connection: Connection, bytes: Uint8Array): boolean {
    const written = connection.client.write(bytes);
    if (written === bytes.length) return true;
    return this.fail("PUBSUB_ERR_WRITE_FAILED", `Client.write took ${written} of ${bytes.length}`);
  }

  private encode(packet: Packet): Uint8Array {
    const end = encodeInto(packet, this.transmitBuffer, 0, ENCODE_OPTIONS);
    return this.transmitBuffer.subarray(0, end);
  }

  /** The open connection, or undefined with lastError PUBSUB_ERR_NOT_CONNECTED. */
  private openConnection(): Connection | undefined {
    const previousError = this.error;
    if (this.connected() && this.connection !== undefined) return this.connection;
    // connected() may just have noticed the loss and said so; keep that reason.
    if (this.error === previousError) {
      this.fail("PUBSUB_ERR_NOT_CONNECTED", `not connected (state ${this.mqttState})`);
    }
    return undefined;
  }

  private requireSession(): ClientSession {
    if (this.session === undefined) throw new Error("PubSubClient: no session while connected");
    return this.session;
  }

  /** Bad input from the server: 3.1.1 has no way to answer it but closing [MQTT-4.8.0-1]. */
  private protocolFailure(connection: Connection, error: unknown): false {
    if (!MqttError.isInstance(error)) throw error;
    connection.client.stop();
    this.endConnection(MQTT_CONNECTION_LOST);
    return this.failProtocol(error, "the server broke the protocol");
  }

  /** lastError for bytes from the server that the codec or the engine refused. */
  private failProtocol(error: unknown, what: string): false {
    if (!MqttError.isInstance(error)) throw error;
    return this.fail("PUBSUB_ERR_PROTOCOL_ERROR", `${what}: ${error.code}`, causeOf(error));
  }

  private endConnection(state: number): void {
    this.mqttState = state;
    if (this.connection === undefined) return;
    this.connection = undefined;
    this.session?.connectionLost();
  }

  private failTooLarge(detail: string): false {
    return this.fail(
      "PUBSUB_ERR_PACKET_TOO_LARGE",
      `${detail}; the buffer holds ${this.bufferSize} (setBufferSize)`,
    );
  }

  /** 2.8 refuses empty topics in SUBSCRIBE/UNSUBSCRIBE; [MQTT-4.7.3-1] forbids them. */
  private failEmptyTopic(): false {
    return this.fail("PUBSUB_ERR_INVALID_ARGUMENT", "empty topic filter", { spec: "MQTT-4.7.3-1" });
  }

  private failPublishInProgress(): false {
    return this.fail("PUBSUB_ERR_PUBLISH_IN_PROGRESS", "finish beginPublish() with endPublish()");
  }

  private failInvalid(error: unknown): false {
    if (!MqttError.isInstance(error)) throw error;
    return this.fail("PUBSUB_ERR_INVALID_ARGUMENT", `refused: ${error.code}`, causeOf(error));
  }

  private fail(
    code: PubSubClientErrorCode,
    message: string,
    options: { cause?: unknown; causeCode?: string; spec?: string } = {},
  ): false {
    this.error = new PubSubClientError(code, message, { ...options, state: this.mqttState });
    return false;
  }
}

function causeOf(error: MqttError): { cause: MqttError; causeCode: string; spec?: string } {
  return error.spec === undefined
    ? { cause: error, causeCode: error.code }
    : { cause: error, causeCode: error.code, spec: error.spec };
}
