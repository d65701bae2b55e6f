// The MCP SDK's OAuthClientProvider for one configured server: its client, its tokens on the host, no person.
import { randomBytes } from 'node:crypto';
import type {
  AddClientAuthentication,
  OAuthClientProvider,
  OAuthDiscoveryState,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { createPrivateKeyJwtAuth } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { McpOAuthConfig } from '../../config/sections/ptc.js';
import type { OAuthState, OAuthStateStore } from './oauth-store.js';

/** Where the host's secret scrubber learns each token and client secret as soon as it exists. */
export interface SecretSink {
  add(values: Iterable<string>): void;
}

/** An authorization the provider could not finish alone: a person has to open `url`. */
export interface PendingAuthorization {
  url: URL;
  state: string | undefined;
}

export interface McpOAuthProviderOptions {
  config: McpOAuthConfig;
  store: OAuthStateStore;
  secrets: SecretSink;
  /** The loopback address `roma tools auth` actually listens on (its port may be chosen at bind time). */
  redirectUrl?: string;
}

function tokenSecrets(tokens: OAuthTokens | undefined): string[] {
  return [tokens?.access_token, tokens?.refresh_token, tokens?.id_token].filter(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
}

function clientSecrets(client: OAuthClientInformationMixed | undefined): string[] {
  return typeof client?.client_secret === 'string' && client.client_secret ? [client.client_secret] : [];
}

/**
 * `redirectToAuthorization` records the URL instead of opening anything: an agent's run has no browser. The
 * manager turns a pending authorization into an error naming `roma tools auth`; that command opens the URL
 * and hands the code back (`transport.finishAuth`).
 */
export class McpOAuthProvider implements OAuthClientProvider {
  private readonly config: McpOAuthConfig;
  private readonly store: OAuthStateStore;
  private readonly secrets: SecretSink;
  private readonly redirect: string;
  private verifier: string | undefined;
  private currentState: string | undefined;
  pending: PendingAuthorization | null = null;
  /** Set by `roma tools auth` while it asks for a wider scope: stored tokens are not offered (nor refreshed). */
  ignoreStoredTokens = false;

  constructor(options: McpOAuthProviderOptions) {
    this.config = options.config;
    this.store = options.store;
    this.secrets = options.secrets;
    this.redirect = options.redirectUrl ?? options.config.redirectUrl;
    if (options.config.clientSecret) this.secrets.add([options.config.clientSecret]);
    if (options.config.privateKey && options.config.clientId) {
      this.secrets.add([options.config.privateKey]);
      // private_key_jwt: each token request carries an assertion signed with the key (iss = sub = the client,
      // aud = the authorization server), and no secret goes over the wire.
      this.addClientAuthentication = createPrivateKeyJwtAuth({
        issuer: options.config.clientId,
        subject: options.config.clientId,
        privateKey: options.config.privateKey,
        alg: options.config.privateKeyAlgorithm,
      });
    }
    // A token file that cannot be read fails this server's connect (with its fix), not the whole runtime.
    let stored: OAuthState = {};
    try {
      stored = this.load();
    } catch {
      stored = {};
    }
    this.secrets.add([...tokenSecrets(stored.tokens), ...clientSecrets(stored.client)]);
    if (this.config.grant === 'client_credentials') {
      // The SDK chooses the client_credentials grant when the provider prepares the token request itself.
      this.prepareTokenRequest = (scope?: string) => {
        const parameters = new URLSearchParams({ grant_type: 'client_credentials' });
        const requested = scope ?? this.scope();
        if (requested) parameters.set('scope', requested);
        return parameters;
      };
    }
  }

  prepareTokenRequest?: (scope?: string) => URLSearchParams;

  addClientAuthentication?: AddClientAuthentication;

  /** Where tokens are kept, for messages. */
  get location(): string {
    return this.store.location;
  }

  private load(): OAuthState {
    return this.store.load();
  }

  private update(change: (state: OAuthState) => OAuthState): void {
    this.store.save(change(this.load()));
  }

  private scope(): string | undefined {
    return this.config.scopes.length > 0 ? this.config.scopes.join(' ') : undefined;
  }

  get redirectUrl(): string | undefined {
    return this.config.grant === 'client_credentials' ? undefined : this.redirect;
  }

  get clientMetadata(): OAuthClientMetadata {
    const scope = this.scope();
    const machine = this.config.grant === 'client_credentials';
    return {
      client_name: this.config.clientName,
      redirect_uris: machine ? [] : [this.redirect],
      grant_types: machine ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
      response_types: machine ? [] : ['code'],
      ...(this.config.privateKey ? { token_endpoint_auth_method: 'private_key_jwt' } : {}),
      ...(scope ? { scope } : {}),
    };
  }

  state(): string {
    this.currentState = randomBytes(16).toString('base64url');
    return this.currentState;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    const stored = this.load().client;
    if (!this.config.clientId) {
      // Registered for another redirect address (the config changed): register again rather than be refused.
      const registered = (stored as { redirect_uris?: unknown } | undefined)?.redirect_uris;
      const redirect = this.redirectUrl;
      if (redirect && Array.isArray(registered) && !registered.includes(redirect)) return undefined;
      return stored;
    }
    // Configured credentials: bound to the configured issuer, else to the first server that accepted them.
    const issuer =
      this.config.issuer ?? (stored?.client_id === this.config.clientId ? stored.issuer : undefined);
    return {
      client_id: this.config.clientId,
      ...(this.config.clientSecret ? { client_secret: this.config.clientSecret } : {}),
      ...(issuer ? { issuer } : {}),
    };
  }

  saveClientInformation(client: OAuthClientInformationMixed): void {
    this.secrets.add(clientSecrets(client));
    // For configured credentials only the binding is kept: the secret stays in the config.
    const kept = this.config.clientId
      ? { client_id: client.client_id, ...(client.issuer ? { issuer: client.issuer } : {}) }
      : client;
    this.update((state) => ({ ...state, client: kept }));
  }

  tokens(): OAuthTokens | undefined {
    return this.ignoreStoredTokens ? undefined : this.load().tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    // Registered before anything can print them: a token is a secret like an API key.
    this.secrets.add(tokenSecrets(tokens));
    this.ignoreStoredTokens = false;
    this.update(({ pendingScope: _done, ...state }) => ({ ...state, tokens }));
  }

  /** The scope a run was refused for (a step-up), kept until tokens with it are saved. */
  pendingScope(): string | undefined {
    return this.load().pendingScope;
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    this.pending = { url: authorizationUrl, state: this.currentState };
    const scope = authorizationUrl.searchParams.get('scope');
    if (scope && this.load().tokens) this.update((state) => ({ ...state, pendingScope: scope }));
  }

  saveDiscoveryState(discovery: OAuthDiscoveryState): void {
    this.update((state) => ({ ...state, discovery }));
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.load().discovery;
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE code verifier: the authorization was not started here');
    return this.verifier;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'verifier' || scope === 'all') this.verifier = undefined;
    if (scope === 'verifier') return;
    this.update((state) => {
      const next = { ...state };
      if (scope === 'all' || scope === 'tokens') delete next.tokens;
      if (scope === 'all' || scope === 'client') delete next.client;
      if (scope === 'all' || scope === 'discovery') delete next.discovery;
      return next;
    });
  }
}
