import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';

/**
 * An `openPartial` for FileStagingStore that behaves like a disk filling up: the first
 * `capacityBytes` really land in the temporary file, the next write fails with ENOSPC. A real
 * full disk needs a tiny mounted filesystem, which a portable test cannot make.
 */
export function diskFullAfter(capacityBytes: number): (file: string) => Writable {
  return (file) => {
    const out = createWriteStream(file, { flags: 'wx' });
    let written = 0;
    return new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        if (written > capacityBytes) {
          callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' }));
          return;
        }
        out.write(chunk, callback);
      },
      final(callback) {
        out.end(callback);
      },
      destroy(error, callback) {
        out.destroy();
        callback(error);
      },
    });
  };
}
