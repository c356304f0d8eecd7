/**
 * An HTTP proxy on loopback in front of the test s3rver that injects S3's bad minutes: error
 * answers (500/503 bursts, 403, a missing bucket), slow answers, connections reset mid-request,
 * requests that hang, and a throttled upstream. It also counts the request-body bytes it
 * forwards for part uploads, so a test can measure how much an upload sent again after a crash.
 * Only the test's requests pass through it; the S3 client signs for the proxy's host, which
 * s3rver checks against the Host header it receives, so signatures stay valid.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

/** Which S3 operation a request is, as far as the proxy needs to know. */
export type S3Operation = 'UploadPart' | 'UploadPartCopy' | 'CopyObject' | 'CreateMultipartUpload' | 'CompleteMultipartUpload' | 'AbortMultipartUpload' | 'PutObject' | 'other';

export type S3Fault =
  | { readonly kind: 'status'; readonly status: number; readonly code: string; readonly message?: string }
  | { readonly kind: 'reset' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'hang' };

export interface S3FaultRule {
  readonly fault: S3Fault;
  /** The operations it applies to; all when unset. */
  readonly operations?: readonly S3Operation[];
  /** How many matching requests it hits; unlimited when unset. */
  readonly times?: number;
}

export interface S3FaultProxyStats {
  readonly requests: number;
  /** Requests answered with a fault instead of (or before) reaching s3rver. */
  readonly faultsInjected: number;
  /** UploadPart requests that reached s3rver (in full or in part). */
  readonly partRequests: number;
  /** UploadPartCopy requests that reached the store (server-side copies: no body). */
  readonly partCopyRequests: number;
  /** CopyObject requests that reached the store (a whole object copied server-side). */
  readonly objectCopyRequests: number;
  /** Request-body bytes of UploadPart and PutObject forwarded to s3rver. */
  readonly bodyBytesForwarded: number;
}

export interface S3FaultProxy {
  readonly url: string;
  /** Adds a rule; rules are tried in the order added, and the first that matches applies. */
  inject(rule: S3FaultRule): void;
  clearFaults(): void;
  /** Caps the client → s3rver body rate (bytes a second); undefined lifts the cap. */
  throttle(bytesPerSecond: number | undefined): void;
  stats(): S3FaultProxyStats;
  close(): Promise<void>;
}

export function s3OperationOf(method: string, url: string, headers: Readonly<Record<string, unknown>> = {}): S3Operation {
  const query = new URL(url, 'http://proxy').searchParams;
  if (method === 'PUT' && query.has('partNumber') && query.has('uploadId')) return 'x-amz-copy-source' in headers ? 'UploadPartCopy' : 'UploadPart';
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && query.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'DELETE' && query.has('uploadId')) return 'AbortMultipartUpload';
  if (method === 'PUT' && 'x-amz-copy-source' in headers) return 'CopyObject';
  if (method === 'PUT' && new URL(url, 'http://proxy').pathname.split('/').filter(Boolean).length >= 2) return 'PutObject';
  return 'other';
}

export async function startS3FaultProxy(targetUrl: string, options: { bytesPerSecond?: number } = {}): Promise<S3FaultProxy> {
  const target = new URL(targetUrl);
  const rules: { rule: S3FaultRule; left: number }[] = [];
  const sockets = new Set<Socket>();
  let bytesPerSecond = options.bytesPerSecond;
  const counts = { requests: 0, faultsInjected: 0, partRequests: 0, partCopyRequests: 0, objectCopyRequests: 0, bodyBytesForwarded: 0 };

  const faultFor = (operation: S3Operation): S3Fault | undefined => {
    const found = rules.find(({ rule, left }) => left > 0 && (!rule.operations || rule.operations.includes(operation)));
    if (!found) return undefined;
    found.left -= 1;
    return found.rule.fault;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, operation: S3Operation) => {
    const upstream = http.request(
      { host: target.hostname, port: Number(target.port), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    const counted = operation === 'UploadPart' || operation === 'PutObject';
    if (operation === 'UploadPart') counts.partRequests += 1;
    if (operation === 'UploadPartCopy') counts.partCopyRequests += 1;
    if (operation === 'CopyObject') counts.objectCopyRequests += 1;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        if (counted) counts.bodyBytesForwarded += chunk.length;
        if (!bytesPerSecond) return callback(null, chunk);
        this.push(chunk);
        setTimeout(callback, (chunk.length / bytesPerSecond) * 1000);
      },
    });
    req.pipe(meter).pipe(upstream);
  };

  const server = http.createServer((req, res) => {
    counts.requests += 1;
    const operation = s3OperationOf(req.method ?? 'GET', req.url ?? '/', req.headers);
    const fault = faultFor(operation);
    if (!fault) return forward(req, res, operation);
    counts.faultsInjected += 1;
    switch (fault.kind) {
      case 'status':
        req.resume();
        req.on('end', () => {
          const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>${fault.message ?? 'injected by the test'}</Message><RequestId>fault</RequestId></Error>`;
          res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'delay': {
        const timer = setTimeout(() => forward(req, res, operation), fault.ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'hang':
        req.resume();
        return;
      default: {
        const never: never = fault;
        return never;
      }
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    inject: (rule) => rules.push({ rule, left: rule.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => {
      rules.length = 0;
    },
    throttle: (rate) => {
      bytesPerSecond = rate;
    },
    stats: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
