/** A small admin API client for tests: JSON in and out, status and X-Config-Version kept. */
export interface AdminAnswer<T = any> {
  status: number;
  version: number;
  body: T;
}

export function adminClient(baseUrl: string, token?: string) {
  return async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<AdminAnswer<T>> {
    const response = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, version: Number(response.headers.get('x-config-version')), body: (text ? JSON.parse(text) : null) as T };
  };
}

export type AdminCall = ReturnType<typeof adminClient>;
