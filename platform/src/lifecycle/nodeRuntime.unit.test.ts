import { describe, it, expect } from '@jest/globals';
import path from 'node:path';
import { COMPILED_CONDITION, RUNS_COMPILED, bundledPathOf, compiledPathOf, nodeArgsForEntry } from './nodeRuntime';

describe('how an entry file is run', () => {
  it('maps a source file to where tsc writes it', () => {
    expect(compiledPathOf('projector/src/main.ts')).toBe(path.join('projector', 'dist', 'main.js'));
    expect(compiledPathOf('system/src/e2e/runningSystem.ts')).toBe(path.join('system', 'dist', 'e2e', 'runningSystem.js'));
    expect(() => compiledPathOf('projector/main.ts')).toThrow('not a workspace source file: projector/main.ts');
  });

  it('runs compiled code under the reelay-dist condition, and sources through tsx', () => {
    expect(nodeArgsForEntry('uploader/src/main.ts', { compiled: true, root: '/app' })).toEqual([`--conditions=${COMPILED_CONDITION}`, '/app/uploader/dist/main.js']);
    expect(nodeArgsForEntry('uploader/src/main.ts', { compiled: false, root: '/src/reelay' })).toEqual(['--import', 'tsx', '/src/reelay/uploader/src/main.ts']);
    expect(nodeArgsForEntry('uploader/src/main.ts', { compiled: false, bundled: true, root: '/src/reelay' })).toEqual(['--import', 'tsx', '/src/reelay/uploader/src/main.ts']);
  });

  it("runs a service's bundle, three levels below the root like every compiled module", () => {
    expect(nodeArgsForEntry('uploader/src/main.ts', { compiled: true, bundled: true, root: '/app' })).toEqual([`--conditions=${COMPILED_CONDITION}`, '/app/uploader/dist/bundle/main.js']);
    expect(bundledPathOf('projector/src/main.ts')).toBe(path.join('projector', 'dist', 'bundle', 'main.js'));
    expect(path.resolve('/app', path.dirname(bundledPathOf('projector/src/main.ts')), '../../..')).toBe('/app');
    expect(() => bundledPathOf('system/src/e2e/runningSystem.ts')).toThrow("only a workspace's top-level entry is bundled");
  });

  it('knows that jest runs the sources', () => {
    expect(RUNS_COMPILED).toBe(false);
  });
});
