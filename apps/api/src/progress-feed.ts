import type { SweepProgressEvent } from '@frontline/contracts';
import { forTenant, getSweep, type SweepProgress, sweepTenant } from '@frontline/db';
import type pg from 'pg';

export type { SweepProgressEvent };

type Listener = (event: SweepProgressEvent) => void;

const endedStatuses: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);
export const isEnded = (status: string) => endedStatuses.has(status);

export function progressEvent(sweep: SweepProgress): SweepProgressEvent {
  const { id, status, progress, ratePerSecond, etaSeconds } = sweep;
  return { id, status, progress, ratePerSecond, etaSeconds };
}

interface Feed {
  tenant?: string;
  listeners: Set<Listener>;
  last?: string;
  lastSentAt: number;
  timer?: NodeJS.Timeout;
}

/**
 * One Postgres poll per watched sweep, shared by every client watching it, at most once per
 * `intervalMs`. An event goes out when done/status change, or every `refreshMs` so rate and ETA stay
 * fresh; polling stops with the last listener or once the sweep has ended.
 */
export function createProgressFeed(pool: pg.Pool, { intervalMs = 500, refreshMs = 5_000 } = {}) {
  const feeds = new Map<string, Feed>();

  async function poll(sweepId: string, feed: Feed) {
    // Subscribers were authorised by their route; the shared poll reads as the sweep's tenant.
    feed.tenant ??= await sweepTenant(pool, sweepId).catch(() => undefined);
    const sweep = feed.tenant
      ? await getSweep(forTenant(pool, feed.tenant), sweepId).catch(() => undefined)
      : undefined;
    if (feeds.get(sweepId) !== feed) return;
    if (sweep) {
      const event = progressEvent(sweep);
      const key = `${event.status}:${event.progress.done}:${event.progress.failed}`;
      if (key !== feed.last || Date.now() - feed.lastSentAt >= refreshMs) {
        feed.last = key;
        feed.lastSentAt = Date.now();
        for (const listener of [...feed.listeners]) listener(event);
      }
      if (isEnded(event.status)) {
        feeds.delete(sweepId);
        return;
      }
    }
    feed.timer = setTimeout(() => void poll(sweepId, feed), intervalMs);
  }

  return {
    /** Listen to a sweep's progress; returns the unsubscribe function. */
    subscribe(sweepId: string, listener: Listener): () => void {
      let feed = feeds.get(sweepId);
      if (!feed) {
        feed = { listeners: new Set(), lastSentAt: 0 };
        feeds.set(sweepId, feed);
        const started = feed;
        started.timer = setTimeout(() => void poll(sweepId, started), intervalMs);
      }
      feed.listeners.add(listener);
      const subscribed = feed;
      return () => {
        subscribed.listeners.delete(listener);
        if (subscribed.listeners.size === 0 && feeds.get(sweepId) === subscribed) {
          clearTimeout(subscribed.timer);
          feeds.delete(sweepId);
        }
      };
    },
    close() {
      for (const feed of feeds.values()) clearTimeout(feed.timer);
      feeds.clear();
    },
  };
}
export type ProgressFeed = ReturnType<typeof createProgressFeed>;
