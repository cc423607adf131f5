// Test-only OAuth 2.0 / OpenID Connect server for Helselos: npm `oidc-provider` with the device
// authorization grant (RFC 8628) and token revocation (RFC 7009), on 127.0.0.1 only.
//
// The real provider issues every code and token. The phone's part is oidc-provider's own
// development interactions (devInteractions): its HTML forms accept any login, and that login
// becomes the account id, which this server also returns as `patient` in the token response
// (the SMART-on-FHIR launch context the kiosk reads). Never run this outside tests.
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
//
// Prints `READY <issuer URL>` on stdout once it listens; exits when stdin closes, or on SIGTERM
// or SIGINT.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import * as querystring from 'node:querystring';

import Provider, { errors } from 'oidc-provider';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const SLOW_DOWN_STEP_S = 5;
const CLIENT_ID = 'helselos-kiosk';
const MAX_FORM_BYTES = 56 * 1024;

function settings() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'device-code-ttl': { type: 'string' },
      interval: { type: 'string' },
      'client-name': { type: 'string' },
    },
  });
  const pick = (arg, env, fallback) => values[arg] ?? process.env[env] ?? fallback;
  const number = (name, raw, min) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      console.error(`option ${name}: expected a whole number >= ${min}, got ${JSON.stringify(raw)}`);
      process.exit(2);
    }
    return value;
  };
  const interval = pick('interval', 'OIDC_INTERVAL', undefined);
  return {
    port: number('--port', pick('port', 'OIDC_PORT', '0'), 0),
    deviceCodeTtl: number('--device-code-ttl', pick('device-code-ttl', 'OIDC_DEVICE_CODE_TTL', '300'), 1),
    interval: interval === undefined ? null : number('--interval', interval, 1),
    clientName: pick('client-name', 'OIDC_CLIENT_NAME', 'Helselos practice kiosk'),
  };
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test' };
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

// RFC 8628 section 3.5 on top of oidc-provider, which defines `slow_down` but never sends it.
function pollRateCheck(provider, tokenPath, interval) {
  const polls = new Map(); // device code -> { last: ms, interval: s }
  return async function slowDown(ctx, next) {
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
      return next();
    }
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
    clients: [{
      client_id: CLIENT_ID,
      client_name: config.clientName,
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_GRANT],
      response_types: [],
      redirect_uris: [],
    }],
    scopes: ['openid', 'fhir'],
    features: {
      deviceFlow: { enabled: true },
      devInteractions: { enabled: true },
      revocation: { enabled: true },
    },
    ttl: {
      DeviceCode: config.deviceCodeTtl,
      AccessToken: 900,
      IdToken: 900,
      Grant: 900,
      Interaction: 300,
      Session: 900,
    },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    jwks: { keys: [signingKey()] },
  });

  const tokenPath = new URL(provider.urlFor('token')).pathname;
  if (config.interval !== null) provider.use(pollRateCheck(provider, tokenPath, config.interval));
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.status !== 200 || !ctx.oidc || typeof ctx.body !== 'object' || !ctx.body) return;
    if (ctx.oidc.route === 'device_authorization' && config.interval !== null) {
      ctx.body.interval = config.interval;
    }
    const deviceCode = ctx.oidc.entities.DeviceCode;
    if (ctx.oidc.route === 'token' && ctx.body.access_token && deviceCode?.accountId) {
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
