import { describe, it, expect } from '@jest/globals';
import { parse } from 'fast-querystring';
import { encodedNameForms, encodedValueForms } from '@reelay/testing';
import { queryParameterName, scrubSecrets } from './scrubSecrets';

const TITLE = 'Qz7Lisbon rooftops at dusk';
const FILE_NAME = 'qz7 lisbon dusk.mp4';
/** Words of the title and file name that must appear in no form in a scrubbed line. */
const WORDS = ['Qz7Lisbon', 'rooftops', 'dusk', 'qz7', 'lisbon'];

/** A log line as pino writes one for a request. */
const lineFor = (url: string) => JSON.stringify({ level: 30, msg: 'incoming request', req: { method: 'POST', url } });

function leaked(line: string): string[] {
  const decoded = decodeURIComponent(line.replace(/\+/g, ' ').replace(/%(?![0-9a-f]{2})/gi, '%25'));
  return WORDS.filter((word) => decoded.toLowerCase().includes(word.toLowerCase()));
}

describe('scrubbing the query of a logged URL', () => {
  const titleNames = encodedNameForms('title');
  const fileNameNames = encodedNameForms('fileName');

  it('generates many spellings, each one the query parser reads as the real name', () => {
    expect(titleNames.length).toBeGreaterThan(12);
    expect(fileNameNames.length).toBeGreaterThan(20);
    for (const name of titleNames) expect(Object.keys(parse(`${name}=x`))).toEqual(['title']);
    for (const name of fileNameNames) expect(Object.keys(parse(`${name}=x`))).toEqual(['fileName']);
  });

  it('hides the title and file name whatever the spelling of their names and values', () => {
    let cases = 0;
    for (const [i, titleName] of titleNames.entries()) {
      for (const [j, fileNameName] of fileNameNames.entries()) {
        const titleValue = encodedValueForms(TITLE)[(i + j) % 5] as string;
        const fileNameValue = encodedValueForms(FILE_NAME)[(i * j) % 5] as string;
        const url = `/v1/videos?${titleName}=${titleValue}&${fileNameName}=${fileNameValue}`;
        // The parser hands the route exactly these: what the user typed.
        expect(parse(url.split('?')[1] as string)).toEqual({ title: TITLE, fileName: FILE_NAME });
        const line = scrubSecrets(lineFor(url));
        expect(leaked(line)).toEqual([]);
        expect(line).toContain(`?${titleName}=[personal]&${fileNameName}=[personal]`);
        cases += 1;
      }
    }
    expect(cases).toBe(titleNames.length * fileNameNames.length);
  });

  it('hides every value of a repeated parameter, and parameters quoted inside messages', () => {
    const url = `/v1/videos?title=${encodedValueForms(TITLE)[0]}&%74itle=${encodedValueForms(TITLE)[2]}&t%69tle=${encodedValueForms(TITLE)[1]}`;
    expect(parse(url.split('?')[1] as string)).toEqual({ title: [TITLE, TITLE, TITLE] });
    expect(leaked(scrubSecrets(lineFor(url)))).toEqual([]);
    const message = JSON.stringify({ msg: `Route POST:/v1/videos?%66ileName=${encodeURIComponent(FILE_NAME)}&x=1 not found` });
    expect(leaked(scrubSecrets(message))).toEqual([]);
    // A JSON-escaped quote inside the value does not end it early.
    expect(scrubSecrets(JSON.stringify({ url: '/v1/videos?title=a"Qz7Lisbon' }))).not.toContain('Qz7Lisbon');
  });

  it('keeps parameters that are neither personal nor credentials as they are', () => {
    const line = lineFor('/v1/users/me/videos?status=UPLOADED&limit=20&subtitle=kept&cursor=abc');
    expect(scrubSecrets(line)).toBe(line);
  });

  it('hides credential parameters whatever their spelling', () => {
    for (const name of [...encodedNameForms('access_token'), ...encodedNameForms('X-Amz-Signature')]) {
      expect(scrubSecrets(lineFor(`/x?${name}=opaque-credential-1234`))).not.toContain('opaque-credential-1234');
    }
  });

  it('decodes a name as the parser does', () => {
    expect(queryParameterName('%74itle')).toBe('title');
    expect(queryParameterName('file%4Eame')).toBe('filename');
    expect(queryParameterName('title%ZZ')).toBe('title%zz');
    expect(queryParameterName('ti+tle')).toBe('ti tle');
  });
});
