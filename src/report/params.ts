/**
 * The fixed parameters of a run for a figure's subtitle (K, Nₜ, Nᵣ, S, SNR, ε², τ̄), read from the
 * scenario recorded in the manifest: a paper states the operating point, not internal file names.
 * Parameters the figure varies (its x, series or facet column) or that a sweep grid varies are left
 * out, as are lists with several values.
 */
import type { FigureSpec } from './figure-spec.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** A single number: a number, or a one-element list. */
function one(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return v[0];
  return undefined;
}

interface Param { symbol: string; columns: string[]; paths: string[]; value: (s: Obj) => number | undefined; unit?: string }

const PARAMS: Param[] = [
  {
    symbol: 'K', columns: ['devices', 'devices_total', 'clients'], paths: ['phy.devices', 'fl.clients', 'split.devices'],
    value: (s) => one(obj(s['fl'])?.['clients']) ?? one(obj(s['split'])?.['devices']) ?? one(obj(s['phy'])?.['devices']),
  },
  { symbol: 'Nₜ', columns: [], paths: ['phy.antennas.device'], value: (s) => one(obj(obj(s['phy'])?.['antennas'])?.['device']) },
  { symbol: 'Nᵣ', columns: ['server_antennas', 'antennas'], paths: ['phy.antennas.server'], value: (s) => one(obj(obj(s['phy'])?.['antennas'])?.['server']) },
  { symbol: 'S', columns: ['streams'], paths: ['phy.streams'], value: (s) => one(obj(s['phy'])?.['streams']) },
  { symbol: 'SNR', columns: ['snr_db', 'point'], paths: ['phy.snr_db'], value: (s) => one(obj(s['phy'])?.['snr_db']), unit: 'dB' },
  { symbol: 'ε²', columns: [], paths: ['phy.channel.csi_error', 'phy.csi_error'], value: (s) => { const p = obj(s['phy']); return p ? one(obj(p['channel'])?.['csi_error']) ?? one(p['csi_error']) ?? 0 : undefined; } },
  { symbol: 'r', columns: ['rank'], paths: ['lora.r', 'airfl.ranks'], value: (s) => (obj(s['airfl'])?.['ranks'] !== undefined ? one(obj(s['airfl'])?.['ranks']) : one(obj(s['lora'])?.['r'])) },
  { symbol: 'delay budget', columns: ['budget_s'], paths: ['split.budget_s'], value: (s) => one(obj(s['split'])?.['budget_s']), unit: 's' },
];

/**
 * "K = 10, Nₜ = 2, Nᵣ = 8, S = 2, SNR = 0 dB, ε² = 0" for a figure of a run of `scenario`;
 * `varying` adds columns that differ between the figure's rows (e.g. a sweep's grid columns).
 */
export function fixedParams(scenario: unknown, fig: Pick<FigureSpec, 'x' | 'series' | 'facet'>, varying: string[] = []): string | undefined {
  const s = obj(scenario);
  if (!s) return undefined;
  const grid = Object.keys(obj(obj(s['sweep'])?.['grid']) ?? {});
  const used = new Set([fig.x, fig.series, fig.facet, ...varying].filter((c): c is string => !!c));
  const parts: string[] = [];
  // a split-learning run has no MIMO uplink: its phy defaults are not its parameters
  const split = s['split'] !== undefined;
  for (const p of PARAMS) {
    if (split && !['K', 'delay budget'].includes(p.symbol)) continue;
    if (p.columns.some((c) => used.has(c))) continue;
    if (p.paths.some((path) => grid.includes(path))) continue;
    const v = p.value(s);
    if (v === undefined) continue;
    parts.push(`${p.symbol} = ${v}${p.unit ? ` ${p.unit}` : ''}`);
  }
  return parts.length ? parts.join(', ') : undefined;
}
