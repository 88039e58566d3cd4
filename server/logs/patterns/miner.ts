import { createHash } from 'node:crypto';
import { maskLogBody, tokenizeLog, WILDCARD } from './mask.ts';

export const LOG_PATTERN_VERSION = 'logs:1';

export interface MinedPattern {
  id: string;
  template: string;
}

export interface Settings {
  threshold: number;
  evidence: number;
  joint: boolean;
  immediate: 'none' | 'wildcard' | 'digit' | 'letters' | 'both';
}
export const DEFAULT_SETTINGS: Settings = { threshold: 0.5, evidence: 5, immediate: 'wildcard', joint: true };

interface Cluster {
  key: string;
  tokens: string[];
  constants: number;
  count: number;
  lastSeen: number;
  alive: boolean;
}

const DIGIT = /[0-9]/;
const NONLETTER = /[^A-Za-z]+/g;

export class PatternMiner {
  private readonly buckets = new Map<number, Cluster[]>();
  private readonly maxClusters: number;
  readonly aliases = new Map<string, string>();
  private tick = 0;
  settings: Settings;

  constructor(opts: { maxClusters?: number; settings?: Partial<Settings> } = {}) {
    this.maxClusters = opts.maxClusters ?? 10_000;
    this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
  }

  resolve(key: string): string {
    let k = key;
    for (let i = 0; i < 100; i++) {
      const n = this.aliases.get(k);
      if (n === undefined) return k;
      k = n;
    }
    return k;
  }

  private valueLike(a: string, b: string): boolean {
    const mode = this.settings.immediate;
    if (mode === 'none') return false;
    if (mode === 'wildcard' && (a.includes(WILDCARD) || b.includes(WILDCARD))) return true;
    if (mode === 'digit') return DIGIT.test(a) || DIGIT.test(b);
    if (mode === 'both' && (a.includes(WILDCARD) || b.includes(WILDCARD))) return true;
    if (mode === 'letters' || mode === 'both') return a.replace(NONLETTER, '') === b.replace(NONLETTER, '');
    return false;
  }

  add(body: string): { clusterKey: string; template: string; created: boolean; merged?: string[] } {
    const tokens = tokenizeLog(maskLogBody(body));
    const n = tokens.length;
    this.tick++;
    let bucket = this.buckets.get(n);
    if (!bucket) this.buckets.set(n, (bucket = []));
    let lineConstants = 0;
    for (const x of tokens) if (x !== WILDCARD) lineConstants++;
    // 1. exact match (template constants all equal)
    const cands: { c: Cluster; m: number }[] = [];
    let exact: Cluster | null = null;
    for (const c of bucket) {
      const t = c.tokens;
      let m = 0;
      for (let i = 0; i < n; i++) if (t[i] !== WILDCARD && t[i] !== tokens[i]) m++;
      if (c.constants === 0 && lineConstants > 0) continue;
      if (m === 0) {
        if (!exact || c.constants > exact.constants || (c.constants === exact.constants && c.count > exact.count)) exact = c;
      } else if (c.constants > 0 && (c.constants - m) / c.constants >= this.settings.threshold) cands.push({ c, m });
    }
    if (exact) return this.hit(exact, tokens);
    cands.sort((a, b) => a.m - b.m || b.c.count - a.c.count);
    for (const { c } of cands) {
      const t = c.tokens;
      let allValue = true;
      for (let i = 0; i < n; i++) if (t[i] !== WILDCARD && t[i] !== tokens[i] && !this.valueLike(t[i], tokens[i])) { allValue = false; break; }
      if (allValue) return this.hit(c, tokens);
      // evidence: clusters that are instances of the generalized template
      const g = t.map((x, i) => (x === tokens[i] ? x : WILDCARD));
      const sibs: Cluster[] = [];
      for (const o of bucket) {
        let inst = true;
        for (let i = 0; i < n; i++) if (g[i] !== WILDCARD && o.tokens[i] !== g[i]) { inst = false; break; }
        if (inst) sibs.push(o);
      }
      let enough = true;
      const wordPos: number[] = [];
      for (let i = 0; i < n; i++) if (t[i] !== WILDCARD && t[i] !== tokens[i] && !this.valueLike(t[i], tokens[i])) wordPos.push(i);
      if (this.settings.joint) {
        const tuples = new Set<string>([wordPos.map((i) => tokens[i]).join('\u0000')]);
        const wild = new Set<number>();
        for (const o of sibs) {
          tuples.add(wordPos.map((i) => o.tokens[i]).join('\u0000'));
          for (const i of wordPos) if (o.tokens[i] === WILDCARD) wild.add(i);
        }
        enough = wild.size === wordPos.length || tuples.size >= this.settings.evidence;
      } else
        for (const i of wordPos) {
          const vals = new Set<string>([tokens[i]]);
          for (const o of sibs) vals.add(o.tokens[i]);
          if (!vals.has(WILDCARD) && vals.size < this.settings.evidence) enough = false;
        }
      if (enough) {
        sibs.sort((a, b) => b.count - a.count);
        const survivor = sibs[0];
        const merged: string[] = [];
        for (const o of sibs.slice(1)) {
          survivor.count += o.count;
          o.alive = false;
          this.aliases.set(o.key, survivor.key);
          merged.push(o.key);
        }
        const keep = new Set(sibs.slice(1));
        this.buckets.set(n, (bucket = bucket.filter((x) => !keep.has(x))));
        survivor.tokens = g;
        survivor.constants = g.filter((x) => x !== WILDCARD).length;
        const r = this.hit(survivor, tokens);
        return { ...r, merged };
      }
    }
    const key = clusterKeyOf(tokens);
    const c: Cluster = { key, tokens: tokens.slice(), constants: tokens.filter((t) => t !== WILDCARD).length, count: 1, lastSeen: this.tick, alive: true };
    bucket.push(c);
    return { clusterKey: key, template: tokens.join(' '), created: true };
  }

  private hit(c: Cluster, tokens: string[]) {
    const t = c.tokens;
    for (let i = 0; i < t.length; i++) {
      if (t[i] !== WILDCARD && t[i] !== tokens[i]) {
        t[i] = WILDCARD;
        c.constants--;
      }
    }
    c.count++;
    c.lastSeen = this.tick;
    return { clusterKey: c.key, template: t.join(' '), created: false };
  }
}

export function clusterKeyOf(tokens: readonly string[]): string {
  return createHash('sha1').update(`${LOG_PATTERN_VERSION}\n${tokens.length}\n${tokens.join('\u0001')}`).digest('hex').slice(0, 16);
}
