/** What proxies serve: one request's status, and the time until every proxy serves a config change. */
import { performance } from 'node:perf_hooks';
import { request } from 'undici';

/** The status `url` answers, or 0 when nothing answers. */
export async function statusOf(url: string): Promise<number> {
  try {
    const res = await request(url);
    await res.body.dump();
    return res.statusCode;
  } catch {
    return 0;
  }
}

/** Milliseconds from `since` until every URL answers `status`, each polled back to back; throws after `timeoutMs`. */
export async function servedEverywhere(urls: readonly string[], since: number, status = 200, timeoutMs = 10_000): Promise<number> {
  const deadline = since + timeoutMs;
  await Promise.all(
    urls.map(async (url) => {
      while ((await statusOf(url)) !== status) {
        if (performance.now() > deadline) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms`);
      }
    }),
  );
  return performance.now() - since;
}
