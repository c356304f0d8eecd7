import { CliFailure } from '../cliFailure';

/** The action of a command whose owner has not landed it yet: never pretends success. */
export function notImplemented(name: string): () => never {
  return () => {
    throw new CliFailure(`${name}: not implemented yet`);
  };
}
