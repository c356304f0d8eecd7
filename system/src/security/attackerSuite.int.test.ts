import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import fc from 'fast-check';
import { URL_FORMS, fill, requestTarget, targetChoice, type RouteTemplate, type TargetChoice } from './attackerUrls';
import { ATTACKER, MP4_HEAD, VICTIM, TOKEN_KINDS, attackSurface, buildAttackerWorld, routesOf, sendRaw, type AttackerWorld, type RawAnswer, type TokenKind } from './attackerWorld';
import { startSecurityHarness, type SecurityHarness } from './securityHarness';

/** Cross-user attempts per run, at least. */
const MIN_ATTEMPTS = 1_000;
/**
 * Refusals that reach nothing: malformed, unauthenticated, not found (never "forbidden": that
 * would say it exists), wrong method; and 414, a path segment over 100 characters refused before
 * routing (an id percent-encoded twice over).
 */
const REFUSALS = new Set([400, 401, 404, 405, 414]);
/** Mostly the attacker's own valid token (the one that gets past authentication), the rest forged or missing. */
const tokenKind: fc.Arbitrary<TokenKind> = fc.oneof({ arbitrary: fc.constant<TokenKind>('own'), weight: 6 }, ...TOKEN_KINDS.filter((kind) => kind !== 'own').map((kind) => ({ arbitrary: fc.constant(kind), weight: 1 })));

/** The attacker's own id of the kind a route's parameter takes. */
function ownIdFor(world: AttackerWorld, path: string): string {
  if (path.includes(':videoId')) return world.ownVideo;
  if (path.includes(':userId')) return ATTACKER;
  return world.ownUpload();
}

/** Headers and body that get past tus' and the routes' own checks, so that only ownership can refuse. */
function requestFor(method: string, token: string | undefined): { headers: Record<string, string>; body?: Buffer } {
  const headers: Record<string, string> = { 'tus-resumable': '1.0.0', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  if (method === 'PATCH') return { headers: { ...headers, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: MP4_HEAD };
  if (method === 'POST') return { headers: { ...headers, 'upload-length': '20000', 'upload-metadata': `title ${Buffer.from('Mallory').toString('base64')},filename ${Buffer.from('m.mp4').toString('base64')}` } };
  return { headers };
}

/**
 * Generated, not listed: for every route both APIs declare and every method, fast-check builds
 * request targets that name another user's video, upload or list in the ways two layers can
 * read a URL differently, and sends them unnormalised with each kind of token. Nothing of the
 * victim's may come back or change.
 */
describe('the attacker suite: every route × method × URL form × victim id × token', () => {
  let h: SecurityHarness;
  let world: AttackerWorld;
  let baseline: string[];
  let logPosition: number;
  const statuses = new Map<number, number>();
  let attempts = 0;

  beforeAll(async () => {
    h = await startSecurityHarness({ withTus: true, rateLimitMax: 1_000_000 });
    world = await buildAttackerWorld(h);
    baseline = await world.snapshot();
    logPosition = await world.logPosition();
  }, 60_000);
  afterAll(async () => {
    console.info(`attacker suite: ${attempts} cross-user attempts; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    await h?.dispose();
  });

  it('covers every route of both APIs', () => {
    const routes = routesOf(h);
    expect(routes.filter((route) => route.api === 'command').map((route) => route.path)).toEqual(expect.arrayContaining(['/v1/videos', '/v1/videos/:videoId', '/v1/uploads', '/v1/uploads/:uploadId']));
    expect(routes.filter((route) => route.api === 'query').map((route) => route.path)).toEqual(expect.arrayContaining(['/v1/videos/:videoId', '/v1/users/:userId/videos']));
  });

  /** Sends one generated attempt and judges it; counts it. */
  async function attempt(route: RouteTemplate, method: string, choice: TargetChoice, victimId: string, kind: TokenKind): Promise<void> {
    const base = route.api === 'command' ? h.commandUrl : h.queryUrl;
    const target = requestTarget(choice, { path: route.path, own: ownIdFor(world, route.path), victim: victimId, authority: new URL(base).host });
    const { headers, body } = requestFor(method, world.tokens[kind]);
    const answer = await sendRaw(base, method, target, headers, body);
    attempts += 1;
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    await judge(route, method, target, kind, answer);
  }

  it("reaches nothing of another user's, on any route, and changes nothing", async () => {
    const routes = routesOf(h);
    const surface = attackSurface(routes);
    const users = surface.filter(({ route }) => route.path.startsWith('/v1/'));
    const others = surface.filter(({ route }) => !route.path.startsWith('/v1/'));
    const forms = Object.keys(URL_FORMS);
    const forged = fc.constantFrom(...TOKEN_KINDS.filter((kind) => kind !== 'own'));
    const started = Date.now();

    // Where users' things live: every form with the attacker's own valid token, the one that gets past authentication.
    for (const { route, method } of users) {
      for (const form of forms) {
        await fc.assert(fc.asyncProperty(targetChoice([form]), victimIdFor(route.path), (choice, victimId) => attempt(route, method, choice, victimId, 'own')), { numRuns: 1 });
      }
      // Forged, expired and missing tokens, all claiming to be the victim.
      await fc.assert(fc.asyncProperty(targetChoice(), victimIdFor(route.path), forged, (choice, victimId, kind) => attempt(route, method, choice, victimId, kind)), { numRuns: 6 });
    }
    // Health, metrics and the API documents: nothing of anyone's, but reached by the same parsers.
    for (const { route, method } of others) {
      await fc.assert(fc.asyncProperty(targetChoice(), victimIdFor(route.path), tokenKind, (choice, victimId, kind) => attempt(route, method, choice, victimId, kind)), { numRuns: 2 });
    }

    const elapsed = Date.now() - started;
    console.info(`attacker suite: ${surface.length} (route, method) pairs over ${routes.length} routes (${users.length} under /v1), ${forms.length} URL forms, ${attempts} attempts in ${elapsed} ms`);
    expect(attempts).toBeGreaterThanOrEqual(MIN_ATTEMPTS);
    expect(await world.snapshot()).toEqual(baseline);
    expect(await world.eventsTouchingVictimSince(logPosition)).toEqual([]);
  }, 300_000);

  /** The victim's ids, those of the kind the route's parameter takes three times in four. */
  function victimIdFor(path: string): fc.Arbitrary<string> {
    const kind = path.includes(':videoId') ? world.victimVideoIds : path.includes(':uploadId') ? world.victimUploads : path.includes(':userId') ? [VICTIM] : world.victimIds;
    return fc.oneof({ arbitrary: fc.constantFrom(...kind), weight: 3 }, { arbitrary: fc.constantFrom(...world.victimIds), weight: 1 });
  }

  /** One attempt's verdict: a refusal that reaches nothing, or the attacker's own business with none of the victim's in it. */
  async function judge(route: RouteTemplate, method: string, target: string, kind: TokenKind, answer: RawAnswer): Promise<void> {
    const seen = `${JSON.stringify(answer.headers)} ${answer.body}`;
    const leaked = world.secrets.filter((secret) => seen.includes(secret));
    if (leaked.length > 0) throw new Error(`${method} ${target} (${kind} token) answered ${answer.status} carrying the victim's ${leaked.join(', ')}`);
    if (REFUSALS.has(answer.status)) return;
    // A request an attacker can send must never break the API, on any route.
    if (answer.status >= 500) throw new Error(`${method} ${target} (${kind} token) answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    const aboutOwn = kind === 'own' && target.includes(ownIdFor(world, route.path));
    // Outside /v1 nothing is anyone's (health, metrics, the API documents): any answer without the victim's data will do.
    const isPublic = !route.path.startsWith('/v1/') || (method === 'OPTIONS' && route.path.startsWith('/v1/uploads'));
    if (isPublic && answer.status >= 400) return;
    // 409: the attacker's own video is not FAILED (retry) — a refusal about their own thing.
    const allowed = answer.status < 400 ? isPublic || (kind === 'own' && (aboutOwn || fill(route.path, '') === route.path)) : aboutOwn && answer.status === 409;
    if (!allowed) throw new Error(`${method} ${target} (${kind} token) answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    if (answer.status < 400 && !['GET', 'HEAD', 'OPTIONS'].includes(method)) {
      // Written or terminated: the attacker's upload for the next attempts is a fresh one.
      await world.renewOwnUpload();
    }
    if (answer.status < 400) {
      const now = await world.snapshot();
      if (JSON.stringify(now) !== JSON.stringify(baseline)) throw new Error(`${method} ${target} (${kind} token) answered ${answer.status} and changed the victim's state: ${now.filter((line) => !baseline.includes(line)).join(' | ')}`);
    }
  }
});
