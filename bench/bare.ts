// The ceilings the benchmark compares Faultline against, on the same machine in the same run:
//   parse:   a bare node:http server that reads the body and JSON.parses each line (no storage);
//   durable: the same, plus group commit of the raw bodies into one Postgres table, answering after
//            the commit: the price of "a 2xx means durable" with nothing else. It writes the way
//            Faultline's queue does (see insert), so that the price is not overstated.
// usage: node --import tsx bench/bare.ts parse|durable <port> [postgres-url]
import http from 'node:http';
import { connectPostgres } from '../server/db/url.ts';
import { fixedCapacity, valuesList } from '../server/db/values.ts';

const [mode, portArg, url] = process.argv.slice(2);
const port = Number(portArg);

function parseLines(body: Buffer): void {
  for (const line of body.toString('utf8').split('\n')) if (line) JSON.parse(line);
}

// One parameter per body, and a few fixed statement sizes padded with NULLs so that Postgres plans each
// once: as Faultline's queue insert does (pipeline/queue.ts, with the same db/values.ts). Until stop 13
// this sent the bodies as one text[] parameter, which postgres.js escapes character by character and
// Postgres then parses: measured side by side, that costs about twice the CPU on both sides and halved
// the rate (about 3,400 vs 6,300 bodies/s), so bare+durable read 0.20-0.25 of the ceiling instead of
// about 0.42.
function insert(bodies: string[]): { text: string; params: Array<string | null> } {
  const capacity = fixedCapacity(bodies.length) ?? bodies.length;
  const params: Array<string | null> = bodies.slice();
  while (params.length < capacity) params.push(null);
  return { text: `INSERT INTO bench_raw (body) SELECT b FROM (VALUES ${valuesList(capacity, ['text'])}) AS v(b) WHERE b IS NOT NULL`, params };
}

let commit: (body: string) => Promise<void> = async () => {};
if (mode === 'durable') {
  const sql = connectPostgres(url!, { max: 4, onnotice: () => {} });
  await sql.unsafe('CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, body text NOT NULL)');
  let waiting: Array<{ body: string; done: () => void; fail: (e: unknown) => void }> = [];
  let inFlight = 0;
  const flush = () => {
    while (inFlight < 3 && waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      inFlight++;
      const { text, params } = insert(batch.map((b) => b.body));
      sql
        .unsafe(text, params as string[], { prepare: true })
        .then(() => batch.forEach((b) => b.done()), (e) => batch.forEach((b) => b.fail(e)))
        .finally(() => {
          inFlight--;
          flush();
        });
    }
  };
  commit = (body) =>
    new Promise<void>((done, fail) => {
      waiting.push({ body, done, fail });
      if (waiting.length === 1) setImmediate(flush);
    });
}

http
  .createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        parseLines(body);
      } catch {
        res.writeHead(400).end('{"detail":"invalid"}');
        return;
      }
      commit(body.toString('utf8')).then(
        () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': '10' }).end('{"id":"0"}'),
        () => res.writeHead(503).end(),
      );
    });
  })
  .listen(port, '127.0.0.1', () => console.log(`bare ${mode} listening on ${port}`));
