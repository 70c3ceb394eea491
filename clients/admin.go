package clients

import (
	"context"
	"fmt"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/client/franzadmin"
	"github.com/karafka-actors/karafka-actors/client/saramaadmin"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// NewAdmin validates cfg and connects a [client.Admin] of the library
// cfg.Client names. Close it when done. Configuration errors wrap
// kafka.ErrInvalidConfig; a cluster that cannot be reached is an error
// wrapping client.ErrUnreachable that names the brokers.
func NewAdmin(ctx context.Context, cfg kafka.Config) (client.Admin, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch cfg.Client {
	case kafka.ClientSarama:
		return saramaadmin.New(ctx, cfg)
	case kafka.ClientFranz:
		return franzadmin.New(ctx, cfg)
	default: // Validate allows no other
		return nil, fmt.Errorf("%w: kafka.client: %q has no admin", kafka.ErrInvalidConfig, cfg.Client)
	}
}
