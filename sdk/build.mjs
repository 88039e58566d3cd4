#!/usr/bin/env node
// `npm run build` (in sdk/): ESM and CommonJS builds of both entries, declaration files for each, a
// minified IIFE for <script> tags, and the size of a browser app's use of the SDK (init +
// captureException + logger, minified and gzipped), which must stay within 8 KB.
//
//   dist/node.mjs  dist/node.cjs  dist/browser.mjs  dist/browser.cjs  dist/faultline.min.js
//   dist/types/**/*.d.ts (+ .d.cts twins for `require`)
//
// esbuild and typescript come from the repository's node_modules (`npm ci` at the root). `npm install
// <faultline>/sdk` runs this as the package's `prepare` script.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const SDK = path.dirname(fileURLToPath(import.meta.url));
export const BROWSER_BUDGET = 8 * 1024;

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;

/** esbuild and typescript: the repository's (`npm ci` at its root installs both). */
async function tool(name) {
  try {
    return await import(name);
  } catch (err) {
    throw new Error(`@faultline/sdk build: cannot load ${name} (${err instanceof Error ? err.message : err}); run \`npm ci\` in the Faultline repository first`);
  }
}

/** Builds into `outdir` (default sdk/dist). Returns the sizes; throws if the browser budget is exceeded. */
export async function build({ outdir = path.join(SDK, 'dist'), quiet = false, types = true } = {}) {
  const esbuild = await tool('esbuild');
  const pkg = JSON.parse(fs.readFileSync(path.join(SDK, 'package.json'), 'utf8'));
  const util = fs.readFileSync(path.join(SDK, 'src/util.ts'), 'utf8');
  const srcVersion = /SDK_VERSION = '([^']+)'/.exec(util)?.[1];
  if (srcVersion !== pkg.version) throw new Error(`src/util.ts SDK_VERSION ${srcVersion} != package.json version ${pkg.version}`);

  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const common = { bundle: true, logLevel: 'warning', legalComments: 'none', sourcemap: 'linked', absWorkingDir: SDK };
  const node = { ...common, entryPoints: ['src/node/index.ts'], platform: 'node', target: 'node18' };
  const browser = { ...common, entryPoints: ['src/browser/index.ts'], platform: 'browser', target: 'es2020' };
  await Promise.all([
    esbuild.build({ ...node, format: 'esm', outfile: path.join(outdir, 'node.mjs') }),
    esbuild.build({ ...node, format: 'cjs', outfile: path.join(outdir, 'node.cjs') }),
    esbuild.build({ ...browser, format: 'esm', outfile: path.join(outdir, 'browser.mjs') }),
    esbuild.build({ ...browser, format: 'cjs', outfile: path.join(outdir, 'browser.cjs') }),
    esbuild.build({ ...browser, format: 'iife', globalName: 'Faultline', minify: true, outfile: path.join(outdir, 'faultline.min.js') }),
  ]);

  // The budget: what a browser app that reports errors and logs actually ships.
  const app = await esbuild.build({
    stdin: { contents: "import { init, captureException, logger } from './src/browser/index.ts';\nglobalThis.app = { init, captureException, logger };", resolveDir: SDK, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    absWorkingDir: SDK,
  });
  const appBytes = app.outputFiles[0].contents;
  const sizes = {
    browserApp: { min: appBytes.length, gzip: zlib.gzipSync(appBytes, { level: 9 }).length },
    iife: (() => {
      const b = fs.readFileSync(path.join(outdir, 'faultline.min.js'));
      return { min: b.length, gzip: zlib.gzipSync(b, { level: 9 }).length };
    })(),
  };

  if (types) emitTypes(outdir, (await tool('typescript')).default);

  if (!quiet) {
    for (const f of ['node.mjs', 'node.cjs', 'browser.mjs', 'browser.cjs']) console.log(`  dist/${f.padEnd(20)} ${kb(fs.statSync(path.join(outdir, f)).size)}`);
    console.log(`  dist/faultline.min.js      ${kb(sizes.iife.min)} min, ${kb(sizes.iife.gzip)} gzip (whole SDK, <script> global Faultline)`);
    console.log(`  browser app (init + captureException + logger): ${kb(sizes.browserApp.min)} min, ${kb(sizes.browserApp.gzip)} min+gzip (budget ${kb(BROWSER_BUDGET)})`);
  }
  if (sizes.browserApp.gzip > BROWSER_BUDGET) throw new Error(`browser bundle ${sizes.browserApp.gzip} bytes gzip exceeds the ${BROWSER_BUDGET} byte budget`);
  return sizes;
}

/** .d.ts for ESM, and .d.cts twins (specifiers `./x.js` → `./x.cjs`) so `require` users get CJS types. */
function emitTypes(outdir, ts) {
  const configPath = path.join(SDK, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, SDK);
  const typesDir = path.join(outdir, 'types');
  const program = ts.createProgram(parsed.fileNames, { ...parsed.options, outDir: typesDir, declaration: true, emitDeclarationOnly: true, noEmit: false });
  const result = program.emit();
  const errors = ts.getPreEmitDiagnostics(program).concat(result.diagnostics).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) throw new Error(ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => SDK, getNewLine: () => '\n' }));
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.d.ts')) {
        const text = fs.readFileSync(p, 'utf8').replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\.js\2/g, '$1$2$3.cjs$2');
        fs.writeFileSync(p.replace(/\.d\.ts$/, '.d.cts'), text);
      }
    }
  };
  walk(typesDir);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  build()
    .then(() => console.log(`  built sdk/dist in ${Date.now() - started} ms`))
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
