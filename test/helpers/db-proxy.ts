// A TCP proxy in front of Postgres that can go down (every connection cut, nothing listening) and come
// back on the same port: a database restart or failover, as the server sees it (the spool's e2e test
// and bench/outage.ts).
import net from 'node:net';
import { postgresTarget } from '../../server/db/url.ts';
import { freePort } from './process.ts';

export class DatabaseProxy {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();

  private constructor(
    readonly port: number,
    private readonly target: net.NetConnectOpts,
    /** The database's URL through this proxy. */
    readonly url: string,
  ) {}

  /** A proxy, up, for the Postgres database at `databaseUrl` (TCP or Unix socket). */
  static async start(databaseUrl: string): Promise<DatabaseProxy> {
    const target = postgresTarget(databaseUrl);
    const u = new URL(target.url);
    const upstream: net.NetConnectOpts = target.host?.startsWith('/')
      ? { path: `${target.host}/.s.PGSQL.${target.port ?? 5432}` }
      : { host: target.host ?? u.hostname, port: target.port ?? Number(u.port || 5432) };
    const port = await freePort();
    const proxy = new DatabaseProxy(port, upstream, `postgres://${u.username || 'postgres'}@127.0.0.1:${port}${u.pathname}`);
    await proxy.up();
    return proxy;
  }

  up(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
