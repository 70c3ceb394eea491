package kafka

import (
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Franz validates c and returns the franz-go options carrying the brokers,
// client id, timeouts, TLS (files loaded now) and SASL settings, as
// [Config.Sarama] does for sarama. Callers add the consumer or producer
// options. kafka.version is not used: franz-go negotiates versions with
// each broker.
func (c Config) Franz() ([]kgo.Opt, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.ClientID(c.ClientID),
		kgo.RequestTimeoutOverhead(c.ReadTimeout),
		kgo.DialTimeout(c.DialTimeout),
	}
	if c.TLS.Enabled {
		tc, err := c.TLS.Load("kafka.tls")
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	switch mechanism(c.SASL.Mechanism) {
	case MechanismPlain:
		opts = append(opts, kgo.SASL(plain.Auth{User: c.SASL.Username, Pass: c.SASL.Password}.AsMechanism()))
	case MechanismSCRAMSHA256:
		opts = append(opts, kgo.SASL(scram.Auth{User: c.SASL.Username, Pass: c.SASL.Password}.AsSha256Mechanism()))
	case MechanismSCRAMSHA512:
		opts = append(opts, kgo.SASL(scram.Auth{User: c.SASL.Username, Pass: c.SASL.Password}.AsSha512Mechanism()))
	}
	return opts, nil
}
