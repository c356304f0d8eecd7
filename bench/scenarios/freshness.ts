import pg from 'pg';
import { videoIdOfStream, videoStreamName } from '@reelay/contracts';
import { startBenchSystem } from '../harness/benchSystem';
import { startPushRecorder } from '../harness/pushRecorder';
import { makeVideoFile } from '../harness/videoFile';
import { postVideo } from '../harness/videoClient';
import type { BenchRow, Scenario, Stats } from '../scenario';

const SAMPLES = Number(process.env.BENCH_FRESHNESS_SAMPLES ?? 100);

function percentiles(values: number[]): Stats & { p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { median: at(0.5), min: sorted[0] as number, max: sorted[sorted.length - 1] as number, rounds: sorted.length, p99: at(0.99) };
}

/**
 * How fresh what the app sees is: from the 202 (the event is committed) to the video being
 * readable in the query API, and from `UploadCompleted` being recorded to the push request
 * leaving for OneSignal (a loopback stand-in that notes arrival times).
 */
export const freshness: Scenario = {
  name: 'freshness',
  async run(): Promise<BenchRow[]> {
    const recorder = await startPushRecorder();
    const bench = await startBenchSystem({ ONESIGNAL_APP_ID: 'bench', ONESIGNAL_API_KEY: 'bench', ONESIGNAL_API_URL: recorder.url });
    const video = await makeVideoFile(64 * 1024);
    const db = new pg.Client({ connectionString: bench.databaseUrl });
    await db.connect();
    try {
      const token = await bench.tokenFor('bench-fresh');
      const visible: number[] = [];
      const videoIds: string[] = [];
      for (let i = 0; i < SAMPLES; i += 1) {
        const { videoId, acceptedAt } = await postVideo(bench.system.commandApi, token, video.file);
        videoIds.push(videoId);
        for (;;) {
          const response = await fetch(`${bench.system.queryApi}/v1/videos/${videoId}`, { headers: { authorization: `Bearer ${token}` } });
          await response.arrayBuffer();
          if (response.status === 200) break;
        }
        visible.push(performance.now() - acceptedAt);
      }
      const deadline = Date.now() + 60_000;
      while (videoIds.some((id) => !recorder.arrivals.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const completed = await db.query<{ stream_name: string; recorded_at: Date }>(
        `select stream_name, recorded_at from event_log where type = 'UploadCompleted' and stream_name = any($1)`,
        [videoIds.map((id) => videoStreamName(id))],
      );
      const pushDelays = completed.rows.flatMap((row) => {
        const arrived = recorder.arrivals.get(videoIdOfStream(row.stream_name) ?? '');
        return arrived === undefined ? [] : [arrived - row.recorded_at.getTime()];
      });
      const v = percentiles(visible);
      const p = percentiles(pushDelays);
      return [
        { scenario: 'freshness', metric: `202 → visible in the query API, p99 ${v.p99.toFixed(1)} ms`, unit: 'ms', reelay: v, goal: 'p99 ≤ 200 ms' },
        { scenario: 'freshness', metric: `UploadCompleted → push request sent, p99 ${p.p99.toFixed(1)} ms (${pushDelays.length}/${SAMPLES})`, unit: 'ms', reelay: p, goal: 'p99 ≤ 500 ms' },
      ];
    } finally {
      await db.end();
      await video.remove();
      await bench.stop();
      await recorder.close();
    }
  },
};
