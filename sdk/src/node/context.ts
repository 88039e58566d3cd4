// Runtime, OS, device, app and culture contexts, as @sentry/node sends them (protocol §5.5).
// The static part is computed once; /etc/os-release is read asynchronously at startup.

import { readFile } from 'node:fs/promises';
import os from 'node:os';

const OS_NAMES: Record<string, string> = { darwin: 'macOS', win32: 'Windows', linux: 'Linux', freebsd: 'FreeBSD', openbsd: 'OpenBSD', sunos: 'SunOS', aix: 'AIX' };

export function createNodeContexts(): () => Record<string, Record<string, unknown>> {
  const appStart = new Date(Date.now() - process.uptime() * 1000).toISOString();
  const osContext: Record<string, unknown> = { name: OS_NAMES[process.platform] ?? process.platform, kernel_version: os.release() };
  if (process.platform === 'linux') {
    readFile('/etc/os-release', 'utf8')
      .then((text) => {
        const field = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1];
        const name = field('NAME');
        if (name) osContext.name = name.replace(/ GNU\/Linux$/, '');
        const version = field('VERSION_ID');
        if (version) osContext.version = version;
      })
      .catch(() => undefined);
  } else if (process.platform === 'darwin' || process.platform === 'win32') {
    osContext.version = os.release();
  }
  let cpus: os.CpuInfo[] = [];
  try {
    cpus = os.cpus();
  } catch {
    // unknown
  }
  let culture: Record<string, unknown> = {};
  try {
    const o = Intl.DateTimeFormat().resolvedOptions();
    culture = { locale: o.locale, timezone: o.timeZone };
  } catch {
    // unknown
  }
  return () => ({
    runtime: { name: 'node', version: process.version },
    os: { ...osContext },
    device: { arch: os.arch(), memory_size: os.totalmem(), free_memory: os.freemem(), processor_count: cpus.length, cpu_description: cpus[0]?.model },
    app: { app_start_time: appStart, app_memory: process.memoryUsage.rss() },
    culture,
  });
}
