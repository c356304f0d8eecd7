import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import pino from 'pino';
import { S3ObjectStorage } from '@reelay/platform/s3';
import { createTestS3Client, uniqueBucketName } from '../s3';
import { startEmbeddedS3, type EmbeddedS3 } from './embeddedS3';

/** A pino logger whose lines the test can read. */
function capturingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startEmbeddedS3', () => {
  let directory: string;
  let server: EmbeddedS3 | undefined;

  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-embedded-s3-'));
  });

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  it('starts a server that stores objects under its directory, and stops it', async () => {
    server = await startEmbeddedS3({ directory: path.join(directory, 'data') });
    const client = createTestS3Client(server.endpoint);
    const storage = new S3ObjectStorage(client, { bucket: uniqueBucketName(), partSizeBytes: 5 * 1024 * 1024, queueSize: 1 });
    try {
      await storage.ensureBucket();
      await storage.upload('hello', Readable.from([Buffer.from('hello')]), { sizeBytes: 5, contentType: 'text/plain' });
      expect((await buffer(await storage.read('hello'))).toString()).toBe('hello');
    } finally {
      client.destroy();
    }

    const { pid, endpoint } = server;
    await server.stop();

    expect(isAlive(pid)).toBe(false);
    await expect(fetch(endpoint)).rejects.toThrow();
  });

  it('survives its server being killed, logs it, and still stops cleanly', async () => {
    const { logger, lines } = capturingLogger();
    server = await startEmbeddedS3({ directory, logger });

    process.kill(server.pid, 'SIGKILL');
    await until(() => lines.length > 0);

    expect(lines[0]).toMatchObject({ msg: 'embedded S3 server exited unexpectedly', signal: 'SIGKILL' });
    await server.stop();
    expect(isAlive(process.pid)).toBe(true);
  });

  it('keeps the caller alive when a Complete naming a missing part crashes s3rver', async () => {
    const { logger, lines } = capturingLogger();
    server = await startEmbeddedS3({ directory, logger });
    const client = createTestS3Client(server.endpoint);
    const Bucket = uniqueBucketName();
    try {
      await client.send(new CreateBucketCommand({ Bucket }));
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'broken' }));
      const complete = client.send(
        new CompleteMultipartUploadCommand({ Bucket, Key: 'broken', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"0"' }] } }),
      );

      await expect(complete).rejects.toThrow();
      await until(() => lines.length > 0);
      expect(lines[0]).toMatchObject({ msg: 'embedded S3 server exited unexpectedly' });
    } finally {
      client.destroy();
    }
  });

  it('reports a server that cannot start instead of hanging', async () => {
    const first = await startEmbeddedS3({ directory });
    try {
      const port = Number(new URL(first.endpoint).port);
      await expect(startEmbeddedS3({ directory, port })).rejects.toMatchObject({ name: 'EmbeddedS3StartFailed' });
    } finally {
      await first.stop();
    }
  });
});
