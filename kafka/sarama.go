package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/IBM/sarama"
)

// Sarama validates c and returns a base sarama configuration carrying the
// version, client id, dial timeout, TLS (files loaded now) and SASL settings.
// Callers set the consumer or producer fields on top of it.
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

	if c.TLS.Enabled {
		tc, err := c.TLS.load()
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

// load builds the *tls.Config, reading the configured PEM files.
func (t TLSConfig) load() (*tls.Config, error) {
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // explicit user choice
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: kafka.tls.ca_file: %w", ErrInvalidConfig, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: kafka.tls.ca_file: %q holds no PEM certificate", ErrInvalidConfig, t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: kafka.tls.cert_file: %q with kafka.tls.key_file %q: %w", ErrInvalidConfig, t.CertFile, t.KeyFile, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
