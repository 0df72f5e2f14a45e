/** A uPlot time-series chart that follows its container's width. */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface ChartSeries {
  label: string;
  color: string;
}

export interface ChartProps {
  title: string;
  series: readonly ChartSeries[];
  /** `[times (s), ...one array per series]`. */
  data: uPlot.AlignedData;
  height?: number;
}

export function Chart({ title, series, data, height = 180 }: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const created = new uPlot(
      {
        title,
        width: Math.max(200, element.clientWidth),
        height,
        series: [
          {},
          ...series.map((entry) => ({ label: entry.label, stroke: entry.color, width: 2 })),
        ],
        axes: [{}, { size: 60 }],
        legend: { show: true },
      },
      data,
      element,
    );
    plot.current = created;
    const observer = new ResizeObserver(() => {
      created.setSize({ width: Math.max(200, element.clientWidth), height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      created.destroy();
      plot.current = undefined;
    };
  }, [title, height, series]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div class="chart" ref={container} />;
}
