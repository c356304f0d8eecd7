import { UUID, UPLOAD, call, expectHeader, upload, type BadInputCase } from './badInputKit';

/** Bad parameters, hostile ids, other users' videos, and routes or methods that do not exist. */
export const PARAMETER_CASES: readonly BadInputCase[] = [
  // Upload parameters
  { name: 'an upload without title', api: 'command', status: 400, send: upload('/v1/videos?fileName=a.mp4') },
  { name: 'an upload without fileName', api: 'command', status: 400, send: upload('/v1/videos?title=Holiday') },
  { name: 'a title of 201 characters', api: 'command', status: 400, send: upload(`/v1/videos?title=${'t'.repeat(201)}&fileName=a.mp4`) },
  { name: 'a title of 10 000 characters', api: 'command', status: 400, send: upload(`/v1/videos?title=${'t'.repeat(10_000)}&fileName=a.mp4`) },
  { name: 'a title with a line break', api: 'command', status: 400, send: upload('/v1/videos?title=a%0Ab&fileName=a.mp4') },
  { name: 'a fileName of ../../etc/passwd', api: 'command', status: 400, send: upload(`/v1/videos?title=t&fileName=${encodeURIComponent('../../etc/passwd')}`) },
  { name: 'a fileName with backslashes', api: 'command', status: 400, send: upload(`/v1/videos?title=t&fileName=${encodeURIComponent('..\\..\\windows\\win.ini')}`) },
  { name: 'a fileName of ..', api: 'command', status: 400, send: upload('/v1/videos?title=t&fileName=..') },
  { name: 'a fileName with NUL', api: 'command', status: 400, send: upload('/v1/videos?title=t&fileName=a%00.mp4') },
  { name: 'a fileName that hides its extension (U+202E)', api: 'command', status: 400, send: upload(`/v1/videos?title=t&fileName=${encodeURIComponent('clip\u202E4pm.exe')}`) },
  { name: 'a title given twice', api: 'command', status: 400, send: upload('/v1/videos?title=a&title=b&fileName=a.mp4') },
  { name: 'an Idempotency-Key with spaces', api: 'command', status: 400, send: upload(UPLOAD, { headers: { 'idempotency-key': 'key with spaces' } }) },
  { name: 'an Idempotency-Key of 256 characters', api: 'command', status: 400, send: upload(UPLOAD, { headers: { 'idempotency-key': 'k'.repeat(256) } }) },

  // Hostile ids, and other users' videos
  { name: "a video id of ' OR 1=1 --", api: 'command', status: 400, send: call('command', `/v1/videos/${encodeURIComponent("' OR 1=1 --")}`, { method: 'DELETE' }) },
  { name: 'a video id of ../../etc/passwd', api: 'query', status: 400, send: call('query', `/v1/videos/${encodeURIComponent('../../etc/passwd')}`) },
  { name: 'a video id of 1000 characters', api: 'command', status: 414, send: call('command', `/v1/videos/${'9'.repeat(1000)}/retry`, { method: 'POST' }) },
  { name: 'a video id with broken percent-encoding', api: 'query', status: 400, send: call('query', '/v1/videos/%E0%A4%A') },
  { name: "another user's video", api: 'query', status: 404, send: call('query', (c) => `/v1/videos/${c.aliceVideo}`) },
  { name: "another user's video, long-polled", api: 'query', status: 404, send: call('query', (c) => `/v1/videos/${c.aliceVideo}?waitSeconds=5`, { headers: { 'if-none-match': '"x"' } }) },
  { name: "deleting another user's video", api: 'command', status: 404, send: call('command', (c) => `/v1/videos/${c.aliceVideo}`, { method: 'DELETE' }) },
  { name: "retrying another user's video", api: 'command', status: 404, send: call('command', (c) => `/v1/videos/${c.aliceVideo}/retry`, { method: 'POST' }) },
  { name: "another user's list", api: 'query', status: 404, send: call('query', '/v1/users/alice/videos') },
  { name: "a user id of ' OR 1=1 --", api: 'query', status: 404, send: call('query', `/v1/users/${encodeURIComponent("' OR 1=1 --")}/videos`) },
  { name: 'a user id of ../../etc/passwd', api: 'query', status: 404, send: call('query', `/v1/users/${encodeURIComponent('../../etc/passwd')}/videos`) },

  // Query parameters
  { name: 'waitSeconds=31', api: 'query', status: 400, send: call('query', `/v1/videos/${UUID}?waitSeconds=31`) },
  { name: 'waitSeconds=-1', api: 'query', status: 400, send: call('query', `/v1/videos/${UUID}?waitSeconds=-1`) },
  { name: 'waitSeconds=soon', api: 'query', status: 400, send: call('query', `/v1/videos/${UUID}?waitSeconds=soon`) },
  { name: 'limit=0', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?limit=0') },
  { name: 'limit=101', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?limit=101') },
  { name: 'a limit of 23 digits', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?limit=99999999999999999999999') },
  { name: 'limit given twice', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?limit=1&limit=2') },
  { name: 'status=SLEEPING', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?status=SLEEPING') },
  { name: 'status=pending (wrong case)', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?status=pending') },
  { name: 'a cursor that is not base64 JSON', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?cursor=garbage') },
  {
    name: 'a forged cursor',
    api: 'query',
    status: 400,
    send: call('query', `/v1/users/me/videos?cursor=${Buffer.from(JSON.stringify(["' OR 1=1 --", '../../etc/passwd'])).toString('base64url')}`),
  },
  { name: 'a cursor of 600 characters', api: 'query', status: 400, send: call('query', `/v1/users/me/videos?cursor=${'c'.repeat(600)}`) },

  // Routes and methods
  { name: 'an unknown route under /v1', api: 'command', status: 404, send: call('command', '/v1/admin') },
  { name: 'an unknown route without a token', api: 'query', status: 404, send: call('query', '/admin', { auth: 'none' }) },
  { name: 'PUT on /v1/videos', api: 'command', status: 405, send: call('command', '/v1/videos', { method: 'PUT' }), check: expectHeader('allow', /^POST$/) },
  { name: 'PATCH on a video', api: 'command', status: 405, send: call('command', `/v1/videos/${UUID}`, { method: 'PATCH' }), check: expectHeader('allow', /DELETE/) },
  { name: 'POST on a video of the query API', api: 'query', status: 405, send: call('query', `/v1/videos/${UUID}`, { method: 'POST' }), check: expectHeader('allow', /GET/) },
  { name: 'DELETE on a list', api: 'query', status: 405, send: call('query', '/v1/users/me/videos', { method: 'DELETE' }) },
];
