import { signOut } from './sign-in.js';
import { newSweepPage } from './views/new-sweep.js';
import { sweepListPage } from './views/sweep-list.js';
import { sweepPage } from './views/sweep-page.js';

const root = document.getElementById('app') as HTMLElement;
let leave: () => void = () => {};

/** Hash routes: `#/` sweeps, `#/new` the form, `#/sweeps/<id>` one sweep. */
function route() {
  leave();
  delete root.dataset.sweepEnded;
  const path = location.hash.replace(/^#/, '') || '/';
  const sweep = /^\/sweeps\/([^/?]+)$/.exec(path);
  if (sweep?.[1]) leave = sweepPage(root, decodeURIComponent(sweep[1]));
  else if (path === '/new') leave = newSweepPage(root);
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
