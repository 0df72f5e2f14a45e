/**
 * Live overview: counters now, and charts of connections, message rates in and out and drops
 * per second over the last two minutes, from `/api/overview` polled every second.
 */
import { useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import type { Overview as OverviewData } from "./api.js";
import { Chart, type ChartSeries } from "./chart.js";
import { usePoll } from "./use-poll.js";

const POLL_MS = 1000;
/** Points kept per chart: two minutes at one per second. */
const HISTORY = 120;

const CONNECTION_SERIES: readonly ChartSeries[] = [{ label: "connected", color: "#2563eb" }];
const RATE_SERIES: readonly ChartSeries[] = [
  { label: "in /s", color: "#16a34a" },
  { label: "out /s", color: "#9333ea" },
];
const DROP_SERIES: readonly ChartSeries[] = [{ label: "dropped /s", color: "#dc2626" }];

interface History {
  times: number[];
  connected: number[];
  rateIn: number[];
  rateOut: number[];
  drops: number[];
}

function push(list: number[], value: number): void {
  list.push(value);
  if (list.length > HISTORY) list.shift();
}

export function Overview() {
  const history = useRef<History>({ times: [], connected: [], rateIn: [], rateOut: [], drops: [] });
  const previous = useRef<OverviewData | undefined>(undefined);
  const [version, setVersion] = useState(0);
  const { data, error } = usePoll<OverviewData>("/api/overview", POLL_MS, (reading) => {
    const before = previous.current;
    previous.current = reading;
    if (before === undefined) return;
    const seconds = Math.max(0.001, (reading.time - before.time) / 1000);
    const h = history.current;
    push(h.times, reading.time / 1000);
    push(h.connected, reading.clientsConnected);
    push(h.rateIn, (reading.messagesReceivedTotal - before.messagesReceivedTotal) / seconds);
    push(h.rateOut, (reading.messagesSentTotal - before.messagesSentTotal) / seconds);
    push(h.drops, (reading.droppedTotal - before.droppedTotal) / seconds);
    setVersion((value) => value + 1);
  });
  const h = history.current;
  // New arrays each reading, so that the charts see a change.
  const connections: uPlot.AlignedData = [[...h.times], [...h.connected]];
  const rates: uPlot.AlignedData = [[...h.times], [...h.rateIn], [...h.rateOut]];
  const drops: uPlot.AlignedData = [[...h.times], [...h.drops]];
  return (
    <section class="panel" data-version={version}>
      <h2>Overview</h2>
      {error !== undefined && <p class="error">Overview: {error}</p>}
      <div class="tiles">
        <Tile label="Clients connected" value={data?.clientsConnected} testId="clients-connected" />
        <Tile label="Offline sessions" value={data?.sessionsOffline} />
        <Tile label="Messages in" value={data?.messagesReceivedTotal} testId="messages-in" />
        <Tile label="Messages out" value={data?.messagesSentTotal} />
        <Tile label="Dropped" value={data?.droppedTotal} />
        <Tile label="Inflight" value={data?.inflight} />
        <Tile label="Queued" value={data?.queued} />
        <Tile label="Subscriptions" value={data?.subscriptions} />
        <Tile label="Retained" value={data?.retained} />
      </div>
      <div class="charts">
        <Chart title="Connections" series={CONNECTION_SERIES} data={connections} />
        <Chart title="Messages per second" series={RATE_SERIES} data={rates} />
        <Chart title="Drops per second" series={DROP_SERIES} data={drops} />
      </div>
    </section>
  );
}

function Tile({
  label,
  value,
  testId,
}: {
  label: string;
  value: number | undefined;
  testId?: string;
}) {
  return (
    <div class="tile" data-testid={testId}>
      <span class="tile-value">{value === undefined ? "–" : value.toLocaleString("en")}</span>
      <span class="tile-label">{label}</span>
    </div>
  );
}
