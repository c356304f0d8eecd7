/** Where a video's object lives in the bucket. */
export function objectKeyFor(videoId: string): string {
  return `videos/${videoId}`;
}
