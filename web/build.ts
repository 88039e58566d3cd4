// `npm run build`: builds the UI into web/dist with Vite, writes gzip and brotli copies of every asset
// (the server sends them as they are), and prints the sizes, first-load JS included.
// `--if-needed` (used by `npm start`) builds only when web/dist is missing or older than the sources.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'vite';

const WEB = import.meta.dirname;
const DIST = path.join(WEB, 'dist');
/** Issue budget for the first load: JavaScript, gzip. */
const FIRST_LOAD_BUDGET = 250 * 1024;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

export function needsBuild(): boolean {
  const index = path.join(DIST, 'index.html');
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  const sources = Math.max(newestMtime(path.join(WEB, 'src')), fs.statSync(path.join(WEB, 'index.html')).mtimeMs, fs.statSync(path.join(WEB, 'vite.config.ts')).mtimeMs);
  return sources > built;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export async function buildWeb({ quiet = false } = {}): Promise<void> {
  // Vite takes NODE_ENV from the environment when it is set, and a test runner sets it to `test`: the
  // bundle would then carry React's development build (larger and slower), and `npm start` after
  // `npm test` would serve it. web/dist is always the production build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(WEB, 'vite.config.ts'), logLevel: quiet ? 'warn' : 'info' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const rows: Array<[string, number, number, number]> = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(js|css|html|svg|json)$/.test(entry.name)) {
        const raw = fs.readFileSync(p);
        const gz = zlib.gzipSync(raw, { level: 9 });
        const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
        fs.writeFileSync(`${p}.gz`, gz);
        fs.writeFileSync(`${p}.br`, br);
        rows.push([path.relative(DIST, p), raw.length, gz.length, br.length]);
      }
    }
  };
  walk(DIST);
  // First load: the scripts and styles index.html references (not lazily loaded chunks).
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const firstLoad = rows.filter(([f]) => f.endsWith('.js') && html.includes(f.replace(/\\/g, '/')));
  const firstLoadGz = firstLoad.reduce((n, r) => n + r[2], 0);
  if (!quiet) {
    console.log('\n  web/dist                                   raw        gzip      brotli');
    for (const [f, raw, gz, br] of rows.sort((a, b) => b[1] - a[1])) console.log(`  ${f.padEnd(40)} ${kb(raw).padStart(9)} ${kb(gz).padStart(10)} ${kb(br).padStart(10)}`);
  }
  console.log(`  first-load JS: ${kb(firstLoadGz)} gzip (budget ${kb(FIRST_LOAD_BUDGET)})${firstLoadGz > FIRST_LOAD_BUDGET ? '  OVER BUDGET' : ''}`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('web/build.ts')) {
  const ifNeeded = process.argv.includes('--if-needed');
  if (ifNeeded && !needsBuild()) process.exit(0);
  if (ifNeeded) console.log('Building the web UI (first start or sources changed)...');
  await buildWeb({ quiet: ifNeeded });
}
