package kafka_test

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
)

func valid() kafka.Config {
	c := kafka.DefaultConfig()
	c.Brokers = []string{"127.0.0.1:9092"}
	return c
}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*kafka.Config)
		want   []string // substrings every one of which must appear; none = valid
	}{
		{"defaults with a broker", func(*kafka.Config) {}, nil},
		{"no brokers", func(c *kafka.Config) { c.Brokers = nil }, []string{"kafka.brokers: at least one broker is required"}},
		{"broker without port", func(c *kafka.Config) { c.Brokers = []string{"localhost"} }, []string{`kafka.brokers[0]: "localhost" is not host:port`}},
		{"broker port out of range", func(c *kafka.Config) { c.Brokers = []string{"a:1", "b:70000"} }, []string{`kafka.brokers[1]: "b:70000"`}},
		// Hosts that no resolver accepts, and that the comma-separated form
		// (KARAFKA_KAFKA_BROKERS, --brokers) cannot give back: a YAML list
		// loaded them (found by cli.FuzzLoad_yaml's seeds).
		{"broker host with a space", func(c *kafka.Config) { c.Brokers = []string{" a:9092"} }, []string{`kafka.brokers[0]: " a:9092" is not host:port (host " a" is neither a host name nor an IP address)`}},
		{"broker host with a comma", func(c *kafka.Config) { c.Brokers = []string{"[a,b]:9092"} }, []string{`kafka.brokers[0]: "[a,b]:9092"`}},
		{"broker host with a control character", func(c *kafka.Config) { c.Brokers = []string{"a\n:9092"} }, []string{`kafka.brokers[0]: "a\n:9092"`}},
		{"broker hosts that resolve", func(c *kafka.Config) {
			c.Brokers = []string{"kafka-1.example.com:9092", "kafka_1:9092", "10.0.0.1:9092", "[::1]:9092", "[fe80::1%eth0]:9092"}
		}, nil},
		{"empty client id", func(c *kafka.Config) { c.ClientID = "" }, []string{"kafka.client_id"}},
		{"bad version", func(c *kafka.Config) { c.Version = "x" }, []string{`kafka.version: "x" is not a Kafka version`}},
		{"old version", func(c *kafka.Config) { c.Version = "0.10.2.0" }, []string{`kafka.version: "0.10.2.0" is older than 0.11.0`}},
		{"zero dial timeout", func(c *kafka.Config) { c.DialTimeout = 0 }, []string{"kafka.dial_timeout"}},
		{"tls files while disabled", func(c *kafka.Config) { c.TLS.CAFile = "ca.pem" }, []string{`kafka.tls.ca_file: "ca.pem" is set but kafka.tls.enabled is false`}},
		{"cert without key", func(c *kafka.Config) { c.TLS = kafka.TLSConfig{Enabled: true, CertFile: "c.pem"} }, []string{"kafka.tls.key_file: required when kafka.tls.cert_file is set"}},
		{"key without cert", func(c *kafka.Config) { c.TLS = kafka.TLSConfig{Enabled: true, KeyFile: "k.pem"} }, []string{"kafka.tls.cert_file: required"}},
		{"unknown mechanism", func(c *kafka.Config) { c.SASL.Mechanism = "FOO" }, []string{`kafka.sasl.mechanism: "FOO" (allowed: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`}},
		{"mechanism without user", func(c *kafka.Config) { c.SASL.Mechanism = "PLAIN" }, []string{"kafka.sasl.username: required"}},
		{"user without mechanism", func(c *kafka.Config) { c.SASL.Username = "u" }, []string{"kafka.sasl.mechanism: required"}},
		{"lower-case mechanism", func(c *kafka.Config) {
			c.SASL = kafka.SASLConfig{Mechanism: "scram-sha-512", Username: "u", Password: "p"}
		}, nil},
		{"several problems at once", func(c *kafka.Config) { c.Brokers = nil; c.Version = "nope" }, []string{"kafka.brokers", "kafka.version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.modify(&c)
			err := c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, kafka.ErrInvalidConfig) {
				t.Fatalf("Validate() = %v, want ErrInvalidConfig", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestConfig_Redacted(t *testing.T) {
	tests := []struct {
		name, password, want string
	}{
		{"set password hidden", "secret", "******"},
		{"empty password stays empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			c.SASL = kafka.SASLConfig{Mechanism: "PLAIN", Username: "u", Password: tt.password}
			r := c.Redacted()
			if r.SASL.Password != tt.want {
				t.Errorf("Redacted().SASL.Password = %q, want %q", r.SASL.Password, tt.want)
			}
			if c.SASL.Password != tt.password {
				t.Errorf("original changed to %q", c.SASL.Password)
			}
			r.Brokers[0] = "changed:1"
			if c.Brokers[0] == "changed:1" {
				t.Error("Redacted shares the Brokers slice")
			}
		})
	}
}

func TestConfig_Sarama(t *testing.T) {
	tests := []struct {
		name    string
		modify  func(*kafka.Config)
		wantErr bool
	}{
		{"base fields", func(c *kafka.Config) { c.ClientID = "me"; c.DialTimeout = 3 * time.Second }, false},
		{"scram", func(c *kafka.Config) {
			c.SASL = kafka.SASLConfig{Mechanism: "SCRAM-SHA-256", Username: "u", Password: "p"}
		}, false},
		{"invalid config", func(c *kafka.Config) { c.Brokers = nil }, true},
		{"missing ca file", func(c *kafka.Config) { c.TLS = kafka.TLSConfig{Enabled: true, CAFile: "/nonexistent/ca.pem"} }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.modify(&c)
			sc, err := c.Sarama()
			if tt.wantErr {
				if !errors.Is(err, kafka.ErrInvalidConfig) {
					t.Fatalf("Sarama() error = %v, want ErrInvalidConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sc.ClientID != c.ClientID || sc.Net.DialTimeout != c.DialTimeout || sc.Version.String() != "3.6.0" {
				t.Errorf("got client id %q, dial %s, version %s", sc.ClientID, sc.Net.DialTimeout, sc.Version)
			}
			if c.SASL.Mechanism != "" && (!sc.Net.SASL.Enable || sc.Net.SASL.SCRAMClientGeneratorFunc == nil) {
				t.Error("SCRAM not configured")
			}
		})
	}
}

// TLS files are part of the configuration: one that cannot be read or
// parsed makes Validate fail, naming its key, before anything connects.
func TestConfig_ValidateTLSFiles(t *testing.T) {
	dir := t.TempDir()
	ca, cert, key := writeTLSFiles(t, dir)
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	tests := []struct {
		name string
		tls  kafka.TLSConfig
		want []string // substrings every one of which must appear; none = valid
	}{
		{"readable files", kafka.TLSConfig{Enabled: true, CAFile: ca, CertFile: cert, KeyFile: key}, nil},
		{"missing ca file", kafka.TLSConfig{Enabled: true, CAFile: missing}, []string{"kafka.tls.ca_file", missing}},
		{"ca file is a directory", kafka.TLSConfig{Enabled: true, CAFile: dir}, []string{"kafka.tls.ca_file", dir}},
		{"ca file not PEM", kafka.TLSConfig{Enabled: true, CAFile: notPEM}, []string{"kafka.tls.ca_file", "no PEM certificate"}},
		{"missing cert file", kafka.TLSConfig{Enabled: true, CertFile: missing, KeyFile: key}, []string{"kafka.tls.cert_file", missing}},
		{"missing key file", kafka.TLSConfig{Enabled: true, CertFile: cert, KeyFile: missing}, []string{"kafka.tls.key_file", missing}},
		{"key file not a key", kafka.TLSConfig{Enabled: true, CertFile: cert, KeyFile: notPEM}, []string{"kafka.tls.key_file", notPEM}},
		{"every file missing at once", kafka.TLSConfig{Enabled: true, CAFile: missing, CertFile: missing, KeyFile: missing},
			[]string{"kafka.tls.ca_file", "kafka.tls.cert_file", "kafka.tls.key_file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			c.TLS = tt.tls
			err := c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, kafka.ErrInvalidConfig) {
				t.Fatalf("Validate() = %v, want ErrInvalidConfig", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// writeTLSFiles writes a CA file and a client certificate and key, and
// returns their paths.
func writeTLSFiles(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	ca, pair := testkafka.WriteCA(t, dir)
	keyDER, err := x509.MarshalPKCS8PrivateKey(pair.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pair.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return ca, cert, key
}
