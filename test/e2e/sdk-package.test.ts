// The SDK as an app gets it: `sdk/` built by its own build (ESM, CJS, types, the browser budget) and
// installed as node_modules/@faultline/sdk of a throwaway app. Node picks the Node build for `import`
// and `require`, a bundler targeting browsers picks the browser build and pulls in nothing else, and
// TypeScript finds the declarations through `exports` in every resolution mode. The build also
// type-checks sdk/src with sdk/tsconfig.json (it throws on any error).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_BUDGET, build, type BuildSizes } from '../../sdk/build.mjs';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'sdk/package.json'), 'utf8'));

let app = '';
let installed = '';
let sizes: BuildSizes;

beforeAll(async () => {
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-sdk-pkg-'));
  installed = path.join(app, 'node_modules/@faultline/sdk');
  fs.mkdirSync(installed, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'sdk/package.json'), path.join(installed, 'package.json'));
  sizes = await build({ outdir: path.join(installed, 'dist'), quiet: true, types: true });
  fs.writeFileSync(path.join(app, 'package.json'), '{"name":"an-app","private":true}');
}, 120_000);

afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

const node = async (args: string[]) => (await run(process.execPath, args, { cwd: app, timeout: 30_000 })).stdout.trim();

describe('@faultline/sdk as a package', () => {
  it('is named @faultline/sdk, builds with its own script, and has no runtime dependencies', () => {
    expect(pkg.name).toBe('@faultline/sdk');
    expect(pkg.scripts.build).toBe('node build.mjs');
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.files).toContain('dist');
  });

  it('every file `exports` points at was built', () => {
    const targets: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === 'string') targets.push(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(pkg.exports);
    walk([pkg.main, pkg.module, pkg.types]);
    const missing = targets.filter((t) => t.startsWith('./dist/') && !fs.existsSync(path.join(installed, t)));
    expect(targets.length).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });

  it('keeps a browser app (init + captureException + logger) within 8 KB min+gzip', () => {
    expect(BROWSER_BUDGET).toBe(8 * 1024);
    expect(sizes.browserApp.gzip).toBeGreaterThan(1000);
    expect(sizes.browserApp.gzip).toBeLessThanOrEqual(BROWSER_BUDGET);
  });

  it('Node gets the Node build, by import and by require; the browser entry is there by name', async () => {
    expect(await node(['--input-type=module', '-e', "import * as F from '@faultline/sdk'; console.log(F.SDK_NAME, typeof F.init, typeof F.logger.fmt)"])).toBe('faultline.javascript.node function function');
    expect(await node(['-e', "const F = require('@faultline/sdk'); console.log(F.SDK_NAME, typeof F.captureException)"])).toBe('faultline.javascript.node function');
    expect(await node(['--input-type=module', '-e', "import { SDK_NAME } from '@faultline/sdk/node'; console.log(SDK_NAME)"])).toBe('faultline.javascript.node');
    expect(await node(['--input-type=module', '-e', "import { SDK_NAME } from '@faultline/sdk/browser'; console.log(SDK_NAME)"])).toBe('faultline.javascript.browser');
  });

  it('a bundler targeting browsers gets the browser build and nothing else', async () => {
    const out = await esbuild.build({
      stdin: { contents: "import { init, captureException, logger } from '@faultline/sdk';\ninit({ dsn: 'https://k@example.com/1' });\nexport { captureException, logger };", resolveDir: app, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      absWorkingDir: app,
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs).filter((i) => i !== '<stdin>');
    expect(inputs).toEqual(['node_modules/@faultline/sdk/dist/browser.mjs']);
    const code = out.outputFiles[0].text;
    expect(code).toContain('faultline.javascript.browser');
    expect(code).not.toMatch(/\brequire\(|from ["']node:|process\.on\(/);
  });

  it('TypeScript finds the types through `exports` (node16 ESM and CJS, bundler) and checks the options', () => {
    const good = "import * as F from '@faultline/sdk';\nF.init({ dsn: 'https://k@h/1', release: 'a@1', sampleRate: 0.5, beforeSend: (e) => e, maxQueue: 10 });\nconst id: string = F.captureException(new Error('x'), { fingerprint: ['a'], level: 'fatal', tags: { a: 1 }, extra: { b: 2 } });\nF.logger.info(F.logger.fmt`user ${id} in`, { n: 1 });\nF.withScope((s) => s.setTag('t', 'v'));\nvoid F.flush(100).then((ok: boolean) => ok);\n";
    const bad = "import * as F from '@faultline/sdk';\nF.init({ dsn: 42 });\nF.captureMessage('m', 'loud');\n";
    const check = (file: string, text: string, options: ts.CompilerOptions) => {
      fs.writeFileSync(path.join(app, file), text);
      const program = ts.createProgram([path.join(app, file)], { strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], ...options });
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    };
    const modes: Array<[string, ts.CompilerOptions]> = [
      ['mts', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
      ['cts', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
      ['ts', { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }],
    ];
    for (const [ext, options] of modes) {
      expect(check(`good.${ext}`, good, options), ext).toEqual([]);
      const errors = check(`bad.${ext}`, bad, options);
      expect(errors, ext).toHaveLength(2);
      expect(errors.join('\n'), ext).not.toMatch(/Cannot find module/);
    }
  });
});
