import type { Packet } from "@ternmq/codec";
import { StoreError } from "@ternmq/session";
import { describe, expect, it } from "vitest";
import { type GatedOutput, WriteAhead } from "../src/write-ahead.js";

/** A write whose promise the test settles. */
function controlledWrite(): {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
} {
  let resolve = (): void => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = () => onResolve();
    reject = onReject;
  });
  return { promise, resolve, reject };
}

/** An output that records what it was sent and when its held batches were all released. */
function recordingOutput(): GatedOutput & { sent: string[]; releases: number } {
  return {
    heldBatches: 0,
    sent: [],
    releases: 0,
    sendPackets(packets: readonly Packet[]) {
      for (const packet of packets) {
        this.sent.push(packet.type === "puback" ? `puback ${packet.packetId}` : packet.type);
      }
    },
    outputReleased() {
      this.releases++;
    },
  };
}

const puback = (packetId: number): Packet[] => [{ type: "puback", packetId }];
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("WriteAhead", () => {
  it("sends at once, allocating nothing held, when no write is pending", () => {
    const gate = new WriteAhead(() => {});
    const output = recordingOutput();
    gate.send(output, puback(1), true);
    expect(output.sent).toEqual(["puback 1"]);
    expect(output.heldBatches).toBe(0);
  });

  it("holds a batch until every write issued before it resolved, even when they resolve out of order", async () => {
    const gate = new WriteAhead(() => {});
    const output = recordingOutput();
    const first = controlledWrite();
    const second = controlledWrite();
    gate.track(first.promise);
    gate.track(second.promise);
    gate.send(output, puback(1), true);
    second.resolve(); // e.g. the retained store commits before the session store
    await settled();
    expect(output.sent).toEqual([]);
    first.resolve();
    await settled();
    expect(output.sent).toEqual(["puback 1"]);
    expect(output.releases).toBe(1);
    expect(gate.pending).toBe(false);
  });

  it("keeps a connection's order: a later batch that needs no write waits behind a held one", async () => {
    const gate = new WriteAhead(() => {});
    const output = recordingOutput();
    const write = controlledWrite();
    gate.track(write.promise);
    gate.send(output, puback(1), true);
    gate.send(output, [{ type: "pingresp" }], false);
    expect(output.sent).toEqual([]);
    write.resolve();
    await settled();
    expect(output.sent).toEqual(["puback 1", "pingresp"]);
  });

  it("a batch held behind a later write waits for it; an earlier batch does not", async () => {
    const gate = new WriteAhead(() => {});
    const early = recordingOutput();
    const late = recordingOutput();
    const first = controlledWrite();
    const second = controlledWrite();
    gate.track(first.promise);
    gate.send(early, puback(1), true);
    gate.track(second.promise);
    gate.send(late, puback(2), true);
    first.resolve();
    await settled();
    expect([early.sent, late.sent]).toEqual([["puback 1"], []]);
    second.resolve();
    await settled();
    expect(late.sent).toEqual(["puback 2"]);
  });

  it("fail-stop: the first rejected write drops every held batch, reports once, sends nothing more", async () => {
    const failures: unknown[] = [];
    const gate = new WriteAhead((error) => failures.push(error));
    const output = recordingOutput();
    const failing = controlledWrite();
    const other = controlledWrite();
    gate.track(failing.promise);
    gate.track(other.promise);
    gate.send(output, puback(1), true);
    const error = new StoreError("MQTT_ERR_STORE_FULL", "test: disk full");
    failing.reject(error);
    other.reject(new StoreError("MQTT_ERR_STORE_FULL", "test: disk full"));
    await settled();
    expect(failures).toEqual([error]);
    expect(gate.state).toBe("failed");
    gate.send(output, puback(2), false);
    expect(output.sent).toEqual([]);
    expect(output.heldBatches).toBe(0);
  });
});

describe("WriteAhead.whenDurable", () => {
  it("resolves at once when nothing is pending", async () => {
    const gate = new WriteAhead(() => {});
    await expect(gate.whenDurable()).resolves.toBeUndefined();
  });

  it("waits for every write issued before the call, not for later ones", async () => {
    const gate = new WriteAhead(() => {});
    const first = controlledWrite();
    const later = controlledWrite();
    gate.track(first.promise);
    let durable = false;
    void gate.whenDurable().then(() => {
      durable = true;
    });
    gate.track(later.promise);
    await settled();
    expect(durable).toBe(false);
    first.resolve();
    await settled();
    expect(durable).toBe(true);
    expect(gate.pending).toBe(true); // `later` is still pending
  });
});
