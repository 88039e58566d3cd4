// The ceilings the benchmark compares Faultline against, on the same machine in the same run:
//   parse:   a bare node:http server that reads the body and JSON.parses each line (no storage);
//   durable: the same, plus group commit of the raw bodies into one Postgres table, answering after
//            the commit: the price of "a 2xx means durable" with nothing else.
// usage: node --import tsx bench/bare.ts parse|durable <port> [postgres-url]
import http from 'node:http';
import postgres from 'postgres';

const [mode, portArg, url] = process.argv.slice(2);
const port = Number(portArg);

function parseLines(body: Buffer): void {
  for (const line of body.toString('utf8').split('\n')) if (line) JSON.parse(line);
}

let commit: (body: string) => Promise<void> = async () => {};
if (mode === 'durable') {
  const sql = postgres(url!, { max: 4, onnotice: () => {} });
  await sql.unsafe('CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, body text NOT NULL)');
  let waiting: Array<{ body: string; done: () => void; fail: (e: unknown) => void }> = [];
  let inFlight = 0;
  const flush = () => {
    while (inFlight < 3 && waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      inFlight++;
      sql
        .unsafe('INSERT INTO bench_raw (body) SELECT * FROM unnest($1::text[])', [batch.map((b) => b.body)] as never)
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
