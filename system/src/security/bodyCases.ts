import { rawExchange } from './rawHttp';
import { UPLOAD, fromRaw, call, upload, uploadHead, trickle, expectHeader, RATE_LIMIT_MAX, type BadInputCase } from './badInputKit';

/** Upload bodies that are too big, not a video, cut off, stalled or smuggled, and uploads beyond the user's limits. */
export const BODY_CASES: readonly BadInputCase[] = [
  // Sizes and types
  { name: 'a declared size over MAX_UPLOAD_BYTES', api: 'command', status: 413, send: upload(UPLOAD, { body: (c) => Buffer.concat([c.h.video, c.h.video]) }) },
  {
    name: 'a chunked body that grows over MAX_UPLOAD_BYTES',
    api: 'command',
    status: 413,
    send: upload(UPLOAD, {
      body: (c) => {
        const chunks = [c.h.video, c.h.video];
        return new ReadableStream({ pull: (controller) => (chunks.length ? controller.enqueue(chunks.shift()) : controller.close()) }) as unknown as RequestInit['body'];
      },
    }),
  },
  { name: 'an empty body', api: 'command', status: 415, send: upload(UPLOAD, { body: () => Buffer.alloc(0) }) },
  { name: 'text sent as video/mp4', api: 'command', status: 415, send: upload(UPLOAD, { body: () => Buffer.from('plain text pretending to be a video, long enough to be sniffed') }) },
  {
    name: 'a PNG sent as video/mp4',
    api: 'command',
    status: 415,
    send: upload(UPLOAD, { body: () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(5000)]) }),
  },
  { name: 'four bytes "ftyp"', api: 'command', status: 415, send: upload(UPLOAD, { body: () => Buffer.from('ftyp') }) },
  { name: 'a real video sent as application/json', api: 'command', status: 415, send: upload(UPLOAD, { headers: { 'content-type': 'application/json' } }) },
  { name: 'a real video sent as text/plain', api: 'command', status: 415, send: upload(UPLOAD, { headers: { 'content-type': 'text/plain' } }) },

  // Cut off and failed bodies
  {
    name: 'a client that disconnects mid-body',
    api: 'command',
    status: null,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: await uploadHead(c), body: [c.h.video.subarray(0, 200_000)], afterBody: 'destroy', afterMs: 150 })),
  },
  {
    name: 'a body shorter than its Content-Length',
    api: 'command',
    status: 400,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: await uploadHead(c), body: [c.h.video.subarray(0, 200_000)], afterBody: 'end' })),
  },
  {
    name: 'a body that stops arriving',
    api: 'command',
    status: 408,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: await uploadHead(c), body: [c.h.video.subarray(0, 50_000)], afterBody: 'hold' })),
    check: expectHeader('connection', /^close$/),
  },
  {
    name: 'a full disk while staging',
    api: 'command',
    status: 507,
    send: async (c) => {
      c.h.setDiskFull(true);
      try {
        return await upload(UPLOAD)(c);
      } finally {
        c.h.setDiskFull(false);
      }
    },
  },
  {
    name: 'a third upload while two of the same user are streaming',
    api: 'command',
    status: 429,
    send: async (c) => {
      const live = [await trickle(c), await trickle(c)];
      try {
        // Both have reached staging (and hold their slots) before the third arrives.
        await new Promise((resolve) => setTimeout(resolve, 150));
        return await upload(UPLOAD)(c);
      } finally {
        for (const request of live) request.destroy();
      }
    },
    check: expectHeader('retry-after', /^\d+$/),
  },
  {
    name: 'more requests than the per-user rate allows',
    api: 'query',
    status: 429,
    send: async (c) => {
      for (let i = 0; i < RATE_LIMIT_MAX; i += 1) await call('query', '/v1/users/me/videos')(c);
      return call('query', '/v1/users/me/videos')(c);
    },
    check: expectHeader('retry-after', /^[1-9]\d*$/),
  },
  {
    name: 'both Content-Length and Transfer-Encoding (request smuggling)',
    api: 'command',
    status: 400,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: await uploadHead(c, ['Content-Length: 5', 'Transfer-Encoding: chunked']), body: [Buffer.from('0\r\n\r\n')] })),
  },
  {
    name: 'a Content-Length that is not a number',
    api: 'command',
    status: 400,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: await uploadHead(c, ['Content-Length: lots']) })),
  },

];
