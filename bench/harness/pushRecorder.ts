import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A STAND-IN for OneSignal (which cannot be reached from here) that notes when each push
 * arrives, by video id, so the benchmark can time UploadCompleted → push request.
 */
export async function startPushRecorder(): Promise<{ url: string; arrivals: Map<string, number>; close(): Promise<void> }> {
  const arrivals = new Map<string, number>();
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const at = Date.now();
      try {
        const videoId = (JSON.parse(body) as { data?: { videoId?: string } }).data?.videoId;
        if (videoId && !arrivals.has(videoId)) arrivals.set(videoId, at);
      } catch {
        // not a notification; answered all the same
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `n-${arrivals.size}`, external_id: null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
