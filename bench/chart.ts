import type { MicroResult } from './micro.js';
import type { Surface } from './lib/types.js';
import { formatFigure, formatRatio, type WorkloadSummary } from './lib/summary.js';

/**
 * Draws bench/ratios.svg by hand: the ratio of each variant to raw Node per workload (its first
 * ratio metric), then W6's reader RSS growth and the micro figures, each with the issue's target.
 */

const WIDTH = 920;
const LABEL = 330;
const BAR_MAX = 480;
const ROW = 18;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12"';

const COLORS: Record<Surface, string> = {
  rx: '#3b6fd8',
  protocol: '#2f9e5a',
  buffered: '#16a3a3',
  raw: '#8a8f98',
  asyncio: '#e08a1e',
};

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
  readonly text: string;
  /** The target's value on the same axis, if any. */
  readonly target?: number;
}

/** One panel of horizontal bars on a linear axis from 0 to `max`, with reference lines. */
function panel(
  y0: number,
  title: string,
  bars: readonly (Bar | string)[],
  max: number,
  reference: { value: number; label: string } | null,
): { svg: string; height: number } {
  const scale = (v: number): number => (Math.min(v, max) / max) * BAR_MAX;
  const parts: string[] = [
    `<text x="10" y="${y0 + 16}" font-weight="bold" font-size="14">${escape(title)}</text>`,
  ];
  let y = y0 + 28;
  const top = y;
  for (const bar of bars) {
    if (typeof bar === 'string') {
      parts.push(`<text x="10" y="${y + 13}" font-weight="bold">${escape(bar)}</text>`);
      y += ROW;
      continue;
    }
    const w = Math.max(1, scale(bar.value));
    // The value after the bar, or after the target's tick when the bar ends just before it.
    const tick = bar.target === undefined ? 0 : scale(bar.target);
    const textX = LABEL + (tick > w && tick - w < 36 ? tick + 2 : w) + 4;
    parts.push(
      `<text x="${LABEL - 6}" y="${y + 12}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${LABEL}" y="${y + 2}" width="${w.toFixed(1)}" height="${ROW - 5}" fill="${bar.color}"/>`,
      `<text x="${textX.toFixed(1)}" y="${y + 12}">${escape(bar.text)}${bar.value > max ? ' ▸' : ''}</text>`,
    );
    if (bar.target !== undefined) {
      const x = LABEL + scale(bar.target);
      parts.push(
        `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y}" y2="${y + ROW - 1}" stroke="#d12f2f" stroke-width="2"/>`,
      );
    }
    y += ROW;
  }
  if (reference) {
    const x = LABEL + scale(reference.value);
    parts.push(
      `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${top}" y2="${y + 2}" stroke="#222" stroke-dasharray="4 3"/>`,
      `<text x="${x.toFixed(1)}" y="${y + 13}" text-anchor="middle" font-size="11">${escape(reference.label)}</text>`,
    );
  }
  return { svg: parts.join('\n'), height: y - y0 + 24 };
}

export function drawChart(
  workloads: readonly WorkloadSummary[],
  micro: readonly MicroResult[],
  caption: string,
): string {
  const ratioBars: (Bar | string)[] = [];
  for (const w of workloads) {
    const metric = w.metrics.find((m) => m.ratio !== false);
    if (!metric) continue;
    const base = w.variants.find((v) => v.name === w.baseline)?.medians[metric.key] ?? Number.NaN;
    ratioBars.push(`${w.id} ${w.title}: ${w.baseline} = ${formatFigure(base)} ${metric.label}`);
    for (const v of w.variants) {
      if (v.name === w.baseline) continue;
      const ratio = v.ratios[metric.key] ?? Number.NaN;
      if (!Number.isFinite(ratio)) continue;
      const target = w.targets.find(
        (t) => t.variant === v.name && t.metric === metric.key && t.kind === 'ratio',
      );
      ratioBars.push({
        label: v.name,
        value: ratio,
        color: COLORS[v.surface],
        text: formatRatio(ratio),
        ...(target ? { target: target.value } : {}),
      });
    }
  }
  const panels: { svg: string; height: number }[] = [];
  let y = 34;
  const add = (p: { svg: string; height: number }): void => {
    panels.push(p);
    y += p.height;
  };
  add(
    panel(
      y,
      'Ratio to raw Node (medians; > 1 is better; red tick: the issue’s target)',
      ratioBars,
      2,
      {
        value: 1,
        label: 'raw Node = 1',
      },
    ),
  );
  const w6 = workloads.find((w) => w.id === 'W6');
  if (w6) {
    const bars = w6.variants.map((v): Bar => {
      const growth = v.medians['growth'] ?? Number.NaN;
      return {
        label: v.name,
        value: growth,
        color: COLORS[v.surface],
        text: `${growth.toFixed(1)} MiB`,
      };
    });
    add(
      panel(y, 'W6 reader RSS growth, MiB (lower is better)', bars, 64, {
        value: 16,
        label: 'target 16 MiB',
      }),
    );
  }
  if (micro.length > 0) {
    const bars = micro.map((m): Bar => ({
      label: m.name,
      value: m.nsPerChunk,
      color: m.kind === 'reference' ? COLORS.raw : COLORS.protocol,
      text: `${m.nsPerChunk.toFixed(0)} ns`,
    }));
    add(
      panel(y, 'Micro: ns per chunk or frame (lower is better)', bars, 2000, {
        value: 1000,
        label: 'target 1 µs',
      }),
    );
  }
  const height = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">rxtransport benchmarks</text>`,
    `<text x="${WIDTH - 10}" y="20" text-anchor="end" font-size="11" fill="#555">${escape(caption)}</text>`,
    ...panels.map((p) => p.svg),
    `<text x="10" y="${height - 8}" font-size="11" fill="#555">` +
      `<tspan fill="${COLORS.rx}">■</tspan> rxtransport Rx  <tspan fill="${COLORS.protocol}">■</tspan> rxtransport Protocol  ` +
      `<tspan fill="${COLORS.buffered}">■</tspan> rxtransport BufferedProtocol  <tspan fill="${COLORS.raw}">■</tspan> raw Node  ` +
      `<tspan fill="${COLORS.asyncio}">■</tspan> python asyncio</text>`,
    '</svg>',
    '',
  ].join('\n');
}
