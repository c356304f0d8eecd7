// The demo page's script: plain DOM and the SDK, bundled by the demo server with esbuild.
import { ReelayClient, describeMedia, isTerminal, keyValueUrlStorage, type VideoView } from '@reelay/client';
import { byId, onDevelopmentSignIn } from './signIn';

interface RecordedPush {
  readonly videoId: string;
  readonly status: 'UPLOADED' | 'FAILED';
  readonly outcome: 'sent' | 'failed';
  readonly provider: string;
}

const show = (id: string, visible = true) => byId(id).classList.toggle('hidden', !visible);

let client: ReelayClient | undefined;
const videos = new Map<string, VideoView>();
const following = new Set<string>();
/** The video the progress panel shows. */
let current: string | undefined;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function setLeg(leg: 'send' | 'store', percent: number, text: string): void {
  byId(`${leg}-fill`).style.width = `${Math.max(0, Math.min(100, percent))}%`;
  byId(`${leg}-text`).textContent = text;
}

function renderRow(video: VideoView): void {
  const id = `video-${video.videoId}`;
  let row = document.getElementById(id);
  if (!row) {
    row = document.createElement('tr');
    row.id = id;
    byId('videos').prepend(row);
  }
  row.dataset.status = video.status;
  row.innerHTML =
    // Duration and size once the stored video's container was read ("0:42 · 1080p").
    `<td>${escapeHtml(video.metaInfo.title)} <span class="note media">${escapeHtml(describeMedia(video.metaInfo.media))}</span></td>` +
    `<td><span class="status status-${video.status}">${video.status}</span> <span class="note">${video.progress.phase}</span></td>` +
    `<td><span class="row-bar"><span class="row-fill" style="width:${video.uploadedPercentage}%"></span></span> ${video.uploadedPercentage}%</td>`;
}

function onVideo(video: VideoView): void {
  videos.set(video.videoId, video);
  renderRow(video);
  if (video.videoId !== current) return;
  // The second leg from the query API's two-leg progress: bytes in object storage.
  const { phase, storedBytes, totalBytes } = video.progress;
  const stored = totalBytes ? Math.floor((100 * storedBytes) / totalBytes) : video.uploadedPercentage;
  setLeg('store', stored, phase === 'receiving' ? 'waiting for every byte' : video.status === 'PENDING' ? 'queued' : `${stored}%`);
  byId('upload-status').textContent = `Status: ${video.status} (${phase})`;
  if (video.status === 'UPLOADED') setLeg('send', 100, '100%');
}

function follow(videoId: string): void {
  if (!client || following.has(videoId)) return;
  following.add(videoId);
  const follower = client.followVideo(videoId, { onUpdate: onVideo });
  follower.done
    .then((result) => {
      if (result.reason === 'push' && videoId === current) byId('upload-status').textContent += ' (following ended by the push)';
    })
    .catch((error: unknown) => console.error('following failed', error))
    .finally(() => following.delete(videoId));
}

/** The video's title as the query API shows it; a push can arrive before the list has the video. */
async function titleOf(videoId: string): Promise<string> {
  const known = videos.get(videoId);
  if (known) return known.metaInfo.title;
  const video = await client?.getVideo(videoId).catch(() => undefined);
  return video?.metaInfo.title ?? 'Your video';
}

async function notify(push: RecordedPush): Promise<void> {
  const title = await titleOf(push.videoId);
  const note = document.createElement('div');
  note.className = 'notification';
  note.dataset.videoId = push.videoId;
  const heading = push.status === 'UPLOADED' ? 'Your video is ready' : 'Your video could not be uploaded';
  const body = push.status === 'UPLOADED' ? `"${title}" has been uploaded.` : `"${title}" could not be uploaded.`;
  note.innerHTML = `<strong>${escapeHtml(heading)}</strong>${escapeHtml(body)}<div class="note">push ${push.outcome} via ${escapeHtml(push.provider)}</div>`;
  byId('notifications').prepend(note);
}

function listenForPushes(token: string): void {
  const source = new EventSource(`/demo/pushes?access_token=${encodeURIComponent(token)}`);
  source.addEventListener('push', (event) => {
    const push = JSON.parse((event as MessageEvent<string>).data) as RecordedPush;
    void notify(push);
    // As an app does with the payload its push SDK hands it: the SDK stops following that video.
    client?.handlePush(push);
  });
}

async function signedIn(userId: string, token: string): Promise<void> {
  client = new ReelayClient({
    commandApiUrl: location.origin,
    queryApiUrl: location.origin,
    token,
    // In localStorage: reloading the page mid-upload and picking the same file resumes it.
    urlStorage: keyValueUrlStorage(localStorage),
    fingerprintScope: userId,
  });
  byId('whoami').textContent = `signed in as ${userId}`;
  show('signin', false);
  show('upload');
  show('library');
  listenForPushes(token);
  const list = await client.listVideos({ limit: 50 });
  for (const video of [...list.videos].reverse()) {
    onVideo(video);
    if (!isTerminal(video.status)) follow(video.videoId);
  }
}

async function upload(): Promise<void> {
  const file = byId<HTMLInputElement>('file').files?.[0];
  if (!client || !file) {
    byId('upload-status').textContent = 'Pick a video first.';
    show('progress');
    return;
  }
  const title = byId<HTMLInputElement>('title').value.trim() || file.name;
  current = undefined;
  show('progress');
  setLeg('send', 0, '0%');
  setLeg('store', 0, 'waiting');
  byId('upload-status').textContent = 'Sending…';
  const handle = client.upload(file, {
    title,
    fileName: file.name,
    contentType: file.type || 'video/mp4',
    onProgress: ({ bytesSent, bytesTotal }) => {
      const percent = bytesTotal > 0 ? Math.floor((bytesSent / bytesTotal) * 100) : 0;
      setLeg('send', percent, `${percent}%`);
    },
    // Followed from the first response on: the list shows it while its bytes still arrive.
    onVideoId: (videoId) => {
      current = videoId;
      follow(videoId);
    },
    onResume: (offset) => {
      byId('upload-status').textContent = `Resuming: the server already had ${offset} bytes`;
    },
  });
  try {
    const { videoId, duplicateOf } = await handle.done;
    current = videoId;
    setLeg('send', 100, '100%');
    // The SDK hashed the file and the server knew it: nothing (or only the rest) was sent.
    if (duplicateOf === 'video') byId('upload-status').textContent = 'You already have this video: nothing was sent again.';
    if (duplicateOf === 'upload') byId('upload-status').textContent = 'Resumed the upload of this video started earlier (on this or another device).';
    follow(videoId);
  } catch (error) {
    byId('upload-status').textContent = `Upload failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function init(): Promise<void> {
  const config = (await (await fetch('/demo/config')).json()) as { developmentSignIn: boolean };
  show(config.developmentSignIn ? 'signin-dev' : 'signin-token');
  onDevelopmentSignIn(signedIn);
  byId('signin-token').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = byId<HTMLTextAreaElement>('signin-token-value').value.trim();
    const payload = token.split('.')[1] ?? '';
    let userId = 'you';
    try {
      userId = (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string }).sub ?? userId;
    } catch {
      // Not a readable JWT: the APIs will say so.
    }
    void signedIn(userId, token).catch((error: unknown) => (byId('signin-error').textContent = String(error)));
  });
  byId('upload-button').addEventListener('click', () => void upload());
}

void init();
