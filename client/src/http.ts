import { httpErrorOf } from './errors';

/** A bearer token, or a function the SDK calls before every request (so a refreshed token is used). */
export type TokenSource = string | (() => string | Promise<string>);

export interface ApiEndpoints {
  /** Where the command API is, e.g. `https://upload.example.com` (uploads, delete, retry). */
  readonly commandApiUrl: string;
  /** Where the query API is (status, lists). May be the same origin behind one gateway. */
  readonly queryApiUrl: string;
}

/** What every call needs: where the APIs are, the caller's token, and the platform's `fetch`. */
export class ApiTransport {
  readonly commandApiUrl: string;
  readonly queryApiUrl: string;

  constructor(
    endpoints: ApiEndpoints,
    private readonly token: TokenSource,
    private readonly fetchImpl: typeof fetch,
  ) {
    this.commandApiUrl = endpoints.commandApiUrl.replace(/\/+$/, '');
    this.queryApiUrl = endpoints.queryApiUrl.replace(/\/+$/, '');
  }

  async authorization(): Promise<string> {
    return `Bearer ${typeof this.token === 'function' ? await this.token() : this.token}`;
  }

  /** A request with the caller's token; answers outside 2xx/304 are not thrown here. */
  async send(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    return this.fetchImpl(url, { ...init, headers: { accept: 'application/json', ...init.headers, authorization: await this.authorization() } });
  }

  /** A request whose 2xx JSON body is the answer; anything else throws ReelayHttpError. */
  async json<T>(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<T> {
    const response = await this.send(url, init);
    if (!response.ok) throw await httpErrorOf(response);
    return (await response.json()) as T;
  }
}
