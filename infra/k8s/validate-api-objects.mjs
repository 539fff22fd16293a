// Validates Kubernetes objects (a JSON array on stdin) against the API's OpenAPI schemas, and
// KEDA's and the Prometheus Operator's CRD schemas, from the kubernetes-models packages. Prints a
// JSON array of problems: [] when every object is valid. A separate ES module because those
// packages are ESM only and jest runs the tests as CommonJS.
import { text } from 'node:stream/consumers';

/** The package that models each API group; the core group has none (apiVersion `v1`). */
const PACKAGE_OF_GROUP = {
  'keda.sh': '@kubernetes-models/keda',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

async function modelOf(apiVersion, kind) {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const module = `${PACKAGE_OF_GROUP[group] ?? 'kubernetes-models'}/${apiVersion}/${kind}`;
  try {
    return (await import(module))[kind];
  } catch (error) {
    if (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED')
      return undefined;
    throw error;
  }
}

const problems = [];
for (const object of JSON.parse(await text(process.stdin))) {
  const where = `${object.kind}/${object.metadata?.name}`;
  const Model = await modelOf(object.apiVersion ?? '', object.kind ?? '');
  if (!Model) {
    problems.push(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${where}: ${error.message}`);
  }
}
console.log(JSON.stringify(problems));
