/**
 * A lean stand-in for the WHATWG Response, for the soak run only. Every reply on
 * the local seam (KVS emulator, Jira emulator, the runtime's re-wrap) is a
 * Response, and undici builds a web stream for each, which is most of an idle
 * invocation's cost. What the SDKs (@forge/kvs, @forge/api), the runtime and the
 * app read of a reply is exactly: ok, status, statusText, headers.get, text() and
 * json(). This object gives those and nothing else, so anything reaching for more
 * fails loudly instead of quietly behaving differently. `npm run soak --
 * --whatwg-responses` runs with undici's Response to compare the figures.
 */

class LeanHeaders {
  private readonly values = new Map<string, string>();

  constructor(init?: unknown) {
    if (init instanceof LeanHeaders) {
      for (const [k, v] of init.values) this.values.set(k, v);
    } else if (init && typeof init === 'object') {
      for (const [k, v] of Object.entries(init as Record<string, unknown>)) this.values.set(k.toLowerCase(), String(v));
    }
  }

  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }
}

class LeanResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: LeanHeaders;
  private readonly content: string;

  constructor(body?: string | null, init: { status?: number; statusText?: string; headers?: unknown } = {}) {
    if (body !== null && body !== undefined && typeof body !== 'string') {
      throw new TypeError('LeanResponse carries string bodies only');
    }
    this.content = body ?? '';
    this.status = init.status ?? 200;
    this.statusText = init.statusText ?? '';
    this.headers = new LeanHeaders(init.headers);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  async text(): Promise<string> {
    return this.content;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.content);
  }
}

/** Replace the global Response in this thread; call before any reply is built. */
export function installLeanResponses(): void {
  (globalThis as { Response: unknown }).Response = LeanResponse;
}
