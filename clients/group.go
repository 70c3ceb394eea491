package clients

import (
	"fmt"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/client/franzclient"
	"github.com/karafka-actors/karafka-actors/client/saramaclient"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// For returns the client.Factory of the library name ("sarama" or
// "franz", as kafka.client says it). Other names are an error wrapping
// kafka.ErrInvalidConfig that names the key.
func For(name string) (client.Factory, error) {
	switch name {
	case kafka.ClientSarama:
		return saramaclient.Factory{}, nil
	case kafka.ClientFranz:
		return franzclient.Factory{}, nil
	}
	return nil, fmt.Errorf("%w: kafka.client: %q (allowed: %s, %s)", kafka.ErrInvalidConfig, name, kafka.ClientSarama, kafka.ClientFranz)
}
