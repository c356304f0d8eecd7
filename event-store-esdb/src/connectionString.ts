/**
 * The client of 6.x only knows `esdb://` and `esdb+discover://`; `kurrentdb://` is the same
 * protocol under the product's new name.
 */
export function toEsdbConnectionString(url: string): string {
  return url.replace(/^kurrentdb(\+discover)?:\/\//, (_match, discover: string | undefined) => `esdb${discover ?? ''}://`);
}
