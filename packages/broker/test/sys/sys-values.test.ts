import { describe, expect, it } from "vitest";
import { createLimitCounters } from "../../src/limits.js";
import { SYS_TOPICS, type SysStats, SysValues } from "../../src/sys/sys-values.js";

function stats(overrides: Partial<SysStats> = {}): SysStats {
  return {
    startedAt: 1_000_000,
    clientsConnected: 3,
    clientsDisconnected: 2,
    clientsMaximum: 7,
    clientsTotal: 5,
    messagesReceived: 11,
    messagesSent: 13,
    messagesDropped: 1,
    bytesReceived: 1234,
    bytesSent: 5678,
    subscriptionsCount: 4,
    retainedCount: 9,
    limits: { ...createLimitCounters(), topicsTooDeep: 2 },
    ...overrides,
  };
}

describe("SysValues", () => {
  it("gives every $SYS topic a decimal string value, in SYS_TOPICS order", () => {
    const values = new SysValues("1.2.3", stats(), { connections: 0 }, 1_000_000);
    const collected = new Map(values.collect(stats(), { connections: 0 }, 1_061_500));
    expect([...collected.keys()]).toEqual(SYS_TOPICS);
    expect(collected.get("$SYS/broker/version")).toBe("ternmq version 1.2.3");
    expect(collected.get("$SYS/broker/uptime")).toBe("61 seconds");
    expect(collected.get("$SYS/broker/clients/connected")).toBe("3");
    expect(collected.get("$SYS/broker/clients/disconnected")).toBe("2");
    expect(collected.get("$SYS/broker/clients/total")).toBe("5");
    expect(collected.get("$SYS/broker/clients/maximum")).toBe("7");
    expect(collected.get("$SYS/broker/messages/received")).toBe("11");
    expect(collected.get("$SYS/broker/publish/messages/received")).toBe("11");
    expect(collected.get("$SYS/broker/messages/sent")).toBe("13");
    expect(collected.get("$SYS/broker/publish/messages/dropped")).toBe("1");
    expect(collected.get("$SYS/broker/messages/dropped")).toBe("1");
    expect(collected.get("$SYS/broker/bytes/received")).toBe("1234");
    expect(collected.get("$SYS/broker/bytes/sent")).toBe("5678");
    expect(collected.get("$SYS/broker/subscriptions/count")).toBe("4");
    expect(collected.get("$SYS/broker/limits/topics/too-deep")).toBe("2");
    expect(collected.get("$SYS/broker/limits/connections/rate")).toBe("0");
    expect(collected.get("$SYS/broker/retained messages/count")).toBe("9");
    expect(collected.get("$SYS/broker/load/messages/received/1min")).toBe("0.00");
  });

  it("computes loads from the growth since the values were created, with two decimals", () => {
    const values = new SysValues("1", stats(), { connections: 0 }, 1_000_000);
    const later = stats({ messagesReceived: 11 + 60, bytesSent: 5678 + 600 });
    const collected = new Map(values.collect(later, { connections: 6 }, 1_060_000));
    expect(collected.get("$SYS/broker/load/messages/received/1min")).toBe("37.93");
    expect(collected.get("$SYS/broker/load/publish/received/1min")).toBe("37.93");
    expect(collected.get("$SYS/broker/load/bytes/sent/1min")).toBe("379.27");
    expect(collected.get("$SYS/broker/load/connections/1min")).toBe("3.79");
    expect(collected.get("$SYS/broker/load/messages/sent/1min")).toBe("0.00");
  });

  it("reports uptime in whole seconds, never negative", () => {
    const values = new SysValues("1", stats(), { connections: 0 }, 1_000_000);
    expect(
      new Map(values.collect(stats(), { connections: 0 }, 999_000)).get("$SYS/broker/uptime"),
    ).toBe("0 seconds");
  });
});
