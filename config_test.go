package karafka_test

import (
	"errors"
	"strings"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// Each problem is reported once: the kafka.* keys are checked by the
// producer's Validate too, and were once listed twice (found by
// cli.FuzzLoad_yaml).
func TestConfig_Validate_reportsEachProblemOnce(t *testing.T) {
	tests := []struct {
		name string
		edit func(*karafka.Config)
		want string
	}{
		{name: "no brokers", edit: func(c *karafka.Config) { c.Kafka.Brokers = nil }, want: "kafka.brokers: at least one broker is required"},
		{name: "sasl without user", edit: func(c *karafka.Config) { c.Kafka.SASL.Mechanism = "PLAIN" }, want: "kafka.sasl.username: required"},
		{name: "bad version", edit: func(c *karafka.Config) { c.Kafka.Version = "x" }, want: `kafka.version: "x" is not a Kafka version`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := karafka.DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if !errors.Is(err, kafka.ErrInvalidConfig) {
				t.Fatalf("Validate = %v; want kafka.ErrInvalidConfig", err)
			}
			if n := strings.Count(err.Error(), tt.want); n != 1 {
				t.Fatalf("Validate reports %q %d times:\n%v", tt.want, n, err)
			}
		})
	}
}
