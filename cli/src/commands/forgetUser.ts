import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import type { Knex } from 'knex';
import { UserForgotten, UserId, decideDeleteVideo, newEvent, userStreamName, videoStreamModel, type RecordedEvent, type VideoState } from '@reelay/contracts';
import {
  PersonalDataVault,
  createLogger,
  createStagingStore,
  userHasKeyRows,
  type ObjectStorage,
  type StagingStore,
} from '@reelay/platform';
import { CommandHandler, type EventStore } from '@reelay/event-store';
import { ContentClaims, PostgresLocker, createTusArea, forgetTusUploads, type ForgetTusUploadsDeps, type TusArea } from '@reelay/command-api';
import { eraseUserFromReadModel } from '@reelay/projector';
import { CliFailure, UsageError, createProgress, withCliContext, write, type ProgressReporter } from '../cliContext';
import { objectStorageFor, removeVideoBytes } from './removeVideoBytes';
import { UploadScan } from './uploadScan';

/**
 * `reelay forget-user <userId>`: GDPR erasure by crypto-shredding. Marks the user forgotten by
 * destroying their data keys (intake refuses them from then on) and scrubs the read model in one
 * transaction; then finds their uploads in the log, records `UserForgotten` in `user-<userId>`,
 * reads the log on until that event shows (so an upload recorded just before the mark is found
 * too), removes their tus uploads, records `VideoDeleted` for each video and removes the objects
 * and staged copies. The log is never rewritten: what the user typed is in it only sealed, and
 * unreadable from then on. Running it again completes whatever an interrupted run left undone and
 * records nothing twice.
 */
export function forgetUserCommand(): Command {
  return new Command('forget-user')
    .argument('<userId>', 'the user to forget: the `sub` of their tokens')
    .option('--requested-by <who>', 'who asked for the erasure (an operator, a ticket), recorded in UserForgotten', 'reelay forget-user')
    .description("erase a user's personal data (crypto-shredding): refuse their uploads from now on, destroy their keys, scrub the read model, delete their videos and tus uploads")
    .action(async (userId: string, options: { requestedBy: string }) => {
      const parsedUser = UserId.safeParse(userId);
      if (!parsedUser.success) throw new UsageError(`"${userId}" is not a user id: ${parsedUser.error.issues[0]?.message ?? 'invalid'}`);
      const requestedBy = UserForgotten.shape.data.shape.requestedBy.safeParse(options.requestedBy);
      if (!requestedBy.success) throw new UsageError('--requested-by must be 1 to 200 characters');
      await withCliContext(async (context) => {
        const knex = context.readModel();
        const vault = PersonalDataVault.fromConfig(knex, context.config);
        await vault.migrate();
        const { store } = await context.eventStore();
        const staging = createStagingStore(context.config);
        // The command API's upload locks: a tus upload is removed as its DELETE would remove it.
        const tusLocker = new PostgresLocker({ connectionString: context.config.DATABASE_URL, applicationName: 'reelay-cli-tus-locks', logger: createLogger('reelay-cli', 'warn') });
        await tusLocker.start();
        try {
          const report = await forgetUser(
            {
              store,
              knex,
              vault,
              staging,
              tusArea: createTusArea(staging, context.config.TUS_UPLOAD_EXPIRATION_MS),
              tusLocker,
              objectStorage: objectStorageFor(context.config),
              progress: (label) => createProgress({ label, unit: 'uploads' }),
            },
            parsedUser.data,
            requestedBy.data,
          );
          await write(`${describeForgetReport(report)}\n`);
        } finally {
          await tusLocker.stop();
        }
      });
    });
}

export interface ForgetUserDeps {
  readonly store: EventStore;
  /** The read model's database, where the keys, the tus upload places and the content claims live too. */
  readonly knex: Knex;
  readonly vault: PersonalDataVault;
  readonly staging: StagingStore;
  /** Where the command API keeps tus uploads (the same STAGING), and its upload locks. */
  readonly tusArea: TusArea;
  readonly tusLocker: ForgetTusUploadsDeps['locker'];
  /** The bucket's storage for a bucket name; undefined when this process cannot reach S3 (see objectStorageFor). */
  readonly objectStorage: ((bucket: string) => ObjectStorage) | undefined;
  readonly progress?: (label: string) => ProgressReporter;
  /** How long to wait for the log to show this run's UserForgotten (default 60 s). */
  readonly logCatchUpTimeoutMs?: number;
}

export interface ForgetReport {
  readonly userId: string;
  /** True when an earlier run recorded UserForgotten and no live key was left to destroy. */
  readonly alreadyForgotten: boolean;
  readonly destroyedKeyIds: readonly string[];
  readonly videoIds: readonly string[];
  readonly rowsScrubbed: number;
  readonly videosDeleted: number;
  readonly objectsRemoved: number | 'left to the uploader';
  readonly stagedCopiesRemoved: number;
  /** Staged copies whose refs name another staging folder than this process's STAGING. */
  readonly stagedCopiesElsewhere: number;
  /** The user's tus uploads removed (records, and the bytes of unfinished ones). */
  readonly tusUploadsRemoved: number;
  /** The UserForgotten recorded by this run, if any. */
  readonly recorded: RecordedEvent | undefined;
}

/**
 * Forgets one user (see forgetUserCommand). Throws CliFailure for an unknown user, changing nothing.
 *
 * Why this order: the mark comes first, so that from its commit on no upload of the user is
 * recorded (PersonalDataVault.recordSealed refuses it) and no tus upload of theirs is created
 * (the command API checks again once it exists). Every upload recorded before the mark committed
 * before it, so it is in the log ahead of this run's UserForgotten: reading the log until that
 * event is visible finds them all, even one a global read held back behind an open transaction.
 */
export async function forgetUser(deps: ForgetUserDeps, userId: UserId, requestedBy: string): Promise<ForgetReport> {
  const earlier = (await deps.store.readStream(userStreamName(userId))).filter((event) => event.type === 'UserForgotten');
  const scan = new UploadScan(deps.store, userId);
  if (earlier.length === 0 && !(await userHasKeyRows(deps.knex, userId))) {
    // No key and no erasure: only uploads from before sealing existed can make the user known.
    await scan.toVisibleEnd(deps.progress?.('forget-user: finding the user’s uploads in the log'));
    if (scan.videoIds.size === 0) throw new CliFailure(`no user "${userId}" is known: no data key, no upload and no earlier erasure; nothing was changed`);
  }

  // The mark: keys and read model in one transaction (see the locking in platform's personalData/keyStore.ts).
  const { destroyedKeyIds, scrubbed } = await deps.knex.transaction(async (trx) => {
    const destroyed = await deps.vault.destroyKeysOf(trx, userId);
    return { destroyedKeyIds: destroyed.destroyedKeyIds, scrubbed: await eraseUserFromReadModel(trx, userId) };
  });
  await scan.toVisibleEnd(deps.progress?.('forget-user: finding the user’s uploads in the log'));
  // The read model may know a video the scan cannot see yet (held back behind an open transaction).
  const known = () => [...new Set([...scan.videoIds, ...scrubbed])];

  const correlationId = randomUUID();
  const alreadyForgotten = earlier.length > 0 && destroyedKeyIds.length === 0;
  let recorded: RecordedEvent | undefined;
  let causationId = earlier[earlier.length - 1]?.id ?? correlationId;
  if (!alreadyForgotten) {
    const forgotten = newUserForgotten({ userId, destroyedKeyIds, videoCount: known().length, requestedBy }, { correlationId, causationId: correlationId, userId });
    await deps.store.appendToStream(userStreamName(userId), [forgotten], { expectedRevision: 'any' });
    await scan.until(forgotten.id, deps.logCatchUpTimeoutMs ?? 60_000);
    recorded = (await deps.store.readStream(userStreamName(userId), { direction: 'backwards', maxCount: 1 }))[0];
    causationId = forgotten.id;
  }

  // Unfinished tus uploads cannot be finished any more, and no record keeps what the user typed.
  const tus = await forgetTusUploads({ area: deps.tusArea, knex: deps.knex, locker: deps.tusLocker }, userId);
  await new ContentClaims(deps.knex).dropAllOf(userId);

  const videoIds = known();
  const repository = new CommandHandler(deps.store, videoStreamModel);
  let videosDeleted = 0;
  const states: VideoState[] = [];
  for (const videoId of videoIds) {
    // Deleted through the log, as the app deletes: an upload still running stops at its next
    // step, and the uploader removes whatever it stored later.
    const decision = await repository.decide(videoId, (state) =>
      (state ? decideDeleteVideo({ videoId, userId }, state) : []).map((event) => newEvent(event, { correlationId, causationId, userId })),
    );
    videosDeleted += decision.appended.length;
    if (decision.state) states.push(decision.state);
  }

  const bytes = await removeVideoBytes(deps, states);
  // Again: a body still arriving at the mark may have written its progress row since.
  const rescrubbed = await deps.knex.transaction((trx) => eraseUserFromReadModel(trx, userId));
  const rowsScrubbed = new Set([...scrubbed, ...rescrubbed]).size;
  return { userId, alreadyForgotten, destroyedKeyIds, videoIds, rowsScrubbed, videosDeleted, ...bytes, tusUploadsRemoved: tus.removed.length, recorded };
}

function newUserForgotten(data: UserForgotten['data'], metadata: { correlationId: string; causationId: string; userId: string }) {
  const valid = UserForgotten.parse({ type: 'UserForgotten', data });
  return { id: randomUUID(), type: valid.type, data: valid.data, metadata };
}

/** One line on stdout: what was done, or what an earlier run had done already. */
export function describeForgetReport(report: ForgetReport): string {
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const objects = typeof report.objectsRemoved === 'number' ? `${count(report.objectsRemoved, 'object')} gone from S3` : 'objects left to the uploader (S3_ENDPOINT is unset)';
  const done = [
    `${count(report.destroyedKeyIds.length, 'data key')} destroyed`,
    `${count(report.rowsScrubbed, 'read-model row')} scrubbed`,
    `${count(report.videosDeleted, 'video')} deleted`,
    objects,
    `${count(report.stagedCopiesRemoved, 'staged copy', 'staged copies')} gone`,
    ...(report.stagedCopiesElsewhere > 0 ? [`${count(report.stagedCopiesElsewhere, 'staged copy', 'staged copies')} in another STAGING left to the uploader`] : []),
    `${count(report.tusUploadsRemoved, 'tus upload')} removed`,
  ].join(', ');
  const head = report.alreadyForgotten
    ? `user ${report.userId} was already forgotten; checked again`
    : `forgot user ${report.userId}; recorded UserForgotten in ${userStreamName(report.userId)}`;
  return `${head}: ${count(report.videoIds.length, 'video')} known, ${done}`;
}
