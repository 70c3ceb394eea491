// Package testkafka gives tests a Kafka to talk to: a fresh embedded broker
// per test by default, or the brokers in KARAFKA_TEST_BROKERS (real Apache
// Kafka in CI; scripts/test.sh sets it after starting the broker).
//
// Topic names are made unique per test so that one real broker serves the
// whole suite.
package testkafka
