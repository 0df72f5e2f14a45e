import type { BrokerOptions } from "@ternmq/broker";
import type { ConnackPacket, QoS, Will } from "@ternmq/codec";
import { afterEach } from "vitest";
import { type RunningBroker, startBroker } from "./broker.js";
import { RawClient } from "./raw-client.js";

/**
 * Per-test brokers for the conformance suite: each test starts its own broker on an
 * OS-assigned port and opens raw clients through it; after each test every client is
 * destroyed and every broker closed, whatever the test's outcome.
 */

export interface SessionOptions {
  clientId: string;
  clean?: boolean;
  keepalive?: number;
  will?: Will;
  username?: string;
  password?: Uint8Array;
}

export interface TestBroker {
  readonly broker: RunningBroker["broker"];
  readonly port: number;
  /** A TCP connection with nothing sent yet. */
  socket(): Promise<RawClient>;
  /** CONNECT and its CONNACK, which must accept; returns the client and the CONNACK. */
  session(options: SessionOptions): Promise<{ client: RawClient; connack: ConnackPacket }>;
  /** A connected clean-session client. */
  client(clientId: string): Promise<RawClient>;
}

const quietDefaults: BrokerOptions = {
  logger: { level: "silent" },
  sysInterval: 0,
  shutdownTimeoutMs: 1000,
};

/** Call once at the top of a test file; `start()` then gives a broker for the current test. */
export function useConformanceBroker(): { start(options?: BrokerOptions): Promise<TestBroker> } {
  const clients: RawClient[] = [];
  const brokers: RunningBroker[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  });

  async function start(options: BrokerOptions = {}): Promise<TestBroker> {
    const running = await startBroker({ ...quietDefaults, ...options });
    brokers.push(running);
    const { broker, port } = running;

    const socket = async (): Promise<RawClient> => {
      const client = await RawClient.connect(port);
      clients.push(client);
      return client;
    };

    const session = async (
      sessionOptions: SessionOptions,
    ): Promise<{ client: RawClient; connack: ConnackPacket }> => {
      const client = await socket();
      client.send({
        type: "connect",
        protocolVersion: 4,
        clientId: sessionOptions.clientId,
        clean: sessionOptions.clean ?? true,
        keepalive: sessionOptions.keepalive ?? 60,
        ...(sessionOptions.will === undefined ? {} : { will: sessionOptions.will }),
        ...(sessionOptions.username === undefined ? {} : { username: sessionOptions.username }),
        ...(sessionOptions.password === undefined ? {} : { password: sessionOptions.password }),
      });
      const connack = await client.expectPacket("connack");
      if (connack.reasonCode !== 0) {
        throw new Error(`CONNACK return code ${connack.reasonCode} for ${sessionOptions.clientId}`);
      }
      return { client, connack };
    };

    const client = async (clientId: string): Promise<RawClient> =>
      (await session({ clientId })).client;

    return { broker, port, socket, session, client };
  }

  return { start };
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** UTF-8 bytes of `value`. */
export function bytes(value: string): Uint8Array {
  return textEncoder.encode(value);
}

/** The payload as text. */
export function text(payload: Uint8Array): string {
  return textDecoder.decode(payload);
}

/** SUBSCRIBE and its SUBACK; returns the return codes. */
export async function subscribe(
  client: RawClient,
  filters: readonly (readonly [topicFilter: string, qos: QoS])[],
  packetId = 1,
): Promise<readonly number[]> {
  client.send({
    type: "subscribe",
    packetId,
    subscriptions: filters.map(([topicFilter, qos]) => ({ topicFilter, qos })),
  });
  const suback = await client.expectPacket("suback");
  if (suback.packetId !== packetId) throw new Error(`SUBACK for ${suback.packetId}`);
  return suback.reasonCodes;
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  packetId?: number;
}

/**
 * PUBLISH from a client and its whole acknowledgement flow (PUBACK, or PUBREC/PUBREL/PUBCOMP),
 * so the server owns the message when this resolves. A QoS 0 publish is followed by a
 * PINGREQ/PINGRESP round trip, so the server has read it when this resolves.
 */
export async function publish(
  client: RawClient,
  topic: string,
  payload: string | Uint8Array,
  options: PublishOptions = {},
): Promise<void> {
  const qos = options.qos ?? 0;
  const packetId = options.packetId ?? 1;
  client.send({
    type: "publish",
    topic,
    payload: typeof payload === "string" ? bytes(payload) : payload,
    qos,
    retain: options.retain ?? false,
    dup: false,
    ...(qos > 0 ? { packetId } : {}),
  });
  if (qos === 0) {
    client.send({ type: "pingreq" });
    await client.expectPacket("pingresp");
  } else if (qos === 1) {
    await client.expectPacket("puback");
  } else {
    await client.expectPacket("pubrec");
    client.send({ type: "pubrel", packetId });
    await client.expectPacket("pubcomp");
  }
}
