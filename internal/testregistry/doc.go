// Package testregistry gives tests a schema registry: the real one named by
// KARAFKA_TEST_REGISTRY (CI runs Apicurio Registry there, scripts/registry.sh),
// else an in-memory one (franz-go's srfake) per test.
package testregistry
