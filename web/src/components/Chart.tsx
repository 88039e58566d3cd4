// Charts with uPlot: a row's sparkline and an issue's events over time.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

// The stream hides its graph column on phones (styles.css, max-width 760px): no charts are drawn there.
const NARROW = typeof window !== 'undefined' ? window.matchMedia('(max-width: 760px)') : null;
const subscribeNarrow = (cb: () => void) => {
  NARROW?.addEventListener('change', cb);
  return () => NARROW?.removeEventListener('change', cb);
};
const useNarrow = () => useSyncExternalStore(subscribeNarrow, () => NARROW?.matches ?? false);

/** Bars of events per bucket, no axes: [[unix seconds, count], ...]. */
export function Sparkline({ series, width = 100, height = 28 }: { series: Array<[number, number]>; width?: number; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const narrow = useNarrow();
  useEffect(() => {
    if (!ref.current || series.length === 0 || narrow) return;
    const color = cssVar('--accent');
    const data: uPlot.AlignedData = [series.map((p) => p[0]), series.map((p) => p[1])];
    const max = Math.max(1, ...series.map((p) => p[1]));
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: false },
        cursor: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: true }, y: { range: [0, max] } },
        series: [{}, { stroke: color, fill: `${color}55`, width: 1, paths: uPlot.paths.bars!({ size: [0.8, 10] }), points: { show: false } }],
        padding: [2, 0, 0, 0],
      },
      data,
      ref.current,
    );
    return () => plot.destroy();
  }, [series, width, height, narrow]);
  return <div ref={ref} className="spark" aria-label={`${series.reduce((n, p) => n + p[1], 0)} events in the period`} role="img" />;
}

/** Events over time with axes and a hover readout. */
export function EventsChart({ series, height = 140 }: { series: Array<[number, number]>; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || series.length === 0) return;
    const color = cssVar('--accent');
    const axisColor = cssVar('--muted');
    const grid = cssVar('--border');
    const data: uPlot.AlignedData = [series.map((p) => p[0]), series.map((p) => p[1])];
    const make = () =>
      new uPlot(
        {
          width: Math.max(200, el.clientWidth),
          height,
          legend: { show: true, live: true },
          cursor: { points: { show: false }, drag: { x: false, y: false } },
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          axes: [
            { stroke: axisColor, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
            { stroke: axisColor, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 40 },
          ],
          series: [{}, { label: 'Events', stroke: color, fill: `${color}44`, width: 1, paths: uPlot.paths.bars!({ size: [0.7, 40] }), points: { show: false } }],
        },
        data,
        el,
      );
    let plot = make();
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [series, height]);
  return <div ref={ref} className="chart" />;
}
