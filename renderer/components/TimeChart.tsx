import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type LineStyle = 'solid' | 'dashed' | 'dotted';

export interface ChartSeries {
  label: string;
  color: string;
  line?: LineStyle;
}

/** Canvas dash patterns; the legend marker uses the same name as a CSS border style. */
const DASH: Record<LineStyle, number[] | undefined> = { solid: undefined, dashed: [7, 4], dotted: [1.5, 3] };

/** How much recent time every chart shows: a sliding window, so even an empty chart reads as "now". */
export const CHART_WINDOW_SECONDS = 300;

const AXIS = {
  stroke: '#8c93a5',
  grid: { stroke: 'rgba(255,255,255,0.06)', width: 1 },
  ticks: { stroke: 'rgba(255,255,255,0.08)', width: 1 },
  font: '11px system-ui, sans-serif',
};

type Columns = Array<Array<number | null>>;

/** uPlot needs one column per series even before the first sample. */
function aligned(columns: Columns, seriesCount: number): uPlot.AlignedData {
  const xs = columns[0] ?? [];
  const out: Columns = [xs];
  for (let i = 1; i <= seriesCount; i += 1) out.push(columns[i] ?? new Array<number | null>(xs.length).fill(null));
  return out as uPlot.AlignedData;
}

function hasValues(columns: Columns): boolean {
  return columns.slice(1).some((column) => column.some((value) => value !== null));
}

/**
 * A uPlot time series over the last few minutes, redrawn from `data()` whenever `tick` changes.
 * Hovering shows each series' value in the legend. The plot is created once per series set and
 * destroyed on unmount (charts left alive are the usual long-session leak).
 */
export function TimeChart({
  title,
  series,
  data,
  tick,
  format,
  yRange,
  note,
  height = 170,
}: {
  title: string;
  series: ChartSeries[];
  data: () => Columns;
  tick: number;
  format: (value: number) => string;
  yRange?: [number, number];
  /** What a point means (a window, a unit), shown under the title. */
  note?: string;
  height?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;
  const formatRef = useRef(format);
  formatRef.current = format;
  const [empty, setEmpty] = useState(true);
  const shape = series.map((s) => `${s.label}:${s.line ?? 'solid'}`).join('|');

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: {
        show: true,
        live: true,
        markers: { width: 2, dash: (_u: uPlot, i: number) => series[i - 1]?.line ?? 'solid' },
      },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: {
          time: true,
          range: () => {
            const now = Date.now() / 1000;
            return [now - CHART_WINDOW_SECONDS, now];
          },
        },
        y: yRange ? { range: yRange } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [{ ...AXIS }, { ...AXIS, size: 64, values: (_u, splits) => splits.map((v) => formatRef.current(v)) }],
      series: [
        { value: (_u: uPlot, v: number | null) => (v === null ? 'no sample' : new Date(v * 1000).toLocaleTimeString('en-GB')) },
        ...series.map((s) => {
          const dash = DASH[s.line ?? 'solid'];
          return {
            label: s.label,
            stroke: s.color,
            width: 1.5,
            spanGaps: false,
            // uPlot's default: points only while samples are sparse, so a lone first sample is visible.
            points: { size: 4 },
            value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : formatRef.current(v)),
            ...(dash ? { dash } : {}),
          };
        }),
      ],
    };
    const columns = dataRef.current();
    setEmpty(!hasValues(columns));
    const chart = new uPlot(opts, aligned(columns, series.length), el);
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
    // Re-created only when the set of series changes; re-creating on every render would leak work.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [height, shape]);

  useEffect(() => {
    const columns = dataRef.current();
    setEmpty(!hasValues(columns));
    const chart = plot.current;
    if (!chart) return;
    chart.setData(aligned(columns, series.length));
    // Away from the cursor the legend shows the newest sample rather than dashes.
    const newest = (columns[0]?.length ?? 0) - 1;
    if (newest >= 0 && (chart.cursor.left === undefined || chart.cursor.left < 0)) chart.setLegend({ idx: newest });
  }, [tick, series.length]);

  return (
    <figure className="chart" aria-label={title}>
      <figcaption>
        {title}
        {note ? <span className="chart-note">{note}</span> : null}
      </figcaption>
      <div className="chart-frame">
        <div ref={host} className="chart-host" role="img" aria-label={`${title} chart`} />
        {empty ? (
          <div className="chart-empty" aria-label={`${title}: no data`}>
            no data in the last {CHART_WINDOW_SECONDS / 60} minutes
          </div>
        ) : null}
      </div>
    </figure>
  );
}
