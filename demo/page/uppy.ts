// The Uppy page's script: the tus upload sent by Uppy instead of the SDK, bundled by the demo server.
import Uppy from '@uppy/core';
import Tus from '@uppy/tus';
import { byId, onDevelopmentSignIn } from './signIn';

const TERMINAL = ['UPLOADED', 'FAILED'];

/** Polls the query API for the video's status until it is final (the SDK page follows it with long-polls). */
async function followStatus(token: string, videoId: string): Promise<void> {
  const status = byId('status');
  for (;;) {
    const response = await fetch(`/v1/videos/${videoId}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.ok) {
      const video = (await response.json()) as { status: string };
      status.textContent = video.status;
      status.dataset.status = video.status;
      if (TERMINAL.includes(video.status)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function startUppy(token: string): void {
  let videoId: string | undefined;
  const uppy = new Uppy({ autoProceed: false, restrictions: { maxNumberOfFiles: 1, allowedFileTypes: ['video/*'] } }).use(Tus, {
    endpoint: '/v1/uploads',
    headers: { authorization: `Bearer ${token}` },
    // Reelay reads title, filename and filetype; Uppy copies the file's name and type to the last
    // two only when they are sent (naming filename/filetype here would send the string "undefined").
    allowedMetaFields: ['title', 'name', 'type'],
    retryDelays: [0, 1000, 3000],
    onAfterResponse(_request, response) {
      videoId ??= response.getHeader('Reelay-Video-Id') || undefined;
      if (videoId) byId('video-id').textContent = videoId;
    },
  });
  uppy.on('progress', (percent) => (byId('sent').textContent = `${percent}%`));
  uppy.on('upload-error', (_file, error) => (byId('upload-error').textContent = error.message));
  byId('upload-button').addEventListener('click', () => {
    const file = byId<HTMLInputElement>('file').files?.[0];
    if (!file) {
      byId('upload-error').textContent = 'Pick a video first.';
      return;
    }
    uppy.clear();
    const title = byId<HTMLInputElement>('title').value.trim() || file.name;
    uppy.addFile({ name: file.name, type: file.type || 'video/mp4', data: file, meta: { title } });
    void uppy.upload().then((result) => {
      if (!videoId || (result?.failed?.length ?? 0) > 0) return;
      void followStatus(token, videoId);
    });
  });
}

onDevelopmentSignIn((userId, token) => {
  byId('whoami').textContent = `signed in as ${userId}`;
  byId('signin').classList.add('hidden');
  byId('upload').classList.remove('hidden');
  startUppy(token);
});
