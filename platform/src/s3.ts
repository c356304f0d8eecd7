// `@reelay/platform/s3`: object storage and staging on S3. An entry point of its own because
// the AWS SDK under it is some 5 MiB of every process that loads it, and only the command API,
// the uploader and the CLI use S3 (docs/production.md, "Loading only what is used").
export * from './objectStorage/s3Client';
export * from './objectStorage/s3ObjectStorage';
export { MultipartUploadError, MultipartUploadLost, SourceSizeMismatch } from './objectStorage/resumableUpload';
export * from './staging/s3StagingStore';
