import { describe, it, expect } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from '../logging/logger';
import { createMetricsRegistry } from '../metrics/registry';
import { createHttpApp } from './createHttpApp';

/** An app whose log lines, at `level`, are kept as parsed objects. */
function appLoggingAt(level: string) {
  const lines: { msg: string; level: number; req?: { url?: string } }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number]);
      callback();
    },
  });
  const app = createHttpApp({ service: 'probe-test', logger: createLogger('probe-test', level, { destination, secrets: [] }), metrics: createMetricsRegistry('probe-test'), readiness: {} });
  return { app, lines };
}

describe('request lines of health and readiness probes', () => {
  it('are left out at info, while other requests are logged', async () => {
    const { app, lines } = appLoggingAt('info');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz?probe=k8s' })).statusCode).toBe(200);
    expect(lines).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    expect(lines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    await app.close();
  });

  it('are written at debug', async () => {
    const { app, lines } = appLoggingAt('debug');
    await app.inject({ method: 'GET', url: '/healthz' });
    const probeLines = lines.filter((line) => line.msg === 'incoming request' || line.msg === 'request completed');
    expect(probeLines).toHaveLength(2);
    expect(probeLines.every((line) => line.level === 20)).toBe(true);
    await app.close();
  });
});
