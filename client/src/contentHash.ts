import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import type { UploadSource } from './uploadVideo';

/** Bytes hashed between two yields to the app's event loop: the UI never waits long on the hash. */
const SLICE_BYTES = 2 * 1024 * 1024;

export interface ContentHash {
  /** Hex SHA-256 of the whole file. */
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** Raised when the app paused or cancelled the upload while its file was being hashed. */
export class HashingStopped extends Error {
  override readonly name = 'HashingStopped';
}

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function sliceBytes(blob: Blob): Promise<Uint8Array> {
  // React Native's Blob has no arrayBuffer(); Response reads any Blob everywhere.
  const buffer = typeof blob.arrayBuffer === 'function' ? await blob.arrayBuffer() : await new Response(blob).arrayBuffer();
  return new Uint8Array(buffer);
}

/**
 * The SHA-256 of a file, streamed: WebCrypto has no incremental digest, so @noble/hashes (pure
 * JavaScript, audited, no dependencies) is fed a slice at a time — a `Blob` is read slice by
 * slice, never whole, and the app's event loop runs between slices. Works in browsers and in
 * React Native (a `{uri}` file is read through `fetch(uri)` as a Blob).
 */
export async function hashContent(source: UploadSource, isStopped: () => boolean = () => false): Promise<ContentHash> {
  const blob = source instanceof Uint8Array ? undefined : 'uri' in source ? await (await fetch(source.uri)).blob() : source;
  const sizeBytes = blob ? blob.size : (source as Uint8Array).length;
  const hash = sha256.create();
  for (let offset = 0; offset < sizeBytes; offset += SLICE_BYTES) {
    if (isStopped()) throw new HashingStopped('the upload was stopped while its file was being hashed');
    const end = Math.min(offset + SLICE_BYTES, sizeBytes);
    hash.update(blob ? await sliceBytes(blob.slice(offset, end)) : (source as Uint8Array).subarray(offset, end));
    await nextTurn();
  }
  return { sha256: bytesToHex(hash.digest()), sizeBytes };
}
