// Log pattern mining on the labeled Loghub development set (issue 6, "Storage and patterns"):
// grouping accuracy (GA) per dataset and the mean, and the miner's speed.
//
// Each `<Name>_2k.log_structured.csv` of test/fixtures/loghub-dev goes, Content column in file
// order, through a fresh PatternMiner; a line's group is its cluster key as the caller ends up
// with it once it has applied the merges the miner reported (PatternMiner.resolve). "without
// merges" scores the key add() returned for the line, as if merges were ignored.
//
// Speed: all four datasets (8,000 lines) fed to a fresh miner, repeated; lines per CPU second of
// this process (less sensitive to a busy machine than wall time), best of several rounds. Also
// the same lines to a warm miner (every line seen before) and masking alone.
//
// Pure: the same mask and miner as the server (server/logs/patterns), no database. The ingest path
// (HTTP → queue → digest → log_patterns) is scored by test/db/log-loghub-ga.test.ts.
//
// Run alone: `node --import tsx bench/log-ga.ts`. `bench/run.ts` calls logGaBench(), which prints.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { groupingAccuracy, loghubLines, type LabeledLine } from '../server/logs/patterns/accuracy.ts';
import { maskLogBody } from '../server/logs/patterns/mask.ts';
import { LOG_PATTERN_VERSION, PatternMiner } from '../server/logs/patterns/miner.ts';

// A copy of test/fixtures/loghub-dev (Loghub, see its README), so a checkout anywhere has it.
export const LOGHUB_DEV_DIR = process.env.LOGHUB_DEV_DIR ?? path.resolve(import.meta.dirname, '../test/fixtures/loghub-dev');
export const LOGHUB_DEV_DATASETS = ['Apache', 'HDFS', 'Mac', 'OpenSSH'] as const;
/** The goals: mean GA ≥ 0.95 over the four, none below 0.85. */
export const GOAL_MEAN_GA = 0.95;
export const GOAL_MIN_GA = 0.85;

export interface DatasetGa {
  name: string;
  lines: number;
  events: number;
  patterns: number;
  ga: number;
  gaWithoutMerges: number;
}

export interface LogGaResult {
  datasets: DatasetGa[];
  meanGa: number;
  minGa: number;
  meetsGoal: boolean;
  /** Lines per CPU second, fresh miner (clusters being found). */
  linesPerSecond: number;
  /** The same, per wall-clock second (lower on a busy machine). */
  linesPerWallSecond: number;
  /** Lines per CPU second, warm miner (every line seen before: the common case of a steady service). */
  linesPerSecondWarm: number;
  /** maskLogBody alone, per CPU second. */
  maskPerSecond: number;
}

export function loadLoghubDev(name: string, dir = LOGHUB_DEV_DIR): LabeledLine[] {
  return loghubLines(readFileSync(path.join(dir, `${name}_2k.log_structured.csv`), 'utf8'));
}

export function scoreDataset(name: string, lines: readonly LabeledLine[]): DatasetGa {
  const miner = new PatternMiner();
  const keys = lines.map((l) => miner.add(l.content).clusterKey);
  const truth = lines.map((l) => l.eventId);
  const resolved = keys.map((k) => miner.resolve(k));
  return {
    name,
    lines: lines.length,
    events: new Set(truth).size,
    patterns: new Set(resolved).size,
    ga: groupingAccuracy(resolved, truth),
    gaWithoutMerges: groupingAccuracy(keys, truth),
  };
}

/** Best lines per wall-clock second over `rounds` runs of `run`. */
function wallRate(lines: number, rounds: number, run: () => void): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
  }
  return Math.round((lines / Math.max(best, 0.001)) * 1000);
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Best lines per CPU second over `rounds` runs of `run` (which processes `lines` lines). */
function rate(lines: number, rounds: number, run: () => void): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = cpuMs();
    run();
    best = Math.min(best, cpuMs() - t);
  }
  return Math.round((lines / Math.max(best, 0.001)) * 1000);
}

/** GA per dataset and the miner's speed (see the top of this file). */
export function measureLogGa(opts: { dir?: string; rounds?: number } = {}): LogGaResult {
  const data = LOGHUB_DEV_DATASETS.map((name) => ({ name, lines: loadLoghubDev(name, opts.dir) }));
  const datasets = data.map((d) => scoreDataset(d.name, d.lines));
  const meanGa = datasets.reduce((a, d) => a + d.ga, 0) / datasets.length;
  const minGa = Math.min(...datasets.map((d) => d.ga));

  const bodies = data.flatMap((d) => d.lines.map((l) => l.content));
  const rounds = opts.rounds ?? 7;
  const repeat = 5;
  const n = bodies.length * repeat;
  const feedFresh = () => {
    for (let r = 0; r < repeat; r++) {
      const miner = new PatternMiner();
      for (const b of bodies) miner.add(b);
    }
  };
  const warm = new PatternMiner();
  for (const b of bodies) warm.add(b);
  const feedWarm = () => {
    for (let r = 0; r < repeat; r++) for (const b of bodies) warm.add(b);
  };
  const mask = () => {
    for (let r = 0; r < repeat; r++) for (const b of bodies) maskLogBody(b);
  };
  feedFresh(); // warm up the JIT
  return {
    datasets,
    meanGa,
    minGa,
    meetsGoal: meanGa >= GOAL_MEAN_GA && minGa >= GOAL_MIN_GA,
    linesPerSecond: rate(n, rounds, feedFresh),
    linesPerWallSecond: wallRate(n, rounds, feedFresh),
    linesPerSecondWarm: rate(n, rounds, feedWarm),
    maskPerSecond: rate(n, rounds, mask),
  };
}

export function printLogGa(r: LogGaResult): void {
  const num = (x: number) => x.toLocaleString('en-US');
  console.log('');
  console.log(`Log patterns (${LOG_PATTERN_VERSION}): grouping accuracy on the Loghub development set, one setting for all`);
  console.log(`  ${'dataset'.padEnd(10)} ${'lines'.padStart(6)} ${'events'.padStart(7)} ${'patterns'.padStart(9)} ${'GA'.padStart(7)} ${'GA without merges'.padStart(18)}`);
  for (const d of r.datasets) {
    console.log(`  ${d.name.padEnd(10)} ${String(d.lines).padStart(6)} ${String(d.events).padStart(7)} ${String(d.patterns).padStart(9)} ${d.ga.toFixed(4).padStart(7)} ${d.gaWithoutMerges.toFixed(4).padStart(18)}`);
  }
  console.log(`  mean GA ${r.meanGa.toFixed(4)}, min ${r.minGa.toFixed(4)} (goal: mean ≥ ${GOAL_MEAN_GA}, none < ${GOAL_MIN_GA}): ${r.meetsGoal ? 'met' : 'NOT met'}`);
  console.log(`  mask + miner, one thread: ${num(r.linesPerSecond)} lines per CPU second (fresh miner; ${num(r.linesPerWallSecond)} per wall second), ${num(r.linesPerSecondWarm)} (warm miner), masking alone ${num(r.maskPerSecond)}`);
}

/** For bench/run.ts: measures and prints (the goal check is in the output). */
export async function logGaBench(): Promise<void> {
  const r = measureLogGa();
  printLogGa(r);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/log-ga.ts')) {
  const r = measureLogGa();
  printLogGa(r);
  process.exitCode = r.meetsGoal ? 0 : 1;
}
