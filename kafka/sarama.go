package kafka

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/IBM/sarama"
)

// Sarama validates c and returns a base sarama configuration carrying the
// version, client id, dial timeout, TLS (files loaded now) and SASL settings.
// Callers set the consumer or producer fields on top of it.
//
// sarama's own metrics are off: MetricRegistry is a registry that records
// nothing (sarama's meters and histograms are go-metrics no-ops, and none
// joins go-metrics' global ticker). This configuration only: other sarama
// clients in the program, and a config whose MetricRegistry is set back to
// a real registry (metrics.NewRegistry(), e.g. in producer.WithSaramaConfig),
// record as usual.
func (c Config) Sarama() (*sarama.Config, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	version, _ := sarama.ParseKafkaVersion(c.Version) // checked by Validate

	sc := sarama.NewConfig()
	sc.Version = version
	sc.ClientID = c.ClientID
	sc.Net.DialTimeout = c.DialTimeout
	sc.Net.ReadTimeout = c.ReadTimeout
	sc.MetricRegistry = nilRegistry{}

	if c.TLS.Enabled {
		tc, err := c.TLS.Load("kafka.tls")
		if err != nil {
			return nil, err
		}
		sc.Net.TLS.Enable = true
		sc.Net.TLS.Config = tc
	}

	if m := mechanism(c.SASL.Mechanism); m != "" {
		sc.Net.SASL.Enable = true
		sc.Net.SASL.Handshake = true
		sc.Net.SASL.Mechanism = sarama.SASLMechanism(m)
		sc.Net.SASL.User = c.SASL.Username
		sc.Net.SASL.Password = c.SASL.Password
		switch m {
		case MechanismSCRAMSHA256:
			sc.Net.SASL.SCRAMClientGeneratorFunc = newSCRAMClient(sha256)
		case MechanismSCRAMSHA512:
			sc.Net.SASL.SCRAMClientGeneratorFunc = newSCRAMClient(sha512)
		}
	}

	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("%w: kafka: %w", ErrInvalidConfig, err)
	}
	return sc, nil
}

// readFile reads a configured file; its error leaves the path out, which
// the caller names with its key.
func readFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return nil, fmt.Errorf("cannot %s it: %w", pe.Op, pe.Err)
	}
	return b, err
}
