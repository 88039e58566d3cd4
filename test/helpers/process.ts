// Starts the server as a child process, exactly as `npm start` does, and reads its banner; or runs
// server/main.ts to its end (the CLI, a start that fails).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** package.json's `start` and `faultline` scripts without the leading `node`: node's flags, then server/main.ts. */
const SCRIPTS = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const START_ARGS = SCRIPTS.start.split(' ').slice(1);
const CLI_ARGS = SCRIPTS.faultline.split(' ').slice(1);

export interface ServerProcess {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output: string;
  /** The DSN the banner printed ('' if none). */
  dsn: string;
  /** SIGTERM, then wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (no shutdown code runs), then wait for exit. */
  kill(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Environment for a child server: ours without any Faultline settings, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('FAULTLINE_') || ['DATABASE_URL', 'PORT', 'PUBLIC_URL', 'NODE_OPTIONS', 'VITEST', 'TEST'].includes(k)) continue;
    base[k] = v;
  }
  return { ...base, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env };
}

/** Runs `server/main.ts <args>` to its end, in the environment a child server gets: exit code and output. */
export function runMain(env: Record<string, string>, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI_ARGS, ...args], { cwd: ROOT, env: childEnv(env), timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

export async function startServerProcess(env: Record<string, string>, args: string[] = [], timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), ...START_ARGS, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: ServerProcess = {
    child,
    output: '',
    dsn: '',
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
  child.stdout!.on('data', (d) => (proc.output += d));
  child.stderr!.on('data', (d) => (proc.output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${proc.output}`)), timeoutMs);
    const check = () => {
      if (/Faultline is running at/.test(proc.output) && /\n\s*\n\s*$/.test(proc.output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${proc.output}`));
    });
  });
  proc.dsn = /DSN:\s+(\S+)/.exec(proc.output)?.[1] ?? '';
  return proc;
}
