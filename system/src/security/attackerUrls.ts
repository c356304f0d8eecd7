import fc from 'fast-check';

/** A route as an app declares it: one path template (`/v1/uploads/:uploadId`) and its methods. */
export interface RouteTemplate {
  readonly api: 'command' | 'query';
  readonly path: string;
  readonly methods: readonly string[];
}

/** Every method an attacker may try on any path, declared there or not. */
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** What the request target is built from: the route, an id of the attacker's own and one of the victim's. */
export interface TargetParts {
  readonly path: string;
  /** The attacker's own id of the kind the route's parameter takes (or any, for a route without one). */
  readonly own: string;
  readonly victim: string;
  /** host:port, for the absolute form. */
  readonly authority: string;
}

/** The route's path with its (single) parameter or wildcard filled in; a route without one is left as it is. */
export function fill(path: string, id: string): string {
  return path.replace(/:[A-Za-z]+|\*/, id);
}

/**
 * Ways two layers can read one request target differently, each built from the route and two
 * ids. The web's and the parsers' own disagreements: what goes into the query, what an encoded
 * or doubled separator means, where a segment ends, whether case or dots matter.
 */
export const URL_FORMS: Readonly<Record<string, (p: TargetParts) => string>> = {
  'victim id in the parameter': (p) => fill(p.path, p.victim),
  'own id, victim in a query value after a slash': (p) => `${fill(p.path, p.own)}?x=/${p.victim}`,
  'own id, victim in id-named query parameters': (p) => `${fill(p.path, p.own)}?uploadId=${p.victim}&videoId=${p.victim}&userId=${p.victim}&id=${p.victim}`,
  'own id, repeated parameter naming own then victim': (p) => `${fill(p.path, p.own)}?id=${p.own}&id=${p.victim}&x=/${p.own}&x=/${p.victim}`,
  'own id, encoded slash, victim': (p) => `${fill(p.path, p.own)}%2F${p.victim}`,
  'own id, lower-case encoded slash, victim': (p) => `${fill(p.path, p.own)}%2f${p.victim}`,
  'encoded slash traversal': (p) => `${fill(p.path, p.own)}%2F..%2F${p.victim}`,
  'own id, dot-dot segment, victim': (p) => `${fill(p.path, p.own)}/../${p.victim}`,
  'dot segment before the victim id': (p) => fill(p.path, `./${p.victim}`),
  'encoded dot-dot segment': (p) => `${fill(p.path, p.own)}/%2e%2e/${p.victim}`,
  'upper-case encoded dot-dot and slash': (p) => `${fill(p.path, p.own)}%2F%2E%2E%2F${p.victim}`,
  'own id, semicolon, slash, victim': (p) => `${fill(p.path, p.own)};/${p.victim}`,
  'victim id with a ;parameter': (p) => `${fill(p.path, p.victim)};jsessionid=${p.own}`,
  'own id with a ;parameter naming the victim': (p) => `${fill(p.path, p.own)};id=${p.victim}`,
  'doubled slashes': (p) => fill(p.path, p.victim).replace(/\//g, '//'),
  'trailing slash': (p) => `${fill(p.path, p.victim)}/`,
  'own id, doubled slash, victim': (p) => `${fill(p.path, p.own)}//${p.victim}`,
  'every id character percent-encoded': (p) => fill(p.path, percentEncodeAll(p.victim)),
  'id in upper case': (p) => fill(p.path, p.victim.toUpperCase()),
  'path in upper case': (p) => fill(p.path.toUpperCase(), p.victim),
  'own id, backslash, victim': (p) => `${fill(p.path, p.own)}\\${p.victim}`,
  'own id, backslash dot-dot, victim': (p) => `${fill(p.path, p.own)}\\..\\${p.victim}`,
  'own id, encoded backslash, victim': (p) => `${fill(p.path, p.own)}%5C${p.victim}`,
  'own id, fragment naming the victim': (p) => `${fill(p.path, p.own)}#/${p.victim}`,
  'own id, empty query then fragment': (p) => `${fill(p.path, p.own)}?#/${p.victim}`,
  'own id, victim appended as a segment': (p) => `${fill(p.path, p.own)}/${p.victim}`,
  'own id, encoded NUL, victim': (p) => `${fill(p.path, p.own)}%00/${p.victim}`,
  // Climbing out of a route to another, by a parser that resolves dot segments where the router
  // did not: the docs app (inject resolves them), a proxy, a URL library.
  'encoded dot-dot segments climbing to the root, then the victim': (p) => `${fill(p.path, p.own)}/${'%2e%2e/'.repeat(6)}${fill(p.path, p.victim).slice(1)}`,
  'half-encoded dot-dot segments climbing to the root, then the victim': (p) => `${fill(p.path, p.own)}/${'.%2e/%2E./'.repeat(3)}${fill(p.path, p.victim).slice(1)}`,
  'out of the API docs to the victim': (p) => `/docs/%2e%2e/${fill(p.path, p.victim).slice(1)}`,
  'out of the API docs\' assets to the victim': (p) => `/docs/static/${'%2e%2e/'.repeat(3)}${fill(p.path, p.victim).slice(1)}`,
  'absolute form naming the victim': (p) => `http://${p.authority}${fill(p.path, p.victim)}`,
  'absolute form, own id, victim in the query': (p) => `http://${p.authority}${fill(p.path, p.own)}?x=/${p.victim}`,
  'absolute form with another host': (p) => `http://victim.test${fill(p.path, p.victim)}`,
};

function percentEncodeAll(text: string): string {
  return [...Buffer.from(text)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** Percent-encodes the characters of `text` that `mask` selects (unreserved ones included: equivalent per RFC 3986). */
export function percentEncodeSome(text: string, mask: readonly boolean[]): string {
  return [...text].map((char, index) => (mask[index % Math.max(mask.length, 1)] ? percentEncodeAll(char) : char)).join('');
}

/** A generated request target: a form, then optional decorations fast-check combines and shrinks. */
export interface TargetChoice {
  readonly form: string;
  /** Percent-encode some characters of the victim's id (before the form is applied). */
  readonly encodeMask: readonly boolean[];
  readonly trailingSlash: boolean;
  readonly fragment: boolean;
}

/** A decoration applied one time in four, so that most targets test their form alone. */
const sometimes = fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 });

/** Choices over `forms` (every form by default). */
export function targetChoice(forms: readonly string[] = Object.keys(URL_FORMS)): fc.Arbitrary<TargetChoice> {
  return fc.record({
    form: fc.constantFrom(...forms),
    encodeMask: fc.oneof({ arbitrary: fc.constant([] as boolean[]), weight: 2 }, { arbitrary: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), weight: 1 }),
    trailingSlash: sometimes,
    fragment: sometimes,
  });
}

/** The request target (what goes on the request line, unnormalised) for a choice. */
export function requestTarget(choice: TargetChoice, parts: TargetParts): string {
  const victim = choice.encodeMask.length > 0 ? percentEncodeSome(parts.victim, choice.encodeMask) : parts.victim;
  const form = URL_FORMS[choice.form];
  if (!form) throw new Error(`unknown URL form ${choice.form}`);
  let target = form({ ...parts, victim });
  if (choice.trailingSlash) target = target.includes('?') ? target.replace('?', '/?') : `${target}/`;
  if (choice.fragment) target = `${target}#${parts.victim}`;
  return target;
}
