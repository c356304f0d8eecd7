import { open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { FileConfigstore, FileStore } from '@tus/file-store';
import { Upload } from '@tus/utils';
import type { FileStagingStore } from '@reelay/platform';
import type { TusArea } from './tusArea';

const INFO_SUFFIX = '.json';

/**
 * tus uploads of a file staging store: the bytes and a JSON record per upload in `.tus/` inside
 * the staging folder (hidden from the staging store's listing, so neither the sweeper nor a
 * reader ever sees half a video). A finished upload is renamed into the staging folder, one
 * atomic step on the same file system, and its record is kept (marked complete) until it expires
 * so that a client asking after the end still hears "complete".
 */
export function fileTusArea(staging: FileStagingStore, expirationMs: number): TusArea {
  const directory = path.join(staging.directory, '.tus');
  const records = new FileConfigstore(directory);
  const dataStore = new FileStore({ directory, configstore: records, expirationPeriodInMilliseconds: expirationMs });
  const record = (id: string) => records.get(id) as Promise<Upload | undefined>;

  return {
    dataStore,
    idFor: (name) => name,
    nameOf: (id) => id,
    async readStart(id, bytes) {
      const file = await open(path.join(directory, id), 'r');
      try {
        const buffer = Buffer.alloc(bytes);
        const { bytesRead } = await file.read(buffer, 0, bytes, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await file.close();
      }
    },
    async handOver(upload) {
      await rename(path.join(directory, upload.id), path.join(staging.directory, upload.id));
      await records.set(upload.id, new Upload({ ...upload, offset: upload.size ?? upload.offset }));
      return staging.refFor(upload.id);
    },
    async handedOver(id) {
      const info = await record(id);
      if (!info || info.size === undefined || info.offset !== info.size) return undefined;
      return new Upload({ ...info, id });
    },
    async records() {
      const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
      const found = [];
      for (const name of names.filter((n) => n.endsWith(INFO_SUFFIX))) {
        const id = name.slice(0, -INFO_SUFFIX.length);
        const info = await record(id);
        if (info?.creation_date) found.push({ id, createdAt: new Date(info.creation_date), metadata: info.metadata });
      }
      return found;
    },
    async removeRecord(id) {
      await rm(path.join(directory, id), { force: true });
      await rm(path.join(directory, `${id}${INFO_SUFFIX}`), { force: true });
    },
  };
}
