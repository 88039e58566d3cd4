// A browser-like client for the people tests: signs in, keeps the session cookie and the CSRF token.
import type { TestServer } from '../helpers/server.ts';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class Browser {
  cookie: string | null = null;
  csrf: string | null = null;

  constructor(
    private readonly s: TestServer,
    /** Client address (the tests run with FAULTLINE_TRUST_PROXY, so X-Forwarded-For counts). */
    readonly ip = '203.0.113.1',
  ) {}

  async call<T = any>(method: string, path: string, json?: unknown, opts: { csrf?: boolean | string } = {}): Promise<Reply<T>> {
    const headers = new Headers({ 'x-forwarded-for': this.ip });
    if (this.cookie) headers.set('cookie', this.cookie);
    const csrf = opts.csrf ?? true;
    if (csrf && method !== 'GET') {
      const value = typeof csrf === 'string' ? csrf : this.csrf;
      if (value) headers.set('x-csrf-token', value);
    }
    if (json !== undefined) headers.set('content-type', 'application/json');
    const res = await this.s.req(path.startsWith('/api/') ? path : `/api/0${path}`, { method, headers, body: json !== undefined ? JSON.stringify(json) : undefined });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, value] = pair.split('=');
      if (name === 'faultline_session') this.cookie = value ? pair : null;
    }
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  }

  async login(email: string, password: string): Promise<Reply> {
    const res = await this.call('POST', '/auth/login/', { email, password });
    if (res.status === 200) this.csrf = res.body.csrfToken;
    return res;
  }
}

export const ADMIN_EMAIL = 'admin@faultline.local';
export const ADMIN_PASSWORD = 'test-password-123';
