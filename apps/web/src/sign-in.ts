import { h } from './dom.js';

/**
 * The dashboard authenticates like any client, with an API key. It keeps the key in a same-site
 * cookie so that fetches, the progress EventSource, downloads and Bull Board all carry it.
 */
export const keyCookie = 'frontline_key';

export function storeKey(key: string): void {
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing from Firefox and Safari.
  document.cookie = `${keyCookie}=${encodeURIComponent(key.trim())}; path=/; SameSite=Strict`;
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
  const dialog = h(
    'form',
    {
      class: 'sign-in',
      'data-testid': 'sign-in',
      onsubmit: (event: Event) => {
        event.preventDefault();
        storeKey(input.value);
        location.reload();
      },
    },
    h('h2', {}, 'API key needed'),
    h('p', {}, message),
    h(
      'p',
      {},
      'The local stack prints its admin key at first start and keeps it in .frontline/stack.json (adminKey); ' +
        'an admin can make more with `frontline keys create`.',
    ),
    input,
    h('button', { type: 'submit' }, 'Use this key'),
  );
  document.body.prepend(dialog);
  input.focus();
}
