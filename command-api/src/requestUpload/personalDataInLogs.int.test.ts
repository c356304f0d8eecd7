import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { PROJECT_ROOT, signToken } from '@reelay/platform';
import {
  createTestDatabase,
  encodedNameForms,
  encodedValueForms,
  eventually,
  freePort,
  startServiceProcess,
  uniqueName,
  type ServiceProcess,
} from '@reelay/testing';

const SECRET = 'command-api-test-secret-0123456789abcdef';
const TITLE = 'Qz7Lisbon rooftops at dusk';
const FILE_NAME = 'qz7 lisbon dusk.mp4';
/** Words of the title and file name: none may be in the log, in any spelling. */
const WORDS = ['qz7lisbon', 'rooftops', 'dusk', 'qz7', 'lisbon'];

/** The log text with every escape undone, so a word hidden as `%64usk` or `+` is still found. */
function decodedForSearch(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' ').replace(/%(?![0-9a-f]{2})/gi, '%25')).toLowerCase();
}

/**
 * The command API as a real process: the title and file name of `POST /v1/videos`, spelled every
 * way the query parser still reads as `title` and `fileName`, never reach its log output.
 */
describe('the command API log', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let stagingDir: string;
  let service: ServiceProcess;
  let url: string;
  const stream = uniqueName('SCRUB');

  beforeAll(async () => {
    database = await createTestDatabase('reelay_scrub');
    stagingDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-scrub-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    service = startServiceProcess(
      'command API',
      path.join(PROJECT_ROOT, 'command-api/src/main.ts'),
      {
        ...process.env,
        DATABASE_URL: database.url,
        EVENT_STORE_URL: '',
        JOBS_STREAM: stream,
        STAGING: `file://${stagingDir}`,
        HOST: '127.0.0.1',
        COMMAND_API_PORT: String(port),
        AUTH_JWT_SECRET: SECRET,
        RATE_LIMIT_MAX: '100000',
        LOG_LEVEL: 'info',
      },
      'command API listening',
    );
    await service.ready();
  }, 120_000);

  afterAll(async () => {
    await service?.kill('SIGTERM');
    await database?.drop();
    if (stagingDir) await rm(stagingDir, { recursive: true, force: true });
    const nc = await connect({ servers: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222' });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('never holds the title or file name, however their names and values are encoded', async () => {
    const token = await signToken('alice', { secret: SECRET });
    const titleNames = encodedNameForms('title');
    const fileNameNames = encodedNameForms('fileName');
    const titleValues = encodedValueForms(TITLE);
    const fileNameValues = encodedValueForms(FILE_NAME);
    const queries = fileNameNames.map((fileNameName, i) => `${titleNames[i % titleNames.length]}=${titleValues[i % titleValues.length]}&${fileNameName}=${fileNameValues[(i + 2) % fileNameValues.length]}`);
    // Repeated: the parser makes an array of it (400), and every value is still the user's.
    queries.push(`title=${titleValues[0]}&%74itle=${titleValues[1]}&fileName=${fileNameValues[0]}&file%4Eame=${fileNameValues[2]}`);

    const statuses: number[] = [];
    for (const query of queries) {
      const response = await fetch(`${url}/v1/videos?${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4' },
        body: 'not a video at all',
      });
      statuses.push(response.status);
    }
    // 415 (not a video) means the route parsed both parameters as title and fileName.
    expect(statuses).toEqual([...Array(queries.length - 1).fill(415), 400]);

    await eventually(() => expect(service.lines.filter((line) => line.msg === 'request completed')).toHaveLength(queries.length));
    const logged = service.lines.filter((line) => line.msg === 'incoming request').map((line) => (line.req as { url: string }).url);
    expect(logged).toHaveLength(queries.length);
    expect(logged.every((loggedUrl) => (loggedUrl.match(/=\[personal\]/g) ?? []).length >= 2)).toBe(true);
    const everything = decodedForSearch(JSON.stringify(service.lines));
    expect(WORDS.filter((word) => everything.includes(word))).toEqual([]);
  });
});
