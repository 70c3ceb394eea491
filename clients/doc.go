// Package clients makes the parts of the Kafka client library that
// kafka.client names ("sarama", the default, or "franz"): it is the one
// place that knows every implementation of package client's interfaces.
package clients
