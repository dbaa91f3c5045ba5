// Drafts of forms, kept in this tab's memory only (never in storage: they hold confidential
// text). They survive moving between screens, such as signing in again after the session
// ended, so nothing typed is lost; reloading the page or closing the tab discards them.
import { useCallback, useState } from 'react';

const drafts = new Map<string, unknown>();

export function useDraft<T>(key: string, initial: () => T): [T, (next: T | ((prev: T) => T)) => void, () => void] {
  const [value, setValue] = useState<T>(() => (drafts.has(key) ? (drafts.get(key) as T) : initial()));
  const set = useCallback(
    (next: T | ((prev: T) => T)) => {
      setValue((prev) => {
        const v = typeof next === 'function' ? (next as (p: T) => T)(prev) : next;
        drafts.set(key, v);
        return v;
      });
    },
    [key],
  );
  const clear = useCallback(() => {
    drafts.delete(key);
  }, [key]);
  return [value, set, clear];
}

/** Forget every draft (on sign-out). */
export function clearDrafts(): void {
  drafts.clear();
}
