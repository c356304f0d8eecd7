"""Drives tuspy (Debian's python3-tuspy), a tus client we did not write, for the conformance tests.

One upload per run, described by a JSON argument:
  endpoint, token, file, chunkSize, metadata   as a phone's app would pass them to tuspy;
  url (optional)                               resume that upload with a new client object (tuspy HEADs it);
  stopAt (optional)                            stop once this many bytes are stored, as an app put away.
Prints one JSON line: the upload URL, the offset reached, the offset it started from, the requests
and body bytes it sent (counted under tuspy, at the `requests` session), the last Reelay-Video-Id
header seen, and the error tuspy raised if any (exit status 3). Anything else is a bug (status 1).
"""
import collections
import json
import sys

import requests
from tusclient import client
from tusclient.exceptions import TusCommunicationError

counts = collections.Counter()
sent_bytes = 0
video_id = None
_send = requests.Session.send


def counting_send(session, request, **kwargs):
    global sent_bytes, video_id
    counts[request.method] += 1
    if request.body:
        sent_bytes += len(request.body)
    response = _send(session, request, **kwargs)
    video_id = response.headers.get('reelay-video-id') or video_id
    return response


requests.Session.send = counting_send


def main():
    args = json.loads(sys.argv[1])
    tus = client.TusClient(args['endpoint'], headers={'Authorization': 'Bearer ' + args['token']})
    result = {'url': args.get('url'), 'offset': None, 'startedAt': 0}
    status = 0
    uploader = None
    try:
        uploader = tus.uploader(args['file'], chunk_size=args['chunkSize'], metadata=args.get('metadata', {}), url=args.get('url'))
        result['startedAt'] = uploader.offset
        uploader.upload(stop_at=args.get('stopAt'))
        result['url'] = uploader.url
        result['offset'] = uploader.offset
    except TusCommunicationError as error:
        status = 3
        body = error.response_content
        result['error'] = {
            'message': str(error),
            'status': error.status_code,
            'body': body.decode('utf-8', 'replace') if isinstance(body, bytes) else body,
        }
        if uploader is not None:
            result['url'] = uploader.url
            result['offset'] = uploader.offset
    result['requests'] = dict(counts)
    result['bytesSent'] = sent_bytes
    result['videoId'] = video_id
    print(json.dumps(result))
    sys.exit(status)


main()
