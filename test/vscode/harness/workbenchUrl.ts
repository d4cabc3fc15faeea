// The URL that opens VS Code's web workbench on a folder, optionally with an extension
// under development and an extension test runner: the `payload` parameter VS Code's own
// browser integration tests use.
export function workbenchUrl(
  server: { url: string; origin: string },
  o: { folder: string; extensionDevelopmentPath?: string; extensionTestsPath?: string },
): string {
  const remote = (p: string) => `vscode-remote://${server.origin}${p}`;
  const payload: [string, string][] = [];
  if (o.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(o.extensionDevelopmentPath)]);
  if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
  const q = new URLSearchParams({ folder: o.folder });
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `${server.url}/?${q.toString()}`;
}
