export interface DemoOptions {
  apiUrl: string;
}

/** The quick-start run on a healthy stack. For now it reports the stack's health. */
export async function runDemo({ apiUrl }: DemoOptions): Promise<void> {
  for (const path of ['/healthz', '/readyz']) {
    const response = await fetch(new URL(path, apiUrl), { signal: AbortSignal.timeout(5_000) });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${body}`);
    console.log(`[demo]     GET ${path} → ${response.status} ${body}`);
  }
  console.log('[demo]     the stack is healthy');
}
