'use strict';
/**
 * Two multipart calls s3rver 3.7.1 lacks and @tus/s3-store needs on every write and termination:
 * ListParts (GET ?uploadId) and AbortMultipartUpload (DELETE ?uploadId). They read and remove
 * s3rver's own part files (`<root>/<bucket>/._S3rver_uploads/<uploadId>/<n>` and `<n>.md5`).
 * Path-style URLs only, as our clients send. Plain JavaScript, run inside s3rverProcess.js.
 */
const fs = require('node:fs/promises');
const path = require('node:path');

const escapeXml = (text) => String(text).replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function noSuchUpload(ctx, uploadId) {
  ctx.status = 404;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>${escapeXml(uploadId)}</UploadId></Error>`;
}

/** Koa middleware to put in front of s3rver's router. */
function multipartExtras(rootDirectory) {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const method = ctx.method;
    if (typeof uploadId !== 'string' || (method !== 'GET' && method !== 'DELETE')) return next();
    const [, bucket, ...keyParts] = ctx.path.split('/');
    if (!bucket || keyParts.length === 0 || !/^[0-9a-f]+$/.test(uploadId)) return next();
    const key = decodeURIComponent(keyParts.join('/'));
    const uploadDir = path.join(rootDirectory, bucket, '._S3rver_uploads', uploadId);
    const exists = await fs.stat(uploadDir).then(() => true, () => false);
    if (!exists) return noSuchUpload(ctx, uploadId);
    if (method === 'DELETE') {
      await fs.rm(uploadDir, { recursive: true, force: true });
      ctx.status = 204;
      return undefined;
    }
    const names = await fs.readdir(uploadDir);
    const parts = [];
    for (const name of names.filter((n) => /^\d+$/.test(n))) {
      const file = path.join(uploadDir, name);
      const [info, md5] = await Promise.all([fs.stat(file), fs.readFile(`${file}.md5`, 'utf8').catch(() => '')]);
      parts.push({ number: Number(name), size: info.size, md5, modified: info.mtime });
    }
    parts.sort((a, b) => a.number - b.number);
    const marker = Number(ctx.query['part-number-marker'] ?? 0);
    const listed = parts.filter((p) => p.number > marker);
    ctx.status = 200;
    ctx.type = 'application/xml';
    ctx.body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult>' +
      `<Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${escapeXml(uploadId)}</UploadId>` +
      `<PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${listed.at(-1)?.number ?? marker}</NextPartNumberMarker>` +
      '<MaxParts>10000</MaxParts><IsTruncated>false</IsTruncated>' +
      listed.map((p) => `<Part><PartNumber>${p.number}</PartNumber><LastModified>${p.modified.toISOString()}</LastModified><ETag>"${p.md5}"</ETag><Size>${p.size}</Size></Part>`).join('') +
      '</ListPartsResult>';
    return undefined;
  };
}

module.exports = { multipartExtras };
