import { MqttError } from "@ternmq/codec";
import { afterEach, describe, expect, it } from "vitest";
import { Broker, BrokerError, DEFAULT_LIMITS } from "../src/index.js";
import { resolveLimits } from "../src/limits.js";
import { Harness } from "./helpers/harness.js";

const t = new Harness();
afterEach(() => t.cleanup());

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return MqttError.isInstance(error) ? error.code : "not an MqttError";
  }
  return undefined;
}

describe("limits and options", () => {
  it("applies the defaults and keeps given values", () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ maxInflight: 5 }).maxInflight).toBe(5);
    expect(resolveLimits({ maxConnections: Number.POSITIVE_INFINITY }).maxConnections).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it.each([
    [{ maxInflight: 0 }],
    [{ maxClientIdLength: 22 }],
    [{ maxPacketSize: 268_435_461 }],
    [{ connectTimeoutMs: 1.5 }],
    [{ maxKeepalive: 70_000 }],
    [{ drainTimeoutMs: Number.NaN }],
  ])("refuses %o with MQTT_ERR_BROKER_INVALID_OPTION", (limits) => {
    expect(codeOf(() => resolveLimits(limits))).toBe("MQTT_ERR_BROKER_INVALID_OPTION");
  });

  it("refuses an unknown limit and a bad maxQoS in the Broker constructor", () => {
    const unknown = { maxSomething: 1 } as unknown as Record<string, number>;
    expect(codeOf(() => resolveLimits(unknown))).toBe("MQTT_ERR_BROKER_INVALID_OPTION");
    const badQoS = { maxQoS: 3 } as unknown as { maxQoS: 0 };
    expect(codeOf(() => new Broker(badQoS))).toBe("MQTT_ERR_BROKER_INVALID_OPTION");
  });

  it("rejects publish and listen after close with MQTT_ERR_BROKER_CLOSED", async () => {
    const { broker } = await t.broker();
    await broker.close();
    expect(broker.state).toBe("closed");
    const error = await broker
      .publish({ topic: "a", payload: new Uint8Array(0), qos: 0, retain: false })
      .catch((reason: unknown) => reason);
    expect(BrokerError.isBrokerError(error) && error.code).toBe("MQTT_ERR_BROKER_CLOSED");
    const listenError = await broker.listen({ port: 0 }).catch((reason: unknown) => reason);
    expect(BrokerError.isBrokerError(listenError) && listenError.code).toBe(
      "MQTT_ERR_BROKER_CLOSED",
    );
  });

  it("Broker.publish rejects an invalid topic name with the topics package's code", async () => {
    const { broker } = await t.broker();
    const error = await broker
      .publish({ topic: "a/#", payload: new Uint8Array(0), qos: 0, retain: false })
      .catch((reason: unknown) => reason);
    expect(MqttError.isInstance(error) && error.code).toBe("MQTT_ERR_TOPIC_WILDCARD_IN_NAME");
  });
});
