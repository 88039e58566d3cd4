// Log pattern mining (server/logs/patterns): masking, clustering, bounds, and grouping accuracy on the
// labeled Loghub development set (test/fixtures/loghub-dev), pure and fast. The same data through the
// real ingest path and database: test/db/log-loghub-ga.test.ts. Synthetic log shapes:
// log-patterns-shapes.test.ts. Restarts: log-patterns-restart.test.ts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOAL_MEAN_GA, GOAL_MIN_GA, LOGHUB_DEV_DATASETS, LOGHUB_DEV_DIR, loadLoghubDev, scoreDataset } from '../../bench/log-ga.ts';
import { groupingAccuracy, loghubLines, parseCsv } from '../../server/logs/patterns/accuracy.ts';
import { logTokens, maskLogBody, MAX_TOKENS, tokenizeLog } from '../../server/logs/patterns/mask.ts';
import { PatternMiner } from '../../server/logs/patterns/miner.ts';

describe('masking', () => {
  const cases: Array<[string, string]> = [
    ['Took 12ms and 3.5 s, 10 retries', 'Took <*> and <*> <*>, <*> retries'],
    ['user 1234 at 0x7ffe12ab hash 9f86d081884c7d65', 'user <*> at <*> hash <*>'],
    ['session 6f1c2b7e-2b7e-4d1a-9c3f-001234567890 refreshed', 'session <*> refreshed'],
    ['from 10.0.12.7:5432 and 192.168.1.1 and [2001:db8::8a2e:370:7334]', 'from <*> and <*> and [<*>]'],
    ['mac 00:1b:44:11:3a:b7 on v6(en0-:fe80::1c2b:3cff:fe4d:5e6f)', 'mac <*> on v6(en0-:<*>)'],
    ['read /var/data/uploads/12/avatar.png and C:\\Users\\bob\\a.txt', 'read <*> and <*>'],
    ['mail to alice.smith+x@example.co.uk failed', 'mail to <*> failed'],
    ['GET https://api.example.com/v1/items?id=3 ok', 'GET <*> ok'],
    ["state 'Active' for \"host.local\"", 'state <*> for <*>'],
    ['at 2024-05-01T12:00:00.123Z and 2024-05-01 12:00:01 and 12:00:02,123', 'at <*> and <*> <*> and <*>'],
    ['on Sun Jul 10 03:55:21 2005 and 10 Jul 2005', 'on <*> <*> <*> <*> <*> and <*> <*> <*>'],
    ['retry=3 user="John Smith" ok=true', 'retry=<*> user=<*> ok=<*>'],
    ['connect to db-2.internal:5432 node7:8080 CurrentState:112', 'connect to <*> <*> CurrentState:<*>'],
    ['sent 2048 bytes (384.0 KB)', 'sent <*> <*> (<*> <*>)'],
    ['flag is null and value false', 'flag is <*> and value <*>'],
  ];
  it.each(cases)('%s', (body, masked) => {
    expect(maskLogBody(body)).toBe(masked);
  });

  it('keeps words, names and the message of structured lines', () => {
    expect(maskLogBody('Connection closed by peer [preauth]')).toBe('Connection closed by peer [preauth]');
    expect(maskLogBody('and/or e.g. enterQuietMode(true)')).toBe('and/or e.g. enterQuietMode(true)');
    expect(maskLogBody('level=info msg="request completed" status=200')).toBe('level=<*> msg="request completed" status=<*>');
    expect(maskLogBody('{"level":"info","msg":"started","pid":12}')).toBe('{"level":<*>,"msg":"started","pid":<*>}');
    expect(maskLogBody('{"level": "info", "msg": "started", "pid": 12}')).toBe('{"level": <*>, "msg": "started", "pid": <*>}');
  });

  it('tokenizes: punctuation around values is one value, runs of values are one, the count is capped', () => {
    expect(tokenizeLog('a [<*>] (<*>), <*> <*> blk_<*> blk_<*> b')).toEqual(['a', '<*>', 'blk_<*>', 'b']);
    expect(logTokens(Array.from({ length: 200 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}${i % 7}`).join(' '))).toHaveLength(MAX_TOKENS);
    expect(logTokens('')).toEqual([]);
  });

  it('cuts long bodies without leaving half a token, and long tokens are values', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `blk_${1000000000 + i * 7919}`).join(' ');
    expect(logTokens(`delete ${ids}`)).toEqual(['delete', 'blk_<*>']);
    expect(logTokens(`key ${'x'.repeat(5000)}`)).toEqual(['key']);
    expect(logTokens(`a ${'Q'.repeat(200)} b`)).toEqual(['a', '<*>', 'b']);
  });

  it('stays linear on hostile input (no catastrophic regex)', () => {
    const units = ['1.', '1:', 'a1 ', '1. ', 'a=', '="', '::', '/a', 'a@', '-1', '0x', 'f:', 'C:\\', 'http://', '1.1.1.', 'Jan 1 ', '1 KB '];
    for (const u of units) {
      const body = `x ${u.repeat(Math.ceil(20_000 / u.length))}`;
      logTokens(body); // compile the regexes
      const t = performance.now();
      for (let i = 0; i < 5; i++) logTokens(body);
      expect((performance.now() - t) / 5, JSON.stringify(u)).toBeLessThan(25);
    }
  });
});

describe('miner', () => {
  it('groups lines that differ in values, keeps lines that differ in a word apart', () => {
    const m = new PatternMiner();
    const a = m.add('Link Up on port 1').clusterKey;
    expect(m.add('Link Up on port 22').clusterKey).toBe(a);
    const b = m.add('Link Down on port 3').clusterKey;
    expect(b).not.toBe(a);
    expect(m.add('Link Down on port 4').clusterKey).toBe(b);
  });

  it('makes a word position a variable after EVIDENCE distinct words, merging the clusters', () => {
    const m = new PatternMiner();
    const keys: string[] = [];
    const merged: string[] = [];
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'alice']) {
      const r = m.add(`Accepted password for ${u} from 10.0.0.1 port 22 ssh2`);
      keys.push(r.clusterKey);
      merged.push(...(r.merged ?? []));
    }
    const resolved = new Set(keys.map((k) => m.resolve(k)));
    expect(resolved.size).toBe(1);
    expect(merged.length).toBeGreaterThan(0);
    expect(m.templateOf([...resolved][0])).toBe('Accepted password for <*> from <*> port <*> ssh2');
    // A different word elsewhere is another pattern.
    expect(m.resolve(m.add('Failed password for alice from 10.0.0.1 port 22 ssh2').clusterKey)).not.toBe([...resolved][0]);
  });

  it('once a position holds a value, the word clusters that differ only there join it', () => {
    const m = new PatternMiner();
    const a = m.add('invalid user test9 [preauth]').clusterKey;
    const b = m.add('invalid user pgadmin [preauth]').clusterKey;
    expect(a).not.toBe(b);
    const r = m.add('invalid user 0101 [preauth]');
    expect(m.resolve(a)).toBe(m.resolve(b));
    expect(m.resolve(r.clusterKey)).toBe(m.resolve(a));
    expect(m.templateOf(m.resolve(a))).toBe('invalid user <*> [preauth]');
  });

  it('is bounded: clusters per miner, and a line that matches nothing costs a bounded scan', () => {
    const m = new PatternMiner({ maxClusters: 500 });
    const t = performance.now();
    for (let i = 0; i < 5000; i++) m.add(Array.from({ length: 12 }, (_, j) => `w${'abcdefghij'[(i * 7 + j) % 10]}${'klmnopqrst'[(i * 3 + j * 5) % 10]}${'uvwxyz'[(i + j) % 6]}${'abcdefg'[Math.floor(i / 10) % 7]}`).join(' '));
    expect(m.size).toBeLessThanOrEqual(500);
    expect(performance.now() - t).toBeLessThan(5000);
  });
});

describe('grouping accuracy', () => {
  it('scores like Loghub: a line is right when its group is exactly its true group', () => {
    expect(groupingAccuracy(['a', 'a', 'b', 'c'], ['x', 'x', 'y', 'y'])).toBe(0.5);
    expect(groupingAccuracy(['a', 'a', 'a'], ['x', 'x', 'y'])).toBe(0);
    expect(parseCsv('a,b\n"x, ""y""",2\r\n')).toEqual([['a', 'b'], ['x, "y"', '2']]);
    expect(loghubLines('LineId,Content,EventId\n1,"hello, world",E1\n')).toEqual([{ content: 'hello, world', eventId: 'E1' }]);
  });
});

// Figures reached (logs:2): Apache 1.0000, HDFS 1.0000, Mac 0.9595, OpenSSH 1.0000 (mean 0.9899).
const MIN_GA: Record<string, number> = { Apache: 0.99, HDFS: 0.99, Mac: 0.95, OpenSSH: 0.99 };

describe.skipIf(!existsSync(path.join(LOGHUB_DEV_DIR, 'HDFS_2k.log_structured.csv')))('Loghub development set (one setting for all)', () => {
  const data = LOGHUB_DEV_DATASETS.map((name) => ({ name, lines: loadLoghubDev(name) }));

  it('reaches the GA goal on each dataset in file order', () => {
    const scores = data.map((d) => scoreDataset(d.name, d.lines));
    for (const s of scores) expect(s.ga, s.name).toBeGreaterThanOrEqual(MIN_GA[s.name]);
    const mean = scores.reduce((a, s) => a + s.ga, 0) / scores.length;
    expect(mean).toBeGreaterThanOrEqual(GOAL_MEAN_GA);
    expect(Math.min(...scores.map((s) => s.ga))).toBeGreaterThanOrEqual(GOAL_MIN_GA);
  });

  it('does not depend on the order of the lines (shuffled, halves)', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const d of data) {
      const shuffled = d.lines.slice();
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      expect(scoreDataset(d.name, shuffled).ga, `${d.name} shuffled`).toBeGreaterThanOrEqual(MIN_GA[d.name] - 0.01);
      expect(scoreDataset(d.name, d.lines.slice(1000)).ga, `${d.name} second half`).toBeGreaterThanOrEqual(MIN_GA[d.name] - 0.01);
    }
  });
});
