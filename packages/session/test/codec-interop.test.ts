/**
 * The packets the engines produce are packets the codec encodes, and what the codec decodes
 * drives the engines: a QoS 2 flow in both directions, SUBSCRIBE and keepalive, through
 * bytes, at 3.1.1 and 5.0.
 */
import { decode, encode, type Packet, type ProtocolVersion } from "@ternmq/codec";
import { describe, expect, it } from "vitest";
import { ClientSession, ServerSession, type Session } from "../src/index.js";
import { message } from "./harness.js";

describe.each([4, 5] as const)(
  "through the codec at level %i",
  (protocolVersion: ProtocolVersion) => {
    it("completes QoS 2 both ways, a SUBSCRIBE and a PINGREQ with every packet as bytes", () => {
      const client = new ClientSession({
        protocolVersion,
        keepaliveSeconds: 1,
        autoAcknowledge: true,
      });
      const server = new ServerSession({ protocolVersion, autoAcknowledge: true });
      server.connected(0, { sessionPresent: false });
      client.connected(0, { sessionPresent: false });
      const crossed: string[] = [];
      const transfer = (packets: readonly Packet[], from: Session, to: Session): void => {
        const role = from === client ? "server" : "client";
        for (const packet of packets) {
          const received = decode(encode(packet, { protocolVersion }), { protocolVersion, role });
          crossed.push(received.type);
          transfer(to.handlePacket(received, 1000).send, to, from);
        }
      };
      transfer(client.publish(message(1, 2), 0).send, client, server);
      transfer(server.publish(message(2, 2), 0).send, server, client);
      transfer(client.subscribe([{ topicFilter: "a/#", qos: 1 }], 0).send, client, server);
      transfer(client.handleTimeout(1000).send, client, server);
      expect(crossed).toEqual([
        ...["publish", "pubrec", "pubrel", "pubcomp"],
        ...["publish", "pubrec", "pubrel", "pubcomp"],
        "subscribe", // the broker would answer SUBACK
        ...["pingreq", "pingresp"],
      ]);
      for (const session of [client, server]) {
        expect(session.counters).toMatchObject({ inflight: 0, inboundOpen: 0 });
      }
    });
  },
);
