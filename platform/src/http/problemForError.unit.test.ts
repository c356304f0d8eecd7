import { describe, it, expect } from '@jest/globals';
import { Conflict, NotFound } from '@reelay/contracts';
import { HttpError } from './problems';
import { INTERNAL_DETAIL, UNAVAILABLE_DETAIL, problemForError } from './problemForError';

describe('problemForError', () => {
  it('keeps the status, slug, detail and headers of an HttpError', () => {
    expect(problemForError(new HttpError(429, 'rate-limited', 'slow down', { 'retry-after': '3' }))).toEqual({
      status: 429,
      slug: 'rate-limited',
      detail: 'slow down',
      headers: { 'retry-after': '3' },
      internal: false,
    });
  });

  it('maps domain errors by their status', () => {
    expect(problemForError(new NotFound('no video v'))).toMatchObject({ status: 404, slug: 'not-found', detail: 'no video v' });
    expect(problemForError(new Conflict('not FAILED'))).toMatchObject({ status: 409, slug: 'conflict' });
  });

  it('turns schema failures into 400 naming what was wrong', () => {
    const error = { validation: [{ instancePath: '/limit', message: 'Too big' }], validationContext: 'querystring', message: 'x' };
    expect(problemForError(error)).toMatchObject({ status: 400, detail: 'querystring.limit Too big' });
  });

  it('hides everything about an unexpected error', () => {
    const error = new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
    const answer = problemForError(error);
    expect(answer).toMatchObject({ status: 500, slug: 'internal', detail: INTERNAL_DETAIL, internal: true });
    expect(JSON.stringify(answer)).not.toMatch(/ECONNREFUSED|hunter2|at /);
  });

  it('hides the message of a library error that carries a 5xx status', () => {
    expect(problemForError(Object.assign(new Error('socket hang up at pool.js:12'), { statusCode: 502 }))).toMatchObject({ status: 502, detail: INTERNAL_DETAIL });
  });

  it('clips a detail that quotes a huge input', () => {
    expect(problemForError(new HttpError(400, 'bad-request', 'x'.repeat(10_000))).detail.length).toBeLessThanOrEqual(501);
  });

  it('answers 503 with Retry-After, and nothing of the cause, when a dependency cannot be reached', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const restarting = Object.assign(new Error('the database system is shutting down'), { code: '57P03' });
    const wrapped = new Error('reading the read model failed', { cause: refused });
    for (const error of [refused, restarting, wrapped]) {
      const answer = problemForError(error);
      expect(answer).toEqual({ status: 503, slug: 'unavailable', detail: UNAVAILABLE_DETAIL, headers: { 'retry-after': '5' }, internal: true });
      expect(JSON.stringify(answer)).not.toMatch(/ECONNREFUSED|5432/);
    }
  });

  it('keeps a statement the database refused a 500', () => {
    expect(problemForError(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }))).toMatchObject({ status: 500 });
  });
});
