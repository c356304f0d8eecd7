import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** What the mobile app does, timed: POST a file, then follow the video until it is stored. */
export async function postVideo(commandApi: string, token: string, file: string): Promise<{ videoId: string; acceptedAt: number }> {
  const { size } = await stat(file);
  const response = await fetch(`${commandApi}/v1/videos?title=bench&fileName=bench.mp4`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4', 'content-length': String(size) },
    body: createReadStream(file) as unknown as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  if (response.status !== 202) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
  const { videoId } = (await response.json()) as { videoId: string };
  return { videoId, acceptedAt: performance.now() };
}

/** Long-polls the query API (ETag + waitSeconds) until the video is UPLOADED; the time it saw it. */
export async function waitUntilUploaded(queryApi: string, token: string, videoId: string): Promise<number> {
  let etag: string | undefined;
  for (;;) {
    const response = await fetch(`${queryApi}/v1/videos/${videoId}?waitSeconds=10`, {
      headers: { authorization: `Bearer ${token}`, ...(etag ? { 'if-none-match': etag } : {}) },
    });
    if (response.status === 404) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    etag = response.headers.get('etag') ?? undefined;
    if (response.status === 304) continue;
    const body = (await response.json()) as { status: string; failureReason: string | null };
    if (body.status === 'UPLOADED') return performance.now();
    if (body.status === 'FAILED') throw new Error(`upload failed: ${body.failureReason}`);
  }
}
