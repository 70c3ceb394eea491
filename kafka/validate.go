package kafka

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/internal/bounds"
)

// validHostName is the characters a broker's host name may have, as Go's
// resolver accepts them (no spaces, commas or brackets: those could not
// round-trip through the comma-separated KARAFKA_KAFKA_BROKERS either).
var validHostName = regexp.MustCompile(`\A[A-Za-z0-9._-]+\z`)

// validClientID is the client.id grammar Kafka accepts from every client version.
var validClientID = regexp.MustCompile(`\A[A-Za-z0-9._-]+\z`)

// Mechanisms accepted in [SASLConfig.Mechanism].
const (
	MechanismPlain       = sarama.SASLTypePlaintext
	MechanismSCRAMSHA256 = sarama.SASLTypeSCRAMSHA256
	MechanismSCRAMSHA512 = sarama.SASLTypeSCRAMSHA512
)

// Validate reports every problem of c at once (errors.Join); each one wraps
// [ErrInvalidConfig] and names its key, such as "kafka.brokers". With TLS
// enabled it reads the configured files: one that cannot be read or parsed
// is invalid configuration.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalidConfig, key, fmt.Sprintf(format, args...)))
	}

	if len(c.Brokers) == 0 {
		bad("kafka.brokers", "at least one broker is required")
	}
	for i, b := range c.Brokers {
		if err := checkHostPort(b); err != nil {
			bad(fmt.Sprintf("kafka.brokers[%d]", i), "%q is not host:port (%v)", b, err)
		}
	}
	switch c.Client {
	case ClientSarama, ClientFranz:
	case "":
		bad("kafka.client", "empty (allowed: %s, %s)", ClientSarama, ClientFranz)
	default:
		bad("kafka.client", "%q (allowed: %s, %s)", c.Client, ClientSarama, ClientFranz)
	}
	if !validClientID.MatchString(c.ClientID) {
		bad("kafka.client_id", "%q must be non-empty and match [A-Za-z0-9._-]+", c.ClientID)
	}
	if v, err := sarama.ParseKafkaVersion(c.Version); err != nil {
		bad("kafka.version", "%q is not a Kafka version", c.Version)
	} else if !v.IsAtLeast(sarama.V0_11_0_0) {
		bad("kafka.version", "%q is older than 0.11.0 (record headers)", c.Version)
	}
	if c.DialTimeout <= 0 {
		bad("kafka.dial_timeout", "%s must be positive", c.DialTimeout)
	} else if c.DialTimeout > bounds.Duration {
		bad("kafka.dial_timeout", "%s must be at most %s", c.DialTimeout, bounds.Duration)
	}
	if c.ReadTimeout < time.Second {
		bad("kafka.read_timeout", "%s is below 1s", c.ReadTimeout)
	} else if c.ReadTimeout > bounds.Duration {
		bad("kafka.read_timeout", "%s must be at most %s", c.ReadTimeout, bounds.Duration)
	}

	if err := c.TLS.Validate("kafka.tls"); err != nil {
		errs = append(errs, err)
	}

	s := c.SASL
	switch mechanism(s.Mechanism) {
	case "":
		if s.Username != "" || s.Password != "" {
			bad("kafka.sasl.mechanism", "required when kafka.sasl.username or kafka.sasl.password is set")
		}
	case MechanismPlain, MechanismSCRAMSHA256, MechanismSCRAMSHA512:
		if s.Username == "" {
			bad("kafka.sasl.username", "required when kafka.sasl.mechanism is %q", s.Mechanism)
		}
	default:
		bad("kafka.sasl.mechanism", "%q (allowed: %s, %s, %s)", s.Mechanism, MechanismPlain, MechanismSCRAMSHA256, MechanismSCRAMSHA512)
	}

	return errors.Join(errs...)
}

// mechanism normalises a configured SASL mechanism name.
func mechanism(m string) string { return strings.ToUpper(strings.TrimSpace(m)) }

func checkHostPort(hp string) error {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return err
	}
	if host == "" {
		return errors.New("empty host")
	}
	if _, err := netip.ParseAddr(host); err != nil && !validHostName.MatchString(host) {
		return fmt.Errorf("host %q is neither a host name nor an IP address", host)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q out of range 1-65535", port)
	}
	return nil
}

// AtLeast reports whether c.Version is version or newer; the error says
// when either is not a Kafka version.
func (c Config) AtLeast(version string) (bool, error) {
	have, err := sarama.ParseKafkaVersion(c.Version)
	if err != nil {
		return false, fmt.Errorf("kafka.version: %q is not a Kafka version", c.Version)
	}
	want, err := sarama.ParseKafkaVersion(version)
	if err != nil {
		return false, fmt.Errorf("%q is not a Kafka version", version)
	}
	return have.IsAtLeast(want), nil
}
