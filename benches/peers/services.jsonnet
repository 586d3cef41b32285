// The peer benchmark in Jsonnet (docs/performance.md): N web services, each a
// Deployment and a Service, one YAML file per object.
//   jrsonnet -S -c -m OUT --ext-str n=N services.jsonnet
local n = std.parseInt(std.extVar('n'));

local objects(i) = {
  local name = 'svc-%d' % i,
  local labels = { app: name },
  local metadata = { name: name, namespace: 'services', labels: labels },
  deployment: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata,
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: labels },
        spec: {
          containers: [{
            name: 'main',
            image: 'ghcr.io/acme/%s:1.0.0' % name,
            ports: [{ name: 'http', containerPort: 8080 }],
            env: [{ name: 'INDEX', value: std.toString(i) }],
          }],
        },
      },
    },
  },
  service: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata,
    spec: { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
  },
};

{
  ['svc-%d/%s.yaml' % [i, kind]]: std.manifestYamlDoc(objects(i)[kind], quote_keys=false)
  for i in std.range(1, n)
  for kind in ['deployment', 'service']
}
