import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import net from 'node:net';
import { setTimeout } from 'node:timers/promises';
import { startTestCommandApi } from './testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const TRIES = 50;
const BODY = 2 * 1024 * 1024;
/** The body goes out 64 KiB every 4 ms (about 16 MB/s, a good Wi-Fi): still being sent when the server answers. */
const CHUNK = 64 * 1024;
const CHUNK_PAUSE_MS = 4;
/** Tries sent at the same time. */
const PARALLEL = 10;
const UPLOAD = '/v1/videos?title=Holiday&fileName=holiday.mp4';

/**
 * Writes the whole request, body included, without waiting for `100 Continue` and without
 * reading anything until the last byte is written, as a phone's HTTP stack does (OkHttp,
 * NSURLSession): only then does it read the answer. A write that fails (the server reset the
 * connection) ends the attempt, as it makes such a client report a network error. The status
 * read, or null.
 */
async function sendWithoutWaiting(port: number, head: string, body: Buffer): Promise<number | null> {
  const socket = net.connect(port, '127.0.0.1');
  socket.pause();
  const failed = new Promise<null>((resolve) => socket.once('error', () => resolve(null)));
  const write = (chunk: Buffer | string) => new Promise<boolean>((resolve) => socket.write(chunk, (error) => resolve(!error)));
  const written = (async () => {
    if (!(await write(`${head}\r\n\r\n`))) return false;
    for (let offset = 0; offset < body.length; offset += CHUNK) {
      if (!(await write(body.subarray(offset, offset + CHUNK)))) return false;
      await setTimeout(CHUNK_PAUSE_MS);
    }
    return true;
  })();
  try {
    if (!(await Promise.race([written, failed]))) return null;
    const answer = await Promise.race([failed, readStatus(socket)]);
    return answer;
  } finally {
    socket.destroy();
  }
}

/** Reads until a status line has arrived, the connection ends, or 10 s pass. */
function readStatus(socket: net.Socket): Promise<number | null> {
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const done = () => {
      clearTimeout(deadline);
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(Buffer.concat(received).toString('latin1'));
      resolve(match ? Number(match[1]) : null);
    };
    const deadline = globalThis.setTimeout(done, 10_000);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (/^HTTP\/1\.1 \d{3} /.test(Buffer.concat(received).toString('latin1'))) done();
    });
    socket.on('end', done);
    socket.on('close', done);
    socket.resume();
  });
}

describe('early refusals reach a client that sends its body without waiting (lingering close)', () => {
  let api: Api;
  let port: number;
  let token: string;
  const video = Buffer.alloc(BODY, 7);
  video.write('\x00\x00\x00\x18ftypisom', 0, 'latin1');
  const text = Buffer.alloc(BODY, 'this is not a video ');

  beforeAll(async () => {
    api = await startTestCommandApi({ maxUploadBytes: BODY, limits: { maxConcurrentUploadsPerUser: PARALLEL } });
    port = Number(new URL(api.url).port);
    token = await api.tokenFor('alice');
  });
  afterAll(async () => {
    await api.dispose();
  });

  const head = (lines: string[], length = BODY) => [`POST ${UPLOAD} HTTP/1.1`, 'Host: reelay.test', 'Content-Type: video/mp4', `Content-Length: ${length}`, ...lines].join('\r\n');
  const cases: Array<[number, string, () => [string, Buffer]]> = [
    [401, 'a bad token', () => [head(['Authorization: Bearer not.a.token']), video]],
    [413, 'a body over MAX_UPLOAD_BYTES', () => [head([`Authorization: Bearer ${token}`], BODY + 1), Buffer.concat([video, Buffer.alloc(1)])]],
    [415, 'bytes that are not a video', () => [head([`Authorization: Bearer ${token}`]), text]],
    [431, 'a 64 KiB header', () => [head([`Authorization: Bearer ${token}`, `X-Padding: ${'p'.repeat(64 * 1024)}`]), video]],
  ];

  it(`reads 401, 413, 415 and 431 in ${TRIES} of ${TRIES} tries each, with a 2 MiB body sent at once`, async () => {
    const read: Record<number, number> = {};
    const other: Record<string, number> = {};
    for (const [status, , build] of cases) {
      read[status] = 0;
      for (let i = 0; i < TRIES; i += PARALLEL) {
        const answers = await Promise.all(Array.from({ length: PARALLEL }, () => sendWithoutWaiting(port, ...build())));
        read[status] += answers.filter((answer) => answer === status).length;
        for (const answer of answers.filter((a) => a !== status)) other[`${status}→${answer ?? 'reset'}`] = (other[`${status}→${answer ?? 'reset'}`] ?? 0) + 1;
      }
    }
    console.info(`answers read out of ${TRIES}: ${JSON.stringify(read)}; other outcomes: ${JSON.stringify(other)}`);
    expect(read).toEqual({ 401: TRIES, 413: TRIES, 415: TRIES, 431: TRIES });
    expect(await api.allEvents()).toEqual([]);
  }, 120_000);
});
