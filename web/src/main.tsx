/** Boot: read `config.json`, then mount the console. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { ConsoleSessionProvider } from './auth/console-session';
import { loadConsoleConfig } from './config';
import { createConsoleRouter } from './routes';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 10_000 } },
});

loadConsoleConfig()
  .then((config) => {
    root.render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <ConsoleSessionProvider config={config}>
            <RouterProvider router={createConsoleRouter()} />
          </ConsoleSessionProvider>
        </QueryClientProvider>
      </StrictMode>,
    );
  })
  .catch((error: unknown) => {
    root.render(<p role="alert">The console could not load its configuration: {String(error)}</p>);
  });
