/**
 * The key pair the embedded s3rver accepts; not a secret. A module of its own so that the
 * launcher can hand it to the services without loading the AWS SDK.
 */
export const EMBEDDED_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
