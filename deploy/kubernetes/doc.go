// Package kubernetes holds the Kubernetes recipes of a karafka-actors
// application (this directory's YAML, applied with kubectl apply -k) and
// their test: every manifest decodes strictly into the Kubernetes API types
// (the ServiceMonitor into the Prometheus operator's, the KEDA ScaledObject
// into a mirror of the CRD fields it uses), karafka.yaml and the container's
// KARAFKA_* variables load with cli.Load, and the probes, ports, metric
// names and grace period match what the server serves and does.
//
// The walk-through is docs/deploying.md, section Kubernetes. The package
// has no code: it exists so that go test ./deploy/... runs the test.
package kubernetes
