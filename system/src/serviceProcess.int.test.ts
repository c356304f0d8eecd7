import { spawn } from 'node:child_process';
import { SERVICE_ENTRIES } from './serviceEntries';

/** Runs a service's entry as its own process with `env`, and resolves with its exit. */
function runService(entry: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('a service process', () => {
  it.each(SERVICE_ENTRIES.map((s) => [s.name, s.entry]))('%s refuses a bad configuration value with one line naming it', async (_name, entry) => {
    const { code, stderr } = await runService(entry as string, { MAX_UPLOAD_BYTES: 'ten gigabytes' });
    expect(code).toBe(2);
    const lines = stderr.split('\n').filter((line) => line.trim() && !line.includes('Warning'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/MAX_UPLOAD_BYTES/);
  });
});
