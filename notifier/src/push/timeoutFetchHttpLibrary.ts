import { ResponseContext, SelfDecodingBody, wrapHttpLibrary, type HttpLibrary, type RequestContext } from '@onesignal/node-onesignal';

/**
 * The OneSignal client's transport with a deadline. The client's own fetch transport has none,
 * so a provider that accepts the connection and never answers would hold the notifier's batch
 * forever; with a deadline the attempt fails as transient and is retried with the same
 * idempotency key, which OneSignal de-duplicates.
 */
export function timeoutFetchHttpLibrary(timeoutMs: number): HttpLibrary {
  return wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      const signal = AbortSignal.timeout(timeoutMs);
      const response = await fetch(request.getUrl(), {
        method: request.getHttpMethod().toString(),
        headers: request.getHeaders(),
        // The notification endpoint only sends JSON strings, never form data.
        body: request.getBody() as string | undefined,
        signal,
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      // Read the body under the same deadline, so a stalled body counts as a timeout too.
      const body = Buffer.from(await response.arrayBuffer());
      return new ResponseContext(response.status, headers, new SelfDecodingBody(Promise.resolve(body)));
    },
  });
}
