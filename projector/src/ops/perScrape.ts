/**
 * One read shared by the gauges of one scrape: prom-client collects a registry's gauges
 * concurrently, so gauges fed by the same query would otherwise each run it (or see the values
 * of the scrape before). The first call starts the read; calls within `windowMs` share it.
 */
export function perScrape<T>(read: () => Promise<T>, windowMs = 250): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > windowMs) cached = { at: now, value: read() };
    return cached.value;
  };
}
