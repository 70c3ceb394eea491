package kafka

import (
	"slices"
	"time"
)

// Config is how to reach and authenticate against a Kafka cluster.
type Config struct {
	// Brokers are the bootstrap "host:port" addresses. At least one is required.
	Brokers []string
	// Client is the Kafka client library the app runs on: "sarama" (the
	// default) or "franz" (twmb/franz-go). See docs/clients.md.
	Client string
	// ClientID is sent to the brokers with every request. Default "karafka-actors".
	ClientID string
	// Version is the Kafka protocol version to speak, as parsed by
	// sarama.ParseKafkaVersion. Default "3.6.0"; at least "0.11.0" (record headers).
	Version string
	// DialTimeout bounds connecting to one broker. Default 10s.
	DialTimeout time.Duration
	// ReadTimeout bounds waiting for the answer to one request (Java's
	// request.timeout.ms). Default 30s. A consumer group's JoinGroup and
	// SyncGroup answers may take up to the rebalance timeout: the runtime
	// waits that long plus 5s for them, whatever this says.
	ReadTimeout time.Duration
	// TLS configures transport encryption.
	TLS TLSConfig
	// SASL configures authentication.
	SASL SASLConfig
}

// TLSConfig configures TLS towards the brokers.
type TLSConfig struct {
	// Enabled turns TLS on. The file fields are only allowed when it is true.
	Enabled bool
	// CAFile is a PEM bundle of CAs to trust instead of the system pool.
	CAFile string
	// CertFile and KeyFile are a PEM client certificate and its key, for
	// mutual TLS. Set both or neither.
	CertFile string
	KeyFile  string
	// InsecureSkipVerify disables verification of the broker certificate.
	InsecureSkipVerify bool
}

// SASLConfig configures SASL authentication.
type SASLConfig struct {
	// Mechanism is "" (no SASL), "PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512"
	// (case-insensitive).
	Mechanism string
	Username  string
	Password  string
}

// DefaultConfig returns a Config with every default set and no brokers.
func DefaultConfig() Config {
	return Config{
		Client:      ClientSarama,
		ClientID:    "karafka-actors",
		Version:     "3.6.0",
		DialTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second,
	}
}

// The client libraries kafka.client may name.
const (
	ClientSarama = "sarama"
	ClientFranz  = "franz"
)

// redactedPassword replaces a set password in [Config.Redacted].
const redactedPassword = "******"

// Redacted returns a copy of c that is safe to print: a set SASL password is
// replaced by "******" (an empty one stays empty, showing none is set).
func (c Config) Redacted() Config {
	c.Brokers = slices.Clone(c.Brokers)
	if c.SASL.Password != "" {
		c.SASL.Password = redactedPassword
	}
	return c
}
