/** `%XX` of one character's UTF-8 bytes, in upper- or lower-case hex. */
function percentEncode(character: string, lowerCase: boolean): string {
  const hex = [...Buffer.from(character, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  return lowerCase ? hex.toLowerCase() : hex;
}

/**
 * The ways a query parameter name can be written that a query parser still reads as `name`: as
 * it is, each character percent-encoded on its own, every character encoded, and pairs of
 * characters encoded, each in upper- and lower-case hex. For tests that must not list two.
 */
export function encodedNameForms(name: string): string[] {
  const characters = [...name];
  const forms = new Set<string>([name]);
  for (const lowerCase of [false, true]) {
    forms.add(characters.map((c) => percentEncode(c, lowerCase)).join(''));
    characters.forEach((_, i) => {
      forms.add(characters.map((c, j) => (j === i ? percentEncode(c, lowerCase) : c)).join(''));
      const next = (i + 1) % characters.length;
      forms.add(characters.map((c, j) => (j === i || j === next ? percentEncode(c, lowerCase) : c)).join(''));
    });
  }
  return [...forms];
}

/** The ways a query value with spaces can be written: `+`, `%20`, every character encoded, and raw UTF-8 escapes. */
export function encodedValueForms(value: string): string[] {
  return [
    value.replaceAll(' ', '+'),
    value.replaceAll(' ', '%20'),
    [...value].map((c) => percentEncode(c, false)).join(''),
    [...value].map((c) => percentEncode(c, true)).join(''),
    encodeURIComponent(value),
  ];
}
