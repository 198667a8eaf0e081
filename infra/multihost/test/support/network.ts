import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Machines made of Linux network namespaces: every host is a namespace with one veth link to a
 * bridge that lives in a namespace of its own (the "switch"). The root namespace holds none of
 * their addresses or links and no host has a default route, so nothing they send can leave the
 * switch. Needs root (`ip netns`).
 */
export interface Host {
  /** Short role name: data, api, proxy, w1, … (also the host name its apps see). */
  name: string;
  /** The namespace (`ip netns exec <ns> …`). */
  ns: string;
  address: string;
  /** The host's end of its link, inside its namespace: take it down to cut the host off. */
  link: string;
}

export interface Network {
  subnet: string;
  hosts: Map<string, Host>;
  host(name: string): Host;
  /** Add a host (e.g. a worker machine that joins later). */
  addHost(name: string): Host;
  /** Cut or restore a host's link from inside its own namespace. */
  setLink(name: string, up: boolean): void;
  /** Every pid running inside a host's namespace. */
  pids(name: string): number[];
  /** Remove every namespace (their links and the bridge go with them). */
  remove(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8', stdio: 'pipe' });

/** A 10.213.N.0/24 that no interface of the root namespace or any existing namespace uses. */
function unusedSubnet(): string {
  const seen = ip('-o', 'addr') + ip('route');
  let inNamespaces = '';
  for (const line of ip('netns', 'list').split('\n')) {
    const ns = line.split(' ')[0];
    if (!ns) continue;
    try {
      inNamespaces += ip('-n', ns, '-o', 'addr');
    } catch {
      // a namespace removed meanwhile
    }
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const third = 1 + Math.floor(Math.random() * 250);
    const subnet = `10.213.${third}`;
    if (!seen.includes(`${subnet}.`) && !inNamespaces.includes(`${subnet}.`)) return subnet;
  }
  throw new Error('no unused 10.213.N.0/24 subnet found');
}

export function createNetwork(hostNames: readonly string[]): Network {
  const tag = `fm${randomBytes(2).toString('hex')}`; // namespace and link names: ≤ 15 characters
  const subnet = unusedSubnet();
  const switchNs = `${tag}-switch`;
  const hosts = new Map<string, Host>();
  const namespaces: string[] = [];
  let nextAddress = 2;

  const remove = () => {
    for (const ns of namespaces.splice(0).reverse()) {
      try {
        // Whatever still runs in it (a killed test) would keep the namespace alive: end it first.
        for (const pid of nsPids(ns)) process.kill(pid, 'SIGKILL');
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  };
  const addNamespace = (ns: string) => {
    ip('netns', 'add', ns);
    namespaces.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  };
  const addHost = (name: string): Host => {
    const index = nextAddress++;
    const host: Host = { name, ns: `${tag}-${name}`, address: `${subnet}.${index}`, link: `${tag}h${index}` };
    const switchEnd = `${tag}s${index}`;
    addNamespace(host.ns);
    // Created in the host's namespace, the switch end moved out: the root namespace never holds either.
    ip('-n', host.ns, 'link', 'add', host.link, 'type', 'veth', 'peer', 'name', switchEnd, 'netns', switchNs);
    ip('-n', switchNs, 'link', 'set', switchEnd, 'master', 'br0', 'up');
    ip('-n', host.ns, 'addr', 'add', `${host.address}/24`, 'dev', host.link);
    ip('-n', host.ns, 'link', 'set', host.link, 'up');
    hosts.set(name, host);
    return host;
  };

  try {
    addNamespace(switchNs);
    ip('-n', switchNs, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', switchNs, 'link', 'set', 'br0', 'up');
    for (const name of hostNames) addHost(name);
  } catch (error) {
    remove();
    throw error;
  }
  const host = (name: string) => {
    const found = hosts.get(name);
    if (!found) throw new Error(`no host ${name}`);
    return found;
  };
  return {
    subnet: `${subnet}.0/24`,
    hosts,
    host,
    addHost,
    setLink(name, up) {
      const { ns, link } = host(name);
      ip('-n', ns, 'link', 'set', link, up ? 'up' : 'down');
    },
    pids: (name) => nsPids(host(name).ns),
    remove,
  };
}

function nsPids(ns: string): number[] {
  return ip('netns', 'pids', ns).split('\n').filter(Boolean).map(Number);
}
