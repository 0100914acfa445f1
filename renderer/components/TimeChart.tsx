import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  dash?: number[];
}

const AXIS = {
  stroke: '#8c93a5',
  grid: { stroke: 'rgba(255,255,255,0.06)', width: 1 },
  ticks: { stroke: 'rgba(255,255,255,0.08)', width: 1 },
  font: '11px system-ui, sans-serif',
};

/**
 * A uPlot time series that redraws from `data()` whenever `tick` changes. The plot is created
 * once and destroyed on unmount (charts left alive are the usual long-session leak).
 */
export function TimeChart({
  title,
  series,
  data,
  tick,
  format,
  yRange,
  height = 170,
}: {
  title: string;
  series: ChartSeries[];
  data: () => Array<Array<number | null>>;
  tick: number;
  format: (value: number) => string;
  yRange?: [number, number];
  height?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        // At least a minute of axis, so a fresh chart reads as "now" rather than a span of years or milliseconds.
        x: {
          time: true,
          range: (_u, min, max) => {
            if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) {
              const now = Date.now() / 1000;
              return [now - 60, now];
            }
            return [Math.min(min, max - 60), max];
          },
        }, y: yRange ? { range: yRange } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { ...AXIS },
        { ...AXIS, size: 56, values: (_u, splits) => splits.map((v) => format(v)) },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          spanGaps: false,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : format(v)),
          ...(s.dash ? { dash: s.dash } : {}),
        })),
      ],
    };
    const chart = new uPlot(opts, dataRef.current() as uPlot.AlignedData, el);
    plot.current = chart;
    const observer = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(200, el.clientWidth), height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Series shape and format are fixed per chart; re-creating on every render would leak work.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [height, series.length]);

  useEffect(() => {
    plot.current?.setData(dataRef.current() as uPlot.AlignedData);
  }, [tick]);

  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div ref={host} className="chart-host" role="img" aria-label={`${title} chart`} />
    </figure>
  );
}
