// Test-only OAuth 2.0 / OpenID Connect server for Helselos: npm `oidc-provider` with the device
// authorization grant (RFC 8628), token revocation (RFC 7009), resource indicators (RFC 8707) and
// the client credentials grant for backend services, on 127.0.0.1 only.
//
// The real provider issues every code and token. The phone's part is oidc-provider's own
// development interactions (devInteractions): its HTML forms accept any login, and that login
// becomes the account id (the id_token's `sub`). How the kiosk learns whose record that is
// depends on --identity, as it does between real providers:
//   patient    the token response carries `patient: <login>` (the SMART launch context)
//   fhirUser   the id_token carries `fhirUser: "Patient/<login>"` (SMART's fhirUser scope)
//   pid        the id_token carries `pid: "<login>"`, a national identity number, as Norway's
//              ID-porten names it (given with the openid scope)
// A `nonce` sent to the device authorization endpoint comes back in the id_token.
//
// A request naming `resource=<URL>` whose host is 127.0.0.1 or [::1] (a FHIR server under test)
// gets a JWT access token for it: RS256 with this provider's key (its jwks_uri), `aud` = that
// URL, and `scope` = the SMART scopes granted (patient/, user/ or system/ + type or * + .cruds).
// The device code token request needs no `resource`: it gets the one named at device
// authorization. Without `resource` the access token is opaque, for the userinfo endpoint only.
// Never run this outside tests.
//
// Clients: `helselos-kiosk` (public, device grant), and when configured two confidential
// delivery clients for the client credentials grant: `helselos-delivery-jwt` (private_key_jwt,
// SMART Backend Services, RFC 7523) and `helselos-delivery-secret` (client_secret_basic).
//
// Options (argument, else environment variable, else default):
//   --port N             OIDC_PORT               0: any free port
//   --device-code-ttl S  OIDC_DEVICE_CODE_TTL    300: seconds a device/user code lives
//   --interval S         OIDC_INTERVAL           unset: no `interval` in the answer and no rate
//                                                check, as stock oidc-provider. Set: advertised,
//                                                and a device code polled sooner than its interval
//                                                while still pending gets `slow_down` (and 5 s
//                                                more, RFC 8628 section 3.5)
//   --client-name TEXT   OIDC_CLIENT_NAME        "Helselos practice kiosk": shown on the phone
//   --identity MODE      OIDC_IDENTITY           fhirUser: patient, fhirUser or pid (see above)
//   --delivery-jwks PATH OIDC_DELIVERY_JWKS      unset: no helselos-delivery-jwt client. Set: a
//                                                JWKS JSON file with that client's public keys
//                                                (assertions signed RS256/RS384/ES256/ES384)
//   --delivery-secret S  OIDC_DELIVERY_SECRET    unset: no helselos-delivery-secret client. Set:
//                                                that client's secret
//
// Prints `READY <issuer URL>` on stdout once it listens; exits when stdin closes, or on SIGTERM
// or SIGINT.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import * as querystring from 'node:querystring';

import Provider, { errors } from 'oidc-provider';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const SLOW_DOWN_STEP_S = 5;
const CLIENT_ID = 'helselos-kiosk';
const DELIVERY_JWT_CLIENT_ID = 'helselos-delivery-jwt';
const DELIVERY_SECRET_CLIENT_ID = 'helselos-delivery-secret';
const IDENTITIES = ['patient', 'fhirUser', 'pid'];
const MAX_FORM_BYTES = 56 * 1024;
const ACCESS_TOKEN_TTL_S = 900;
// WHATWG URL keeps the brackets in an IPv6 hostname.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);
// SMART App Launch 2 scopes (and v1's read/write/*): context/type-or-*.permissions.
const SMART_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]*)\.((?=[cruds])c?r?u?d?s?|read|write|\*)$/;

function settings() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'device-code-ttl': { type: 'string' },
      interval: { type: 'string' },
      'client-name': { type: 'string' },
      identity: { type: 'string' },
      'delivery-jwks': { type: 'string' },
      'delivery-secret': { type: 'string' },
    },
  });
  const pick = (arg, env, fallback) => values[arg] ?? process.env[env] ?? fallback;
  const fail = (message) => {
    console.error(message);
    process.exit(2);
  };
  const number = (name, raw, min) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      fail(`option ${name}: expected a whole number >= ${min}, got ${JSON.stringify(raw)}`);
    }
    return value;
  };
  const interval = pick('interval', 'OIDC_INTERVAL', undefined);
  const identity = pick('identity', 'OIDC_IDENTITY', 'fhirUser');
  if (!IDENTITIES.includes(identity)) {
    fail(`option --identity: expected one of ${IDENTITIES.join(', ')}, got ${JSON.stringify(identity)}`);
  }
  const jwksPath = pick('delivery-jwks', 'OIDC_DELIVERY_JWKS', undefined);
  let deliveryJwks = null;
  if (jwksPath !== undefined) {
    try {
      deliveryJwks = JSON.parse(readFileSync(jwksPath, 'utf8'));
    } catch (error) {
      fail(`option --delivery-jwks: cannot read a JWKS from ${jwksPath}: ${error.message}`);
    }
    if (!Array.isArray(deliveryJwks?.keys) || deliveryJwks.keys.length === 0) {
      fail(`option --delivery-jwks: ${jwksPath} has no "keys"`);
    }
  }
  const deliverySecret = pick('delivery-secret', 'OIDC_DELIVERY_SECRET', undefined);
  if (deliverySecret === '') fail('option --delivery-secret: empty');
  return {
    port: number('--port', pick('port', 'OIDC_PORT', '0'), 0),
    deviceCodeTtl: number('--device-code-ttl', pick('device-code-ttl', 'OIDC_DEVICE_CODE_TTL', '300'), 1),
    interval: interval === undefined ? null : number('--interval', interval, 1),
    clientName: pick('client-name', 'OIDC_CLIENT_NAME', 'Helselos practice kiosk'),
    identity,
    deliveryJwks,
    deliverySecret: deliverySecret ?? null,
  };
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test' };
}

function clients(config) {
  const list = [{
    client_id: CLIENT_ID,
    client_name: config.clientName,
    token_endpoint_auth_method: 'none',
    grant_types: [DEVICE_GRANT],
    response_types: [],
    redirect_uris: [],
  }];
  const delivery = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };
  if (config.deliveryJwks) {
    list.push({
      ...delivery,
      client_id: DELIVERY_JWT_CLIENT_ID,
      client_name: 'Helselos delivery (private_key_jwt)',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: config.deliveryJwks,
    });
  }
  if (config.deliverySecret) {
    list.push({
      ...delivery,
      client_id: DELIVERY_SECRET_CLIENT_ID,
      client_name: 'Helselos delivery (client secret)',
      client_secret: config.deliverySecret,
      token_endpoint_auth_method: 'client_secret_basic',
    });
  }
  return list;
}

// The claims an account has in each identity mode; the `claims` configuration below decides
// which scope releases which of them.
function identityClaims(identity, login) {
  if (identity === 'fhirUser') return { fhirUser: `Patient/${login}` };
  if (identity === 'pid') return { pid: login };
  return {};
}

// The scopes the resource server (any loopback FHIR server) accepts: the SMART scopes of this
// request, or, at the device code token request (which names none), those of the device code.
// Computed per request because oidc-provider wants an exact list and SMART's is open-ended.
function smartScopes(ctx) {
  const requested = [ctx.oidc.params?.scope, ctx.oidc.entities.DeviceCode?.scope]
    .filter((scope) => typeof scope === 'string')
    .flatMap((scope) => scope.split(' '));
  return [...new Set(requested.filter((scope) => SMART_SCOPE.test(scope)))];
}

function resourceServerInfo(ctx, indicator) {
  const url = URL.parse(indicator);
  if (!url || !['http:', 'https:'].includes(url.protocol) || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new errors.InvalidTarget('this test provider only issues tokens for loopback resource servers');
  }
  return {
    scope: smartScopes(ctx).join(' '),
    accessTokenFormat: 'jwt',
    accessTokenTTL: ACCESS_TOKEN_TTL_S,
    jwt: { sign: { alg: 'RS256' } },
  };
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new errors.InvalidRequest('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Device code token requests, before oidc-provider answers them:
// - oidc-provider 9 keeps the device authorization request's `nonce` only in the device code's
//   params and issues the id_token with none (only its authorization code flow copies it), so
//   the approved code gets it here, just before the token is issued.
// - RFC 8628 section 3.5 (when `interval` is set): oidc-provider defines `slow_down` but never
//   sends it.
function deviceTokenRequests(provider, tokenPath, interval) {
  const polls = new Map(); // device code -> { last: ms, interval: s }
  return async function deviceCodePoll(ctx, next) {
    if (ctx.method !== 'POST' || ctx.path !== tokenPath
        || !ctx.is('application/x-www-form-urlencoded')) {
      return next();
    }
    // Reading the form consumes the request; oidc-provider then parses this copy instead.
    const raw = await readForm(ctx.req);
    ctx.request.body = raw;
    const form = querystring.parse(raw);
    const deviceCode = form.device_code;
    if (form.grant_type !== DEVICE_GRANT || typeof deviceCode !== 'string') return next();
    const code = await provider.DeviceCode.find(deviceCode, { ignoreExpiration: true });
    if (!code || code.accountId || code.error || code.isExpired) {
      // Not pending any more: the provider gives the token or the final error.
      polls.delete(deviceCode);
      if (code?.accountId && !code.consumed && code.nonce === undefined
          && typeof code.params?.nonce === 'string') {
        code.nonce = code.params.nonce;
        await code.save();
      }
      return next();
    }
    if (interval === null) return next();
    const now = Date.now();
    const seen = polls.get(deviceCode);
    polls.set(deviceCode, { last: now, interval: seen ? seen.interval : interval });
    if (seen && now - seen.last < seen.interval * 1000) {
      polls.get(deviceCode).interval += SLOW_DOWN_STEP_S;
      const problem = new errors.SlowDown();
      ctx.status = problem.statusCode;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { error: problem.error, error_description: problem.error_description };
      return undefined;
    }
    return next();
  };
}

async function main() {
  const config = settings();
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;

  const provider = new Provider(issuer, {
    clients: clients(config),
    // `fhir` is what the kiosk asked for before SMART scopes; patient/... scopes are not listed
    // here: they belong to the resource server (resourceServerInfo).
    scopes: ['openid', 'fhir', 'fhirUser', 'launch/patient'],
    claims: {
      openid: config.identity === 'pid' ? ['sub', 'pid'] : ['sub'],
      fhirUser: ['fhirUser'],
    },
    findAccount: (ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, ...identityClaims(config.identity, id) }),
    }),
    // By default an id_token issued next to an access token for the userinfo endpoint holds
    // only `sub`, the rest being left for userinfo; here the id_token is the one place the
    // kiosk reads fhirUser or pid from, as with real SMART servers and ID-porten.
    conformIdTokenClaims: false,
    features: {
      deviceFlow: { enabled: true },
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // The device code token request names no resource: use the one granted on the phone
        // (by default oidc-provider would issue an opaque userinfo token when openid is granted).
        useGrantedResource: () => true,
        getResourceServerInfo: resourceServerInfo,
      },
    },
    enabledJWA: {
      // SMART Backend Services asks servers to support RS384 and ES384 client assertions.
      clientAuthSigningAlgValues: ['RS256', 'RS384', 'ES256', 'ES384'],
    },
    ttl: {
      DeviceCode: config.deviceCodeTtl,
      AccessToken: ACCESS_TOKEN_TTL_S,
      ClientCredentials: ACCESS_TOKEN_TTL_S,
      IdToken: 900,
      Grant: 900,
      Interaction: 300,
      Session: 900,
    },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    jwks: { keys: [signingKey()] },
  });

  const tokenPath = new URL(provider.urlFor('token')).pathname;
  provider.use(deviceTokenRequests(provider, tokenPath, config.interval));
  provider.use(async (ctx, next) => {
    await next();
    // oidc-provider refuses to revoke a JWT access token (unsupported_token_type): it keeps no
    // record of one, and the resource server checks it alone until it expires. RFC 7009 has
    // the server answer 200 for a token it will not act on, which is what the kiosk expects.
    if (ctx.oidc?.route === 'revocation' && ctx.status === 400
        && ctx.body?.error === 'unsupported_token_type') {
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    if (ctx.status !== 200 || !ctx.oidc || typeof ctx.body !== 'object' || !ctx.body) return;
    if (ctx.oidc.route === 'device_authorization' && config.interval !== null) {
      ctx.body.interval = config.interval;
    }
    const deviceCode = ctx.oidc.entities.DeviceCode;
    if (config.identity === 'patient' && ctx.oidc.route === 'token' && ctx.body.access_token
        && deviceCode?.accountId) {
      ctx.body.patient = deviceCode.accountId;
    }
  });

  server.on('request', provider.callback());

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();

  process.stdout.write(`READY ${issuer}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
