import { describe, it, expect } from '@jest/globals';
import { UploadSlots } from './uploadSlots';

describe('UploadSlots', () => {
  it('gives each user up to perUser slots, independently of other users', () => {
    const slots = new UploadSlots(2);
    expect(slots.tryAcquire('alice')).toBeDefined();
    expect(slots.tryAcquire('alice')).toBeDefined();
    expect(slots.tryAcquire('alice')).toBeUndefined();
    expect(slots.tryAcquire('bob')).toBeDefined();
  });

  it('frees a slot once when released, however often release is called', () => {
    const slots = new UploadSlots(1);
    const release = slots.tryAcquire('alice') as () => void;
    release();
    release();
    expect(slots.inUse('alice')).toBe(0);
    const again = slots.tryAcquire('alice');
    expect(again).toBeDefined();
    expect(slots.tryAcquire('alice')).toBeUndefined();
  });
});
