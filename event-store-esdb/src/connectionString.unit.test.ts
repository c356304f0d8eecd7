import { describe, it, expect } from '@jest/globals';
import { EVENTSTOREDB_URL } from '@reelay/event-store';
import { toEsdbConnectionString } from './connectionString';

describe('an EventStoreDB connection string', () => {
  it('is recognised under both of the product’s names, single node or cluster', () => {
    for (const url of ['esdb://localhost:2113', 'esdb+discover://a:2113,b:2113', 'kurrentdb://localhost:2113', 'kurrentdb+discover://a:2113']) {
      expect(EVENTSTOREDB_URL.test(url)).toBe(true);
    }
    expect(EVENTSTOREDB_URL.test('postgres://localhost/reelay')).toBe(false);
  });

  it('is handed to the client as esdb://, which is all the 6.x client knows', () => {
    expect(toEsdbConnectionString('kurrentdb://admin:changeit@localhost:2113?tls=false')).toBe('esdb://admin:changeit@localhost:2113?tls=false');
    expect(toEsdbConnectionString('kurrentdb+discover://a:2113,b:2113')).toBe('esdb+discover://a:2113,b:2113');
    expect(toEsdbConnectionString('esdb://localhost:2113')).toBe('esdb://localhost:2113');
  });
});
