/**
 * Whether a Postgres error means the connection (or the server) went away rather than that the
 * statement was wrong: such a read is worth trying again on a fresh connection. SQLSTATE class
 * 08 is "connection exception"; 57P01–57P03 are a terminated backend, a crash and a server
 * starting up; 53300 is "too many connections". Errors without a SQLSTATE come from the socket.
 */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) return true;
  }
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}
