// A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (OpenID certified),
// configured from the environment so each test can choose its clients, people and clock.
//
//   OIDC_PORT          port on 127.0.0.1 (0 = any free port; the chosen one is printed)
//   OIDC_CLIENTS       JSON list of clients: [{"client_id", "client_secret", "redirect_uris": [...]}]
//   OIDC_USERS         JSON object by email: {"ada@acme.test": {"email_verified": true, "amr": ["pwd", "mfa"]}}
//   OIDC_CLOCK_SKEW    seconds added to this process's clock (follows the tests' travelled clock; with a short
//                      OIDC_ID_TOKEN_TTL, a clock behind makes every ID token it issues already expired)
//   OIDC_ID_TOKEN_TTL  lifetime of an ID token in seconds (default 3600)
//   OIDC_CLAIMS_IN_ID_TOKEN  "1": email and name go into the ID token itself, as Entra ID and Google do;
//                      otherwise (the specification's default) only UserInfo gives them
//
// Who signs in is the authorization request's login_hint (an email of OIDC_USERS): the login and consent
// screens are answered at once, so a test client can follow the real redirects without a browser. An
// unknown login_hint ends the request with access_denied, as a person cancelling would.
// Prints "listening <issuer>" on stdout when ready.

const skewMs = Number(process.env.OIDC_CLOCK_SKEW || 0) * 1000;
if (skewMs) {
  const realNow = Date.now;
  Date.now = () => realNow() + skewMs;
}

const { default: Provider } = await import('oidc-provider');
const http = await import('node:http');

const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]');
const users = JSON.parse(process.env.OIDC_USERS || '{}');

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(process.env.OIDC_PORT || 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: clients.map((c) => ({ grant_types: ['authorization_code'], response_types: ['code'], ...c })),
  // How it signed the person in goes into every ID token, as Microsoft Entra ID (amr) and Keycloak (acr) do.
  claims: { openid: ['sub', 'amr', 'acr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { required: () => true },
  conformIdTokenClaims: process.env.OIDC_CLAIMS_IN_ID_TOKEN !== '1',
  ttl: { IdToken: Number(process.env.OIDC_ID_TOKEN_TTL || 3600) },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const user = users[sub];
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        const claims = { sub, email: sub, name: user.name || sub };
        if ('email_verified' in user) claims.email_verified = user.email_verified;
        return claims;
      },
    };
  },
  async loadExistingGrant(ctx) {
    const { Grant } = ctx.oidc.provider;
    const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope);
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name', 'amr', 'acr']);
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/interaction/')) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const hint = details.params.login_hint;
  const user = users[hint];
  ctx.respond = false;
  if (!user) {
    await provider.interactionFinished(ctx.req, ctx.res, { error: 'access_denied', error_description: 'unknown person' });
    return undefined;
  }
  const login = { accountId: hint, remember: false };
  if (user.amr) login.amr = user.amr;
  if (user.acr) login.acr = user.acr;
  await provider.interactionFinished(ctx.req, ctx.res, { login });
  return undefined;
});

server.on('request', provider.callback());
console.log(`listening ${issuer}`);
