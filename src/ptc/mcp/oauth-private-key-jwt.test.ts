// private_key_jwt (RFC 7523) for client_credentials: the token request carries an assertion signed with the
// configured key — verifiable with its public key, naming the client — and the key is a secret like any other.
// The official conformance scenario `auth/client-credentials-jwt` runs the whole flow (conformance.test.ts).
import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretList, secretValuesOf } from '../../config/secrets.js';
import { McpOAuthConfigSchema } from '../../config/sections/ptc.js';
import { McpOAuthProvider } from './oauth-provider.js';
import { memoryOAuthStore } from './oauth-store.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Checks a compact ES256 JWS with `key` as an authorization server would; its header and claims when it holds. */
function verifiedClaims(
  token: string,
  key: KeyObject,
): { header: Record<string, unknown>; claims: Record<string, unknown> } | null {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return null;
  const holds = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!holds) return null;
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), claims: decode(payload) };
}
const AUTH_SERVER = 'https://auth.example.test';

function provider(secrets: SecretList) {
  const config = McpOAuthConfigSchema.parse({
    grant: 'client_credentials',
    clientId: 'roma-agent',
    privateKey: PRIVATE_PEM,
    privateKeyAlgorithm: 'ES256',
  });
  return new McpOAuthProvider({
    config,
    store: memoryOAuthStore(),
    secrets,
  });
}

describe('OAuth client_credentials with private_key_jwt', () => {
  it('signs a client assertion the authorization server verifies with the public key, and sends no secret', async () => {
    const oauth = provider(new SecretList());
    expect(oauth.clientMetadata.token_endpoint_auth_method).toBe('private_key_jwt');
    expect(oauth.clientInformation()).toEqual({ client_id: 'roma-agent' });
    const headers = new Headers();
    const parameters = new URLSearchParams({ grant_type: 'client_credentials' });
    await oauth.addClientAuthentication!(headers, parameters, `${AUTH_SERVER}/token`, {
      issuer: AUTH_SERVER,
      authorization_endpoint: `${AUTH_SERVER}/authorize`,
      token_endpoint: `${AUTH_SERVER}/token`,
      response_types_supported: ['code'],
    });
    expect(parameters.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    expect(parameters.has('client_secret')).toBe(false);
    expect(headers.has('authorization')).toBe(false);
    const verified = verifiedClaims(parameters.get('client_assertion')!, publicKey);
    expect(verified?.header.alg).toBe('ES256');
    expect(verified?.claims).toMatchObject({ iss: 'roma-agent', sub: 'roma-agent', aud: AUTH_SERVER });
    expect(Number(verified?.claims.exp)).toBeGreaterThan(Date.now() / 1000);
    // Negative control: another key's public half does not verify it.
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifiedClaims(parameters.get('client_assertion')!, other)).toBeNull();
  });

  it('treats the key as a secret: scrubbed from output, redacted from the config', () => {
    const secrets = new SecretList();
    provider(secrets);
    expect(secrets.redact(`leaked: ${PRIVATE_PEM}`)).not.toContain('PRIVATE KEY-----\n');
    expect(secretValuesOf({ mcpServers: { s: { oauth: { privateKey: PRIVATE_PEM } } } })).toContain(
      PRIVATE_PEM,
    );
  });

  it('refuses a config that cannot authenticate, naming the field and the fix', () => {
    const refused = (oauth: Record<string, unknown>) => McpOAuthConfigSchema.safeParse(oauth);
    const noCredential = refused({ grant: 'client_credentials', clientId: 'c' });
    expect(noCredential.success).toBe(false);
    expect(noCredential.error?.issues[0]?.message).toMatch(/clientSecret or privateKey/);
    const both = refused({
      grant: 'client_credentials',
      clientId: 'c',
      clientSecret: 's',
      privateKey: PRIVATE_PEM,
    });
    expect(both.error?.issues.map((issue) => issue.path.join('.'))).toContain('privateKey');
    const noClient = refused({ grant: 'authorization_code', privateKey: PRIVATE_PEM });
    expect(noClient.error?.issues.map((issue) => issue.path.join('.'))).toContain('clientId');
    const badAlgorithm = refused({
      grant: 'client_credentials',
      clientId: 'c',
      privateKey: PRIVATE_PEM,
      privateKeyAlgorithm: 'HS256',
    });
    expect(badAlgorithm.error?.issues[0]?.message).toMatch(/asymmetric/);
    // Positive control.
    expect(refused({ grant: 'client_credentials', clientId: 'c', privateKey: PRIVATE_PEM }).success).toBe(
      true,
    );
  });
});
