package saramaclient

import (
	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// coded attaches the Kafka error code of a sarama error to it, so that it
// matches the client package's codes.
func coded(err error) error {
	if code, ok := kafka.SaramaCode(err); ok {
		return client.Coded(err, code)
	}
	return err
}
