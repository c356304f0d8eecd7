// What both demo pages share: finding their elements, and the development sign-in by name.

export const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
};

/**
 * Wires the `#signin-dev` form: asks `POST /demo/token` (served only where demo tokens are on)
 * for a token for the name typed, hands it to `signedIn`, and shows a refusal in `#signin-error`.
 */
export function onDevelopmentSignIn(signedIn: (userId: string, token: string) => void | Promise<void>): void {
  byId('signin-dev').addEventListener('submit', (event) => {
    event.preventDefault();
    const userId = byId<HTMLInputElement>('signin-user').value.trim();
    void fetch('/demo/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) })
      .then(async (response) => {
        const body = (await response.json()) as { token?: string; detail?: string };
        if (!response.ok || !body.token) throw new Error(body.detail ?? `HTTP ${response.status}`);
        await signedIn(userId, body.token);
      })
      .catch((error: unknown) => (byId('signin-error').textContent = error instanceof Error ? error.message : String(error)));
  });
}
