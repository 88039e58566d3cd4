// Guard against fitting the miner to the four Loghub development datasets: common log shapes that are
// in none of them (web server access lines, logfmt and JSON application logs, Java exception messages,
// SQL timing lines, Kubernetes events, auth lines with user names). Lines of one message that differ
// only in their variable parts must share a pattern; different messages, even when they differ in
// one word, must not. Each shape is interleaved with the others, values drawn from a fixed seed.
import { describe, expect, it } from 'vitest';
import { groupingAccuracy } from '../../server/logs/patterns/accuracy.ts';
import { PatternMiner } from '../../server/logs/patterns/miner.ts';

let seed = 20240501;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
const ip = () => `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Oct', 'Nov'];
const ts = () => `${int(10, 28)}/${pick(MONTHS)}/2024:${int(10, 23)}:${int(10, 59)}:${int(10, 59)} +0000`;
/** Kubernetes pod names: deployment, pod-template hash, random suffix (consonants and digits). */
const podId = () => Array.from({ length: 10 }, () => pick([...'bcdfghjklmnpqrstvwxz2456789'])).join('') + '-' + Array.from({ length: 5 }, () => pick([...'bcdfghjklmnpqrstvwxz2456789'])).join('');
const iso = () => `2024-0${int(1, 9)}-${int(10, 28)}T${int(10, 23)}:${int(10, 59)}:${int(10, 59)}.${int(100, 999)}Z`;

/** Message → line maker. Every message is its own true group. */
const SHAPES: Record<string, Record<string, () => string>> = {
  nginx: {
    get: () => `${ip()} - - [${ts()}] "GET /api/orders/${int(1, 99999)}${rnd() < 0.5 ? `?page=${int(1, 9)}` : ''} HTTP/1.1" ${pick([200, 304, 404])} ${int(0, 99999)} "-" "curl/8.4.0"`,
    post: () => `${ip()} - - [${ts()}] "POST /api/orders/${int(1, 99999)} HTTP/1.1" ${pick([201, 400, 500])} ${int(0, 99999)} "-" "curl/8.4.0"`,
    delete: () => `${ip()} - - [${ts()}] "DELETE /api/orders/${int(1, 99999)} HTTP/1.1" ${pick([204, 404])} ${int(0, 999)} "-" "curl/8.4.0"`,
  },
  logfmt: {
    completed: () => `ts=${iso()} level=info msg="request completed" method=${pick(['GET', 'POST'])} path=/api/v1/items/${int(1, 999)} status=${pick([200, 201])} duration=${int(1, 900)}.${int(0, 9)}ms request_id=${uuid()}`,
    timeout: () => `ts=${iso()} level=error msg="upstream timeout" method=${pick(['GET', 'POST'])} path=/api/v1/items/${int(1, 999)} status=504 duration=${int(1000, 30000)}ms request_id=${uuid()}`,
    started: () => `ts=${iso()} level=info msg=started component=${pick(['worker', 'scheduler', 'api'])} pid=${int(100, 65000)}`,
    stopped: () => `ts=${iso()} level=info msg=stopped component=${pick(['worker', 'scheduler', 'api'])} pid=${int(100, 65000)}`,
  },
  json: {
    login: () => `{"time":"${iso()}","level":"info","msg":"user login","user_id":${int(1, 99999)},"ip":"${ip()}"}`,
    logout: () => `{"time":"${iso()}","level":"info","msg":"user logout","user_id":${int(1, 99999)},"ip":"${ip()}"}`,
    spaced: () => `{"level": "warn", "msg": "retrying", "attempt": ${int(1, 5)}, "delay_ms": ${int(10, 5000)}}`,
  },
  java: {
    timeout: () => `java.net.SocketTimeoutException: Read timed out after ${int(1000, 60000)} ms`,
    refused: () => `java.net.ConnectException: Connection refused (Connection refused) to ${ip()}:${int(1024, 65000)}`,
    pool: () => `java.lang.IllegalStateException: Connection pool exhausted (max=${int(10, 100)}, active=${int(10, 100)})`,
    npe: () => `java.lang.NullPointerException: Cannot invoke "String.length()" because "${pick(['name', 's', 'value'])}" is null`,
    caused: () => `Caused by: org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique constraint "orders_pkey" Detail: Key (id)=(${int(1, 99999)}) already exists.`,
  },
  sql: {
    selectOrders: () => `Query SELECT * FROM orders WHERE id = ${int(1, 99999)} took ${int(1, 99)}.${int(0, 9)} ms`,
    selectUsers: () => `Query SELECT * FROM users WHERE id = ${int(1, 99999)} took ${int(1, 99)}.${int(0, 9)} ms`,
    update: () => `Query UPDATE orders SET status = '${pick(['paid', 'shipped', 'cancelled'])}' WHERE id = ${int(1, 99999)} took ${int(1, 99)} ms`,
    slow: () => `slow query (${int(500, 9000)} ms): SELECT id, email FROM users WHERE email = '${pick(USERS)}@example.com'`,
  },
  k8s: {
    running: () => `Pod ${pick(['default', 'shop'])}/web-${podId()} status changed to Running on node ip-10-0-${int(0, 255)}-${int(0, 255)}.ec2.internal`,
    pending: () => `Pod ${pick(['default', 'shop'])}/web-${podId()} status changed to Pending on node ip-10-0-${int(0, 255)}-${int(0, 255)}.ec2.internal`,
    pulled: () => `Successfully pulled image "registry.example.com/shop/web:${int(1, 9)}.${int(0, 20)}.${int(0, 50)}" in ${int(100, 9000)}ms`,
    backoff: () => `Back-off restarting failed container web in pod web-${podId()}_${pick(['default', 'shop'])}(${uuid()})`,
  },
  auth: {
    accepted: () => `Accepted password for ${pick(USERS)} from ${ip()} port ${int(1024, 65000)} ssh2`,
    failed: () => `Failed password for ${pick(USERS)} from ${ip()} port ${int(1024, 65000)} ssh2`,
    loggedIn: () => `User ${pick(USERS)} logged in from ${ip()} with session ${uuid()}`,
    linkUp: () => `Link Up on port ${int(1, 48)}`,
    linkDown: () => `Link Down on port ${int(1, 48)}`,
    cacheHit: () => `Cache hit for key session:${hex(12)} in ${int(0, 9)}ms`,
    cacheMiss: () => `Cache miss for key session:${hex(12)} in ${int(0, 9)}ms`,
  },
};

function generate(shapes: Record<string, () => string>, n: number) {
  const names = Object.keys(shapes);
  const lines: string[] = [];
  const truth: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = names[i % names.length === 0 ? int(0, names.length - 1) : i % names.length];
    lines.push(shapes[name]());
    truth.push(name);
  }
  return { lines, truth };
}

function group(lines: readonly string[]): string[] {
  const m = new PatternMiner();
  const keys = lines.map((l) => m.add(l).clusterKey);
  return keys.map((k) => m.resolve(k));
}

describe('synthetic log shapes (not in the development set)', () => {
  it.each(Object.keys(SHAPES))('%s: values merge, messages stay apart', (shape) => {
    const { lines, truth } = generate(SHAPES[shape], 600);
    const keys = group(lines);
    const byTruth = new Map<string, Set<string>>();
    keys.forEach((k, i) => byTruth.set(truth[i], (byTruth.get(truth[i]) ?? new Set()).add(k)));
    for (const [name, ks] of byTruth) expect(ks.size, `${shape}/${name} split into ${ks.size} patterns`).toBe(1);
    expect(new Set(keys).size, `${shape}: messages merged`).toBe(byTruth.size);
    expect(groupingAccuracy(keys, truth)).toBe(1);
  });

  it('all shapes in one stream (one project sending everything)', () => {
    const all = Object.fromEntries(Object.entries(SHAPES).flatMap(([s, msgs]) => Object.entries(msgs).map(([m, f]) => [`${s}/${m}`, f])));
    const { lines, truth } = generate(all, 5000);
    const keys = group(lines);
    const wrong = new Set<string>();
    const byKey = new Map<string, Set<string>>();
    keys.forEach((k, i) => byKey.set(k, (byKey.get(k) ?? new Set()).add(truth[i])));
    const byTruth = new Map<string, Set<string>>();
    keys.forEach((k, i) => byTruth.set(truth[i], (byTruth.get(truth[i]) ?? new Set()).add(k)));
    for (const [t, ks] of byTruth) if (ks.size > 1 || [...ks].some((k) => byKey.get(k)!.size > 1)) wrong.add(t);
    expect([...wrong].map((t) => `${t}: ${lines[truth.indexOf(t)]}`)).toEqual([]);
    expect(groupingAccuracy(keys, truth)).toBe(1);
  });

  it('a word that takes few values stays part of the message until it has taken EVIDENCE of them', () => {
    const m = new PatternMiner();
    const states = ['Running', 'Pending', 'Failed', 'Succeeded'];
    const keys = states.map((s) => m.add(`Job 12 is now ${s} after 3 s`).clusterKey);
    expect(new Set(keys.map((k) => m.resolve(k))).size).toBe(4);
    const fifth = m.add('Job 13 is now Unknown after 1 s');
    expect(fifth.template).toBe('Job <*> is now <*> after <*>');
    expect(new Set([...keys, fifth.clusterKey].map((k) => m.resolve(k))).size).toBe(1);
  });
});
