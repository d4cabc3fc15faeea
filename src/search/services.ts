// The web services search providers talk to: what users call them, where they answer
// by default, and where their keys come from. A user may point any of them elsewhere (a
// proxy, a self-hosted copy, a test server): that URL replaces the scheme, host and path
// prefix of the documented endpoint, and each provider keeps its documented path.

export const SERVICES = ['serpapi', 'serper', 'brave', 'tavily', 'searxng', 'google-vision', 'jina'] as const;
export type Service = (typeof SERVICES)[number];

export interface ServiceInfo {
  label: string;
  /** The documented base URL; undefined for self-hosted services (SearXNG), which need one given. */
  defaultUrl?: string;
  /** The environment variable holding its key (the CLI; VS Code keeps keys in SecretStorage). */
  keyEnv?: string;
  /** Whether a request without a key is refused by the service. */
  keyRequired: boolean;
}

export const SERVICE_INFO: Record<Service, ServiceInfo> = {
  serpapi: { label: 'SerpApi', defaultUrl: 'https://serpapi.com', keyEnv: 'SERPAPI_API_KEY', keyRequired: true },
  serper: { label: 'Serper', defaultUrl: 'https://google.serper.dev', keyEnv: 'SERPER_API_KEY', keyRequired: true },
  brave: { label: 'Brave Search', defaultUrl: 'https://api.search.brave.com', keyEnv: 'BRAVE_API_KEY', keyRequired: true },
  tavily: { label: 'Tavily', defaultUrl: 'https://api.tavily.com', keyEnv: 'TAVILY_API_KEY', keyRequired: true },
  searxng: { label: 'SearXNG', keyRequired: false },
  'google-vision': { label: 'Google Cloud Vision', defaultUrl: 'https://vision.googleapis.com', keyEnv: 'GOOGLE_API_KEY', keyRequired: true },
  jina: { label: 'Jina Reader', defaultUrl: 'https://r.jina.ai', keyEnv: 'JINA_API_KEY', keyRequired: false },
};

export function isService(name: string): name is Service {
  return (SERVICES as readonly string[]).includes(name);
}

/** Keys by service, from the environment (the CLI's source of keys). */
export function keysFromEnv(env: NodeJS.ProcessEnv): Partial<Record<Service, string>> {
  const keys: Partial<Record<Service, string>> = {};
  for (const s of SERVICES) {
    const name = SERVICE_INFO[s].keyEnv;
    const value = name ? env[name]?.trim() : undefined;
    if (value) keys[s] = value;
  }
  return keys;
}
