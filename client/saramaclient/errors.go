package saramaclient

import (
	"errors"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/client"
)

// coded attaches the Kafka error code of a sarama error to it, so that it
// matches the client package's codes.
func coded(err error) error {
	if k, ok := errors.AsType[sarama.KError](err); ok {
		return client.Coded(err, int16(k))
	}
	return err
}
