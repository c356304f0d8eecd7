import { createHash } from 'node:crypto';
import { backoffDelay } from '@reelay/contracts';
import { PHONE_RETRY, type SentVideo } from '../chaos/phone';

export interface TusSentVideo extends SentVideo {
  /** Bytes of the video the phone sent in PATCH bodies, resends included. */
  readonly bytesSent: number;
  /** Times it had to ask for the offset (HEAD) and resume after a cut-off request. */
  readonly resumes: number;
  /** Times the server no longer knew the upload (HEAD 404) and the phone began a new one from byte 0. */
  readonly restarts: number;
}

export interface TusPhoneOptions {
  /** Bytes per PATCH: small enough that an API killed meets uploads half sent. */
  readonly chunkBytes: number;
  readonly timeoutMs: number;
  /** Told when a PATCH starts and ends, so a fault can aim at uploads in flight. */
  readonly onPatch?: (inFlight: 1 | -1) => void;
  /** The query API: asked whether a video the command API forgot the upload of was recorded after all. */
  readonly queryApi: string;
  readonly log?: (line: string) => void;
  /** Called once per upload when its HEADs have failed for `stuckAfterMs`: the soak then logs the cluster's state. */
  readonly onStuck?: (uploadUrl: string, headers: Record<string, string>, outcomes: string) => void;
  readonly stuckAfterMs?: number;
}

/** The server no longer knows the upload (HEAD 404). */
class UploadForgotten extends Error {}

const RETRYABLE = new Set([408, 409, 423, 429, 500, 502, 503, 504]);
const TUS = { 'tus-resumable': '1.0.0' };
const b64 = (text: string) => Buffer.from(text).toString('base64');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Uploads a video over tus the way a phone in the background does, through the balancer: chunked
 * PATCHes, and after a lost connection or a `5xx` a HEAD for the offset the server kept, then
 * only the rest. Any command API may answer any request (no stickiness).
 */
export async function sendVideoByTus(commandApi: string, token: string, userId: string, bytes: Buffer, options: TusPhoneOptions): Promise<TusSentVideo> {
  const deadline = Date.now() + options.timeoutMs;
  let bytesSent = 0;
  let resumes = 0;
  for (let restarts = 0; ; restarts += 1) {
    const tried = await tusUpload(commandApi, token, bytes, options, deadline, (sent) => (bytesSent += sent), () => (resumes += 1)).catch(async (error: unknown) => {
      if (!(error instanceof UploadForgotten)) throw error;
      // As tus-js-client does on a 404: a new upload, unless the video was recorded after all.
      const videoId = error.message;
      if (await recorded(options.queryApi, token, videoId)) return { videoId };
      options.log?.(`tus upload of video ${videoId} forgotten by the server (HEAD 404) and never recorded: starting a new upload`);
      return undefined;
    });
    if (tried) return { videoId: tried.videoId, userId, sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length, attempts: 1 + resumes, bytesSent, resumes, restarts };
  }
}

async function tusUpload(
  commandApi: string,
  token: string,
  bytes: Buffer,
  options: TusPhoneOptions,
  deadline: number,
  countSent: (bytes: number) => void,
  countResume: () => void,
): Promise<{ videoId: string }> {
  const auth = { authorization: `Bearer ${token}`, ...TUS };
  let last = '';
  // What every HEAD of this upload got, for a phone that gives up.
  const heads = new Map<string, number>();
  const giveUpIfLate = () => {
    if (Date.now() > deadline) throw new Error(`the tus upload did not finish (last: ${last}; HEADs: ${describe(heads)})`);
  };
  const attempt = async <T>(step: () => Promise<T | undefined>): Promise<T> => {
    for (let tries = 1; ; tries += 1) {
      try {
        const result = await step();
        if (result !== undefined) return result;
      } catch (error) {
        if (error instanceof UploadForgotten || (error as Error).message.startsWith('tus ')) throw error;
        last = (error as Error).message;
      }
      giveUpIfLate();
      await sleep(backoffDelay(tries, PHONE_RETRY));
    }
  };
  const refuse = (what: string, status: number, text: string) => {
    if (!RETRYABLE.has(status)) throw new Error(`tus ${what} answered ${status}: ${text.slice(0, 300)}`);
    last = `${what} ${status} ${text.slice(0, 200)}`;
    return undefined;
  };

  const created = await attempt(async () => {
    const response = await fetch(`${commandApi}/v1/uploads`, {
      method: 'POST',
      headers: { ...auth, 'upload-length': String(bytes.length), 'upload-metadata': `title ${b64('cluster soak')},fileName ${b64('soak.mp4')},filetype ${b64('video/mp4')}` },
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (response.status !== 201) return refuse('POST', response.status, text);
    return { url: new URL(response.headers.get('location') ?? '', `${commandApi}/v1/uploads/`).toString(), videoId: response.headers.get('reelay-video-id') ?? '' };
  });

  let offset = 0;
  let finished = false;
  while (!finished) {
    giveUpIfLate();
    const end = Math.min(bytes.length, offset + options.chunkBytes);
    const body = bytes.subarray(offset, end);
    options.onPatch?.(1);
    let cutOff = false;
    try {
      countSent(body.length);
      const response = await fetch(created.url, {
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status === 204) {
        offset = Number(response.headers.get('upload-offset'));
        finished = offset === bytes.length;
      } else {
        refuse('PATCH', response.status, text);
        cutOff = true;
      }
    } catch (error) {
      if ((error as Error).message.startsWith('tus ')) throw error;
      last = (error as Error).message;
      cutOff = true;
    } finally {
      options.onPatch?.(-1);
    }
    if (!cutOff) continue;
    countResume();
    // The server kept what it stored; ask for its offset (any API answers) and send the rest.
    const headsSince = Date.now();
    let toldStuck = false;
    offset = await attempt(async () => {
      if (!toldStuck && Date.now() - headsSince > (options.stuckAfterMs ?? 30_000)) {
        toldStuck = true;
        options.onStuck?.(created.url, auth, describe(heads));
      }
      const response = await fetch(created.url, { method: 'HEAD', headers: auth, signal: AbortSignal.timeout(10_000) }).catch((error: unknown) => {
        count(heads, `${(error as Error).name}`);
        throw error;
      });
      await response.arrayBuffer();
      // The balancer's own answers carry no request id; every API answer does.
      count(heads, `${response.status} from ${response.headers.get('x-request-id') ? 'an API' : 'the balancer'}`);
      if (response.status === 404) throw new UploadForgotten(created.videoId);
      if (response.status !== 200) return refuse('HEAD', response.status, '');
      return Number(response.headers.get('upload-offset'));
    });
    // All bytes there but the finishing PATCH's answer lost: an empty PATCH asks the server to finish it.
    if (offset === bytes.length) finished = await finishEmpty(created.url, auth, offset);
  }
  return { videoId: created.videoId };
}

function count(tally: Map<string, number>, outcome: string): void {
  tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
}

function describe(tally: Map<string, number>): string {
  return [...tally].map(([outcome, times]) => `${outcome} ×${times}`).join(', ') || 'none';
}

/**
 * Whether the video was recorded after all (briefly retried: the read model follows the log). A
 * video whose bytes were still arriving is shown too (`progress.phase` `receiving`, from its
 * intake-progress row, which may outlive a forgotten upload): that is not recorded.
 */
async function recorded(queryApi: string, token: string, videoId: string): Promise<boolean> {
  for (let tries = 0; tries < 20; tries += 1) {
    const response = await fetch(`${queryApi}/v1/videos/${videoId}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    if (response?.status === 200) {
      const video = (await response.json().catch(() => ({}))) as { progress?: { phase?: string } };
      if (video.progress?.phase !== 'receiving') return true;
    } else await response?.arrayBuffer();
    await sleep(500);
  }
  return false;
}

async function finishEmpty(url: string, auth: Record<string, string>, offset: number): Promise<boolean> {
  const response = await fetch(url, {
    method: 'PATCH',
    headers: { ...auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
    body: new Uint8Array(0),
    signal: AbortSignal.timeout(30_000),
  }).catch(() => undefined);
  await response?.arrayBuffer();
  return response?.status === 204;
}
