/**
 * Screens, each its own chunk (`lazy`), so the first screen loads only the shell and itself. Everything but
 * sign-in sits under the signed-in layout.
 */
import { createBrowserRouter, Navigate } from 'react-router';
import { SignedInLayout } from './screens/signed-in-layout';
import { SignInScreen } from './screens/sign-in';

const screen = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({
  Component: (await load()).default,
});

export function createConsoleRouter() {
  return createBrowserRouter(
    [
      { path: '/sign-in', Component: SignInScreen },
      {
        path: '/',
        Component: SignedInLayout,
        children: [
          { index: true, element: <Navigate to="/sessions" replace /> },
          { path: 'overview', lazy: screen(() => import('./screens/overview/overview-screen')) },
          { path: 'sessions', lazy: screen(() => import('./screens/sessions/sessions-screen')) },
          { path: 'chats', lazy: screen(() => import('./screens/chats/chats-screen')) },
          { path: 'chats/:sessionId', lazy: screen(() => import('./screens/chats/chats-screen')) },
          { path: 'chats/:sessionId/:chat', lazy: screen(() => import('./screens/chats/chats-screen')) },
          { path: 'webhooks', lazy: screen(() => import('./screens/webhooks/webhooks-screen')) },
          { path: 'webhooks/:webhookId', lazy: screen(() => import('./screens/webhooks/webhooks-screen')) },
          { path: 'pools', lazy: screen(() => import('./screens/pools/pools-screen')) },
          { path: 'keys', lazy: screen(() => import('./screens/keys/keys-screen')) },
          { path: 'events', lazy: screen(() => import('./screens/events/events-screen')) },
          { path: '*', element: <Navigate to="/sessions" replace /> },
        ],
      },
    ],
    { basename: import.meta.env.BASE_URL.replace(/\/$/, '') },
  );
}
