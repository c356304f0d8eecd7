import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Whether two clients reach the same store as the same user: same endpoint (or, on AWS, the same
 * region) and the same access key. Conservative: one store behind two addresses counts as two.
 */
export async function sameStore(a: S3Client, b: S3Client): Promise<boolean> {
  if (a === b) return true;
  const [one, two] = await Promise.all([storeIdentity(a), storeIdentity(b)]);
  return one !== undefined && one === two;
}

async function storeIdentity(client: S3Client): Promise<string | undefined> {
  try {
    const endpoint = client.config.endpoint ? await client.config.endpoint() : undefined;
    const where = endpoint ? `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port ?? ''}${endpoint.path}` : `aws:${await client.config.region()}`;
    const credentials = await client.config.credentials();
    return `${where}|${credentials.accessKeyId}`;
  } catch {
    return undefined;
  }
}
