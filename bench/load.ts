// The load generator, in its own process: a fixed number of keep-alive connections, each sending one
// request at a time and the next as soon as the answer is in (closed loop). Requests are built by
// patching a unique event id and an issue type into a prepared byte template, so the generator costs
// little CPU next to the server it measures (general-purpose HTTP clients were the bottleneck here).
// At the end it waits for every request in flight, so "acknowledged" is exact.
// usage: node --import tsx bench/load.ts '<json options>'   → prints one JSON line
import net from 'node:net';
import { logPayloadFactory, payloadFactory } from './payload.ts';

interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  distinctIssues: number;
  /** Sequence offset, so that warm-up and measured runs never repeat an event id. */
  seqStart: number;
  /** 'logs': envelopes of `logRecords` log records instead of error events. */
  kind?: 'events' | 'logs';
  logRecords?: number;
}

const opts = JSON.parse(process.argv[2]) as LoadOptions;
const u = new URL(opts.url);
const payload = opts.kind === 'logs' ? logPayloadFactory(opts.logRecords ?? 100) : payloadFactory(opts.distinctIssues);

// Every request is a copy of one byte template with its fixed-width ASCII fields (event id, issue
// type) written in place.
const head = `POST ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
  `Content-Type: text/plain;charset=UTF-8\r\nContent-Length: ${payload.size}\r\nConnection: keep-alive\r\n\r\n`;
const sample = payload.fields(0);
const slots: Array<{ field: 'id' | 'type'; offset: number }> = [];
let text = head;
for (const part of payload.parts) {
  if (typeof part === 'string') text += part;
  else {
    slots.push({ field: part.field, offset: Buffer.byteLength(text) });
    text += sample[part.field];
  }
}
const template = Buffer.from(text);

function request(seq: number): Buffer {
  const buf = Buffer.allocUnsafe(template.length);
  template.copy(buf);
  const f = payload.fields(seq);
  for (const slot of slots) buf.write(f[slot.field], slot.offset, 'latin1');
  return buf;
}

/** Latencies in 0.1 ms buckets up to 30 s. */
const BUCKETS = 300_000;
const hist = new Uint32Array(BUCKETS + 1);
let ok = 0;
let non2xx = 0;
let errors = 0;
let seq = opts.seqStart;
let stopping = false;
const start = performance.now();
/** Wall-clock time (ms since the epoch), comparable with the bench process's. */
const wall = (t: number) => performance.timeOrigin + t;

function percentile(p: number): number {
  const total = ok + non2xx;
  let seen = 0;
  for (let i = 0; i <= BUCKETS; i++) {
    seen += hist[i];
    if (seen >= total * p) return i / 10;
  }
  return BUCKETS / 10;
}

function connection(): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(u.port), u.hostname);
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let sentAt = 0;
    const send = () => {
      if (stopping) {
        socket.end();
        resolve();
        return;
      }
      sentAt = performance.now();
      socket.write(request(seq++));
    };
    socket.on('connect', send);
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const headEnd = buf.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const head = buf.subarray(0, headEnd).toString('latin1');
        let end: number;
        if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
          const last = buf.indexOf('\r\n0\r\n\r\n', headEnd + 2);
          if (last < 0) return;
          end = last + 7;
        } else {
          end = headEnd + 4 + Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
          if (buf.length < end) return;
        }
        const status = Number(head.slice(9, 12));
        buf = buf.subarray(end);
        if (status >= 200 && status < 300) ok++;
        else non2xx++;
        hist[Math.min(BUCKETS, Math.round((performance.now() - sentAt) * 10))]++;
        send();
      }
    });
    socket.on('error', () => {
      errors++;
      resolve();
    });
  });
}

const conns = Array.from({ length: opts.connections }, connection);
setTimeout(() => (stopping = true), opts.seconds * 1000);
await Promise.all(conns);
const end = performance.now();
const seconds = (end - start) / 1000;
console.log(
  JSON.stringify({
    ok,
    non2xx,
    errors,
    seconds,
    rps: ok / seconds,
    p50: percentile(0.5),
    p99: percentile(0.99),
    bodyBytes: payload.size,
    lastSeq: seq,
    startedAt: wall(start),
    endedAt: wall(end),
  }),
);
