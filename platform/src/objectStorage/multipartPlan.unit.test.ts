import { describe, it, expect } from '@jest/globals';
import { MAX_PARTS, planParts, resumePlan } from './multipartPlan';

describe('planning a multipart upload', () => {
  it('cuts a source into parts of the part size, the last one shorter', () => {
    expect(planParts(12, 5)).toEqual([
      { partNumber: 1, start: 0, end: 5 },
      { partNumber: 2, start: 5, end: 10 },
      { partNumber: 3, start: 10, end: 12 },
    ]);
  });

  it('makes one empty part of an empty source', () => {
    expect(planParts(0, 5)).toEqual([{ partNumber: 1, start: 0, end: 0 }]);
  });

  it('refuses a plan S3 would refuse', () => {
    expect(() => planParts(5 * (MAX_PARTS + 1), 5)).toThrow(/S3 allows 10000/);
    expect(() => planParts(10, 0)).toThrow(RangeError);
  });
});

describe('resuming a multipart upload', () => {
  const plan = planParts(20, 5);

  it('reads from the first missing part and sends only the missing ones', () => {
    const resume = resumePlan(plan, new Set([1, 2, 4]));
    expect(resume.readFrom).toBe(10);
    expect(resume.missing.map((p) => p.partNumber)).toEqual([3]);
    expect(resume.storedBytes).toBe(15);
  });

  it('starts at the beginning when nothing is stored, and sends nothing when everything is', () => {
    expect(resumePlan(plan, new Set())).toMatchObject({ readFrom: 0, storedBytes: 0 });
    expect(resumePlan(plan, new Set([1, 2, 3, 4]))).toEqual({ missing: [], readFrom: 20, storedBytes: 20 });
  });
});
