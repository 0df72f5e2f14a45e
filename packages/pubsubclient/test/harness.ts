/** Shared set-up for the scripted-transport tests: a manual clock and a connected client. */
import { hex, ScriptedTransport, type ScriptedTransportOptions } from "@ternmq/testkit";
import { afterEach, beforeEach, expect } from "vitest";
import { type MqttCallback, PubSubClient, setClock } from "../src/index.js";

/** `millis()` under the test's control. */
export class ManualClock {
  constructor(public time = 1_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export function useManualClock(): ManualClock {
  const clock = new ManualClock();
  beforeEach(() => {
    clock.time = 1_000;
    setClock(clock);
  });
  afterEach(() => setClock());
  return clock;
}

/** CONNECT "c1", clean session, keepalive 15: what `connect("c1")` sends. */
export const CONNECT_C1 = hex`
  10 0e                      // CONNECT, remaining length 14
  00 04 4d 51 54 54 04       // "MQTT", level 4
  02                         // flags: clean session
  00 0f                      // keepalive 15
  00 02 63 31                // client id "c1"
`;
export const CONNACK_ACCEPTED = hex`20 02 00 00`;
export const PINGREQ = hex`c0 00`;
export const PINGRESP = hex`d0 00`;
export const DISCONNECT = hex`e0 00`;

export interface Connected {
  readonly client: PubSubClient;
  readonly transport: ScriptedTransport;
  readonly messages: { topic: string; payload: string; length: number }[];
}

/** A PubSubClient connected as "c1" over a ScriptedTransport, recording callback calls. */
export async function connectedClient(
  configure: (client: PubSubClient) => void = () => {},
  callback?: MqttCallback,
  options: ScriptedTransportOptions = {},
): Promise<Connected> {
  const transport = new ScriptedTransport(options);
  const messages: Connected["messages"] = [];
  const client = new PubSubClient("broker.local", 1883, transport);
  client.setCallback(
    callback ??
      ((topic, payload, length) =>
        messages.push({ topic, payload: new TextDecoder().decode(payload), length })),
  );
  configure(client);
  transport.expect(CONNECT_C1, "CONNECT").respond(CONNACK_ACCEPTED);
  expect(await client.connect("c1")).toBe(true);
  return { client, transport, messages };
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
