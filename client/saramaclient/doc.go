// Package saramaclient puts IBM/sarama behind the client seam: a consumer
// group member ([Factory].NewGroup) whose sessions are sarama's
// ConsumerGroup sessions, with a dialer (conns.go) that lets the member
// decide how long its reads may wait while it joins, in a session and at
// shutdown. It is the default client (kafka.client: sarama).
package saramaclient
