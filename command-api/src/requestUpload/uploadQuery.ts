import { UploadVideoQuery } from '@reelay/contracts';

/**
 * Bidirectional overrides and isolates (U+202A–202E, U+2066–2069) make `clip‮4pm.exe` display
 * as `clipexe.mp4`: a name that lies about itself in every list the app and operators show.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;
const withoutBidiControls = (text: string) => !BIDI_CONTROLS.test(text);
const BIDI_MESSAGE = 'must not contain bidirectional control characters';

/**
 * The query of `POST /v1/videos`: the contract's rules (lengths; no control characters; no path
 * separators, `.` or `..` in a file name) and, on top, no bidirectional controls. The file name
 * never reaches a path anyway: staged files are named after the video id.
 */
export const RequestUploadQuery = UploadVideoQuery.extend({
  title: UploadVideoQuery.shape.title.refine(withoutBidiControls, BIDI_MESSAGE),
  fileName: UploadVideoQuery.shape.fileName.refine(withoutBidiControls, BIDI_MESSAGE),
});
