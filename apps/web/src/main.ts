import { signOut } from './sign-in.js';
import { compareView } from './views/compare-view.js';
import { newSweepPage } from './views/new-sweep.js';
import { sweepListPage } from './views/sweep-list.js';
import { sweepPage } from './views/sweep-page.js';

const root = document.getElementById('app') as HTMLElement;
let leave: () => void = () => {};

/**
 * Hash routes: `#/` sweeps, `#/new` the form (`?from=<id>` a copy of that sweep), `#/sweeps/<id>`
 * one sweep, `#/compare/<id>[/<other id>]` two sweeps side by side.
 */
function route() {
  leave();
  delete root.dataset.sweepEnded;
  const [path = '/', query = ''] = (location.hash.replace(/^#/, '') || '/').split('?');
  const sweep = /^\/sweeps\/([^/?]+)$/.exec(path);
  const compare = /^\/compare\/([^/?]+)(?:\/([^/?]+))?$/.exec(path);
  if (sweep?.[1]) leave = sweepPage(root, decodeURIComponent(sweep[1]));
  else if (compare?.[1])
    leave = compareView(root, decodeURIComponent(compare[1]), compare[2] && decodeURIComponent(compare[2]));
  else if (path === '/new') leave = newSweepPage(root, new URLSearchParams(query).get('from') ?? undefined);
  else leave = sweepListPage(root);
  for (const link of document.querySelectorAll<HTMLAnchorElement>('header nav a')) {
    link.classList.toggle('current', link.getAttribute('href') === `#${path}`);
  }
  window.scrollTo(0, 0);
}

document.querySelector('[data-action="sign-out"]')?.addEventListener('click', async (event) => {
  event.preventDefault();
  await signOut();
  location.reload();
});
window.addEventListener('hashchange', route);
route();
