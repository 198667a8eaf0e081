import { h } from './dom.js';

/**
 * The dashboard authenticates like any client, with an API key. The API checks it and keeps it in
 * an HttpOnly, SameSite=Strict cookie of its own (POST /v1/session), so that fetches, the progress
 * EventSource, downloads and Bull Board all carry it while no script on the page can read it.
 */
export async function signIn(key: string): Promise<string | undefined> {
  const response = await fetch('/v1/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: key.trim() }),
  });
  if (response.ok) return undefined;
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? `sign-in failed: HTTP ${response.status}`;
}

/** Forget the key: the API clears its cookie. */
export async function signOut(): Promise<void> {
  await fetch('/v1/session', { method: 'DELETE' });
}

let shown = false;

/** Ask for an API key (after a 401), then reload with it. */
export function showSignIn(message: string): void {
  if (shown) return;
  shown = true;
  const input = h('input', {
    name: 'apiKey',
    type: 'password',
    placeholder: 'fl_…',
    size: 60,
    autocomplete: 'off',
  });
  const error = h('p', { class: 'sign-in-error', role: 'alert' });
  const dialog = h(
    'form',
    {
      class: 'sign-in',
      'data-testid': 'sign-in',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const failure = await signIn(input.value);
        if (failure === undefined) location.reload();
        else error.textContent = failure;
      },
    },
    h('h2', {}, 'API key needed'),
    h('p', {}, message),
    h(
      'p',
      {},
      'The local stack prints its operator key at first start and keeps it in .frontline/stack.json (adminKey); ' +
        'an operator or a tenant admin can make more with `frontline keys create`.',
    ),
    input,
    h('button', { type: 'submit' }, 'Use this key'),
    error,
  );
  document.body.prepend(dialog);
  input.focus();
}
