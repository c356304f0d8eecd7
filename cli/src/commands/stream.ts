import { VideoId, videoStreamName } from '@reelay/contracts';
import { Command } from 'commander';
import { CliFailure, UsageError, withCliContext } from '../cliContext';
import { eventPrinter } from '../eventPrinter';

const PAGE = 500;

/** `reelay stream <videoId> [--json]`: one video's whole history, in revision order, page by page. */
export function streamCommand(): Command {
  return new Command('stream')
    .description("one video's whole history, in order")
    .argument('<videoId>', 'the video id (a UUID)')
    .option('--json', 'one JSON object per line (type, revision, position, recordedAt, data, metadata, …)')
    .action(async (videoId: string, options: { json?: boolean }) => {
      if (!VideoId.safeParse(videoId).success) throw new UsageError(`stream: "${videoId}" is not a video id (a UUID)`);
      await withCliContext(async (context) => {
        const { store } = await context.eventStore();
        const printer = eventPrinter('stream', options);
        let from = 0;
        for (;;) {
          const page = await store.readStream(videoStreamName(videoId), { fromRevision: from, maxCount: PAGE });
          for (const event of page) await printer.print(event);
          const last = page[page.length - 1];
          if (!last || page.length < PAGE) break;
          from = last.revision + 1;
        }
        if (printer.printed === 0) throw new CliFailure(`stream: no video ${videoId}: its stream ${videoStreamName(videoId)} holds no events`);
      });
    });
}
