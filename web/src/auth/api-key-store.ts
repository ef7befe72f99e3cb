/**
 * The API key lives in `sessionStorage` only: gone when the tab closes, never in a URL (history, referrers,
 * server logs) nor in `localStorage` (shared by every tab, kept forever).
 */
const STORAGE_KEY = 'wa-console.api-key';

export const apiKeyStore = {
  read(): string | null {
    return sessionStorage.getItem(STORAGE_KEY);
  },
  write(key: string): void {
    sessionStorage.setItem(STORAGE_KEY, key);
  },
  clear(): void {
    sessionStorage.removeItem(STORAGE_KEY);
  },
};
