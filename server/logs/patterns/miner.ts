// Online log pattern mining (pattern config logs:2), for bodies that came without a
// `sentry.message.template`. See ./README.md for the design, identity across restarts and the
// figures on the Loghub development set.
//
//   1. mask:      logTokens() turns obvious values into `<*>` (mask.ts),
//   2. tokenize:  splits on whitespace, merges value runs, caps the count (mask.ts).
//   3. cluster:   Drain-style, among the clusters with the same token count: a line joins the
//                 most specific cluster whose template constants it all matches; if it matches
//                 at least SIMILARITY of them, the differing positions become `<*>` when they
//                 are values (the line or the template holds `<*>` there) or when the clusters
//                 that differ only there show EVIDENCE distinct words at each such position;
//                 the clusters that are instances of the generalized template then merge into
//                 the biggest (AddResult.merged). Otherwise the line starts a new cluster.
//
// Decisions depend only on the clusters (templates, counts, keys), never on the order they
// are stored in, so a miner restored from stored patterns (restore()) assigns as the miner
// that made them would.
//
// Everything is pure and bounded: a body is cut at MAX_BODY_CHARS / MAX_RAW_TOKENS, a template
// has at most MAX_TOKENS tokens, a bucket (token count) holds at most BUCKET_CAP clusters and
// the miner at most maxClusters, least recently used evicted first.
import { createHash } from 'node:crypto';
import { logTokens, MAX_TOKENS, WILDCARD } from './mask.ts';

/** Bump when masking or clustering changes: cluster keys and templates change with it. */
export const LOG_PATTERN_VERSION = 'logs:2';

/** A pattern as the digest stores it: `id` is the cluster key, `template` its current text. */
export interface MinedPattern {
  id: string;
  template: string;
}

export interface AddResult {
  /** The cluster (pattern id). Fixed when the cluster is created; never changes afterwards. */
  clusterKey: string;
  /** The cluster's template after this line, tokens joined by one space. */
  template: string;
  /** This line started the cluster. */
  created: boolean;
  /** The template differs from what the last call returned for this cluster. */
  changed: boolean;
  /**
   * Clusters merged into `clusterKey` by this call (their positions turned out to be values):
   * the caller re-points those patterns to `clusterKey` (see README "Merges").
   */
  merged?: string[];
}

/**
 * Share of a template's constant tokens a line must match to be considered for that
 * cluster at all (Drain's similarity threshold, counted over constants only: values never
 * count as agreement). GA on the development set is flat between 0.3 and 0.6.
 */
export const SIMILARITY = 0.5;
/**
 * Distinct words seen at a differing position (each differing position on its own) before it
 * becomes `<*>`. Below it, lines that differ in a word stay apart ("Link Up" / "Link Down",
 * "Failed password" / "Accepted password"); from it on, the position is a variable (user
 * names, process names, states with many values).
 */
export const EVIDENCE = 5;
/**
 * In a long line that agrees with the template on at least LONG_AGREEMENT constants per
 * differing word, fewer distinct words are enough (a distinct message rarely differs from
 * another in one word out of many; a variable in a long message may take few values).
 */
export const LONG_AGREEMENT = 6;
export const LONG_EVIDENCE = 3;
/** Near clusters examined per line for evidence; bounds the work of a line that matches nothing. */
const MAX_CANDIDATES = 3;
/** Clusters per token count. */
export const BUCKET_CAP = 1_000;
const DEFAULT_MAX_CLUSTERS = 20_000;
const MAX_ALIASES = 50_000;
const MAX_EXACT = 50_000;
const MAX_CHAIN = 32;

interface Cluster {
  key: string;
  tokens: string[];
  /** Tokens of `tokens` that are not `<*>`. */
  constants: number;
  count: number;
  /** Tick of the last line (least recently used eviction within a bucket). */
  seen: number;
  alive: boolean;
}

/**
 * What snapshot() returns and restore() takes: plain JSON, stable within a LOG_PATTERN_VERSION.
 * A digest that keeps patterns in a table can build it from rows: `template` may be the
 * stored template text (tokens joined by one space) instead of the token array, and `count`
 * may be left out.
 */
export interface MinerState {
  version: string;
  /** Least recently used first. */
  clusters: { key: string; template: string[] | string; count?: number }[];
  /** [merged-away key, key it was merged into]; may be left out. */
  aliases?: [string, string][];
}

export class PatternMiner {
  private readonly maxClusters: number;
  private readonly bucketCap: number;
  /** Token count → clusters of that length. */
  private readonly buckets = new Map<number, Cluster[]>();
  /** Key → cluster, in least-recently-used order (a hit moves the cluster to the end). */
  private readonly lru = new Map<string, Cluster>();
  /** Merged-away key → the key it was merged into. */
  private readonly aliases = new Map<string, string>();
  /**
   * Masked line → the cluster the search gave it, and the generation of its bucket then: a
   * repeated line skips the search while nothing in its bucket changed (so the answer is the
   * search's answer, the same a miner restored from stored patterns gives).
   */
  private readonly exact = new Map<string, { c: Cluster; gen: number }>();
  /** Token count → generation, bumped when a cluster of that length is created, changed or removed. */
  private readonly gens = new Map<number, number>();
  private tick = 0;

  constructor(opts: { maxClusters?: number } = {}) {
    this.maxClusters = Math.max(1, Math.floor(opts.maxClusters ?? DEFAULT_MAX_CLUSTERS));
    this.bucketCap = Math.min(this.maxClusters, BUCKET_CAP);
  }

  /** Number of live clusters. */
  get size(): number {
    return this.lru.size;
  }

  /** The key a (possibly merged-away) cluster key stands for now. */
  resolve(key: string): string {
    let k = key;
    for (let i = 0; i < MAX_CHAIN; i++) {
      const next = this.aliases.get(k);
      if (next === undefined) return k;
      k = next;
    }
    return k;
  }

  /** The current template of a live cluster (tokens joined by one space). */
  templateOf(key: string): string | undefined {
    return this.lru.get(key)?.tokens.join(' ');
  }

  /** Assigns a body to a cluster, updating the cluster's template. */
  add(body: string): AddResult {
    const tokens = logTokens(typeof body === 'string' ? body : String(body));
    const line = tokens.join(' ');
    const known = this.exact.get(line);
    if (known !== undefined && known.c.alive && known.gen === (this.gens.get(tokens.length) ?? 0)) return this.hit(known.c, tokens, line);

    const n = tokens.length;
    let bucket = this.buckets.get(n);
    if (!bucket) this.buckets.set(n, (bucket = []));
    let lineConstants = 0;
    for (const t of tokens) if (t !== WILDCARD) lineConstants++;

    // The most specific cluster whose constants the line matches, and the near ones.
    let exact: Cluster | null = null;
    const near: { c: Cluster; m: number }[] = [];
    for (const c of bucket) {
      // A template of values only takes lines of values only (else `<*> <*>` eats every two-word line).
      if (c.constants === 0 && lineConstants > 0) continue;
      const t = c.tokens;
      const maxMismatch = c.constants - SIMILARITY * c.constants;
      let m = 0;
      for (let i = 0; i < n && m <= maxMismatch; i++) if (t[i] !== WILDCARD && t[i] !== tokens[i]) m++;
      if (m === 0) {
        if (!exact || c.constants > exact.constants || (c.constants === exact.constants && (c.count > exact.count || (c.count === exact.count && c.key < exact.key)))) exact = c;
      } else if (m <= maxMismatch) near.push({ c, m });
    }
    if (exact) return this.hit(exact, tokens, line);

    // Ties broken by key, not by the order in the bucket: a miner restored from stored patterns
    // (another order) decides the same.
    near.sort((a, b) => a.m - b.m || b.c.count - a.c.count || (a.c.key < b.c.key ? -1 : 1));
    for (let k = 0; k < near.length && k < MAX_CANDIDATES; k++) {
      const r = this.tryJoin(bucket, near[k].c, tokens, line);
      if (r) return r;
    }
    return this.create(bucket, tokens, line);
  }

  /**
   * Joins `c` if every differing position is a value, or if the clusters that share all
   * other constants show, at every differing position, EVIDENCE distinct words (or a `<*>`):
   * then they all merge.
   */
  private tryJoin(bucket: Cluster[], c: Cluster, tokens: string[], line: string): AddResult | null {
    const t = c.tokens;
    const n = t.length;
    const words: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = t[i];
      const b = tokens[i];
      if (a === WILDCARD || a === b) continue;
      // A value where either holds one: `<*>`, or a token with a masked part (`t<*>}}}` / `t5}}}`,
      // `blk_<*>`) unless the letters around the masked parts differ (`login","id":<*>` /
      // `logout","id":<*>` are words).
      if (b === WILDCARD || ((a.includes(WILDCARD) || b.includes(WILDCARD)) && letters(a) === letters(b))) continue;
      words.push(i);
    }

    // Clusters that are instances of the generalized template: equal on every constant
    // position of `c` except the differing ones. Once those positions are known to vary,
    // they are one pattern (else `invalid user test9`, a cluster of its own before the
    // position turned out to be a value, would keep its lines away from `invalid user <*>`).
    const siblings: Cluster[] = [];
    for (const o of bucket) {
      if (o.constants === 0) continue;
      let same = true;
      for (let i = 0; i < n && same; i++) {
        const a = t[i];
        if (a !== WILDCARD && a === tokens[i] && o.tokens[i] !== a) same = false;
      }
      if (same) siblings.push(o);
    }
    // Each differing position on its own: a position with two values ("view" / "modify") stays
    // a constant even when another one is a user name with many values.
    let agree = 0;
    for (let i = 0; i < n; i++) if (t[i] !== WILDCARD && t[i] === tokens[i]) agree++;
    const need = agree >= LONG_AGREEMENT * words.length ? LONG_EVIDENCE : EVIDENCE;
    for (const i of words) {
      const seen = new Set<string>([tokens[i]]);
      for (const o of siblings) {
        const w = o.tokens[i];
        if (w === WILDCARD) {
          seen.clear();
          break;
        }
        seen.add(w);
      }
      if (seen.size > 0 && seen.size < need) return null;
    }

    // Merge: the biggest sibling survives (its id is the one most records already carry) and
    // takes the generalized template; the others become aliases of it.
    siblings.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
    const survivor = siblings[0];
    const before = survivor.tokens.join(' ');
    const merged: string[] = [];
    for (const o of siblings) {
      if (o === survivor) continue;
      survivor.count += o.count;
      this.remove(o, bucket);
      this.setAlias(o.key, survivor.key);
      merged.push(o.key);
    }
    survivor.tokens = t.map((a, i) => (a === tokens[i] ? a : WILDCARD));
    survivor.constants = countConstants(survivor.tokens);
    this.bump(n);
    const r = this.hit(survivor, tokens, line);
    r.changed = r.template !== before;
    if (merged.length) r.merged = merged;
    return r;
  }

  private hit(c: Cluster, tokens: string[], line: string): AddResult {
    const t = c.tokens;
    let changed = false;
    for (let i = 0; i < t.length; i++) {
      if (t[i] !== WILDCARD && t[i] !== tokens[i]) {
        t[i] = WILDCARD;
        c.constants--;
        changed = true;
      }
    }
    if (changed) this.bump(t.length);
    c.count++;
    c.seen = ++this.tick;
    this.lru.delete(c.key);
    this.lru.set(c.key, c);
    this.remember(line, c);
    return { clusterKey: c.key, template: t.join(' '), created: false, changed };
  }

  private create(bucket: Cluster[], tokens: string[], line: string): AddResult {
    if (bucket.length >= this.bucketCap) {
      let oldest = bucket[0];
      for (const c of bucket) if (c.seen < oldest.seen) oldest = c;
      this.remove(oldest, bucket);
    }
    while (this.lru.size >= this.maxClusters) {
      const first = this.lru.values().next().value as Cluster;
      this.remove(first, this.buckets.get(first.tokens.length)!);
    }
    const c: Cluster = { key: clusterKeyOf(tokens), tokens: tokens.slice(), constants: countConstants(tokens), count: 1, seen: ++this.tick, alive: true };
    // Same first line (masked) as a cluster still alive elsewhere: impossible, it would have
    // matched exactly. After an eviction the key comes back, which is what the caller wants.
    bucket.push(c);
    this.bump(tokens.length);
    this.lru.set(c.key, c);
    this.aliases.delete(c.key);
    this.remember(line, c);
    return { clusterKey: c.key, template: line, created: true, changed: true };
  }

  private remove(c: Cluster, bucket: Cluster[]): void {
    c.alive = false;
    this.bump(c.tokens.length);
    const i = bucket.indexOf(c);
    if (i >= 0) bucket.splice(i, 1);
    if (this.lru.get(c.key) === c) this.lru.delete(c.key);
  }

  private bump(n: number): void {
    this.gens.set(n, (this.gens.get(n) ?? 0) + 1);
  }

  private remember(line: string, c: Cluster): void {
    if (this.exact.size >= MAX_EXACT) this.exact.clear();
    this.exact.set(line, { c, gen: this.gens.get(c.tokens.length) ?? 0 });
  }

  private setAlias(from: string, to: string): void {
    if (this.aliases.size >= MAX_ALIASES) this.aliases.delete(this.aliases.keys().next().value as string);
    this.aliases.set(from, to);
  }

  /** Plain JSON: clusters (least recently used first) and aliases. */
  snapshot(): MinerState {
    const s: MinerState = {
      version: LOG_PATTERN_VERSION,
      clusters: [...this.lru.values()].map((c) => ({ key: c.key, template: c.tokens.slice(), count: c.count })),
      aliases: [...this.aliases],
    };
    return s;
  }

  /**
   * A miner that continues with the clusters of `state` (from snapshot(), possibly through
   * a database). State of another LOG_PATTERN_VERSION, or not a snapshot, gives an empty
   * miner: templates of another version do not mean the same thing.
   */
  static restore(state: unknown, opts: { maxClusters?: number } = {}): PatternMiner {
    const miner = new PatternMiner(opts);
    if (!isState(state) || state.version !== LOG_PATTERN_VERSION) return miner;
    // Newest first, so that when the state is bigger than this miner's bounds the most
    // recently used clusters stay; then inserted oldest first to keep the LRU order.
    const kept: Cluster[] = [];
    const perBucket = new Map<number, number>();
    const seenKeys = new Set<string>();
    for (let i = state.clusters.length - 1; i >= 0 && kept.length < miner.maxClusters; i--) {
      const s = state.clusters[i];
      if (typeof s.key !== 'string' || seenKeys.has(s.key)) continue;
      const tokens = typeof s.template === 'string' ? (s.template === '' ? [] : s.template.split(' ')) : s.template;
      if (!Array.isArray(tokens)) continue;
      if (tokens.length > MAX_TOKENS || !tokens.every((t) => typeof t === 'string' && t.length > 0 && !/\s/.test(t))) continue;
      const inBucket = perBucket.get(tokens.length) ?? 0;
      if (inBucket >= miner.bucketCap) continue;
      perBucket.set(tokens.length, inBucket + 1);
      seenKeys.add(s.key);
      const count = typeof s.count === 'number' && Number.isFinite(s.count) ? Math.max(1, Math.floor(s.count)) : 1;
      kept.push({ key: s.key, tokens: tokens.slice(), constants: countConstants(tokens), count, seen: 0, alive: true });
    }
    for (let i = kept.length - 1; i >= 0; i--) {
      const c = kept[i];
      c.seen = ++miner.tick;
      let bucket = miner.buckets.get(c.tokens.length);
      if (!bucket) miner.buckets.set(c.tokens.length, (bucket = []));
      bucket.push(c);
      miner.lru.set(c.key, c);
    }
    for (const a of state.aliases ?? []) {
      if (Array.isArray(a) && typeof a[0] === 'string' && typeof a[1] === 'string' && !miner.lru.has(a[0])) miner.setAlias(a[0], a[1]);
    }
    return miner;
  }
}

function isState(x: unknown): x is MinerState {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Partial<MinerState>;
  return (
    typeof s.version === 'string' &&
    Array.isArray(s.clusters) &&
    (s.aliases === undefined || Array.isArray(s.aliases)) &&
    s.clusters.every((c) => typeof c === 'object' && c !== null)
  );
}

const ALNUM_RUNS = /[A-Za-z0-9]+/g;
const LETTERS_ONLY = /^[A-Za-z]{2,}$/;
/**
 * The words of a token: its runs of two letters or more without digits (`attempt_<*>_m_<*>` and
 * `attempt_<*>_r_<*>` agree, so do `web-<*>-x2x9k` and `web-<*>-b7qzm`).
 */
function letters(tok: string): string {
  const runs = tok.replaceAll(WILDCARD, ' ').match(ALNUM_RUNS);
  return runs === null ? '' : runs.filter((r) => LETTERS_ONLY.test(r)).join(' ');
}

function countConstants(tokens: readonly string[]): number {
  let k = 0;
  for (const t of tokens) if (t !== WILDCARD) k++;
  return k;
}

/**
 * The key of a cluster started by a line: a hash of the version and the line's masked
 * tokens. Processes that start a cluster from the same (masked) line agree on its key.
 */
export function clusterKeyOf(tokens: readonly string[]): string {
  return createHash('sha256').update(`${LOG_PATTERN_VERSION}\n${tokens.length}\n${tokens.join('\n')}`).digest('hex').slice(0, 32);
}
