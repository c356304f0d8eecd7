'use strict';
/**
 * Runs one s3rver in this process, for embeddedS3.ts. Plain JavaScript so that `node` runs it
 * without a TypeScript loader.
 *
 * Input: one JSON argument {directory, port, host}. Output: one JSON line on stdout,
 * {"ready": true, "port": N}, once the server listens. Exits on SIGTERM/SIGINT, and when stdin
 * closes, which is how it notices that its parent died without stopping it (no orphans).
 */
const S3rver = require('s3rver');

const { directory, port, host } = JSON.parse(process.argv[2] ?? '{}');
const server = new S3rver({ directory, port, address: host, silent: true });
// Ahead of s3rver's router: ListParts and AbortMultipartUpload, which it lacks (see the file).
server.middleware.unshift(require('./s3rverMultipartExtras').multipartExtras(directory));

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
  // Keep-alive sockets can hold close() open; the parent waits for our exit, not for them.
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

server.run().then(
  (address) => process.stdout.write(`${JSON.stringify({ ready: true, port: address.port })}\n`),
  (error) => {
    process.stderr.write(`s3rver failed to start: ${error?.stack ? error.stack : error}\n`);
    process.exit(1);
  },
);
