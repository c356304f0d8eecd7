import { rm } from 'node:fs/promises';
import { StreamSplitter } from '@tus/utils';

let installed = false;

/**
 * @tus/s3-store writes each PATCH through @tus/utils' StreamSplitter, which opens a chunk file in
 * os.tmpdir() after awaiting a part-upload permit. A PATCH that fails during that wait (our head
 * check refusing a non-video, a phone cut off) is destroyed while the splitter has no file yet:
 * its error handler finds nothing to close, the store nothing to remove, and then the file is
 * opened and written all the same. Left so, each such PATCH kept a chunk file on disk and a file
 * handle open until garbage collection (Node's DEP0137 warning). Installed once, for S3 staging:
 * a chunk opened for a stream already destroyed is closed and removed at once, and its write fails.
 */
export function removeChunksOpenedAfterFailure(): void {
  if (installed) return;
  installed = true;
  const openChunk = StreamSplitter.prototype._newChunk;
  StreamSplitter.prototype._newChunk = async function (this: StreamSplitter): Promise<void> {
    await openChunk.call(this);
    if (!this.destroyed) return;
    const { fileHandle, currentChunkPath } = this;
    this.fileHandle = null;
    this.currentChunkPath = null;
    await fileHandle?.close();
    if (currentChunkPath) await rm(currentChunkPath, { force: true });
    throw new Error('the upload stream failed while its chunk file was being opened');
  };
}
