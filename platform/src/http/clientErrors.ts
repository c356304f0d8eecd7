import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { LingeringClose } from './lingeringClose';
import { PROBLEM_CONTENT_TYPE, problem } from './problems';

/** Node's parser error codes, in words a client developer can act on. */
const PARSE_FAILURES: Record<string, string> = {
  HPE_INVALID_CONTENT_LENGTH: 'the Content-Length header is not a valid length',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'a request may not carry both Content-Length and Transfer-Encoding',
  HPE_INVALID_TRANSFER_ENCODING: 'the Transfer-Encoding header is not valid',
  HPE_INVALID_CHUNK_SIZE: 'a chunk of the chunked body has an invalid size',
  HPE_INVALID_METHOD: 'the request method is not valid',
  HPE_INVALID_HEADER_TOKEN: 'a header name or value contains characters HTTP does not allow',
  HPE_INVALID_URL: 'the request target is not a valid URL',
  HPE_INVALID_EOF_STATE: 'the connection ended before the whole request (its body included) arrived',
};

/** The status and detail for a request Node could not even parse. */
export function clientErrorProblem(code: string | undefined): { status: number; slug: string; detail: string } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, slug: 'header-too-large', detail: 'the request line and headers are larger than this server accepts (16 KiB)' };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') {
    return { status: 408, slug: 'request-timeout', detail: 'the request did not arrive in time' };
  }
  return { status: 400, slug: 'bad-request', detail: PARSE_FAILURES[code ?? ''] ?? 'the request is not valid HTTP/1.1' };
}

/**
 * fastify's `clientErrorHandler`: Node met bytes it cannot parse as a request (headers over
 * 16 KiB, a bad Content-Length, smuggling attempts). There is no request object, so the
 * problem+json answer is written on the socket by hand, and the connection is closed: after a
 * parse error nothing more on it can be trusted. It lingers first (the rest of what the client
 * sends is read and discarded, within limits), so that a client still sending its body reads
 * the answer; Node's parser reports an error again for every chunk meanwhile, and those are
 * ignored.
 */
export function createClientErrorHandler(logger: FastifyBaseLogger, lingering: LingeringClose) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed || lingering.isLingering(socket)) return;
    const { status, slug, detail } = clientErrorProblem(error.code);
    logger.debug({ code: error.code, status }, 'refused a request that could not be parsed');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(problem(status, slug, detail));
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
      `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'X-Content-Type-Options: nosniff',
      'Connection: close',
    ].join('\r\n');
    socket.write(`${head}\r\n\r\n${body}`);
    lingering.lingerAfterParseError(socket);
  };
}
