package clients

import (
	"context"
	"fmt"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/client/franzclient"
	"github.com/karafka-actors/karafka-actors/client/saramaclient"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// NewReader validates cfg and connects a [client.Reader] of the library
// cfg.Client names. Close it when done. Configuration errors wrap
// kafka.ErrInvalidConfig; a cluster that cannot be reached is an error
// wrapping client.ErrUnreachable that names the brokers.
func NewReader(ctx context.Context, cfg kafka.Config) (client.Reader, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch cfg.Client {
	case kafka.ClientSarama:
		return saramaclient.NewReader(ctx, cfg)
	case kafka.ClientFranz:
		return franzclient.NewReader(ctx, cfg)
	default: // Validate allows no other
		return nil, fmt.Errorf("%w: kafka.client: %q has no reader", kafka.ErrInvalidConfig, cfg.Client)
	}
}
