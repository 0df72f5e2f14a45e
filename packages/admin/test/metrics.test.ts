import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { afterEach, describe, expect, it } from "vitest";
import { collect, disconnected, TestBed } from "./helpers.js";

const bed = new TestBed();
afterEach(() => bed.cleanup());

async function scrape(url: string): Promise<ParsedFamily[]> {
  const response = await fetch(new URL("/metrics", url));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  return parsePrometheusTextFormat(await response.text());
}

function family(families: ParsedFamily[], name: string): ParsedFamily {
  const found = families.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`metric ${name} missing`);
  return found;
}

/** The value of `name` (with `labels`, when given) as a number. */
function value(
  families: ParsedFamily[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const sample = family(families, name).metrics.find((metric) =>
    Object.entries(labels).every(([key, label]) => metric.labels?.[key] === label),
  );
  if (sample?.value === undefined)
    throw new Error(`no sample of ${name} ${JSON.stringify(labels)}`);
  return Number(sample.value);
}

describe("/metrics", () => {
  it("counts connects, disconnects, messages and bytes by QoS and drops from MQTT.js traffic", async () => {
    const { broker, mqttPort, admin } = await bed.start();
    const subscriber = await bed.client(mqttPort, { clientId: "sub" });
    await subscriber.subscribeAsync("m/#", { qos: 2 });
    // A persistent session subscribed at QoS 0 goes offline: its messages are dropped.
    const leaving = await bed.client(mqttPort, { clientId: "offline", clean: false });
    await leaving.subscribeAsync("m/#", { qos: 0 });
    const gone = disconnected(broker, "offline");
    await leaving.endAsync();
    expect(await gone).toBe("disconnect");
    const publisher = await bed.client(mqttPort, { clientId: "pub" });

    const received = collect(subscriber, 6);
    const sent: [string, 0 | 1 | 2][] = [
      ["a", 0],
      ["bb", 0],
      ["ccc", 0],
      ["dddd", 1],
      ["eeeee", 1],
      ["ffffff", 2],
    ];
    for (const [payload, qos] of sent) await publisher.publishAsync("m/x", payload, { qos });
    expect((await received).map((message) => message.qos)).toEqual([0, 0, 0, 1, 1, 2]);

    const families = await scrape(admin.url);
    expect(family(families, "ternmq_connects_total").type).toBe("COUNTER");
    expect(value(families, "ternmq_connects_total")).toBe(3);
    expect(value(families, "ternmq_disconnects_total", { reason: "disconnect" })).toBe(1);
    expect(value(families, "ternmq_disconnects_total", { reason: "keepalive-timeout" })).toBe(0);
    expect(value(families, "ternmq_clients_connected")).toBe(2);
    expect(value(families, "ternmq_sessions_offline")).toBe(1);
    expect(value(families, "ternmq_subscriptions")).toBe(2);
    for (const [qos, count, bytes] of [
      ["0", 3, 6],
      ["1", 2, 9],
      ["2", 1, 6],
    ] as const) {
      expect(value(families, "ternmq_messages_received_total", { qos })).toBe(count);
      expect(value(families, "ternmq_messages_sent_total", { qos })).toBe(count);
      expect(value(families, "ternmq_payload_bytes_received_total", { qos })).toBe(bytes);
      expect(value(families, "ternmq_payload_bytes_sent_total", { qos })).toBe(bytes);
    }
    expect(value(families, "ternmq_messages_dropped_total", { reason: "qos0-offline" })).toBe(6);
    expect(value(families, "ternmq_messages_dropped_total", { reason: "queue-full" })).toBe(0);
    expect(value(families, "ternmq_bytes_received_total")).toBeGreaterThan(21);
    expect(value(families, "ternmq_inflight_messages")).toBe(0);
    expect(value(families, "ternmq_queued_messages")).toBe(0);
    expect(family(families, "nodejs_eventloop_lag_seconds").type).toBe("GAUGE");
  });

  it("reports queued messages, retained count and store write latency", async () => {
    const { broker, mqttPort, admin } = await bed.start();
    const leaving = await bed.client(mqttPort, { clientId: "away", clean: false });
    await leaving.subscribeAsync("q/#", { qos: 1 });
    const gone = disconnected(broker, "away");
    await leaving.endAsync();
    await gone;
    const publisher = await bed.client(mqttPort, { clientId: "pub" });
    await publisher.publishAsync("q/1", "queued-1", { qos: 1 });
    await publisher.publishAsync("q/2", "queued-2", { qos: 1, retain: true });

    const families = await scrape(admin.url);
    expect(value(families, "ternmq_queued_messages")).toBe(2);
    expect(value(families, "ternmq_retained_messages")).toBe(1);
    const histogram = family(families, "ternmq_store_write_duration_seconds");
    expect(histogram.type).toBe("HISTOGRAM");
    expect(Number(histogram.metrics[0]?.count)).toBeGreaterThanOrEqual(1);
  });

  it("counts messages dropped for a full session queue", async () => {
    const { broker, mqttPort, admin } = await bed.start({}, { limits: { maxQueuedMessages: 1 } });
    const leaving = await bed.client(mqttPort, { clientId: "full", clean: false });
    await leaving.subscribeAsync("f", { qos: 1 });
    const gone = disconnected(broker, "full");
    await leaving.endAsync();
    await gone;
    const publisher = await bed.client(mqttPort, { clientId: "pub" });
    for (let index = 0; index < 3; index++)
      await publisher.publishAsync("f", `${index}`, { qos: 1 });
    const families = await scrape(admin.url);
    expect(value(families, "ternmq_messages_dropped_total", { reason: "queue-full" })).toBe(2);
  });
});
